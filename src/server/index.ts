/**
 * The API server: one Node http server on GQL_PORT (default 4350) serving
 *   /graphql  GraphQL over HTTP (graphql-http) and graphql-ws, GraphiQL for browsers
 *   /sql      read-only SQL for analysts
 *   /health, /ready   (status/health.ts)
 * Composition: see schema.ts (OpenReader + type-graphql), http.ts, ws.ts, pubsub/ (LISTEN → fan-out).
 *
 * Run: `node lib/server/index.js` (env: see `serverOptionsFromEnv`).
 */
import './production-env'
import 'reflect-metadata'
import * as http from 'http'
import type { AddressInfo } from 'net'
import { Pool, PoolConfig } from 'pg'
import { chainFromEnv, databaseFromEnv, gqlPort, UsageBatchSettings, usageBatchFromEnv } from '../config'
import { log as stackLog } from '../stack/log'
import { AuthLimits, Authenticator } from './auth/authenticator'
import { RevocationFeed } from './auth/revocation'
import { createRequestListener, HttpLimits, LogFn } from './http'
import { DEFAULT_RATE_LIMITS, RateLimitConfig, RateLimiter } from './limits/rate-limit'
import { DEFAULT_QUERY_LIMITS } from './limits/validation'
import { ChangeFeed } from './pubsub/feed'
import { Hub } from './pubsub/hub'
import { NotifyListener } from './pubsub/listener'
import { FeedWatchdog } from './pubsub/watchdog'
import type { SharedSubscriptions } from './pubsub/shared'
import { closeMutations, configureMutations, MutationConfig, mutationDeps } from './resolvers/mutation.resolver'
import { UsageBatcher } from '../usage/batcher'
import { UsageFeed } from '../usage/feed'
import { DocumentCache } from './document-cache'
import { ResultCache } from './result-cache'
import { buildApiSchema } from './schema'
import type { Services } from './services'
import { PreparedPool } from './sql/prepared'
import { SqlConfig, setUpSql } from './sql/setup'
import { HealthCheck } from './status/health'
import { ChainHeadCache } from './status/indexer'
import { attachGraphqlWs } from './ws'

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

export type { SqlConfig } from './sql/setup'

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
    /** Access-Control-Allow-Origin (default '*': the API is public chain data and authenticates by header, not
     * cookie, so any page may call it with a key it holds; empty string disables CORS headers) */
    corsOrigin?: string
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

export interface RunningServer {
    port: number
    /** http://host:port/graphql */
    url: string
    /** ws://host:port/graphql */
    wsUrl: string
    hub: Hub
    feed: ChangeFeed
    /** shared subscription executions (graphql-ws) */
    shared: SharedSubscriptions
    listener: NotifyListener
    pool: Pool
    /** why /sql is unavailable, if it is */
    sqlUnavailable?: string
    close(): Promise<void>
}

const defaultLog: LogFn = (level, message, fields) => {
    stackLog('api', `${level === 'info' ? '' : level.toUpperCase() + ' '}${message}${fields ? ' ' + JSON.stringify(fields) : ''}`)
}

function resultCacheMsFromEnv(): number {
    const raw = process.env.API_RESULT_CACHE_MS
    if (raw === undefined || raw === '') return 1_000
    const ms = Number(raw)
    if (!Number.isInteger(ms) || ms < 0) throw new Error(`API_RESULT_CACHE_MS must be a whole number of milliseconds (got "${raw}")`)
    return ms
}

