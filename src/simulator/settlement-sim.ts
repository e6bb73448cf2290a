/**
 * The settlement simulator's shared state (SettlementSim: its options, random source, actors, contracts, the
 * batches in flight and the counters) and the types its parts use: simulator.ts runs the rounds, participants.ts,
 * settlement-batches.ts and settlement-claims.ts act on this state.
 */
import type { Contract } from 'ethers'
import type { Pool } from 'pg'
import type { Deployment } from '../deploy/deployments'
import type { BuiltBatch } from '../settlement/batch-builder'
import type { Actor } from './actor'
import type { Random } from './random'

export interface SimulatorOptions {
    rpcUrl: string
    deployment: Deployment
    /** Where batch leaves are stored for `payoutProof`; without it the API cannot serve proofs of simulated batches. */
    db?: Pool
    tickMs?: number
    seed?: number
    payers?: number
    publishers?: number
    advertisers?: number
    /** Usage records per committed batch: [min, max]. */
    recordsPerBatch?: [number, number]
    log?: (msg: string) => void
}

export enum Kind {
    AIPlatform = 0,
    Publisher = 1,
    Advertiser = 2,
}

export interface SimBatch {
    id: string
    payer: Actor
    built: BuiltBatch
    proofs: Map<string, string[]>
    deadline: number
    status: 'committed' | 'disputed' | 'resolving' | 'finalized' | 'rejected'
    /** Timelock operation resolving the dispute: ready once the chain's time passes `readyAt`. */
    resolution?: { uphold: boolean; data: string; salt: string; readyAt: number }
    unclaimed: Set<string>
}

export const USDC = 1_000_000n

export interface SimulatorStats {
    ticks: number
    committed: number
    finalized: number
    disputed: number
    rejected: number
    claims: number
    deposits: number
    withdrawals: number
    failures: number
}

export type SettlementContracts = Record<'registry' | 'escrow' | 'ledger' | 'distributor' | 'timelock' | 'usdc', Contract>

/** What the simulator's actions read and change (the Simulator holds it; actors may be swapped at setup). */
export interface SettlementSim {
    readonly opts: SimulatorOptions
    readonly rnd: Random
    readonly log: (msg: string) => void
    readonly stats: SimulatorStats
    readonly payers: Actor[]
    readonly publishers: Actor[]
    readonly advertisers: Actor[]
    operator: Actor
    relayer: Actor
    readonly proposer: Actor
    readonly c: SettlementContracts
    readonly batches: Map<string, SimBatch>
    /** distinguishes this run's batch ids from an earlier run's on the same chain */
    readonly runId: string
    batchCounter: number
}

/** A USDC amount (6 decimals) for the log. */
export function fmt(amount: bigint): string {
    return (Number(amount) / 1e6).toFixed(2)
}
