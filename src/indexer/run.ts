/**
 * The indexer's batch loop: applies pending migrations, then runs the processor (src/processor.ts) with hot
 * blocks. Per handler call: deferred-index bookkeeping → decode logs → the batch (batch.ts: block facts, the
 * mappings' prefetch and apply, the write path) → NOTIFY squid_batch (delivered on commit) → metrics and
 * progress. Reorgs: squid rolls back the hot blocks' rows (typeorm-store's change tracker), and the notice of
 * the batch after a reorg says so (reorg.ts).
 *
 * Env: see src/config.ts (database, chain, indexer knobs: CHAIN_ANALYTICS, PROTOCOL_EVENTS, EPOCH_BLOCKS,
 * TRACE_API, backfill ingestion, DEFER_INDEXES / DEFER_INDEXES_MIN_LAG, HISTORY_BLOCKS / HISTORY_PRUNE_EVERY,
 * SKIP_MIGRATIONS, SCORING_CONFIG).
 * SQD_DEBUG=sqd:processor:settlement:batch logs each handler call's phase and per-table timings.
 */
import { createLogger } from '@subsquid/logger'
import { TypeormDatabase } from '@subsquid/typeorm-store'
import type { ProcessorContext } from '../chain-fields'
import { applyDatabaseEnv, databaseFromEnv, deferredIndexSettingsFromEnv, historyPruneFromEnv, projectRoot, prometheusPort, rpcFailoverFromEnv, sideWritesFromEnv, skipMigrations } from '../config'
import { redactRpcUrl } from '../rpc/failover'
import { EventDecoder } from '../mappings/decode'
import { changedIds } from '../mappings/index'
import { buildProcessor, loadProcessorSettings, ProcessorSettings } from '../processor'
import { loadScoringConfig, ScoringConfig } from '../validators/scoring-config'
import { processBatch } from './batch'
import { coldIngestStats, tuneColdIngest } from './ingest'
import { applyMigrations } from './migrations'
import { HeadTracker } from './reorg'
import { startRpcForwarder } from './rpc-failover'
import { chainHeight, installLinearTraceBlock, squidRegistry, storeEntityManager } from './sdk-internals'
import { batchTimingLine, createMetrics, ProcessorMetrics, ProgressReporter, recordBatchMetrics } from './telemetry'
import { DeferredIndexes } from './write/deferred-indexes'
import { historyWrites } from './write/persist'
import { HistoryPruner } from './write/history-prune'
import { recordIndexedContracts } from './write/indexed-contracts'
import { encodePayload, sendNotify, writtenTables } from './write/notify'

const log = createLogger('sqd:processor:settlement')
/** per handler call: phase and per-table timings (SQD_DEBUG=sqd:processor:settlement:batch) */
const batchLog = log.child('batch')

