/** Which chain: RPC_URL (one or a failover list), anvil settings, deployments file, gateway; the servers' ports. */
import * as path from 'path'
import { Env, ConfigError, projectRoot, dataDir, str, int, port, positiveNumber, url } from './env'

// ---------------------------------------------------------------------------
// chain

export const ANVIL_CHAIN_ID = 31337

export interface ChainConfig {
    /** true → the stack runs a local anvil node */
    local: boolean
    /** the preferred RPC endpoint: the first of RPC_URL, or http://127.0.0.1:<anvilPort> for anvil */
    rpcUrl: string
    /** every RPC endpoint in order of preference (RPC_URL, comma-separated); [rpcUrl] for anvil */
    rpcUrls: string[]
    /** SQD_GATEWAY: SQD Network gateway for finalized blocks (external chain only) */
    gateway?: string
    /** 31337 for anvil; CHAIN_ID or undefined (ask the node) for an external chain */
    chainId?: number
    /** anvil only */
    anvil?: { port: number; blockTime: number; chainId: number; dataDir: string }
    /** requests per second, undefined = unlimited */
    rateLimit?: number
    finalityConfirmations: number
    startBlock?: number
    /** absolute path; undefined when the chain id is not known yet (see `deploymentsFileFor`) */
    deploymentsFile?: string
}

export function deploymentsFileFor(chainId: number, env: Env = process.env): string {
    const v = str(env, 'DEPLOYMENTS_FILE')
    if (v) return path.resolve(projectRoot(), v)
    return path.join(projectRoot(), 'contracts', 'deployments', `${chainId}.json`)
}

/**
 * RPC_URL: one URL, or several separated by commas (failover in that order of preference). With several, each
 * must be http(s): the failover forwards JSON-RPC over HTTP (src/rpc/failover.ts).
 */
export function rpcUrlsFromEnv(env: Env = process.env): string[] | undefined {
    const raw = str(env, 'RPC_URL')
    if (raw == null) return undefined
    const parts = raw.split(',').map((p) => p.trim())
    if (parts.some((p) => p === '')) throw new ConfigError('RPC_URL', 'Invalid RPC_URL: an empty entry in the comma-separated list')
    const urls = parts.map((p) => url({ RPC_URL: p }, 'RPC_URL', ['http:', 'https:', 'ws:', 'wss:'])!.toString())
    if (urls.length > 1 && urls.some((u) => !/^https?:/.test(u))) {
        throw new ConfigError('RPC_URL', 'Invalid RPC_URL: with several endpoints (failover) each must be http:// or https://')
    }
    if (new Set(urls).size !== urls.length) throw new ConfigError('RPC_URL', 'Invalid RPC_URL: the same endpoint is listed twice')
    return urls
}

export interface RpcFailoverSettings {
    /** RPC_TIMEOUT_MS: one attempt on one endpoint */
    timeoutMs: number
    /** RPC_RECHECK_MS: how long a failed endpoint is skipped before it is tried again */
    recheckMs: number
}

export function rpcFailoverFromEnv(env: Env = process.env): RpcFailoverSettings {
    return {
        timeoutMs: int(env, 'RPC_TIMEOUT_MS', { min: 1, what: 'a positive number of milliseconds' }) ?? 10_000,
        recheckMs: int(env, 'RPC_RECHECK_MS', { min: 1, what: 'a positive number of milliseconds' }) ?? 5_000,
    }
}

/** SQD_GATEWAY: an http(s) URL, e.g. https://v2.archive.subsquid.io/network/base-mainnet; refused on the local chain. */
export function gatewayFromEnv(env: Env, local: boolean): string | undefined {
    const u = url(env, 'SQD_GATEWAY', ['http:', 'https:'])
    if (u && local) throw new ConfigError('SQD_GATEWAY', 'SQD_GATEWAY is set but RPC_URL is not: the local anvil chain has no SQD Network gateway')
    return u?.toString()
}

export function chainFromEnv(env: Env = process.env): ChainConfig {
    const rpcUrls = rpcUrlsFromEnv(env)
    const local = rpcUrls == null
    const gateway = gatewayFromEnv(env, local)
    const chainIdEnv = int(env, 'CHAIN_ID', { min: 1, what: 'a positive integer chain id' })
    const rateLimit = positiveNumber(env, 'RPC_RATE_LIMIT', false)
    const finalityConfirmations = int(env, 'FINALITY_CONFIRMATIONS') ?? (local ? 10 : 75)
    const startBlock = int(env, 'START_BLOCK')
    if (local) {
        const anvilPort = port(env, 'ANVIL_PORT') ?? 8545
        const blockTime = positiveNumber(env, 'ANVIL_BLOCK_TIME', true) ?? 1
        const chainId = chainIdEnv ?? ANVIL_CHAIN_ID
        const dir = str(env, 'ANVIL_DIR')
        const rpcUrl = `http://127.0.0.1:${anvilPort}`
        return {
            local,
            rpcUrl,
            rpcUrls: [rpcUrl],
            chainId,
            anvil: {
                port: anvilPort,
                blockTime,
                chainId,
                dataDir: dir ? path.resolve(projectRoot(), dir) : path.join(dataDir(env), 'anvil'),
            },
            rateLimit,
            finalityConfirmations,
            startBlock,
            deploymentsFile: deploymentsFileFor(chainId, env),
        }
    }
    const explicit = str(env, 'DEPLOYMENTS_FILE')
    return {
        local,
        rpcUrl: rpcUrls[0],
        rpcUrls,
        ...(gateway ? { gateway } : {}),
        chainId: chainIdEnv,
        rateLimit,
        finalityConfirmations,
        startBlock,
        deploymentsFile: explicit
            ? path.resolve(projectRoot(), explicit)
            : chainIdEnv != null
              ? deploymentsFileFor(chainIdEnv, env)
              : undefined,
    }
}

// ---------------------------------------------------------------------------
// servers

export function gqlPort(env: Env = process.env): number {
    return port(env, 'GQL_PORT') ?? 4350
}

export function prometheusPort(env: Env = process.env): number {
    return port(env, 'PROMETHEUS_PORT') ?? 3000
}
