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
import { chainFromEnv, databaseFromEnv, gqlPort } from '../config'
import { log as stackLog } from '../stack/log'
import { Authenticator } from './auth/authenticator'
import { RevocationFeed } from './auth/revocation'
import { createRequestListener } from './http'
import type { LogFn } from './http-deps'
import { DEFAULT_RATE_LIMITS, RateLimitConfig, RateLimiter } from './limits/rate-limit'
import { ChangeFeed } from './pubsub/feed'
import { Hub } from './pubsub/hub'
import { NotifyListener } from './pubsub/listener'
import { FeedWatchdog } from './pubsub/watchdog'
import type { SharedSubscriptions } from './pubsub/shared'
import type { LiveQueries } from './live/engine'
import { closeMutations, configureMutations, mutationDeps } from './resolvers/mutation.resolver'
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
import { DEFAULT_SERVER_LIMITS, resultCacheMsFromEnv, ServerLimits, ServerOptions, serverOptionsFromEnv } from './options'
import { ReadRouting, RecentWriters, routerLike } from './db-routing'
import { ReplicaLag } from './replica-lag'
import { LiveReplicaReads } from './live/replica-reads'
import { ApiMetrics } from './metrics'

export { DEFAULT_SERVER_LIMITS, readUrlsFromEnv, resultCacheMsFromEnv, serverOptionsFromEnv } from './options'
export type { ServerLimits, ServerOptions, SubscriptionConfig } from './options'
export type { SqlConfig } from './sql/setup'

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
            reads = { router, writers: new RecentWriters(opts.readAfterWriteMs ?? 2_000), lag, live: new LiveReplicaReads(pool, router) }
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
        const liveReads = reads?.live
        const listener = new NotifyListener({
            connection: { connectionString: databaseUrl, application_name: 'settlement-api-listen' },
            channel: subs.channel ?? 'squid_batch',
            onNotify: (payload) => {
                // the processor committed: cached answers describe the previous state
                resultCache.invalidate()
                const received = performance.now()
                feed.push(payload)
                if (metrics) void feed.idle().then(() => metrics.notifyPush.observe((performance.now() - received) / 1000))
                // with replicas, live queries learn how far the primary's WAL is first (live/replica-reads.ts)
                if (liveReads) liveReads.noticed(() => live?.push(payload))
                else live?.push(payload)
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
