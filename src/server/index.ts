/**
 * The API server: one Node http server on GQL_PORT (default 4350) serving
 *   /graphql  GraphQL over HTTP (graphql-http) and graphql-ws, GraphiQL for browsers
 *   /sql      read-only SQL for analysts
 *   /health, /ready   (status/health.ts)
 *   /metrics  Prometheus (metrics.ts)
 * Composition: see schema.ts (OpenReader + type-graphql), http.ts, ws.ts, pubsub/ (LISTEN → fan-out); the start-up
 * steps (pools, change feed, http listening, shutdown order) are in startup/.
 *
 * Run: `node lib/server/index.js` (env: see `serverOptionsFromEnv`).
 */
import './production-env'
import 'reflect-metadata'
import type { Pool } from 'pg'
import { chainFromEnv, databaseFromEnv, gqlPort } from '../config'
import { log as stackLog } from '../stack/log'
import { UsageBatcher } from '../usage/batcher'
import { UsageFeed } from '../usage/feed'
import { Authenticator } from './auth/authenticator'
import { RevocationFeed } from './auth/revocation'
import type { ReadRouting } from './db-routing'
import { DocumentCache } from './document-cache'
import { createRequestListener } from './http'
import type { LogFn } from './http-deps'
import { DEFAULT_RATE_LIMITS, RateLimitConfig, RateLimiter } from './limits/rate-limit'
import type { LiveQueries } from './live/engine'
import { ApiMetrics } from './metrics'
import { DEFAULT_SERVER_LIMITS, resultCacheMsFromEnv, ServerLimits, ServerOptions, serverOptionsFromEnv, SubscriptionConfig } from './options'
import type { ChangeFeed } from './pubsub/feed'
import type { Hub } from './pubsub/hub'
import type { NotifyListener } from './pubsub/listener'
import type { SharedSubscriptions } from './pubsub/shared'
import { closeMutations, configureMutations, mutationDeps } from './resolvers/mutation.resolver'
import { ResultCache } from './result-cache'
import { buildApiSchema } from './schema'
import type { Services } from './services'
import { ChangeFeedParts, startChangeFeed } from './startup/change-feed'
import { Cleanups } from './startup/cleanups'
import { openPrimaryPool, openReadRouting, openSqlPools } from './startup/databases'
import { createHttpServer, listen } from './startup/http-listen'
import { ChainHeadCache } from './status/indexer'
import { attachGraphqlWs } from './ws'
import type { FanOutWriter } from './pubsub/fanout-writer'

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
    /** what the fan-out writer threads wrote (pubsub/fanout-writer.ts) */
    fanOut: FanOutWriter['stats']
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

