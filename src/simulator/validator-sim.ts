/**
 * The validator simulator's shared state (ValidatorSim: options, random source, validators and delegators, the
 * registry, stake token and timelock, unbondings seen and governance operations in flight, counters) and its
 * types: validators.ts runs the rounds, stake-moves.ts and validator-governance.ts act on this state.
 */
import { Contract, formatUnits } from 'ethers'
import type { Deployment } from '../deploy/deployments'
import type { Actor } from './actor'
import type { Random } from './random'

/** The simulated validator set: one large, one unreliable, commissions from 3% to 20%. */
export const VALIDATOR_PROFILES = [
    { name: 'Atlas', commissionBps: 500, missRate: 0.01 }, // the whale: most delegators pick it
    { name: 'Borealis', commissionBps: 300, missRate: 0 },
    { name: 'Cygnus', commissionBps: 800, missRate: 0.05 },
    { name: 'Draco', commissionBps: 1000, missRate: 0.005 },
    { name: 'Eridanus', commissionBps: 1500, missRate: 0.2 }, // unreliable: misses a fifth of its slots
    { name: 'Fornax', commissionBps: 2000, missRate: 0.01 },
] as const

/** Index of the validator that misses ~20% of its slots (and is the one governance jails and slashes). */
export const UNRELIABLE = 4

export interface SimValidator {
    actor: Actor
    address: string
    feeRecipient: string
    name: string
    missRate: number
}

export interface ValidatorStats {
    delegations: number
    undelegations: number
    redelegations: number
    withdrawals: number
    commissionChanges: number
    jailings: number
    unjailings: number
    slashes: number
    failures: number
}

export interface ValidatorSimOptions {
    rpcUrl: string
    deployment: Deployment
    /** The timelock proposer (anvil account 0). Pass the settlement simulator's, so one queue holds its nonces. */
    governance?: Actor
    validators?: number
    delegators?: number
    /** Chance per tick of a governance action on the unreliable validator: jail, unjail, slash (default 0.04). */
    governanceChance?: number
    /** Chain seconds a jailed validator stays jailed before governance releases it (default 90). */
    jailSeconds?: number
    seed?: number
    log?: (msg: string) => void
}

export const STK = 10n ** 18n

export interface GovernanceOp {
    what: string
    data: string
    salt: string
    readyAt: number
    done: () => void
}

export interface ValidatorSim {
    readonly opts: ValidatorSimOptions
    readonly rnd: Random
    readonly log: (msg: string) => void
    readonly stats: ValidatorStats
    readonly validators: SimValidator[]
    readonly delegators: Actor[]
    readonly governance: Actor
    readonly registry: Contract
    readonly stake: Contract
    readonly timelock: Contract
    /** unbonding requests of our delegators not withdrawn yet, by request id */
    readonly openUnbondings: Map<number, { delegator: Actor; amount: bigint; validator: string; unlockAt: number }>
    /** requests up to this id have been read */
    scannedUnbondings: number
    /** timelock operations scheduled, executed in order */
    readonly ops: GovernanceOp[]
    readonly jailedSince: Map<string, number>
    nameOf(validator: string): string
}

/** A stake amount (18 decimals) for the log. */
export function fmtStk(amount: bigint): string {
    return Number(formatUnits(amount, 18)).toLocaleString('en-US', { maximumFractionDigits: 0 })
}
