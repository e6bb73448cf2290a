/**
 * What the query/subscription resolvers of this server need besides the per-request `Ctx`. The context
 * object built per request / per graphql-ws operation carries them as `services` (an extra property of
 * the Ctx object, so src/server/context.ts stays the shared contract).
 */
import type { Pool } from 'pg'
import type { Ctx } from './context'
import type { ReadRouting } from './db-routing'
import type { Hub } from './pubsub/hub'
import type { ChainHeadCache } from './status/indexer'
import { apiError } from './errors'
import type { UsageFeed } from '../usage/feed'

export interface Services {
    db: Pool
    hub: Hub
    chainHead: ChainHeadCache
    /** schema of squid_processor.status / hot_block */
    stateSchema: string
    /** is the LISTEN connection up (reported by indexerStatus) */
    listening: () => boolean
    /** has the change feed been down too long (subscriptions were ended; new ones are refused) */
    feedLost?: () => boolean
    /** read replicas (DATABASE_READ_URL): where read-only operations go (db-routing.ts); absent: all on `db` */
    reads?: ReadRouting
    /** usage-batched notifications (src/usage/feed.ts); absent: the usageBatched subscription is UNAVAILABLE */
    usageFeed?: UsageFeed
}

export interface ServerCtx extends Ctx {
    services: Services
}

export function services(ctx: Ctx): Services {
    const s = (ctx as Partial<ServerCtx>).services
    if (!s) throw apiError('INTERNAL', 'server services missing from the context')
    return s
}
