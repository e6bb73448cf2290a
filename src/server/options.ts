/**
 * The API server's options and their parsing from the environment (the server's half of the env parsing; the
 * database, RPC and port come from src/config.ts, and a bad value is the same ConfigError there and here).
 */
import { ConfigError, Env, gqlPort, UsageBatchSettings, usageBatchFromEnv } from '../config'
import type { AuthLimits } from './auth/authenticator'
import type { HttpLimits, LogFn } from './http-deps'
import { DEFAULT_RATE_LIMITS, RateLimitConfig } from './limits/rate-limit'
import { DEFAULT_QUERY_LIMITS } from './limits/validation'
import type { MutationConfig } from './resolvers/mutation.resolver'
import type { SqlConfig } from './sql/setup'

export interface ServerLimits extends HttpLimits {
    /** per-statement timeout of the API's pool (ms) → TIMEOUT */
    statementTimeoutMs: number
    /** size of the API's pool */
    poolSize: number
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
    ...DEFAULT_QUERY_LIMITS,
    maxBodyBytes: 1024 * 1024,
    maxResponseBytes: 16 * 1024 * 1024,
    maxListRows: 10_000,
    statementTimeoutMs: 5_000,
    poolSize: 20,
}

export interface SubscriptionConfig {
    /** events queued per subscriber before it is dropped as too slow (default 1,000) */
    queueCapacity?: number
    /** subscriptions per process (default 20,000) */
    maxSubscribers?: number
    /** graphql-ws connections per process (default 5,000) */
    maxConnections?: number
    /** graphql-ws connections per client IP (default 100; 0: no cap) */
    maxPerIp?: number
    /** operations per graphql-ws connection (default 50) */
    maxPerConnection?: number
    /** graphql-ws ping interval (default 12 s) */
    keepAliveMs?: number
    /** NOTIFY channel (default squid_batch) */
    channel?: string
    /** LISTEN down this long ends every subscription with UNAVAILABLE (default 20,000 ms; pubsub/watchdog.ts) */
    feedLossMs?: number
    /** a live query runs at most once per this many ms (default 250; live/engine.ts) */
    liveMinIntervalMs?: number
    /** threads writing the frames of a large fan-out (default 2; 0: the main thread writes; pubsub/fanout-writer.ts) */
    fanOutThreads?: number
}

export interface ServerOptions {
    /** default GQL_PORT or 4350; 0 picks a free port */
    port?: number
    /** interface to bind (default 127.0.0.1: reachable from this machine only; GQL_HOST=0.0.0.0 to serve others) */
    host?: string
    /** Postgres URL (default: src/config.ts databaseFromEnv) */
    databaseUrl?: string
    /** RPC for indexerStatus.chainHead (default: src/config.ts chainFromEnv); null disables */
    rpcUrl?: string | null
    /** default <project>/schema.graphql */
    schemaFile?: string
    /** processor state schema (default squid_processor) */
    stateSchema?: string
    limits?: Partial<ServerLimits>
    rateLimit?: Partial<RateLimitConfig>
    /** failed authentications per client IP (auth/authenticator.ts) */
    auth?: Partial<AuthLimits>
    sql?: SqlConfig
    subscriptions?: SubscriptionConfig
    /** serve GraphiQL on GET /graphql for browsers (default true) */
    graphiql?: boolean
    /** CORS: '*' (default: the API is public chain data and authenticates by header, not cookie, so any page may
     * call it with a key it holds), a comma-separated list of origins (echoed when they match), or '' (no CORS) */
    corsOrigin?: string
    /** read replicas: read-only operations and /sql go there, the rest stays on `databaseUrl` (db-routing.ts) */
    readDatabaseUrls?: string[]
    /** after a caller's mutation, its reads stay on the primary this long (default 2,000 ms; 0: off) */
    readAfterWriteMs?: number
    /** skip a replica further behind than this (replica-lag.ts; default 0: no limit) */
    readMaxLagMs?: number
    /** GET /metrics (default true) */
    metrics?: boolean
    /** when set, /metrics needs `Authorization: Bearer <token>` */
    metricsToken?: string
    /** passed to configureMutations (chain, timeouts); closeMutations() runs at close() when given */
    mutations?: MutationConfig
    /** close the mutations' chain connection at close() even without `mutations` (the CLI entry does) */
    closeMutations?: boolean
    /** run the usage batcher (src/usage/batcher.ts) in this process; one leader across replicas */
    usageBatcher?: UsageBatchSettings
    log?: LogFn
    /** how long a successful query response may be served again before the next processor commit (result-cache.ts);
     * 0 turns the cache off. Default: API_RESULT_CACHE_MS, else 1,000 */
    resultCacheMs?: number
}

