/**
 * Progress log lines and our own Prometheus metrics. Purely observational: nothing here feeds the
 * mapping (which must stay deterministic).
 *
 * squid's processor serves its metrics (sqd_processor_last_block, sqd_processor_chain_height, …) on
 * PROMETHEUS_PORT; our counters are registered in the same registry (reached via sdk-internals.ts squidRegistry),
 * so one /metrics has both.
 */
import * as v8 from 'v8'
import { Logger } from '@subsquid/logger'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface ProcessorMetrics {
    events: Counter<'contract' | 'event'>
    batches: Counter<'head'>
    rowsWritten: Counter<'op'>
    notifyBytes: Histogram<string>
    handlerSeconds: Histogram<string>
    lastBlock: Gauge<string>
    chainHead: Gauge<string>
    lagBlocks: Gauge<string>
    reorgs: Counter<string>
    warnings: Counter<string>
    mev: Counter<'kind'>
    epochs: Counter<string>
}

export function createMetrics(registry: Registry = new Registry()): ProcessorMetrics {
    const registers = [registry]
    return {
        events: new Counter({ name: 'settlement_events_total', help: 'Decoded protocol events processed', labelNames: ['contract', 'event'], registers }),
        batches: new Counter({ name: 'settlement_handler_calls_total', help: 'Handler calls (batches) committed', labelNames: ['head'], registers }),
        rowsWritten: new Counter({ name: 'settlement_rows_written_total', help: 'Rows written', labelNames: ['op'], registers }),
        notifyBytes: new Histogram({
            name: 'settlement_notify_payload_bytes',
            help: 'Size of squid_batch NOTIFY payloads',
            buckets: [128, 512, 1024, 2048, 4096, 8000],
            registers,
        }),
        handlerSeconds: new Histogram({
            name: 'settlement_handler_seconds',
            help: 'Time spent in the batch handler (decode, load, apply, write)',
            buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            registers,
        }),
        lastBlock: new Gauge({ name: 'settlement_last_block', help: 'Last block handled', registers }),
        chainHead: new Gauge({ name: 'settlement_chain_head', help: 'Chain head seen by the progress poller', registers }),
        lagBlocks: new Gauge({ name: 'settlement_lag_blocks', help: 'Chain head minus last handled block', registers }),
        reorgs: new Counter({ name: 'settlement_reorgs_total', help: 'Handler calls whose first block does not extend the previous one', registers }),
        warnings: new Counter({ name: 'settlement_mapping_warnings_total', help: 'Mapping warnings (unknown references, stubs)', registers }),
        mev: new Counter({ name: 'settlement_mev_total', help: 'MEV rows found by the classifier', labelNames: ['kind'], registers }),
        epochs: new Counter({ name: 'settlement_epochs_scored_total', help: 'Epochs rolled up and scored', registers }),
    }
}

/** What one handler call adds to the metrics. */
export interface BatchMetrics {
    events: { contract: string; name: string }[]
    isHead: boolean
    writes: { upserted: number; inserted: number }
    notifyBytes: number
    lastBlock: number
    reorg: boolean
    warnings: number
    mevEvents: { kind: string }[]
    epochsClosed: number
    handlerSeconds: number
}

export function recordBatchMetrics(metrics: ProcessorMetrics, b: BatchMetrics): void {
    // counted per batch, one labelled increment per (contract, event)
    const counts = new Map<string, { contract: string; event: string; n: number }>()
    for (const ev of b.events) {
        const key = ev.contract + '.' + ev.name
        const c = counts.get(key)
        if (c) c.n++
        else counts.set(key, { contract: ev.contract, event: ev.name, n: 1 })
    }
    for (const c of counts.values()) metrics.events.inc({ contract: c.contract, event: c.event }, c.n)
    metrics.batches.inc({ head: String(b.isHead) })
    metrics.rowsWritten.inc({ op: 'upsert' }, b.writes.upserted)
    metrics.rowsWritten.inc({ op: 'insert' }, b.writes.inserted)
    metrics.notifyBytes.observe(b.notifyBytes)
    metrics.lastBlock.set(b.lastBlock)
    if (b.reorg) metrics.reorgs.inc()
    if (b.warnings) metrics.warnings.inc(b.warnings)
    for (const e of b.mevEvents) metrics.mev.inc({ kind: e.kind })
    if (b.epochsClosed) metrics.epochs.inc(b.epochsClosed)
    metrics.handlerSeconds.observe(b.handlerSeconds)
}

