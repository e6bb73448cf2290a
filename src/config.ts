/**
 * Runtime configuration, resolved from environment variables in ONE place.
 *
 * Every function takes an optional `env` (defaults to `process.env`) so it can be
 * tested without touching the real environment. Invalid values throw a
 * `ConfigError` whose message names the offending variable.
 *
 * Database (first match wins):
 *   DATABASE_URL            postgres://user:pass@host:port/db       → external Postgres
 *   DB_URL                  same format (squid's own variable)      → external Postgres
 *   DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASS (any of them set)       → external Postgres,
 *                           squid defaults: localhost/5432/postgres/postgres/postgres
 *   none of the above       → embedded Postgres started by the stack:
 *     EMBEDDED_PG_PORT      default 23798
 *     EMBEDDED_PG_DIR       default <DATA_DIR>/postgres
 *     user/password/db      postgres/postgres/squid
 *   `applyDatabaseEnv(cfg)` exports the result as DB_URL, which is what
 *   @subsquid/typeorm-config (processor, migrations, openreader) reads.
 *
 * Chain:
 *   RPC_URL                 if set → external chain (no anvil); several comma-separated URLs → failover, first
 *                           preferred (src/rpc/failover.ts; http(s) only when more than one)
 *   RPC_TIMEOUT_MS          failover: one attempt on one endpoint, default 10000
 *   RPC_RECHECK_MS          failover: a failed endpoint is skipped this long before it is tried again, default 5000
 *   SQD_GATEWAY             SQD Network gateway URL for the backfill of finalized blocks (external chain only)
 *   ANVIL_PORT              default 8545 (local only)
 *   ANVIL_BLOCK_TIME        seconds, default 1; fractions allowed; 0 = automine (local only)
 *   ANVIL_DIR               default <DATA_DIR>/anvil (state.json, anvil.log)
 *   CHAIN_ID                default 31337 for anvil; optional for RPC_URL
 *   RPC_RATE_LIMIT          requests/s, optional
 *   FINALITY_CONFIRMATIONS  default 10 for anvil, 75 for an external chain
 *   START_BLOCK             optional
 *   DEPLOYMENTS_FILE        default contracts/deployments/<chainId>.json (relative to project root)
 *
 * Servers:
 *   GQL_PORT                default 4350
 *   PROMETHEUS_PORT         default 3000 (processor metrics)
 *
 * Indexer (the processor, `npm run process`; what each does: src/processor.ts and src/indexer/):
 *   CHAIN_ANALYTICS, PROTOCOL_EVENTS        true/false, default true
 *   EPOCH_BLOCKS                            default 32 (also read by the simulator)
 *   TRACE_API                               trace (default) | debug
 *   RPC_CAPACITY, RPC_HEAD_POLL_MS, RPC_BATCH_SIZE                   default: squid's
 *   RPC_SPLIT_BLOCKS, RPC_SPLIT_CONCURRENCY, BATCH_MAX_BLOCKS, BATCH_MAX_LOGS   backfill ingestion
 *   DEFER_INDEXES (auto|true|false), DEFER_INDEXES_MIN_LAG (default 2000)    src/indexer/write/deferred-indexes.ts
 *   SKIP_MIGRATIONS         true: the processor does not apply db/migrations
 *   SCORING_CONFIG          scoring weights, default config/scoring.json
 *
 * Local stack and tools: SIMULATE, SIM_TICK_MS, SIM_SEED, SIM_MEV, SIM_VALIDATOR_TICK_MS, SIM_MEV_TICK_MS
 * (simulatorFromEnv); DEPLOYMENTS_FILE as given, for the deploy code (deploymentsFileOverride).
 *
 * Misc:
 *   DATA_DIR                default <projectRoot>/.data
 */
import * as path from 'path'
import { isAddress } from 'ethers'
import { projectRoot } from './paths'

export type Env = Record<string, string | undefined>

export class ConfigError extends Error {
    constructor(
        readonly variable: string,
        message: string,
    ) {
        super(message)
        this.name = 'ConfigError'
    }
}

// ---------------------------------------------------------------------------
// project layout

// (re-exported: several modules take it from here)
export { projectRoot }

/** Root of all local runtime state (embedded Postgres, anvil state). */
export function dataDir(env: Env = process.env): string {
    const v = str(env, 'DATA_DIR')
    return v ? path.resolve(projectRoot(), v) : path.join(projectRoot(), '.data')
}

// ---------------------------------------------------------------------------
// value parsers

