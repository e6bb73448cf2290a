/**
 * One handler call's data work: block facts (pure: receipts, traces, MEV classification) → the mappings'
 * prefetch and in-memory apply (src/mappings/) → the write path (write/persist.ts). The loop around it, which
 * decodes, notifies and reports, is run.ts.
 */
import { Store } from '@subsquid/typeorm-store'
import { BlockFacts, SquidBlockLike, blockFacts } from '../mappings/block-facts'
import { DecodedEvent } from '../mappings/decode'
import { EpochContext } from '../mappings/epochs'
import { applyBatchYielding, prefetch } from '../mappings/index'
import { MappingState } from '../mappings/state'
import { ScoringConfig, loadScoringConfig } from '../validators/scoring-config'
import { BulkSession } from './write/bulk'
import { clearFromStatements } from './write/history'
import { EarlyInserts, WriteStats, historyWrites, persist } from './write/persist'
import { SideWriter, clearSideFromStatements } from './write/side-writes'
import { storeEntityManager } from './sdk-internals'

export interface BatchOptions {
    /** EPOCH_BLOCKS */
    epochBlocks: number
    scoring: ScoringConfig
    /** CHAIN_ANALYTICS (default true): Block rows, MEV, proposer schedule, epoch rollups and scores */
    chainAnalytics?: boolean
    /** PROTOCOL_EVENTS (default true): a ProtocolEvent row per event */
    protocolEvents?: boolean
    /**
     * The caller knows that no history version at or after the call's first block exists (this process wrote
     * only below it, and there was no reorg): the reorg clean-up of the history tables is skipped (it filters on
     * block-range indexes, which deferred-indexes.ts drops during a backfill)
     */
    historyClean?: boolean
    /**
     * The append-only event tables go through a second connection (write/side-writes.ts): finalized blocks while
     * the deferred indexes are dropped
     */
    sideWrites?: boolean
    /** The first call of a process: rows a failed call committed through the side connection are deleted first */
    clearSide?: boolean
}

let defaultScoring: ScoringConfig | undefined
export function defaultBatchOptions(): BatchOptions {
    return { epochBlocks: 32, scoring: (defaultScoring ??= loadScoringConfig()) }
}

export interface BatchInput {
    /** the batch's blocks, ascending (squid's BlockData, or anything shaped like it) */
    blocks: SquidBlockLike[]
    /** the batch's decoded events in chain order (EventDecoder.decodeBlocks) */
    events: DecodedEvent[]
}

export interface BatchResult {
    state: MappingState
    epochs: EpochContext
    facts: BlockFacts[]
    writes: WriteStats
    /** ms per phase: block facts (MEV classification), prefetch, apply, write */
    phaseMs: { facts: number; load: number; apply: number; write: number }
}

/** Events applied between returns to the event loop while early inserts are in flight. */
const APPLY_SLICE_EVENTS = 500

/** Prefetch, apply and persist one handler call's blocks and events. */
export async function processBatch(input: BatchInput, store: Store, opts: BatchOptions = defaultBatchOptions()): Promise<BatchResult> {
    const state = new MappingState(opts.epochBlocks)
    state.recordProtocolEvents = opts.protocolEvents !== false
    const epochs = new EpochContext(opts.epochBlocks, opts.scoring)
    // pure per-block work (receipts, trace conversion, MEV classification) before any I/O; none without the
    // chain analytics: no block is recorded, no epoch is loaded, snapshotted or closed
    const t0 = performance.now()
    const facts = opts.chainAnalytics === false ? [] : input.blocks.map(blockFacts)
    const events = input.events
    const t1 = performance.now()
    // before anything of this call is written: versions a rolled-back branch left (time travel), and on a process's
    // first call the rows a failed call committed through the side connection (side-writes.ts)
    const session = BulkSession.of(store)
    const firstHeight = input.blocks[0]?.header.height ?? events[0]?.meta.blockNumber
    if (session && firstHeight !== undefined) {
        const clears = [
            ...(historyWrites() && !opts.historyClean ? clearFromStatements(firstHeight) : []),
            ...(opts.clearSide ? clearSideFromStatements(firstHeight) : []),
        ]
        if (clears.length) {
            session.send(clears)
            await session.drain()
        }
    }
    if (events.length === 0 && facts.length === 0) {
        return { state, epochs, facts, writes: { upserted: 0, inserted: 0 }, phaseMs: { facts: t1 - t0, load: 0, apply: 0, write: 0 } }
    }
    await prefetch(events, state, store, epochs, facts)
    const t2 = performance.now()
    const side = session && !session.tracker && opts.sideWrites ? await SideWriter.open(storeEntityManager(store)) : undefined
    let writes: WriteStats
    let t3: number
    try {
        const early = session && !session.tracker && state.recordProtocolEvents ? new EarlyInserts(session, state, side) : undefined
        // yielding while early inserts are queued: they are sent and executed only while the event loop runs
        await applyBatchYielding(facts, events, state, epochs, early && (() => early.poll()), early ? APPLY_SLICE_EVENTS : Infinity)
        t3 = performance.now()
        writes = await persist(state, store, session, early, side)
    } finally {
        await side?.close()
    }
    const t4 = performance.now()
    return { state, epochs, facts, writes, phaseMs: { facts: t1 - t0, load: t2 - t1, apply: t3 - t2, write: t4 - t3 } }
}

/** Events only (no block rows): prefetch, apply and persist. Kept for the settlement mapping tests. */
export async function processEvents(events: DecodedEvent[], store: Store, opts?: BatchOptions): Promise<{ state: MappingState; writes: WriteStats }> {
    const { state, writes } = await processBatch({ blocks: [], events }, store, opts)
    return { state, writes }
}
