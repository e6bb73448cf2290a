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
 *   RPC_URL                 if set → external chain (no anvil)
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
 * Misc:
 *   DATA_DIR                default <projectRoot>/.data
 */
import * as path from 'path'
import { projectRoot } from './paths'

type Env = Record<string, string | undefined>

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
 * into DB_URL, and squid would otherwise warn that it ignores them.
 */
export function applyDatabaseEnv(cfg: DatabaseConfig, env: Env = process.env): void {
    env.DB_URL = cfg.url ?? buildPostgresUrl(cfg)
    for (const v of DB_VARS) delete env[v]
}

// ---------------------------------------------------------------------------
// chain

export const ANVIL_CHAIN_ID = 31337

export interface ChainConfig {
    /** true → the stack runs a local anvil node */
    local: boolean
    /** RPC endpoint: RPC_URL, or http://127.0.0.1:<anvilPort> for anvil */
    rpcUrl: string
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

export function chainFromEnv(env: Env = process.env): ChainConfig {
    const rpc = url(env, 'RPC_URL', ['http:', 'https:', 'ws:', 'wss:'])
    const local = rpc == null
    const chainIdEnv = int(env, 'CHAIN_ID', { min: 1, what: 'a positive integer chain id' })
    const rateLimit = positiveNumber(env, 'RPC_RATE_LIMIT', false)
    const finalityConfirmations = int(env, 'FINALITY_CONFIRMATIONS') ?? (local ? 10 : 75)
    const startBlock = int(env, 'START_BLOCK')
    if (local) {
        const anvilPort = port(env, 'ANVIL_PORT') ?? 8545
        const blockTime = positiveNumber(env, 'ANVIL_BLOCK_TIME', true) ?? 1
        const chainId = chainIdEnv ?? ANVIL_CHAIN_ID
        const dir = str(env, 'ANVIL_DIR')
        return {
            local,
            rpcUrl: `http://127.0.0.1:${anvilPort}`,
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
        rpcUrl: rpc.toString(),
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
