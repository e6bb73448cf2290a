/** Where one GraphQL operation reads: the replicas of db-routing.ts, or the primary (mutations, read-your-writes). */
import { CappedOpenreaderContext } from './openreader-context'
import type { ServerCtx } from './services'

/**
 * Point a fresh operation context at the replicas when the operation only reads. Called before execution, when
 * the operation type is known; the context's OpenReader connection is not opened yet at that point.
 */
export function routeContext(ctx: ServerCtx, operation: string | undefined): void {
    const routing = ctx.services.reads
    if (!routing) return
    if (operation === 'mutation') {
        if (ctx.caller) routing.writers.wrote(ctx.caller.keyId)
        return
    }
    if (routing.writers.recent(ctx.caller?.keyId)) return
    const reader = routing.router.asPool()
    const prev = ctx.openreader instanceof CappedOpenreaderContext ? ctx.openreader : undefined
    ctx.db = reader
    ctx.services = { ...ctx.services, db: reader }
    ctx.openreader = new CappedOpenreaderContext(reader, prev?.maxRows ?? 10_000, prev?.maxBytes)
}
