/**
 * The API server: one Node http server on GQL_PORT (default 4350) serving
 *   /graphql  GraphQL over HTTP (graphql-http) and graphql-ws, GraphiQL for browsers
 *   /sql      read-only SQL for analysts
 *   /health, /ready   (status/health.ts)
 *   /metrics  Prometheus (metrics.ts)
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
import type { LiveQueries } from './live/engine'
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
import { ReadRouting, RecentWriters, routerLike } from './db-routing'
import { ReplicaLag } from './replica-lag'
import { ApiMetrics } from './metrics'

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
    /** a live query runs at most once per this many ms (default 250; live/engine.ts) */
    liveMinIntervalMs?: number
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
    /** live queries (graphql-ws subscriptions on generated query fields); `live.stats` counts executions */
    live: LiveQueries
    listener: NotifyListener
    pool: Pool
    /** replica routing, when read URLs are configured */
    reads?: ReadRouting
    metrics?: ApiMetrics
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
        const metrics = opts.metrics === false ? undefined : new ApiMetrics()
        let reads: ReadRouting | undefined
        if (opts.readDatabaseUrls?.length) {
            let lag: ReplicaLag | undefined
            const tooFarBehind = (name: string) => !!lag?.tooFarBehind(name)
            const router = routerLike(pool, opts.readDatabaseUrls, (c) => new PreparedPool(c), { log, applicationName: 'settlement-api-read', tooFarBehind })
            cleanups.push(() => router.end())
            lag = new ReplicaLag(router.pools, opts.readMaxLagMs ?? 0).start()
            cleanups.push(() => lag!.stop())
            reads = { router, writers: new RecentWriters(opts.readAfterWriteMs ?? 2_000), lag }
            log('info', `reads go to ${router.pools.map((r) => r.name).join(', ')} (primary for mutations, keys, LISTEN)`)
        }

        // the GIN index of the claimableBalance lookup (api.batch_leaves) comes from db/migrations/1700000000001-ApiIndexes.js

        const hub = new Hub({ queueCapacity: subs.queueCapacity ?? 1_000, maxSubscribers: subs.maxSubscribers ?? 20_000 })
        cleanups.push(() => hub.close())
        const feed = new ChangeFeed(pool, hub, { stateSchema, log: (m, f) => log('warn', m, f) })
        cleanups.push(() => feed.close())
        await feed.init()
        const resultCache = new ResultCache({ ttlMs: opts.resultCacheMs ?? resultCacheMsFromEnv() })
        // created with the graphql-ws server below; notices before that have no live query to wake
        let live: LiveQueries | undefined
        const listener = new NotifyListener({
            connection: { connectionString: databaseUrl, application_name: 'settlement-api-listen' },
            channel: subs.channel ?? 'squid_batch',
            onNotify: (payload) => {
                // the processor committed: cached answers describe the previous state
                resultCache.invalidate()
                const received = performance.now()
                feed.push(payload)
                if (metrics) void feed.idle().then(() => metrics.notifyPush.observe((performance.now() - received) / 1000))
                live?.push(payload)
            },
            onReconnect: () => {
                resultCache.invalidate()
                live?.refreshAll()
                return feed.catchUp()
            },
            log: (m, f) => log('warn', m, f),
        })
        cleanups.push(() => listener.stop())
        await listener.start()
        const watchdog = new FeedWatchdog(listener, hub, { lossMs: subs.feedLossMs, log: (m, f) => log('warn', m, f), onLost: (marker) => live?.failAll(marker) ?? 0 })
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

        // /sql: its own pool, connected as the read-only role (sql/setup.ts); an explicit SQL_READONLY_DATABASE_URL
        // is used as given, else the same role reads on the replicas too
        const sqlCfg = opts.sql ?? {}
        const sqlRoute = reads && !sqlCfg.readonlyUrl
            ? (roPool: Pool) => routerLike(roPool, opts.readDatabaseUrls!, (c) => new Pool(c), { log, sameCredentials: true, tooFarBehind: (n) => reads!.lag.tooFarBehind(n) })
            : undefined
        const sql = await setUpSql(pool, databaseUrl, sqlCfg, { timeoutMs: limits.statementTimeoutMs, maxResponseBytes: limits.maxResponseBytes }, (m, f) => log('warn', m, f), sqlRoute)
        cleanups.push(() => sql.close())
        const sqlEndpoint = sql.endpoint
        const sqlUnavailable = sql.unavailable
        const sqlPools = sql.pools

        const services: Services = {
            db: pool,
            hub,
            chainHead: new ChainHeadCache(rpcUrl),
            stateSchema,
            listening: () => listener.connected,
            feedLost: () => watchdog.lost,
            reads,
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
                metrics,
                metricsToken: opts.metricsToken,
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
            { schema, pool, services, limits, limiter, log, documents, auth, revocations, metrics },
            {
                queueCapacity: subs.queueCapacity ?? 1_000,
                maxConnections: subs.maxConnections ?? 5_000,
                maxPerIp: subs.maxPerIp ?? 100,
                maxPerConnection: subs.maxPerConnection ?? 50,
                keepAliveMs: subs.keepAliveMs ?? 12_000,
                liveMinIntervalMs: subs.liveMinIntervalMs,
            },
        )
        live = ws.live
        metrics?.attach({
            pools: () => [{ name: 'primary', pool }, ...(reads?.router.pools ?? []), ...sqlPools],
            wsConnections: () => ws.wss.clients.size,
            // hub subscriptions and live queries alike
            subscriptions: () => ws.shared.stats.members + ws.live.memberCount,
            sharedExecutions: () => ws.shared.stats.groups + ws.live.stats.entries,
            resultCache,
            readTargets: reads && (() => reads!.router.served),
            replicaLag: reads && (() => reads!.lag.seconds),
        })
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
            live: ws.live,
            listener,
            pool,
            reads,
            metrics,
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

/** DATABASE_READ_URL: one or several postgres:// URLs, comma-separated. */
export function readUrlsFromEnv(value: string | undefined): string[] | undefined {
    const urls = (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    for (const u of urls) {
        if (!/^postgres(ql)?:\/\//.test(u)) throw new Error(`DATABASE_READ_URL: "${replicaSafe(u)}" is not a postgres:// URL`)
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
 *   GQL_SUBSCRIBER_QUEUE, GQL_MAX_WS_CONNECTIONS, GQL_MAX_WS_PER_IP, GQL_FEED_LOSS_MS, LIVE_MIN_INTERVAL_MS,
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