function str(env: Env, name: string): string | undefined {
    const v = env[name]
    if (v == null) return undefined
    const t = v.trim()
    return t === '' ? undefined : t
}

function int(env: Env, name: string, opts: { min?: number; max?: number; what?: string } = {}): number | undefined {
    const v = str(env, name)
    if (v == null) return undefined
    const min = opts.min ?? 0
    const max = opts.max ?? Number.MAX_SAFE_INTEGER
    const what = opts.what ?? `an integer between ${min} and ${max}`
    if (!/^\d+$/.test(v)) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(v)}: expected ${what}`)
    const n = Number(v)
    if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(v)}: expected ${what}`)
    }
    return n
}

function port(env: Env, name: string): number | undefined {
    return int(env, name, { min: 1, max: 65535, what: 'a TCP port number (1-65535)' })
}

function positiveNumber(env: Env, name: string, allowZero: boolean): number | undefined {
    const v = str(env, name)
    if (v == null) return undefined
    const n = /^\d+(\.\d+)?$|^\.\d+$/.test(v) ? Number(v) : NaN
    if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
        throw new ConfigError(
            name,
            `Invalid ${name}=${JSON.stringify(v)}: expected a ${allowZero ? 'non-negative' : 'positive'} number`,
        )
    }
    return n
}

function url(env: Env, name: string, protocols: string[]): URL | undefined {
    const v = str(env, name)
    if (v == null) return undefined
    let u: URL
    try {
        u = new URL(v)
    } catch {
        throw new ConfigError(name, `Invalid ${name}: ${JSON.stringify(redact(v))} is not a valid URL (expected ${protocols.map((p) => p + '//...').join(' or ')})`)
    }
    if (!protocols.includes(u.protocol)) {
        throw new ConfigError(name, `Invalid ${name}: protocol "${u.protocol}" is not supported (expected ${protocols.join(' or ')})`)
    }
    if (!u.hostname) throw new ConfigError(name, `Invalid ${name}: ${JSON.stringify(redact(v))} has no host`)
    return u
}

/** Hide a password in a URL-ish string for messages. */
function redact(v: string): string {
    return v.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@')
}

// ---------------------------------------------------------------------------
// database

export interface DatabaseConfig {
    /** true → no database configured, the stack starts an embedded Postgres */
    embedded: boolean
    /** postgres://user:pass@host:port/db (always filled) */
    url?: string
    host: string
    port: number
    database: string
    user: string
    password: string
    /** embedded only: Postgres data directory */
    dataDir?: string
}

export const EMBEDDED_PG_DEFAULTS = {
    port: 23798,
    user: 'postgres',
    password: 'postgres',
    database: 'squid',
} as const

export function buildPostgresUrl(c: { host: string; port: number; database: string; user: string; password: string }): string {
    const auth = `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}`
    const host = c.host.includes(':') && !c.host.startsWith('[') ? `[${c.host}]` : c.host
    return `postgres://${auth}@${host}:${c.port}/${encodeURIComponent(c.database)}`
}

function fromPgUrl(name: string, env: Env): DatabaseConfig {
    const u = url(env, name, ['postgres:', 'postgresql:'])!
    if (u.port && !/^\d+$/.test(u.port)) throw new ConfigError(name, `Invalid ${name}: bad port "${u.port}"`)
    return {
        embedded: false,
        // passed through unchanged (keeps ?sslmode=... etc.)
        url: str(env, name),
        host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: u.port ? Number(u.port) : 5432,
        database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
    }
}

const DB_VARS = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS'] as const

export function databaseFromEnv(env: Env = process.env): DatabaseConfig {
    if (str(env, 'DATABASE_URL')) return fromPgUrl('DATABASE_URL', env)
    if (str(env, 'DB_URL')) return fromPgUrl('DB_URL', env)
    if (DB_VARS.some((v) => str(env, v) != null)) {
        const cfg = {
            embedded: false,
            host: str(env, 'DB_HOST') ?? 'localhost',
            port: port(env, 'DB_PORT') ?? 5432,
            database: str(env, 'DB_NAME') ?? 'postgres',
            user: str(env, 'DB_USER') ?? 'postgres',
            password: env.DB_PASS ?? 'postgres',
        }
        return { ...cfg, url: buildPostgresUrl(cfg) }
    }
    const cfg = {
        embedded: true,
        host: '127.0.0.1',
        port: port(env, 'EMBEDDED_PG_PORT') ?? EMBEDDED_PG_DEFAULTS.port,
        database: EMBEDDED_PG_DEFAULTS.database,
        user: EMBEDDED_PG_DEFAULTS.user,
        password: EMBEDDED_PG_DEFAULTS.password,
    }
    const dir = str(env, 'EMBEDDED_PG_DIR')
    return {
        ...cfg,
        url: buildPostgresUrl(cfg),
        dataDir: dir ? path.resolve(projectRoot(), dir) : path.join(dataDir(env), 'postgres'),
    }
}