function poolConfig(url: string, extra: PoolConfig = {}): PoolConfig {
    return { connectionString: url, ...extra }
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
    const log = opts.log ?? defaultLog
    const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...opts.limits }
    const rate: RateLimitConfig = { ...DEFAULT_RATE_LIMITS, ...opts.rateLimit }
    const subs = opts.subscriptions ?? {}
    const db = databaseFromEnv()
    const databaseUrl = opts.databaseUrl ?? db.url!
    const stateSchema = opts.stateSchema ?? 'squid_processor'
    let rpcUrl: string | undefined
    if (opts.rpcUrl !== undefined) rpcUrl = opts.rpcUrl ?? undefined
    else {
        try {
            rpcUrl = chainFromEnv().rpcUrl
        } catch {
            rpcUrl = undefined
        }
    }

    const schema = await buildApiSchema(opts.schemaFile)
    if (opts.mutations) configureMutations(opts.mutations)

    const cleanups: (() => Promise<void> | void)[] = []
    const cleanup = async () => {
        for (const fn of cleanups.splice(0).reverse()) {
            try {
                await fn()
            } catch (e: any) {
                log('warn', 'shutdown step failed', { message: e?.message })
            }
        }
    }

    try {
        // repeated statement texts run as named (prepared) statements: sql/prepared.ts
        const pool = new PreparedPool(
            poolConfig(databaseUrl, {
                max: limits.poolSize,
                statement_timeout: limits.statementTimeoutMs,
                idleTimeoutMillis: 30_000,
                connectionTimeoutMillis: 10_000,
                application_name: 'settlement-api',
            }),
        )
        pool.on('error', (e) => log('warn', 'idle database connection failed', { message: e.message }))
        cleanups.push(() => pool.end())
        await pool.query('SELECT 1')

        // the GIN index of the claimableBalance lookup (api.batch_leaves) comes from db/migrations/1700000000001-ApiIndexes.js

        const hub = new Hub({ queueCapacity: subs.queueCapacity ?? 1_000, maxSubscribers: subs.maxSubscribers ?? 20_000 })
        cleanups.push(() => hub.close())
        const feed = new ChangeFeed(pool, hub, { stateSchema, log: (m, f) => log('warn', m, f) })
        cleanups.push(() => feed.close())
        await feed.init()
        const resultCache = new ResultCache({ ttlMs: opts.resultCacheMs ?? resultCacheMsFromEnv() })
        const listener = new NotifyListener({
            connection: { connectionString: databaseUrl, application_name: 'settlement-api-listen' },
            channel: subs.channel ?? 'squid_batch',
            onNotify: (payload) => {
                // the processor committed: cached answers describe the previous state
                resultCache.invalidate()
                feed.push(payload)
            },
            onReconnect: () => {
                resultCache.invalidate()
                return feed.catchUp()
            },
            log: (m, f) => log('warn', m, f),
        })
        cleanups.push(() => listener.stop())
        await listener.start()
        const watchdog = new FeedWatchdog(listener, hub, { lossMs: subs.feedLossMs, log: (m, f) => log('warn', m, f) })
        cleanups.push(() => watchdog.close())
        const health = new HealthCheck({
            databaseUrl,
            listening: () => listener.connected,
            feedLost: () => watchdog.lost,
            subscribers: () => hub.subscriberCount,
        })
        cleanups.push(() => health.close())

        const limiter = new RateLimiter(rate)
        cleanups.push(() => limiter.close())
        const auth = new Authenticator(pool, opts.auth)
        cleanups.push(() => auth.close())
        const revocations = new RevocationFeed(databaseUrl, (m, f) => log('warn', `api keys: ${m}`, f))
        cleanups.push(() => revocations.stop())
        await revocations.start()

        // /sql: its own pool, connected as the read-only role (sql/setup.ts)
        const sqlCfg = opts.sql ?? {}
        const sql = await setUpSql(pool, databaseUrl, sqlCfg, { timeoutMs: limits.statementTimeoutMs, maxResponseBytes: limits.maxResponseBytes }, (m, f) => log('warn', m, f))
        cleanups.push(() => sql.close())
        const sqlEndpoint = sql.endpoint
        const sqlUnavailable = sql.unavailable

        const services: Services = {
            db: pool,
            hub,
            chainHead: new ChainHeadCache(rpcUrl),
            stateSchema,
            listening: () => listener.connected,
            feedLost: () => watchdog.lost,
            usageFeed: new UsageFeed(pool, databaseUrl, (m, f) => log('warn', m, f)),
        }
        cleanups.push(() => services.usageFeed!.stop())
        await services.usageFeed!.start()

        const documents = new DocumentCache(schema, { limits })
        const server = http.createServer(
            createRequestListener({
                schema,
                documents,
                pool,
                services,
                limits,
                limiter,
                sql: { endpoint: sqlEndpoint, unavailableReason: sqlUnavailable, allowAnonymous: !!sqlCfg.allowAnonymous },
                graphiql: opts.graphiql ?? true,
                corsOrigin: opts.corsOrigin ?? '*',
                log,
                resultCache,
                auth,
                health,
            }),
        )
        server.requestTimeout = 60_000
        server.headersTimeout = 20_000
        server.keepAliveTimeout = 5_000
        server.on('clientError', (_err, socket) => {
            if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
            else socket.destroy()
        })
        const ws = attachGraphqlWs(
            server,
            { schema, pool, services, limits, limiter, log, documents, auth, revocations },
            {
                queueCapacity: subs.queueCapacity ?? 1_000,
                maxConnections: subs.maxConnections ?? 5_000,
                maxPerIp: subs.maxPerIp ?? 100,
                maxPerConnection: subs.maxPerConnection ?? 50,
                keepAliveMs: subs.keepAliveMs ?? 12_000,
            },
        )
        const host = opts.host ?? '127.0.0.1'
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject)
            server.listen(opts.port ?? gqlPort(), host, () => {
                server.off('error', reject)
                resolve()
            })
        })
        cleanups.push(
            () =>
                new Promise<void>((resolve) => {
                    server.close(() => resolve())
                    server.closeAllConnections()
                }),
        )
        cleanups.push(() => ws.close())
        if (opts.mutations || opts.closeMutations) cleanups.push(() => closeMutations())
        if (opts.usageBatcher?.enabled) {
            const batcher = new UsageBatcher({ db: pool, settings: opts.usageBatcher, deps: () => mutationDeps(pool, 'operator') })
            batcher.start()
            cleanups.push(() => batcher.stop())
        }

        const port = (server.address() as AddressInfo).port
        const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
        log('info', `GraphQL API on http://${shownHost}:${port}/graphql (HTTP + graphql-ws)${sqlEndpoint ? ', SQL on /sql' : ''}`)
        let closing: Promise<void> | undefined
        return {
            port,
            url: `http://${shownHost}:${port}/graphql`,
            wsUrl: `ws://${shownHost}:${port}/graphql`,
            hub,
            feed,
            shared: ws.shared,
            listener,
            pool,
            sqlUnavailable,
            close: () => (closing ??= cleanup()),
        }
    } catch (e) {
        await cleanup()
        throw e
    }
}

