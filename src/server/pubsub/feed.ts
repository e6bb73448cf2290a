/**
 * Turns the processor's notices into subscription events: for each notice, ONE query per topic that has
 * subscribers (rows by id, or by block range when the id list was truncated), then an in-process fan-out
 * through the Hub. Topics: batches, claims, escrow accounts, MEV events (arbitrages, sandwiches, coinbase
 * transfers with their details, one statement) and validator scores (the rows of the epochs just scored).
 * Notices that arrive while one is being processed are merged, so a burst costs one round of queries, and
 * events are published in notice order. After a reorg (a notice flagged `reorg`, or a height below the last one)
 * the rows pushed lately from the undone blocks are read again and pushed corrected, or marked `removed`
 * (recent-rows.ts); every event of that round carries `reorg: true`.
 */
import type { Pool } from 'pg'
import { Hub } from './hub'
import { ALL_CHANGE_TOPICS, ChangeTopic, emptyNotice, mergeNotices, Notice, parseNotice } from './notice'
import { readIndexerHead } from '../status/indexer'
import type { ChangeMarks, IndexerHeadPayload } from './payloads'
import { RecentRows } from './recent-rows'
import { HUB_TOPIC, idOf, Query, SPECS } from './topics'

export interface FeedOptions {
    /** cap on rows fetched per topic and notice (range refetches of a large catch-up) */
    maxRowsPerTopic?: number
    log?: (msg: string, fields?: Record<string, unknown>) => void
    /** schema of the processor's status tables */
    stateSchema?: string
    /** rows remembered per topic for the corrections after a reorg (recent-rows.ts; default 5,000) */
    reorgMemoryRows?: number
}

export interface FeedStats {
    notices: number
    rounds: number
    queries: number
    published: number
    errors: number
    lastRoundMs: number
}

export class ChangeFeed {
    lastHeight: number | undefined
    /** hash of `lastHeight` as notified (a reorg during a LISTEN outage shows as another hash there) */
    private lastHash: string | undefined
    readonly stats: FeedStats = { notices: 0, rounds: 0, queries: 0, published: 0, errors: 0, lastRoundMs: 0 }
    private pending: Notice | undefined
    private running: Promise<void> | undefined
    private closed = false
    private readonly recent: RecentRows<ChangeTopic>

    constructor(
        private db: Pool,
        private hub: Hub,
        private options: FeedOptions = {},
    ) {
        this.recent = new RecentRows(options.reorgMemoryRows ?? 5_000)
    }

    /** Remember where the indexer is now, so the first truncated notice knows its range. */
    async init(): Promise<void> {
        try {
            const head = await readIndexerHead(this.db, this.options.stateSchema)
            if (head && head.height >= 0) [this.lastHeight, this.lastHash] = [head.height, head.hash]
        } catch (e: any) {
            this.options.log?.('change feed: cannot read the indexer head', { error: e?.message })
        }
    }

    /** A raw NOTIFY payload. */
    push(payload: string | undefined): void {
        this.stats.notices++
        this.enqueue(parseNotice(payload))
    }

    /** After the LISTEN connection came back: whatever was committed meanwhile, refetch by range. True: a reorg was missed. */
    async catchUp(): Promise<boolean> {
        const head = await readIndexerHead(this.db, this.options.stateSchema).catch(() => undefined)
        if (!head || head.height < 0) return false
        // a reorg while we were not listening: its notice is lost, the corrections must still be made
        const replaced = await this.replacedSince(head).catch(() => false)
        if (this.lastHeight !== undefined && head.height <= this.lastHeight && !replaced) return false
        const n = emptyNotice()
        n.height = head.height
        n.hash = head.hash
        if (replaced) n.reorg = true
        for (const t of ALL_CHANGE_TOPICS) n.byRange.add(t)
        this.enqueue(n)
        return replaced
    }

    /** Is the last block we were told about no longer on the indexed chain (below the head, or another hash)? */
    private async replacedSince(head: { height: number; hash: string }): Promise<boolean> {
        const [last, hash] = [this.lastHeight, this.lastHash]
        if (last === undefined || hash === undefined) return false
        if (head.height < last) return true
        if (head.height === last) return head.hash !== hash
        const s = `"${(this.options.stateSchema ?? 'squid_processor').replace(/"/g, '""')}"`
        const r = await this.db.query(`SELECT hash FROM ${s}.hot_block WHERE height = $1`, [last])
        return r.rows.length > 0 && r.rows[0].hash !== hash
    }

    enqueue(n: Notice): void {
        if (this.closed) return
        this.pending = this.pending ? mergeNotices(this.pending, n) : n
        if (!this.running) this.running = this.loop()
    }

    /** Resolves when every queued notice has been fanned out. */
    async idle(): Promise<void> {
        while (this.running) await this.running
    }

    close(): void {
        this.closed = true
        this.pending = undefined
    }