/**
 * Export `cfg` as DB_URL for @subsquid/typeorm-config (processor, migrations,
 * openreader) and for child processes, which inherit the environment.
 * DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASS are removed afterwards: they are folded
 * into DB_URL, and squid would otherwise warn that it ignores them. Returns the URL.
 */
export function applyDatabaseEnv(cfg: DatabaseConfig, env: Env = process.env): string {
    const url = (env.DB_URL = cfg.url ?? buildPostgresUrl(cfg))
    for (const v of DB_VARS) delete env[v]
    return url
}

/** Which variable the database came from, for log lines. */
export function databaseSource(env: Env = process.env): 'DATABASE_URL' | 'DB_*' {
    return str(env, 'DATABASE_URL') ? 'DATABASE_URL' : 'DB_*'
}

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

// ---------------------------------------------------------------------------
// indexer

export type TraceApi = 'trace' | 'debug'

export const DEFAULT_EPOCH_BLOCKS = 32

/** EPOCH_BLOCKS (default 32): a positive integer. */
export function epochBlocksFromEnv(env: Env = process.env): number {
    const v = env.EPOCH_BLOCKS?.trim()
    if (!v) return DEFAULT_EPOCH_BLOCKS
    if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
        throw new ConfigError('EPOCH_BLOCKS', `Invalid EPOCH_BLOCKS=${JSON.stringify(v)}: expected a positive integer`)
    }
    return Number(v)
}

/** A `true`/`false` switch (also 1/0, yes/no, on/off); unset → `fallback`. */
export function boolFromEnv(env: Env, name: string, fallback: boolean): boolean {
    const v = env[name]?.trim().toLowerCase()
    if (!v) return fallback
    if (['true', '1', 'yes', 'on'].includes(v)) return true
    if (['false', '0', 'no', 'off'].includes(v)) return false
    throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(env[name])}: expected true or false`)
}

function optInt(env: Env, name: string): number | undefined {
    const v = env[name]?.trim()
    if (!v) return undefined
    if (!/^\d+$/.test(v)) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(v)}: expected a non-negative integer`)
    return Number(v)
}