// ---------------------------------------------------------------------------
// CLI entry

type Env = Record<string, string | undefined>

function envInt(env: Env, name: string): number | undefined {
    const v = env[name]?.trim()
    if (!v) return undefined
    if (!/^\d+$/.test(v)) throw new Error(`Invalid ${name}=${JSON.stringify(v)}: expected a non-negative integer`)
    return Number(v)
}

/**
 * Options from the environment (besides DB / RPC / GQL_PORT from src/config.ts):
 *   GQL_HOST (default 127.0.0.1), GQL_CORS_ORIGIN (default *, empty: no CORS headers),
 *   GQL_MAX_DEPTH, GQL_MAX_COMPLEXITY, GQL_MAX_ALIASES, GQL_MAX_ROOT_FIELDS, GQL_MAX_TOKENS, GQL_MAX_INPUT_ITEMS,
 *   GQL_MAX_LIST_ROWS, GQL_MAX_BODY_BYTES, GQL_MAX_RESPONSE_BYTES,
 *   GQL_STATEMENT_TIMEOUT_MS, GQL_RATE_LIMIT_RPS / GQL_RATE_LIMIT_BURST (per key),
 *   GQL_ANON_RATE_LIMIT_RPS / GQL_ANON_RATE_LIMIT_BURST (per IP),
 *   SQL_ROW_CAP, SQL_TIMEOUT_MS, SQL_READONLY_DATABASE_URL, SQL_ALLOW_ANONYMOUS=true, SQL_ENABLED=false,
 *   GQL_SUBSCRIBER_QUEUE, GQL_MAX_WS_CONNECTIONS, GQL_MAX_WS_PER_IP, GQL_FEED_LOSS_MS,
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
        corsOrigin: env.GQL_CORS_ORIGIN === undefined ? undefined : env.GQL_CORS_ORIGIN.trim(),
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
        },
        closeMutations: true,
        usageBatcher: usageBatchFromEnv(env),
    }
}

async function main() {
    const running = await startServer(serverOptionsFromEnv())
    let stopping = false
    const stop = (signal: string) => {
        if (stopping) return
        stopping = true
        defaultLog('info', `${signal}: shutting down`)
        const force = setTimeout(() => process.exit(1), 10_000)
        force.unref()
        running.close().then(
            () => process.exit(0),
            () => process.exit(1),
        )
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
}

if (require.main === module) {
    main().catch((e) => {
        defaultLog('error', `cannot start the API server: ${e?.message ?? e}`)
        process.exit(1)
    })
}
