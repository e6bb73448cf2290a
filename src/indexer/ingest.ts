/**
 * Backfill ingestion.
 *
 * squid 1.27's RPC source fetches finalized blocks in fixed units of 10 (one eth_getLogs range and one batch of
 * eth_getBlockByNumber), 5 units ahead, and calls the handler once per unit: for a dense backfill that is one
 * database transaction per 10 blocks, each paying the fixed costs (SERIALIZABLE transaction, status checks, one
 * query per entity class, NOTIFY). Here the same units are fetched with the data source's own split fetcher
 * (so validation, mapping and filtering are squid's), only larger and configurable, and units that are already
 * fetched when the handler asks for the next batch are merged into one handler call (bounded in blocks and
 * logs). Hot blocks (the unfinalized tail) are untouched. The hook into squid's data source is in
 * sdk-internals.ts (installColdIngest); if the data source does not have the expected (internal) shape,
 * squid's own ingestion is kept.
 *
 * Settings: RPC_SPLIT_BLOCKS, RPC_SPLIT_CONCURRENCY, BATCH_MAX_BLOCKS, BATCH_MAX_LOGS (src/config.ts
 * coldIngestFromEnv).
 */
import type { EvmBatchProcessor } from '@subsquid/evm-processor'
import type { ColdIngestSettings } from '../config'
import { ColdBatch, ColdRequest, ColdSource, installColdIngest } from './sdk-internals'

/** How finalized blocks are fetched and grouped into handler calls during a backfill. */
export interface ColdIngestOptions extends ColdIngestSettings {
    /**
     * Called with each unit's blocks as soon as they are fetched, ahead of the handler (which is then usually
     * waiting for the database): pure preparation such as decoding. Must not throw.
     */
    prepare?: (blocks: unknown[]) => void
}

/** Install the tuned backfill ingestion on `p` (see above); returns whether it was installed. */
export function tuneColdIngest(p: EvmBatchProcessor<any>, opts: ColdIngestOptions): boolean {
    return installColdIngest(p, (src, requests, stopOnHead) => coldIngest(src, requests, stopOnHead, opts))
}

/** Time the backfill consumer spent waiting for units to be fetched (for the debug timings in main.ts). */
export const coldIngestStats = { waitMs: 0 }

/** Size of the first backfill unit (then doubled per unit up to splitBlocks). */
const FIRST_UNIT_BLOCKS = 10

/** A fetch unit: blocks [from, to] of one request, fetched in the background. */
interface Unit {
    to: number
    isHead: boolean
    done: boolean
    result: Promise<ColdBatch['blocks']>
}

/**
 * Finalized blocks of `requests` in units of `splitBlocks`, `concurrency` units in flight, yielded in order;
 * each yield merges the next unit with the following ones that are already fetched (up to the batch bounds).
 */
export async function* coldIngest(src: ColdSource, requests: ColdRequest[], stopOnHead: boolean, opts: ColdIngestOptions): AsyncGenerator<ColdBatch> {
    const pollMs = src.pollMs
    let top = await src.finalizedHeight()
    let topAt = Date.now()
    const refreshTop = async (force: boolean) => {
        if (!force && Date.now() - topAt < pollMs) return
        top = await src.finalizedHeight()
        topAt = Date.now()
    }
    // the units to fetch, in order (lazily: the finalized head moves while we go); the first ones are small and
    // double up to splitBlocks, so that the handler starts early instead of waiting for a full unit
    let size = Math.min(opts.splitBlocks, FIRST_UNIT_BLOCKS)
    /** the consumer is gone: stop waiting for the head */
    let stopped = false
    async function* units(): AsyncGenerator<{ from: number; to: number; request: unknown; isHead: boolean }> {
        for (const req of requests) {
            const request = src.mappingRequest(req.request)
            let beg = req.range.from
            const end = req.range.to ?? Infinity
            while (beg <= end) {
                if (top < beg) await refreshTop(true)
                while (top < beg) {
                    if (stopOnHead || stopped) return
                    await new Promise((r) => setTimeout(r, pollMs))
                    if (stopped) return
                    await refreshTop(true)
                }
                const to = Math.min(top, end, beg + size - 1)
                size = Math.min(opts.splitBlocks, size * 2)
                const from = beg
                beg = to + 1
                if (beg > top) await refreshTop(false)
                yield { from, to, request, isHead: beg > top }
            }
        }
    }
    const queue: Unit[] = []
    const gen = units()
    let exhausted = false
    let fillError: { error: unknown } | undefined
    let filling: Promise<void> | undefined
    // keeps `concurrency` units in flight; runs in the background (it may wait for the head to move), so an
    // already fetched unit is never held back by it
    const doFill = async () => {
        while (!exhausted && queue.length < opts.concurrency) {
            const n = await gen.next()
            if (n.done) {
                exhausted = true
                break
            }
            const u: Unit = { to: n.value.to, isHead: n.value.isHead, done: false, result: undefined as any }
            u.result = src.fetchSplit(n.value.from, n.value.to, n.value.request)
            if (opts.prepare) {
                const prepare = opts.prepare
                u.result = u.result.then((blocks) => {
                    try {
                        prepare(blocks)
                    } catch {
                        // preparation is an optimisation only
                    }
                    return blocks
                })
            }
            // (also marks the rejection as handled: it is thrown where the unit is awaited)
            u.result.then(
                () => (u.done = true),
                () => (u.done = true),
            )
            queue.push(u)
        }
    }
    const fill = (): Promise<void> =>
        (filling ??= doFill()
            .catch((error) => {
                fillError ??= { error }
            })
            .finally(() => {
                filling = undefined
            }))
    try {
        for (;;) {
            if (queue.length === 0) {
                await fill()
                if (fillError) throw fillError.error
                if (queue.length === 0) return
            } else {
                void fill()
            }
            const first = queue.shift()!
            const waitFrom = first.done ? 0 : performance.now()
            let blocks = await first.result
            if (waitFrom) coldIngestStats.waitMs += performance.now() - waitFrom
            let isHead = first.isHead
            let logs = 0
            for (const b of blocks) logs += b.logs.length
            // merge what is already fetched, keeping the look-ahead going meanwhile
            for (;;) {
                void fill()
                const next = queue[0]
                if (!next || !next.done || blocks.length >= opts.maxBatchBlocks || logs >= opts.maxBatchLogs) break
                const more = await next.result
                let moreLogs = 0
                for (const b of more) moreLogs += b.logs.length
                if (blocks.length && (blocks.length + more.length > opts.maxBatchBlocks || logs + moreLogs > opts.maxBatchLogs)) break
                queue.shift()
                blocks = blocks.concat(more)
                logs += moreLogs
                isHead = next.isHead
            }
            if (blocks.length) yield { blocks, isHead }
        }
    } finally {
        // nothing to cancel: units in flight finish and are dropped
        exhausted = true
        stopped = true
        void gen.return(undefined).catch(() => {})
    }
}
