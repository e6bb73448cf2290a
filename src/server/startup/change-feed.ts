/**
 * The processor's commits reaching the server: LISTEN on the notify channel (pubsub/listener.ts) feeds the hub of
 * subscriptions (pubsub/feed.ts), wakes live queries and empties the result cache; the watchdog ends subscriptions
 * when LISTEN stays down; the health check reports both.
 */
import type { Pool } from 'pg'
import type { LogFn } from '../http-deps'
import type { LiveQueries } from '../live/engine'
import type { ReadRouting } from '../db-routing'
import type { ApiMetrics } from '../metrics'
import type { SubscriptionConfig } from '../options'
import { ChangeFeed } from '../pubsub/feed'
import { Hub } from '../pubsub/hub'
import { NotifyListener } from '../pubsub/listener'
import { emptyNotice } from '../pubsub/notice'
import { FeedWatchdog } from '../pubsub/watchdog'
import type { ResultCache } from '../result-cache'
import { HealthCheck } from '../status/health'
import type { Cleanups } from './cleanups'

export interface ChangeFeedParts {
    hub: Hub
    feed: ChangeFeed
    listener: NotifyListener
    watchdog: FeedWatchdog
    health: HealthCheck
}

export interface ChangeFeedDeps {
    pool: Pool
    databaseUrl: string
    stateSchema: string
    subs: SubscriptionConfig
    resultCache: ResultCache
    metrics?: ApiMetrics
    reads?: ReadRouting
    /** the live queries, once the graphql-ws server that holds them exists; notices before that have none to wake */
    live: () => LiveQueries | undefined
    log: LogFn
}

export async function startChangeFeed(deps: ChangeFeedDeps, cleanups: Cleanups): Promise<ChangeFeedParts> {
    const { subs, log } = deps
    const hub = new Hub({ queueCapacity: subs.queueCapacity ?? 1_000, maxSubscribers: subs.maxSubscribers ?? 20_000 })
    cleanups.push(() => hub.close())
    const feed = new ChangeFeed(deps.pool, hub, { stateSchema: deps.stateSchema, log: (m, f) => log('warn', m, f) })
    cleanups.push(() => feed.close())
    await feed.init()
    const listener = notifyListener(deps, feed)
    cleanups.push(() => listener.stop())
    await listener.start()
    const watchdog = new FeedWatchdog(listener, hub, { lossMs: subs.feedLossMs, log: (m, f) => log('warn', m, f), onLost: (marker) => deps.live()?.failAll(marker) ?? 0 })
    cleanups.push(() => watchdog.close())
    const health = new HealthCheck({
        databaseUrl: deps.databaseUrl,
        listening: () => listener.connected,
        feedLost: () => watchdog.lost,
        subscribers: () => hub.subscriberCount,
    })
    cleanups.push(() => health.close())
    return { hub, feed, listener, watchdog, health }
}

function notifyListener(deps: ChangeFeedDeps, feed: ChangeFeed): NotifyListener {
    const { resultCache, metrics, live } = deps
    const liveReads = deps.reads?.live
    return new NotifyListener({
        connection: { connectionString: deps.databaseUrl, application_name: 'settlement-api-listen' },
        channel: deps.subs.channel ?? 'squid_batch',
        onNotify: (payload) => {
            // the processor committed: cached answers describe the previous state
            resultCache.invalidate()
            const received = performance.now()
            feed.push(payload)
            if (metrics) void feed.idle().then(() => metrics.notifyPush.observe((performance.now() - received) / 1000))
            // with replicas, live queries learn how far the primary's WAL is first (live/replica-reads.ts)
            if (liveReads) liveReads.noticed(() => live()?.push(payload))
            else live()?.push(payload)
        },
        onReconnect: async () => {
            resultCache.invalidate()
            // commits may have been missed: every live query runs again, flagged reorg when one was missed
            const replaced = await feed.catchUp().catch(() => false)
            if (replaced) live()?.onNotice({ ...emptyNotice(), reorg: true })
            else live()?.refreshAll()
        },
        log: (m, f) => deps.log('warn', m, f),
    })
}