    private async loop(): Promise<void> {
        try {
            await this.drain()
        } finally {
            // synchronously after the last `pending` check: a notice enqueued later starts a new loop
            this.running = undefined
        }
    }

    private async drain(): Promise<void> {
        while (this.pending && !this.closed) {
            const n = this.pending
            this.pending = undefined
            const t0 = Date.now()
            try {
                await this.process(n)
            } catch (e: any) {
                this.stats.errors++
                this.options.log?.('change feed: fan-out failed', { error: e?.message, height: n.height })
            }
            this.stats.rounds++
            this.stats.lastRoundMs = Date.now() - t0
        }
    }

    private async process(n: Notice): Promise<void> {
        if (n.height === undefined) {
            const head = await readIndexerHead(this.db, this.options.stateSchema)
            this.stats.queries++
            if (head) {
                n.height = head.height
                n.hash = head.hash
            }
        }
        const to = n.height
        // a head below the last one: blocks were undone even if the notice does not say so (a restarted processor)
        const reorg = !!n.reorg || (to !== undefined && this.lastHeight !== undefined && to < this.lastHeight)
        const from = n.fromHeight ?? (this.lastHeight !== undefined ? this.lastHeight + 1 : to)
        if (to !== undefined && this.hub.count('indexerHead') > 0) {
            const head: IndexerHeadPayload = { height: to, hash: n.hash ?? '', head: n.head ?? null, reorg }
            this.stats.published += this.hub.publish('indexerHead', undefined, head)
        }
        // topics are independent: query them concurrently (one query each, plus one for the corrections of a reorg)
        await Promise.all(
            ALL_CHANGE_TOPICS.map(async (topic) => {
                if (this.hub.count(HUB_TOPIC[topic]) === 0) return
                const rows = await this.fetch(topic, n, from, to)
                for (const row of rows) this.publishRow(topic, row, reorg)
                // the notice's first block is where the new branch starts: every write from there on was undone
                if (reorg) await this.correct(topic, n.fromHeight ?? 0, rows)
            }),
        )
        if (to !== undefined && (this.lastHeight === undefined || to > this.lastHeight || reorg)) {
            this.lastHeight = to
            this.lastHash = n.hash
        }
    }

    private publishRow(topic: ChangeTopic, row: any, reorg: boolean): void {
        const spec = SPECS[topic]
        const marks: ChangeMarks = { reorg, removed: false }
        const payload = spec.map ? Object.assign(spec.map(row), marks) : { ...row, ...marks }
        this.stats.published += this.hub.publish(HUB_TOPIC[topic], spec.key(row), payload)
        this.recent.remember(topic, (spec.rowId ?? idOf)(row), { row, payload, block: spec.block(row) })
    }

    /** After a reorg from block `from`: rows pushed from there on (and not just re-read) are pushed corrected, or removed. */
    private async correct(topic: ChangeTopic, from: number, fresh: any[]): Promise<void> {
        const spec = SPECS[topic]
        const rowId = spec.rowId ?? idOf
        const seen = new Set(fresh.map(rowId))
        const stale = [...this.recent.since(topic, from)].filter(([id]) => !seen.has(id))
        if (stale.length === 0) return
        const ids = stale.map(([id]) => id)
        const q = spec.byIds(spec.refetch ? spec.refetch(ids, stale.map(([, p]) => p)) : ids, Math.max(ids.length, this.options.maxRowsPerTopic ?? 5_000))
        const current = new Map<string, any>()
        if (q) {
            for (const r of (await this.db.query(q.sql, q.params as any[])).rows) current.set(rowId(r), r)
            this.stats.queries++
        }
        for (const [id, pushed] of stale) {
            const row = current.get(id)
            if (row === undefined) {
                // only on the abandoned branch: the last pushed state, marked removed
                const payload = { ...pushed.payload, reorg: true, removed: true }
                this.stats.published += this.hub.publish(HUB_TOPIC[topic], spec.key(pushed.row), payload)
                this.recent.forget(topic, id)
            } else if (JSON.stringify(row) !== JSON.stringify(pushed.row)) {
                this.publishRow(topic, row, true)
            }
        }
    }

    private async fetch(topic: ChangeTopic, n: Notice, from: number | undefined, to: number | undefined): Promise<any[]> {
        const spec = SPECS[topic]
        const cap = this.options.maxRowsPerTopic ?? 5_000
        let q: Query | undefined
        if (n.byRange.has(topic)) {
            if (to === undefined) return []
            q = spec.byRange(Math.min(from ?? to, to), to, cap)
        } else {
            const ids = [...n.ids[topic]]
            if (ids.length === 0) return []
            q = spec.byIds(ids, cap)
        }
        if (!q) return []
        const res = await this.db.query(q.sql, q.params as any[])
        this.stats.queries++
        return res.rows
    }
}