/** Run the indexer until the process ends (squid's processor exits on its own on a fatal error). */
export async function runIndexer(): Promise<void> {
    const db = databaseFromEnv()
    const prune = historyPruneFromEnv()
    const dbUrl = applyDatabaseEnv(db) // → DB_URL for @subsquid/typeorm-config
    if (!skipMigrations()) {
        const applied = await applyMigrations(dbUrl)
        if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`)
    }

    const settings = await loadProcessorSettings()
    const scoring = loadScoringConfig()
    // several RPC endpoints: squid talks to the in-process failover forwarder (why: rpc-failover.ts)
    const rpcUrls = settings.rpcUrls ?? [settings.rpcUrl]
    const failover = rpcUrls.length > 1 ? await startRpcForwarder(rpcUrls, rpcFailoverFromEnv()) : undefined
    log.info(
        `chain ${settings.chainId} via ${rpcUrls.map(redactRpcUrl).join(', ')}` +
            (settings.gateway ? ` (finalized blocks from the SQD Network gateway ${redactRpcUrl(settings.gateway)})` : '') +
            `, from block ${settings.startBlock}, ` +
            `finality ${settings.finalityConfirmations} blocks, deployments ${settings.deploymentsFile}, ` +
            (settings.chainAnalytics
                ? `chain analytics on (epochs of ${settings.epochBlocks} blocks, traces via ${settings.traceApi === 'trace' ? 'trace_block' : 'debug_traceBlockByHash'})`
                : 'chain analytics off (CHAIN_ANALYTICS=false: settlement logs only)') +
            (settings.protocolEvents ? '' : ', ProtocolEvent rows off (PROTOCOL_EVENTS=false)') +
            `, backfill in units of ${settings.ingest.splitBlocks} blocks, ${settings.ingest.concurrency} ahead`,
    )
    if (!historyWrites()) log.warn('HISTORY=false: no versions written to the history tables; queries with `block` answer from a stale history')
    const decoder = new EventDecoder(settings.contracts)
    // squid regroups a block's trace_block frames once per frame (quadratic): grouped once instead
    if (settings.chainAnalytics && !installLinearTraceBlock()) log.warn('squid trace_block ingestion has an unexpected shape: its own (quadratic) grouping is kept')
    const processor = buildProcessor(settings, failover?.url)
    // backfill units are decoded as soon as they arrive, while the handler waits for the database
    tuneColdIngest(processor, { ...settings.ingest, prepare: (blocks) => decoder.predecode(blocks as ProcessorContext['blocks']) })
    processor.setPrometheusPort(prometheusPort())
    const registry = squidRegistry(processor)
    const metrics = registry ? createMetrics(registry) : undefined
    if (!metrics) log.warn('squid Prometheus registry not reachable: settlement_* metrics disabled')

    const pruner = prune && new HistoryPruner(prune)
    const loop = new BatchLoop(settings, scoring, decoder, new DeferredIndexes(deferredIndexSettingsFromEnv(), (m) => log.info(m)), metrics, pruner)
    processor.run(
        new TypeormDatabase({ supportHotBlocks: true, stateSchema: 'squid_processor', projectDir: projectRoot() }),
        (ctx) => loop.handle(ctx),
    )
}

/** The handler: one call per batch of blocks squid hands over, in order, each in its own transaction. */
class BatchLoop {
    private progress: ProgressReporter | undefined
    private readonly head = new HeadTracker()
    /** when the previous handler call returned (its commit and the next call's data come in between) */
    private lastHandlerEnd = 0
    /** the last block this process wrote (none yet: a restart may have left versions of rolled-back blocks) */
    private writtenTo: number | undefined

    constructor(
        private readonly settings: ProcessorSettings,
        private readonly scoring: ScoringConfig,
        private readonly decoder: EventDecoder,
        private readonly deferredIndexes: DeferredIndexes,
        private readonly metrics: ProcessorMetrics | undefined,
        private readonly pruner?: HistoryPruner,
        private readonly sideWrites = sideWritesFromEnv(),
    ) {}

    // squid's fatal log line serialises the error object, which fails (and hides the cause) when a failed
    // query's parameters hold e.g. an invalid Date: log the cause as plain text first
    async handle(ctx: ProcessorContext): Promise<void> {
        try {
            await this.run(ctx)
            this.lastHandlerEnd = performance.now()
        } catch (e: any) {
            const range = ctx.blocks.length ? `${ctx.blocks[0].header.height}..${ctx.blocks[ctx.blocks.length - 1].header.height}` : '(none)'
            ctx.log.error(`handler failed on blocks ${range}: ${String(e?.stack ?? e)}${e?.query ? `\nquery: ${String(e.query).slice(0, 2000)}` : ''}`)
            throw e
        }
    }

    private async run(ctx: ProcessorContext): Promise<void> {
        const started = process.hrtime.bigint()
        if (ctx.blocks.length === 0) return
        const first = ctx.blocks[0].header
        const last = ctx.blocks[ctx.blocks.length - 1].header
        const reorg = this.head.isReorg(first)

        // Hot-block ingestion can hand over blocks below the start block (e.g. block 1 when the start block is 2
        // and the whole chain is still unfinalized) with only height/hash/parentHash: they are not indexed.
        const blocks = ctx.blocks[0].header.height >= this.settings.startBlock ? ctx.blocks : ctx.blocks.filter((b) => b.header.height >= this.settings.startBlock)
        const gapMs = this.lastHandlerEnd ? performance.now() - this.lastHandlerEnd : 0
        const fetchWaitMs = coldIngestStats.waitMs
        coldIngestStats.waitMs = 0
        // side writes only in calls after the one that dropped the indexes: that call's transaction holds their
        // tables' ACCESS EXCLUSIVE lock until it commits, which the side connection's COPY would wait for
        const deferredBefore = this.deferredIndexes.active
        await this.deferredIndexes.beforeBatch(storeEntityManager(ctx.store), ctx.isHead, async () => (await chainHeight(ctx)) - last.height)
        if (this.writtenTo === undefined) await recordIndexedContracts(storeEntityManager(ctx.store), this.settings.contracts)
        const tDecode = performance.now()
        const decoded = this.decoder.decodeBlocks(blocks)
        const decodeMs = performance.now() - tDecode
        const { state, epochs, writes, phaseMs } = await processBatch({ blocks, events: decoded.all }, ctx.store, {
            epochBlocks: this.settings.epochBlocks,
            scoring: this.scoring,
            chainAnalytics: this.settings.chainAnalytics,
            protocolEvents: this.settings.protocolEvents,
            historyClean: this.writtenTo !== undefined && first.height > this.writtenTo,
            sideWrites: this.sideWrites && deferredBefore && this.deferredIndexes.active && !ctx.isHead,
            clearSide: this.writtenTo === undefined,
        })
        for (const w of state.warnings) ctx.log.warn(w)
        const pruned = await this.pruner?.afterBatch(storeEntityManager(ctx.store), last.height)
        if (pruned) ctx.log.info(`history: pruned ${pruned.deleted} versions, blocks below ${pruned.prunedBelow} no longer answer as-of queries`)

        const payload = encodePayload({
            height: last.height,
            hash: last.hash,
            fromHeight: first.height,
            head: ctx.isHead,
            ...(reorg ? { reorg: true } : {}),
            changed: changedIds(state, epochs),
            tables: writtenTables(writes.ms, state.protocolEvents.length > 0),
        })
        await sendNotify(ctx.store, payload)
        this.head.advance(last)
        if (batchLog.isDebug()) {
            batchLog.debug(
                batchTimingLine({
                    first: first.height,
                    last: last.height,
                    blocks: ctx.blocks.length,
                    events: decoded.all.length,
                    gapMs,
                    fetchWaitMs,
                    decodeMs,
                    phaseMs,
                    tableMs: writes.historyMs ? { ...writes.ms, history: writes.historyMs } : writes.ms,
                    handlerMs: Number(process.hrtime.bigint() - started) / 1e6,
                }),
            )
        }
        if (this.metrics) {
            recordBatchMetrics(this.metrics, {
                events: decoded.all,
                isHead: ctx.isHead,
                writes,
                notifyBytes: Buffer.byteLength(payload),
                lastBlock: last.height,
                reorg,
                warnings: state.warnings.length,
                mevEvents: state.mevEvents,
                epochsClosed: epochs.closed.length,
                handlerSeconds: Number(process.hrtime.bigint() - started) / 1e9,
            })
        }
        this.progress ??= new ProgressReporter(
            ctx.log.child('progress'),
            () => chainHeight(ctx),
            this.metrics,
        )
        this.progress.record({ height: last.height, blocks: ctx.blocks.length, events: decoded.all.length, isHead: ctx.isHead })
        // (a failed call ends the process: squid exits on a handler or commit error)
        this.writtenTo = last.height
    }
}
