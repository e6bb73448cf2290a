/**
 * Turns the processor's notices into subscription events: for each notice, ONE query per topic that has
 * subscribers (rows by id, or by block range when the id list was truncated), then an in-process fan-out
 * through the Hub. Topics: batches, claims, escrow accounts, MEV events (arbitrages, sandwiches, coinbase
 * transfers with their details, one statement) and validator scores (the rows of the epochs just scored).
 * Notices that arrive while one is being processed are merged, so a burst costs one round of queries, and
 * events are published in notice order.
 */
import type { Pool } from 'pg'
import { Hub, Topic } from './hub'
import { ALL_CHANGE_TOPICS, ChangeTopic, emptyNotice, mergeNotices, Notice, parseNotice } from './notice'
import { readIndexerHead } from '../status/indexer'
import { mevItemFromRow, mevItemsSql } from '../resolvers/mev.type'
import { SCORE_ENTRY_SQL, scoreEntryFromRow } from '../resolvers/validator.type'

export interface BatchUpdatePayload {
    id: string
    status: string
    payer: string
    token: string
    root: string
    totalAmount: string
    recordCount: number
    dataURI: string
    operator: string
    disputed: boolean
    committedAt: Date
    committedAtBlock: number
    disputeDeadline: Date
    finalizedAt: Date | null
    finalizedAtBlock: number | null
    rejectedAt: Date | null
    rejectedAtBlock: number | null
    claimedAmount: string
    claimCount: number
    updatedAtBlock: number
}

export interface PayoutClaimedPayload {
    id: string
    batchId: string
    payee: string
    token: string
    amount: string
    fee: string
    net: string
    claimer: string
    relayed: boolean
    blockNumber: number
    txHash: string
    timestamp: Date
}

export interface EscrowBalancePayload {
    id: string
    payer: string
    token: string
    available: string
    locked: string
    totalDeposited: string
    totalWithdrawn: string
    updatedAt: Date
    updatedAtBlock: number
}

export interface IndexerHeadPayload {
    height: number
    hash: string
    head: boolean | null
    reorg: boolean
}

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
    map?(row: any): unknown
}

/** The simple topics: one table, rows by id or by a block column. */
function tableSpec(table: string, block: string, columns: string, key: (row: any) => string): TopicSpec {
    return {
        byIds: (ids, cap) => ({ sql: `SELECT ${columns} FROM ${table} WHERE id = ANY($1::text[]) ORDER BY ${block}, id LIMIT ${cap}`, params: [ids] }),
        byRange: (lo, to, cap) => ({ sql: `SELECT ${columns} FROM ${table} WHERE ${block} BETWEEN $1 AND $2 ORDER BY ${block}, id LIMIT ${cap}`, params: [lo, to] }),
        key,
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
    ),
    claims: tableSpec(
        'claim',
        'block_number',
        `id, batch_id AS "batchId", payee, token_id AS "token", amount::text AS amount, fee::text AS fee, net::text AS net,
            claimer, relayed, block_number AS "blockNumber", tx_hash AS "txHash", timestamp`,
        (r) => r.payee,
    ),
    escrowAccounts: tableSpec(
        'escrow_account',
        'updated_at_block',
        `id, payer, token_id AS "token", available::text AS available, locked::text AS locked,
            total_deposited::text AS "totalDeposited", total_withdrawn::text AS "totalWithdrawn",
            updated_at AS "updatedAt", updated_at_block AS "updatedAtBlock"`,
        (r) => r.payer,
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
    },
}

export interface FeedOptions {
    /** cap on rows fetched per topic and notice (range refetches of a large catch-up) */
    maxRowsPerTopic?: number
    log?: (msg: string, fields?: Record<string, unknown>) => void
    /** schema of the processor's status tables */
    stateSchema?: string
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
    readonly stats: FeedStats = { notices: 0, rounds: 0, queries: 0, published: 0, errors: 0, lastRoundMs: 0 }
    private pending: Notice | undefined
    private running: Promise<void> | undefined
    private closed = false

    constructor(
        private db: Pool,
        private hub: Hub,
        private options: FeedOptions = {},
    ) {}

    /** Remember where the indexer is now, so the first truncated notice knows its range. */
    async init(): Promise<void> {
        try {
            const head = await readIndexerHead(this.db, this.options.stateSchema)
            if (head && head.height >= 0) this.lastHeight = head.height
        } catch (e: any) {
            this.options.log?.('change feed: cannot read the indexer head', { error: e?.message })
        }
    }

    /** A raw NOTIFY payload. */
    push(payload: string | undefined): void {
        this.stats.notices++
        this.enqueue(parseNotice(payload))
    }

    /** After the LISTEN connection came back: whatever was committed meanwhile, refetch by range. */
    async catchUp(): Promise<void> {
        const head = await readIndexerHead(this.db, this.options.stateSchema).catch(() => undefined)
        if (!head || head.height < 0) return
        if (this.lastHeight !== undefined && head.height <= this.lastHeight) return
        const n = emptyNotice()
        n.height = head.height
        n.hash = head.hash
        for (const t of ALL_CHANGE_TOPICS) n.byRange.add(t)
        this.enqueue(n)
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
        const from = n.fromHeight ?? (this.lastHeight !== undefined ? this.lastHeight + 1 : to)
        if (to !== undefined && this.hub.count('indexerHead') > 0) {
            const head: IndexerHeadPayload = { height: to, hash: n.hash ?? '', head: n.head ?? null, reorg: !!n.reorg }
            this.stats.published += this.hub.publish('indexerHead', undefined, head)
        }
        // topics are independent: query them concurrently (one query each)
        await Promise.all(
            ALL_CHANGE_TOPICS.map(async (topic) => {
                const hubTopic = HUB_TOPIC[topic]
                if (this.hub.count(hubTopic) === 0) return
                const rows = await this.fetch(topic, n, from, to)
                const spec = SPECS[topic]
                for (const row of rows) this.stats.published += this.hub.publish(hubTopic, spec.key(row), spec.map ? spec.map(row) : row)
            }),
        )
        if (to !== undefined && (this.lastHeight === undefined || to > this.lastHeight || n.reorg)) this.lastHeight = to
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
