/** The local stack's tools: simulator, deploy, child processes. */
import { isAddress } from 'ethers'
import { Env, ConfigError, int, positiveNumber } from './env'

// ---------------------------------------------------------------------------
// local stack and tools

/** DEPLOYMENTS_FILE exactly as given (the deploy code resolves it against the working directory). */
export function deploymentsFileOverride(env: Env = process.env): string | undefined {
    return env.DEPLOYMENTS_FILE
}

export interface SimulatorConfig {
    /** SIMULATE=false: the local stack runs no simulator */
    enabled: boolean
    tickMs: number
    seed: number
    /** SIM_MEV=false: no validators, proposer rotation or DEX activity */
    mev: boolean
    validatorTickMs: number
    mevTickMs: number
}

function positiveNumberOr(env: Env, name: string, fallback: number): number {
    return positiveNumber(env, name, false) ?? fallback
}

export function simulatorFromEnv(env: Env = process.env): SimulatorConfig {
    return {
        enabled: env.SIMULATE !== 'false',
        tickMs: positiveNumberOr(env, 'SIM_TICK_MS', 1500),
        seed: int(env, 'SIM_SEED') ?? 42,
        mev: env.SIM_MEV !== 'false',
        validatorTickMs: positiveNumberOr(env, 'SIM_VALIDATOR_TICK_MS', 4000),
        mevTickMs: positiveNumberOr(env, 'SIM_MEV_TICK_MS', 2500),
    }
}

/** Deploy overrides (`npm run deploy`), by DeployOptions field. */
const DEPLOY_ADDRESS_VARS = {
    operator: 'OPERATOR_ADDRESS',
    relayer: 'RELAYER_ADDRESS',
    pauser: 'PAUSER_ADDRESS',
    treasury: 'TREASURY_ADDRESS',
    proposer: 'PROPOSER_ADDRESS',
    settlementToken: 'SETTLEMENT_TOKEN',
    stakingToken: 'STAKING_TOKEN',
} as const
const DEPLOY_INT_VARS = {
    timelockMinDelay: 'TIMELOCK_MIN_DELAY',
    disputeWindow: 'DISPUTE_WINDOW',
    feeBps: 'FEE_BPS',
    unbondingPeriod: 'UNBONDING_PERIOD',
    commissionDelay: 'COMMISSION_DELAY',
    maxCommissionBps: 'MAX_COMMISSION_BPS',
} as const
/** What a deployment to a non-local chain must be given. */
export const DEPLOY_REMOTE_REQUIRED = ['DEPLOYER_KEY', 'SETTLEMENT_TOKEN', 'STAKING_TOKEN', 'OPERATOR_ADDRESS', 'RELAYER_ADDRESS', 'PAUSER_ADDRESS', 'TREASURY_ADDRESS', 'PROPOSER_ADDRESS'] as const

export type DeployOverrides = { -readonly [K in keyof typeof DEPLOY_ADDRESS_VARS]?: string } & { -readonly [K in keyof typeof DEPLOY_INT_VARS]?: number } & { deployerKey?: string }

export interface DeployConfig {
    /** RPC_URL, default the local anvil (ANVIL_PORT, default 8545) */
    rpcUrl: string
    /** only the variables that are set */
    overrides: DeployOverrides
    /** DEPLOY_REMOTE_REQUIRED variables that are not set */
    missingForRemote: string[]
}

/** `npm run deploy`: roles, keys, tokens and protocol parameters from the environment (empty = unset). */
export function deployFromEnv(env: Env = process.env): DeployConfig {
    const get = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name])
    const overrides: DeployOverrides = {}
    for (const [k, name] of Object.entries(DEPLOY_ADDRESS_VARS)) {
        const v = get(name)
        if (v !== undefined && !isAddress(v)) throw new ConfigError(name, `${name} is not an address: ${v}`)
        if (v !== undefined) overrides[k as keyof typeof DEPLOY_ADDRESS_VARS] = v
    }
    for (const [k, name] of Object.entries(DEPLOY_INT_VARS)) {
        const v = get(name)
        if (v !== undefined && !/^\d+$/.test(v)) throw new ConfigError(name, `${name} must be a non-negative integer, got "${v}"`)
        if (v !== undefined) overrides[k as keyof typeof DEPLOY_INT_VARS] = Number(v)
    }
    const key = get('DEPLOYER_KEY')
    if (key !== undefined) overrides.deployerKey = key
    return {
        rpcUrl: get('RPC_URL') ?? `http://127.0.0.1:${get('ANVIL_PORT') ?? 8545}`,
        overrides,
        missingForRemote: DEPLOY_REMOTE_REQUIRED.filter((n) => !get(n)),
    }
}

/** RPC_HEAD_POLL_MS as given, for the local stack's children (it picks a fast default for anvil). */
export function headPollOverride(env: Env = process.env): string | undefined {
    return env.RPC_HEAD_POLL_MS
}

/** The environment of a child process: this process's, with `overrides` on top. */
export function childEnv(overrides: Env = {}, env: Env = process.env): Env {
    return { ...env, ...overrides }
}
