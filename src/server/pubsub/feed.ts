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
import { Hub, Topic } from './hub'
import { ALL_CHANGE_TOPICS, ChangeTopic, emptyNotice, mergeNotices, Notice, parseNotice } from './notice'
import { readIndexerHead } from '../status/indexer'
import { mevItemFromRow, mevItemsSql } from '../resolvers/mev.type'
import { SCORE_ENTRY_SQL, scoreEntryFromRow } from '../resolvers/validator.type'
import type { ChangeMarks, IndexerHeadPayload } from './payloads'
import { Pushed, RecentRows } from './recent-rows'

const HUB_TOPIC: Record<ChangeTopic, Topic> = {
    batches: 'batchUpdated',
    claims: 'payoutClaimed',
    escrowAccounts: 'escrowBalanceChanged',
    mev: 'mevDetected',
    scores: 'validatorScoreUpdated',
}

/** Hub keys of a `mevDetected` event: subscribers filter by validator or by pool (one key each). */
export const mevValidatorKey = (validator: string) => `validator:${validator.toLowerCase()}`
export const mevPoolKey = (pool: string) => `pool:${pool.toLowerCase()}`

const idOf = (row: any): string => row.id

interface Query {
    sql: string
    params: unknown[]
}

interface TopicSpec {
    /** rows changed by id (ids from the notice); `cap` bounds the rows */
    byIds(ids: string[], cap: number): Query | undefined
    /** rows changed in blocks [lo, to] */
    byRange(lo: number, to: number, cap: number): Query
    /** hub key(s) the row is published under */
    key(row: any): string | string[] | undefined
    /** the payload subscribers receive (default: the row) */
    map?(row: any): object
    /** identity of a row (default: its id) and the block of its last change, for the corrections after a reorg */
    rowId?(row: any): string
    block(row: any): number
    /** the ids `byIds` takes to read these rows again (default: their row ids) */
    refetch?(rowIds: string[], pushed: Pushed[]): string[]
}

/** The simple topics: one table, rows by id or by a block column. */
function tableSpec(table: string, block: string, columns: string, key: (row: any) => string, blockOf: (row: any) => number): TopicSpec {
    return {
        byIds: (ids, cap) => ({ sql: `SELECT ${columns} FROM ${table} WHERE id = ANY($1::text[]) ORDER BY ${block}, id LIMIT ${cap}`, params: [ids] }),
        byRange: (lo, to, cap) => ({ sql: `SELECT ${columns} FROM ${table} WHERE ${block} BETWEEN $1 AND $2 ORDER BY ${block}, id LIMIT ${cap}`, params: [lo, to] }),
        key,
        block: blockOf,
    }
}

const SPECS: Record<ChangeTopic, TopicSpec> = {
    batches: tableSpec(
        'batch',
        'updated_at_block',
        `id, status, payer, token_id AS "token", root, total_amount::text AS "totalAmount", record_count AS "recordCount",
            data_uri AS "dataURI", operator, disputed, committed_at AS "committedAt", committed_at_block AS "committedAtBlock",
            dispute_deadline AS "disputeDeadline", finalized_at AS "finalizedAt", finalized_at_block AS "finalizedAtBlock",
            rejected_at AS "rejectedAt", rejected_at_block AS "rejectedAtBlock", claimed_amount::text AS "claimedAmount",
            claim_count AS "claimCount", updated_at_block AS "updatedAtBlock"`,
        (r) => r.id,
        (r) => r.updatedAtBlock,
    ),
    claims: tableSpec(
        'claim',
        'block_number',
        `id, batch_id AS "batchId", payee, token_id AS "token", amount::text AS amount, fee::text AS fee, net::text AS net,
            claimer, relayed, block_number AS "blockNumber", tx_hash AS "txHash", timestamp`,
        (r) => r.payee,
        (r) => r.blockNumber,
    ),
    escrowAccounts: tableSpec(
        'escrow_account',
        'updated_at_block',
        `id, payer, token_id AS "token", available::text AS available, locked::text AS locked,
            total_deposited::text AS "totalDeposited", total_withdrawn::text AS "totalWithdrawn",
            updated_at AS "updatedAt", updated_at_block AS "updatedAtBlock"`,
        (r) => r.payer,
        (r) => r.updatedAtBlock,
    ),
    // arbitrages, sandwiches and coinbase transfers (never swaps), each with its details, in chain order
    mev: {
        byIds: (ids, cap) => ({
            sql: mevItemsSql(`(SELECT * FROM mev_event WHERE id = ANY($1::text[]) AND kind <> 'SWAP' ORDER BY block_number, id LIMIT ${cap})`, 'ASC'),
            params: [ids],
        }),
        byRange: (lo, to, cap) => ({
            sql: mevItemsSql(`(SELECT * FROM mev_event WHERE block_number BETWEEN $1 AND $2 AND kind <> 'SWAP' ORDER BY block_number, id LIMIT ${cap})`, 'ASC'),
            params: [lo, to],
        }),
        key: (r) => [r.validator_id ? mevValidatorKey(r.validator_id) : undefined, r.pool ? mevPoolKey(r.pool) : undefined].filter((k): k is string => !!k),
        map: mevItemFromRow,
        block: (r) => r.block_number,
    },
    // the notice lists the epochs just scored: every score row of those epochs
    scores: {
        byIds: (ids, cap) => {
            const epochs = ids.filter((id) => /^\d{1,9}$/.test(id)).map(Number)
            if (epochs.length === 0) return undefined
            return { sql: `${SCORE_ENTRY_SQL} WHERE s.epoch = ANY($1::int[]) ORDER BY s.epoch, s.rank LIMIT ${cap}`, params: [epochs] }
        },
        byRange: (lo, to, cap) => ({ sql: `${SCORE_ENTRY_SQL} WHERE s.computed_at_block BETWEEN $1 AND $2 ORDER BY s.epoch, s.rank LIMIT ${cap}`, params: [lo, to] }),
        key: (r) => r.v_address,
        map: scoreEntryFromRow,
        rowId: (r) => `${r.epoch}:${r.v_address}`,
        block: (r) => r.computed_at_block,
        refetch: (_ids, pushed) => [...new Set(pushed.map((p) => String(p.row.epoch)))],
    },
}

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
