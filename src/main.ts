/**
 * The indexer: applies pending migrations, then runs the processor with hot blocks (rolled back by
 * typeorm-store on reorgs). Per handler call: decode logs → one load per entity class → apply in
 * log order → one write per entity class → NOTIFY squid_batch (delivered on commit).
 *
 * Env: see src/config.ts (DB / chain) and src/processor.ts (CHAIN_ANALYTICS, PROTOCOL_EVENTS, EPOCH_BLOCKS,
 * TRACE_API, backfill ingestion); SCORING_CONFIG (scoring weights, default config/scoring.json);
 * DEFER_INDEXES / DEFER_INDEXES_MIN_LAG (src/mappings/deferred-indexes.ts: secondary indexes and foreign keys of
 * the big tables are dropped for a long backfill and rebuilt at the head); SKIP_MIGRATIONS=true skips the apply
 * step. SQD_DEBUG=sqd:processor:settlement:batch logs each handler call's phase and per-table timings.
 */
import * as path from 'path'
import * as v8 from 'v8'
import { createLogger } from '@subsquid/logger'
import { TypeormDatabase } from '@subsquid/typeorm-store'
import { DataSource } from 'typeorm'
import { applyDatabaseEnv, databaseFromEnv, projectRoot, prometheusPort } from './config'
import { EventDecoder } from './mappings/decode'
import { changedIds, processBatch } from './mappings/index'
import { DeferredIndexes, deferredIndexSettingsFromEnv } from './mappings/deferred-indexes'
import { encodePayload, sendNotify, storeEntityManager } from './mappings/notify'
import { createMetrics, ProgressReporter, squidRegistry } from './mappings/telemetry'
import { buildProcessor, coldIngestStats, loadProcessorSettings, ProcessorContext } from './processor'
import { loadScoringConfig } from './validators/scoring-config'

const log = createLogger('sqd:processor:settlement')
/** per handler call: phase and per-table timings (SQD_DEBUG=sqd:processor:settlement:batch) */
const batchLog = log.child('batch')

/** The chain's current height, from the processor's own RPC client. */
async function chainHeight(ctx: ProcessorContext): Promise<number> {
    return Number(BigInt(await ctx._chain.client.call<string>('eth_blockNumber')))
}

/** Apply db/migrations/*.js (same table and semantics as `squid-typeorm-migration apply`). */
export async function applyMigrations(url: string, root = projectRoot()): Promise<string[]> {
    const ds = new DataSource({
        type: 'postgres',
        url,
        migrations: [path.join(root, 'db', 'migrations', '*.js')],
        entities: [],
        synchronize: false,
        migrationsRun: false,
        logging: false,
    })
    await ds.initialize()
    try {
        const done = await ds.runMigrations({ transaction: 'all' })
        return done.map((m) => m.name)
    } finally {
        await ds.destroy().catch(() => {})
    }
}