/** The options with their defaults filled in (database and RPC from src/config.ts). */
function settings(opts: ServerOptions) {
    const db = databaseFromEnv()
    let rpcUrl: string | undefined
    if (opts.rpcUrl !== undefined) rpcUrl = opts.rpcUrl ?? undefined
    else {
        try {
            rpcUrl = chainFromEnv().rpcUrl
        } catch {
            rpcUrl = undefined
        }
    }
    return {
        log: opts.log ?? defaultLog,
        limits: { ...DEFAULT_SERVER_LIMITS, ...opts.limits } as ServerLimits,
        rate: { ...DEFAULT_RATE_LIMITS, ...opts.rateLimit } as RateLimitConfig,
        subs: opts.subscriptions ?? {},
        databaseUrl: opts.databaseUrl ?? db.url!,
        stateSchema: opts.stateSchema ?? 'squid_processor',
        rpcUrl,
    }
}
type Settings = ReturnType<typeof settings>

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
    const cfg = settings(opts)
    const { log, limits, subs, databaseUrl } = cfg
    const schema = await buildApiSchema(opts.schemaFile)
    if (opts.mutations) configureMutations(opts.mutations)
    const cleanups = new Cleanups(log)
    try {
        const pool = await openPrimaryPool(databaseUrl, limits, log, cleanups)
        const metrics = opts.metrics === false ? undefined : new ApiMetrics()
        const reads = openReadRouting(pool, opts, log, cleanups)
        // the GIN index of the claimableBalance lookup (api.batch_leaves) comes from db/migrations/1700000000001-ApiIndexes.js
        const resultCache = new ResultCache({ ttlMs: opts.resultCacheMs ?? resultCacheMsFromEnv() })
        let live: LiveQueries | undefined // created with the graphql-ws server below
        const changes = await startChangeFeed({ pool, databaseUrl, stateSchema: cfg.stateSchema, subs, resultCache, metrics, reads, live: () => live, log }, cleanups)
        const { limiter, auth, revocations } = await startAccessControl(pool, cfg, opts, cleanups)
        const sql = await openSqlPools(pool, databaseUrl, opts, limits, reads, log, cleanups)
        const services = await startServices(pool, cfg, changes, reads, cleanups)

        const documents = new DocumentCache(schema, { limits })
        const server = createHttpServer(
            createRequestListener({
                schema,
                documents,
                pool,
                services,
                limits,
                limiter,
                sql: { endpoint: sql.endpoint, unavailableReason: sql.unavailable, allowAnonymous: !!opts.sql?.allowAnonymous },
                graphiql: opts.graphiql ?? true,
                corsOrigin: opts.corsOrigin ?? '*',
                metrics,
                metricsToken: opts.metricsToken,
                log,
                resultCache,
                auth,
                health: changes.health,
            }),
        )
        const ws = attachGraphqlWs(server, { schema, pool, services, limits, limiter, log, documents, auth, revocations, metrics }, wsOptions(subs))
        live = ws.live
        metrics?.attach({
            pools: () => [{ name: 'primary', pool }, ...(reads?.router.pools ?? []), ...sql.pools],
            wsConnections: () => ws.wss.clients.size,
            // hub subscriptions and live queries alike
            subscriptions: () => ws.shared.stats.members + ws.live.memberCount,
            sharedExecutions: () => ws.shared.stats.groups + ws.live.stats.entries,
            live: () => ws.live.stats,
            fanOut: () => ws.writer.stats,
            resultCache,
            readTargets: reads && (() => reads.router.served),
            replicaLag: reads && (() => reads.lag.seconds),
        })
        const host = opts.host ?? '127.0.0.1'
        const port = await listen(server, opts.port ?? gqlPort(), host, cleanups)
        cleanups.push(() => ws.close())
        startMutationSide(pool, opts, cleanups)

        const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
        log('info', `GraphQL API on http://${shownHost}:${port}/graphql (HTTP + graphql-ws)${sql.endpoint ? ', SQL on /sql' : ''}`)
        let closing: Promise<void> | undefined
        return {
            port,
            url: `http://${shownHost}:${port}/graphql`,
            wsUrl: `ws://${shownHost}:${port}/graphql`,
            hub: changes.hub,
            feed: changes.feed,
            shared: ws.shared,
            live: ws.live,
            fanOut: ws.writer.stats,
            listener: changes.listener,
            pool,
            reads,
            metrics,
            sqlUnavailable: sql.unavailable,
            close: () => (closing ??= cleanups.run()),
        }
    } catch (e) {
        await cleanups.run()
        throw e
    }
}

/** The rate limiter, the API key checks, and the revocation notices that close a revoked key's sockets. */
async function startAccessControl(pool: Pool, cfg: Settings, opts: ServerOptions, cleanups: Cleanups) {
    const limiter = new RateLimiter(cfg.rate)
    cleanups.push(() => limiter.close())
    const auth = new Authenticator(pool, opts.auth)
    cleanups.push(() => auth.close())
    const revocations = new RevocationFeed(cfg.databaseUrl, (m, f) => cfg.log('warn', `api keys: ${m}`, f))
    cleanups.push(() => revocations.stop())
    await revocations.start()
    return { limiter, auth, revocations }
}

/** What the resolvers reach through the context (services.ts), the usage-batched notifications started. */
async function startServices(pool: Pool, cfg: Settings, changes: ChangeFeedParts, reads: ReadRouting | undefined, cleanups: Cleanups): Promise<Services> {
    const usageFeed = new UsageFeed(pool, cfg.databaseUrl, (m, f) => cfg.log('warn', m, f))
    const services: Services = {
        db: pool,
        hub: changes.hub,
        chainHead: new ChainHeadCache(cfg.rpcUrl),
        stateSchema: cfg.stateSchema,
        listening: () => changes.listener.connected,
        feedLost: () => changes.watchdog.lost,
        reads,
        usageFeed,
    }
    cleanups.push(() => usageFeed.stop())
    await usageFeed.start()
    return services
}

function wsOptions(subs: SubscriptionConfig) {
    return {
        queueCapacity: subs.queueCapacity ?? 1_000,
        maxConnections: subs.maxConnections ?? 5_000,
        maxPerIp: subs.maxPerIp ?? 100,
        maxPerConnection: subs.maxPerConnection ?? 50,
        keepAliveMs: subs.keepAliveMs ?? 12_000,
        liveMinIntervalMs: subs.liveMinIntervalMs,
        fanOutThreads: subs.fanOutThreads ?? 2,
    }
}

/** the mutation resolvers' chain clients closed with the server; the usage batcher when enabled */
function startMutationSide(pool: Pool, opts: ServerOptions, cleanups: Cleanups) {
    if (opts.mutations || opts.closeMutations) cleanups.push(() => closeMutations())
    if (opts.usageBatcher?.enabled) {
        const batcher = new UsageBatcher({ db: pool, settings: opts.usageBatcher, deps: () => mutationDeps(pool, 'operator') })
        batcher.start()
        cleanups.push(() => batcher.stop())
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