function positiveIntFromEnv(env: Env, name: string, fallback: number): number {
    const v = optInt(env, name)
    if (v === undefined) return fallback
    if (v < 1) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(env[name])}: expected a positive integer`)
    return v
}

/** How finalized blocks are fetched and grouped into handler calls during a backfill (src/indexer/ingest.ts). */
export interface ColdIngestSettings {
    /** blocks per fetch unit (one eth_getLogs range, one eth_getBlockByNumber batch) */
    splitBlocks: number
    /** fetch units in flight ahead of the handler */
    concurrency: number
    /** fetched units are merged into one handler call up to this many blocks ... */
    maxBatchBlocks: number
    /** ... or this many logs */
    maxBatchLogs: number
}

/** Backfill ingestion settings; the defaults depend on CHAIN_ANALYTICS (see src/processor.ts). */
export function coldIngestFromEnv(env: Env, chainAnalytics: boolean): ColdIngestSettings {
    return {
        splitBlocks: positiveIntFromEnv(env, 'RPC_SPLIT_BLOCKS', chainAnalytics ? 50 : 100),
        concurrency: positiveIntFromEnv(env, 'RPC_SPLIT_CONCURRENCY', 2),
        maxBatchBlocks: positiveIntFromEnv(env, 'BATCH_MAX_BLOCKS', 500),
        maxBatchLogs: positiveIntFromEnv(env, 'BATCH_MAX_LOGS', 25_000),
    }
}

function traceApiFromEnv(env: Env): TraceApi {
    const v = env.TRACE_API?.trim().toLowerCase()
    if (!v) return 'trace'
    if (v !== 'trace' && v !== 'debug') throw new ConfigError('TRACE_API', `Invalid TRACE_API=${JSON.stringify(env.TRACE_API)}: expected "trace" or "debug"`)
    return v
}

/** The processor's own knobs (the chain and database come from chainFromEnv / databaseFromEnv). */
export interface IndexerConfig {
    /** RPC_CAPACITY */
    capacity?: number
    /** RPC_HEAD_POLL_MS */
    headPollInterval?: number
    /** RPC_BATCH_SIZE */
    maxBatchCallSize?: number
    epochBlocks: number
    traceApi: TraceApi
    chainAnalytics: boolean
    protocolEvents: boolean
    ingest: ColdIngestSettings
}

export function indexerFromEnv(env: Env = process.env): IndexerConfig {
    const chainAnalytics = boolFromEnv(env, 'CHAIN_ANALYTICS', true)
    return {
        capacity: optInt(env, 'RPC_CAPACITY'),
        headPollInterval: optInt(env, 'RPC_HEAD_POLL_MS'),
        maxBatchCallSize: optInt(env, 'RPC_BATCH_SIZE') || undefined,
        epochBlocks: epochBlocksFromEnv(env),
        traceApi: traceApiFromEnv(env),
        chainAnalytics,
        protocolEvents: boolFromEnv(env, 'PROTOCOL_EVENTS', true),
        ingest: coldIngestFromEnv(env, chainAnalytics),
    }
}

/** SKIP_MIGRATIONS=true: the processor does not apply db/migrations (the stack did). */
export function skipMigrations(env: Env = process.env): boolean {
    return env.SKIP_MIGRATIONS === 'true'
}

export interface DeferredIndexSettings {
    enabled: boolean
    minLag: number
}

/** DEFER_INDEXES (auto | true | false, default auto) and DEFER_INDEXES_MIN_LAG (blocks, default 2000). */
export function deferredIndexSettingsFromEnv(env: Env = process.env): DeferredIndexSettings {
    const mode = (env.DEFER_INDEXES ?? 'auto').toLowerCase()
    if (!['auto', 'true', 'false'].includes(mode)) throw new ConfigError('DEFER_INDEXES', `DEFER_INDEXES must be auto, true or false (got "${env.DEFER_INDEXES}")`)
    const minLag = Number(env.DEFER_INDEXES_MIN_LAG ?? 2000)
    if (!Number.isInteger(minLag) || minLag < 0) {
        throw new ConfigError('DEFER_INDEXES_MIN_LAG', `DEFER_INDEXES_MIN_LAG must be a whole number of blocks (got "${env.DEFER_INDEXES_MIN_LAG}")`)
    }
    return { enabled: mode !== 'false', minLag }
}

/** SCORING_CONFIG: the scoring weights file (default config/scoring.json). */
export function scoringConfigFile(env: Env = process.env): string {
    return env.SCORING_CONFIG ?? path.join(projectRoot(), 'config', 'scoring.json')
}

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

// ---------------------------------------------------------------------------
// everything

export interface AppConfig {
    projectRoot: string
    dataDir: string
    database: DatabaseConfig
    chain: ChainConfig
    gqlPort: number
    prometheusPort: number
}

/** Resolve and validate everything at once (throws the first ConfigError). */
export function loadConfig(env: Env = process.env): AppConfig {
    return {
        projectRoot: projectRoot(),
        dataDir: dataDir(env),
        database: databaseFromEnv(env),
        chain: chainFromEnv(env),
        gqlPort: gqlPort(env),
        prometheusPort: prometheusPort(env),
    }
}

// ---------------------------------------------------------------------------
// usage pipeline (src/usage)

export interface UsageBatchSettings {
    /** close a (payer, token) batch when this many records are queued (BATCH_MAX_RECORDS, default 1000) */
    maxRecords: number
    /** close it when its oldest queued record is this old (BATCH_MAX_AGE_MS, default 60000) */
    maxAgeMs: number
    /** how often the batcher looks (BATCH_POLL_MS, default 1000) */
    pollMs: number
    /** run the batcher in this API process (USAGE_BATCHER, default true; one leader across replicas anyway) */
    enabled: boolean
}

export function usageBatchFromEnv(env: Env = process.env): UsageBatchSettings {
    const positive = (name: string, fallback: number) => {
        const v = optInt(env, name)
        if (v === undefined) return fallback
        if (v < 1) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(env[name])}: expected a positive integer`)
        return v
    }
    return {
        maxRecords: positive('BATCH_MAX_RECORDS', 1000),
        maxAgeMs: positive('BATCH_MAX_AGE_MS', 60_000),
        pollMs: positive('BATCH_POLL_MS', 1000),
        enabled: boolFromEnv(env, 'USAGE_BATCHER', true),
    }
}