async function main(): Promise<void> {
    const db = databaseFromEnv()
    applyDatabaseEnv(db) // → DB_URL for @subsquid/typeorm-config
    if (process.env.SKIP_MIGRATIONS !== 'true') {
        const applied = await applyMigrations(process.env.DB_URL!)
        if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`)
    }

    const settings = await loadProcessorSettings()
    const scoring = loadScoringConfig()
    log.info(
        `chain ${settings.chainId} via ${settings.rpcUrl.replace(/\/\/[^@/]*@/, '//***@')}, from block ${settings.startBlock}, ` +
            `finality ${settings.finalityConfirmations} blocks, deployments ${settings.deploymentsFile}, ` +
            (settings.chainAnalytics
                ? `chain analytics on (epochs of ${settings.epochBlocks} blocks, traces via ${settings.traceApi === 'trace' ? 'trace_block' : 'debug_traceBlockByHash'})`
                : 'chain analytics off (CHAIN_ANALYTICS=false: settlement logs only)') +
            (settings.protocolEvents ? '' : ', ProtocolEvent rows off (PROTOCOL_EVENTS=false)') +
            `, backfill in units of ${settings.ingest.splitBlocks} blocks, ${settings.ingest.concurrency} ahead`,
    )
    const decoder = new EventDecoder(settings.contracts)
    // backfill units are decoded as soon as they arrive, while the handler waits for the database
    const processor = buildProcessor(settings, (blocks) => decoder.predecode(blocks as ProcessorContext['blocks']))
    processor.setPrometheusPort(prometheusPort())
    const registry = squidRegistry(processor)
    const metrics = registry ? createMetrics(registry) : undefined
    if (!metrics) log.warn('squid Prometheus registry not reachable: settlement_* metrics disabled')

    const deferredIndexes = new DeferredIndexes(deferredIndexSettingsFromEnv(), (m) => log.info(m))
    let progress: ProgressReporter | undefined
    let lastHead: { height: number; hash: string } | undefined
    /** when the previous handler call returned (its commit and the next call's data come in between) */
    let lastHandlerEnd = 0

    const run = async (ctx: ProcessorContext): Promise<void> => {
        const started = process.hrtime.bigint()
        if (ctx.blocks.length === 0) return
        const first = ctx.blocks[0].header
        const last = ctx.blocks[ctx.blocks.length - 1].header
        const reorg =
            lastHead != null &&
            (first.height <= lastHead.height || (first.height === lastHead.height + 1 && first.parentHash !== lastHead.hash))

        // Hot-block ingestion can hand over blocks below the start block (e.g. block 1 when the start block is 2
        // and the whole chain is still unfinalized) with only height/hash/parentHash: they are not indexed.
        const blocks = ctx.blocks[0].header.height >= settings.startBlock ? ctx.blocks : ctx.blocks.filter((b) => b.header.height >= settings.startBlock)
        const gapMs = lastHandlerEnd ? performance.now() - lastHandlerEnd : 0
        const fetchWaitMs = coldIngestStats.waitMs
        coldIngestStats.waitMs = 0
        await deferredIndexes.beforeBatch(storeEntityManager(ctx.store), ctx.isHead, async () => (await chainHeight(ctx)) - last.height)
        const tDecode = performance.now()
        const decoded = decoder.decodeBlocks(blocks)
        const decodeMs = performance.now() - tDecode
        const { state, epochs, writes, phaseMs } = await processBatch({ blocks, events: decoded.all }, ctx.store, {
            epochBlocks: settings.epochBlocks,
            scoring,
            chainAnalytics: settings.chainAnalytics,
            protocolEvents: settings.protocolEvents,
        })
        for (const w of state.warnings) ctx.log.warn(w)

        const payload = encodePayload({
            height: last.height,
            hash: last.hash,
            fromHeight: first.height,
            head: ctx.isHead,
            ...(reorg ? { reorg: true } : {}),
            changed: changedIds(state, epochs),
        })
        await sendNotify(ctx.store, payload)
        lastHead = { height: last.height, hash: last.hash }
        if (batchLog.isDebug()) {
            const f = (n: number) => n.toFixed(0)
            batchLog.debug(
                `blocks ${first.height}..${last.height} (${ctx.blocks.length}), ${decoded.all.length} events: ` +
                    `since the previous call ${f(gapMs)} ms (waiting for blocks ${f(fetchWaitMs)}), decode ${f(decodeMs)} ms, ` +
                    `facts ${f(phaseMs.facts)}, load ${f(phaseMs.load)}, apply ${f(phaseMs.apply)}, write ${f(phaseMs.write)} ms ` +
                    `(${Object.entries(writes.ms ?? {})
                        .filter(([, v]) => v >= 1)
                        .map(([k, v]) => `${k} ${f(v)}`)
                        .join(', ')}), handler ${f(Number(process.hrtime.bigint() - started) / 1e6)} ms; ` +
                    `rss ${f(process.memoryUsage.rss() / 2 ** 20)} MB, heap ${f(v8.getHeapStatistics().used_heap_size / 2 ** 20)} MB`,
            )
        }

        if (metrics) {
            // counted per batch, one labelled increment per (contract, event)
            const counts = new Map<string, { contract: string; event: string; n: number }>()
            for (const ev of decoded.all) {
                const key = ev.contract + '.' + ev.name
                const c = counts.get(key)
                if (c) c.n++
                else counts.set(key, { contract: ev.contract, event: ev.name, n: 1 })
            }
            for (const c of counts.values()) metrics.events.inc({ contract: c.contract, event: c.event }, c.n)
            metrics.batches.inc({ head: String(ctx.isHead) })
            metrics.rowsWritten.inc({ op: 'upsert' }, writes.upserted)
            metrics.rowsWritten.inc({ op: 'insert' }, writes.inserted)
            metrics.notifyBytes.observe(Buffer.byteLength(payload))
            metrics.lastBlock.set(last.height)
            if (reorg) metrics.reorgs.inc()
            if (state.warnings.length) metrics.warnings.inc(state.warnings.length)
            for (const e of state.mevEvents) metrics.mev.inc({ kind: e.kind })
            if (epochs.closed.length) metrics.epochs.inc(epochs.closed.length)
            metrics.handlerSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9)
        }
        progress ??= new ProgressReporter(
            ctx.log.child('progress'),
            () => chainHeight(ctx),
            metrics,
        )
        progress.record({ height: last.height, blocks: ctx.blocks.length, events: decoded.all.length, isHead: ctx.isHead })
    }

    // squid's fatal log line serialises the error object, which fails (and hides the cause) when a failed
    // query's parameters hold e.g. an invalid Date: log the cause as plain text first
    const handler = async (ctx: ProcessorContext): Promise<void> => {
        try {
            await run(ctx)
            lastHandlerEnd = performance.now()
        } catch (e: any) {
            const range = ctx.blocks.length ? `${ctx.blocks[0].header.height}..${ctx.blocks[ctx.blocks.length - 1].header.height}` : '(none)'
            ctx.log.error(`handler failed on blocks ${range}: ${String(e?.stack ?? e)}${e?.query ? `\nquery: ${String(e.query).slice(0, 2000)}` : ''}`)
            throw e
        }
    }

    processor.run(
        new TypeormDatabase({ supportHotBlocks: true, stateSchema: 'squid_processor', projectDir: projectRoot() }),
        handler,
    )
}

if (require.main === module) {
    main().catch((e) => {
        // configuration problems are one readable line; anything else gets its stack
        log.fatal(e?.name === 'ConfigError' || e?.name === 'ProcessorConfigError' || e?.name === 'ScoringConfigError' ? e.message : e)
        process.exit(1)
    })
}