/** API_RESULT_CACHE_MS (default 1,000; 0 = off), read when the options do not say */
export function resultCacheMsFromEnv(env: Env = process.env): number {
    const raw = env.API_RESULT_CACHE_MS
    if (raw === undefined || raw === '') return 1_000
    const ms = Number(raw)
    if (!Number.isInteger(ms) || ms < 0) throw new ConfigError('API_RESULT_CACHE_MS', `API_RESULT_CACHE_MS must be a whole number of milliseconds (got "${raw}")`)
    return ms
}

function envInt(env: Env, name: string): number | undefined {
    const v = env[name]?.trim()
    if (!v) return undefined
    if (!/^\d+$/.test(v)) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(v)}: expected a non-negative integer`)
    return Number(v)
}

/** DATABASE_READ_URL: one or several postgres:// URLs, comma-separated. */
export function readUrlsFromEnv(value: string | undefined): string[] | undefined {
    const urls = (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    for (const u of urls) {
        if (!/^postgres(ql)?:\/\//.test(u)) throw new ConfigError('DATABASE_READ_URL', `DATABASE_READ_URL: "${replicaSafe(u)}" is not a postgres:// URL`)
    }
    return urls.length ? urls : undefined
}

/** a URL for an error message, without its password */
function replicaSafe(url: string): string {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
}

/**
 * Options from the environment (besides DB / RPC / GQL_PORT from src/config.ts):
 *   GQL_HOST (default 127.0.0.1), CORS_ORIGINS or GQL_CORS_ORIGIN (default *; a comma-separated origin list; empty: no CORS headers),
 *   DATABASE_READ_URL (replica URLs, comma-separated), DATABASE_READ_AFTER_WRITE_MS, DATABASE_READ_MAX_LAG_MS, API_METRICS=false, API_METRICS_TOKEN,
 *   GQL_MAX_DEPTH, GQL_MAX_COMPLEXITY, GQL_MAX_ALIASES, GQL_MAX_ROOT_FIELDS, GQL_MAX_TOKENS, GQL_MAX_INPUT_ITEMS,
 *   GQL_MAX_LIST_ROWS, GQL_MAX_BODY_BYTES, GQL_MAX_RESPONSE_BYTES,
 *   GQL_STATEMENT_TIMEOUT_MS, GQL_RATE_LIMIT_RPS / GQL_RATE_LIMIT_BURST (per key),
 *   GQL_ANON_RATE_LIMIT_RPS / GQL_ANON_RATE_LIMIT_BURST (per IP),
 *   SQL_ROW_CAP, SQL_TIMEOUT_MS, SQL_READONLY_DATABASE_URL, SQL_ALLOW_ANONYMOUS=true, SQL_ENABLED=false,
 *   GQL_SUBSCRIBER_QUEUE, GQL_MAX_WS_CONNECTIONS, GQL_MAX_WS_PER_IP, GQL_FEED_LOSS_MS, LIVE_MIN_INTERVAL_MS, GQL_FANOUT_THREADS,
 *   API_AUTH_FAIL_BURST / API_AUTH_FAIL_PER_SECOND (failed authentications per IP)
 */