/** The debug line of one handler call (SQD_DEBUG=sqd:processor:settlement:batch): phases and per-table timings. */
export function batchTimingLine(t: {
    first: number
    last: number
    blocks: number
    events: number
    gapMs: number
    fetchWaitMs: number
    decodeMs: number
    phaseMs: { facts: number; load: number; apply: number; write: number }
    tableMs?: Record<string, number>
    handlerMs: number
}): string {
    const f = (n: number) => n.toFixed(0)
    return (
        `blocks ${t.first}..${t.last} (${t.blocks}), ${t.events} events: ` +
        `since the previous call ${f(t.gapMs)} ms (waiting for blocks ${f(t.fetchWaitMs)}), decode ${f(t.decodeMs)} ms, ` +
        `facts ${f(t.phaseMs.facts)}, load ${f(t.phaseMs.load)}, apply ${f(t.phaseMs.apply)}, write ${f(t.phaseMs.write)} ms ` +
        `(${Object.entries(t.tableMs ?? {})
            .filter(([, v]) => v >= 1)
            .map(([k, v]) => `${k} ${f(v)}`)
            .join(', ')}), handler ${f(t.handlerMs)} ms; ` +
        `rss ${f(process.memoryUsage.rss() / 2 ** 20)} MB, heap ${f(v8.getHeapStatistics().used_heap_size / 2 ** 20)} MB`
    )
}

/** Lag (blocks) beyond which the processor no longer counts as at the head (progress interval back to 5 s). */
const FALLEN_BEHIND_BLOCKS = 50

/**
 * Progress lines: `progress: block 1234 (head 1240, lag 6), 52.1 blocks/s, 310.5 events/s, ...`, rates over the
 * window since the previous line. During a backfill one line per `intervalMs` (5 s); at the chain head one per
 * `headIntervalMs` (10 s) however many blocks arrive, plus one line when the head is first reached.
 */
export class ProgressReporter {
    private lastLogAt = 0
    private windowStartHeight?: number
    private eventsSince = 0
    private windowStart: number
    private head?: number
    private polling = false
    private lastPoll = -Infinity
    private atHead = false

    constructor(
        private log: Logger,
        private getHead: () => Promise<number>,
        private metrics?: ProcessorMetrics,
        private intervalMs = 5000,
        private now: () => number = Date.now,
        private headIntervalMs = 10_000,
    ) {
        this.windowStart = now()
    }

    /** Refresh the head in the background (never blocks the handler). */
    private pollHead(): void {
        const t = this.now()
        if (this.polling || t - this.lastPoll < this.intervalMs) return
        this.polling = true
        this.lastPoll = t
        this.getHead()
            .then((h) => {
                this.head = h
                this.metrics?.chainHead.set(h)
            })
            .catch(() => {})
            .finally(() => {
                this.polling = false
            })
    }

    /** `blocks`: number of blocks in the call (used only for the first window). */
    record(args: { height: number; blocks: number; events: number; isHead: boolean }): string | undefined {
        this.pollHead()
        if (this.windowStartHeight == null) this.windowStartHeight = args.height - args.blocks
        this.eventsSince += args.events
        if (this.head != null && args.height > this.head) this.head = args.height
        if (args.isHead) this.head = Math.max(this.head ?? args.height, args.height)
        const lag = this.head != null ? Math.max(0, this.head - args.height) : undefined
        if (lag != null) this.metrics?.lagBlocks.set(lag)
        const t = this.now()
        // at the head until it falls clearly behind (a hot update of several blocks hands all but the last over
        // as not-at-head: that is not falling behind)
        const reachedHead = args.isHead && !this.atHead
        if (args.isHead) this.atHead = true
        else if (lag != null && lag > FALLEN_BEHIND_BLOCKS) this.atHead = false
        if (!reachedHead && t - this.lastLogAt < (this.atHead ? this.headIntervalMs : this.intervalMs)) return undefined
        const secs = Math.max((t - this.windowStart) / 1000, 0.001)
        // chain progress (blocks without protocol logs are skipped by the processor but still count)
        const blocks = Math.max(0, args.height - this.windowStartHeight)
        const line =
            `progress: block ${args.height}` +
            (this.head != null ? ` (head ${this.head}, lag ${lag})` : '') +
            // rates over less than a second are noise (first call, bursts at the head)
            (secs >= 1
                ? `, ${(blocks / secs).toFixed(1)} blocks/s, ${(this.eventsSince / secs).toFixed(1)} events/s`
                : '') +
            `, ${this.eventsSince} events in ${secs.toFixed(1)}s` +
            (this.atHead ? (reachedHead ? ', reached the head' : ', at head') : '')
        this.log.info(line)
        this.lastLogAt = t
        this.windowStart = t
        this.windowStartHeight = args.height
        this.eventsSince = 0
        return line
    }
}