export function serverOptionsFromEnv(env: Env = process.env): ServerOptions {
    const limits: Partial<ServerLimits> = {}
    const set = <K extends keyof ServerLimits>(k: K, name: string) => {
        const v = envInt(env, name)
        if (v !== undefined) (limits as any)[k] = v
    }
    set('maxDepth', 'GQL_MAX_DEPTH')
    set('maxComplexity', 'GQL_MAX_COMPLEXITY')
    set('maxAliases', 'GQL_MAX_ALIASES')
    set('maxRootFields', 'GQL_MAX_ROOT_FIELDS')
    set('maxTokens', 'GQL_MAX_TOKENS')
    set('maxInputItems', 'GQL_MAX_INPUT_ITEMS')
    set('maxListRows', 'GQL_MAX_LIST_ROWS')
    set('maxBodyBytes', 'GQL_MAX_BODY_BYTES')
    set('maxResponseBytes', 'GQL_MAX_RESPONSE_BYTES')
    set('statementTimeoutMs', 'GQL_STATEMENT_TIMEOUT_MS')
    const rate: Partial<RateLimitConfig> = {}
    const rps = envInt(env, 'GQL_RATE_LIMIT_RPS')
    const burst = envInt(env, 'GQL_RATE_LIMIT_BURST')
    if (rps !== undefined || burst !== undefined) rate.key = { perSecond: rps ?? DEFAULT_RATE_LIMITS.key.perSecond, burst: burst ?? DEFAULT_RATE_LIMITS.key.burst }
    const arps = envInt(env, 'GQL_ANON_RATE_LIMIT_RPS')
    const aburst = envInt(env, 'GQL_ANON_RATE_LIMIT_BURST')
    if (arps !== undefined || aburst !== undefined) {
        rate.anonymous = { perSecond: arps ?? DEFAULT_RATE_LIMITS.anonymous.perSecond, burst: aburst ?? DEFAULT_RATE_LIMITS.anonymous.burst }
    }
    const auth: Partial<AuthLimits> = {}
    const failBurst = envInt(env, 'API_AUTH_FAIL_BURST')
    const failPerSecond = envInt(env, 'API_AUTH_FAIL_PER_SECOND')
    if (failBurst !== undefined) auth.failBurst = failBurst
    if (failPerSecond !== undefined) auth.failPerSecond = failPerSecond
    return {
        port: gqlPort(env),
        host: env.GQL_HOST?.trim() || undefined,
        corsOrigin: (env.CORS_ORIGINS ?? env.GQL_CORS_ORIGIN)?.trim(),
        readDatabaseUrls: readUrlsFromEnv(env.DATABASE_READ_URL),
        readAfterWriteMs: envInt(env, 'DATABASE_READ_AFTER_WRITE_MS'),
        readMaxLagMs: envInt(env, 'DATABASE_READ_MAX_LAG_MS'),
        metrics: env.API_METRICS?.trim() !== 'false',
        metricsToken: env.API_METRICS_TOKEN?.trim() || undefined,
        limits,
        rateLimit: rate,
        auth,
        sql: {
            enabled: env.SQL_ENABLED?.trim() !== 'false',
            rowCap: envInt(env, 'SQL_ROW_CAP'),
            timeoutMs: envInt(env, 'SQL_TIMEOUT_MS'),
            readonlyUrl: env.SQL_READONLY_DATABASE_URL?.trim() || undefined,
            allowAnonymous: env.SQL_ALLOW_ANONYMOUS?.trim() === 'true',
        },
        subscriptions: {
            queueCapacity: envInt(env, 'GQL_SUBSCRIBER_QUEUE'),
            maxConnections: envInt(env, 'GQL_MAX_WS_CONNECTIONS'),
            maxPerIp: envInt(env, 'GQL_MAX_WS_PER_IP'),
            feedLossMs: envInt(env, 'GQL_FEED_LOSS_MS'),
            liveMinIntervalMs: envInt(env, 'LIVE_MIN_INTERVAL_MS'),
            fanOutThreads: envInt(env, 'GQL_FANOUT_THREADS'),
        },
        closeMutations: true,
        usageBatcher: usageBatchFromEnv(env),
    }
}
