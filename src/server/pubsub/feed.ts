/**
 * Turns the processor's notices into subscription events: for each notice, ONE query per topic that has
 * subscribers (rows by id, or by block range when the id list was truncated), then an in-process fan-out
 * through the Hub. Notices that arrive while one is being processed are merged, so a burst costs one
 * round of queries, and events are published in notice order.
 */
import type { Pool } from 'pg'
import { Hub, Topic } from './hub'
import { ALL_CHANGE_TOPICS, ChangeTopic, emptyNotice, mergeNotices, Notice, parseNotice } from './notice'
import { readIndexerHead } from '../status/indexer'

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
}

const SELECT: Record<ChangeTopic, { columns: string; table: string; block: string; key: (row: any) => string }> = {
    batches: {
        table: 'batch',
        block: 'updated_at_block',
        columns: `id, status, payer, token_id AS "token", root, total_amount::text AS "totalAmount", record_count AS "recordCount",
            data_uri AS "dataURI", operator, disputed, committed_at AS "committedAt", committed_at_block AS "committedAtBlock",
            dispute_deadline AS "disputeDeadline", finalized_at AS "finalizedAt", finalized_at_block AS "finalizedAtBlock",
            rejected_at AS "rejectedAt", rejected_at_block AS "rejectedAtBlock", claimed_amount::text AS "claimedAmount",
            claim_count AS "claimCount", updated_at_block AS "updatedAtBlock"`,
        key: (r) => r.id,
    },
    claims: {
        table: 'claim',
        block: 'block_number',
        columns: `id, batch_id AS "batchId", payee, token_id AS "token", amount::text AS amount, fee::text AS fee, net::text AS net,
            claimer, relayed, block_number AS "blockNumber", tx_hash AS "txHash", timestamp`,
        key: (r) => r.payee,
    },
    escrowAccounts: {
        table: 'escrow_account',
        block: 'updated_at_block',
        columns: `id, payer, token_id AS "token", available::text AS available, locked::text AS locked,
            total_deposited::text AS "totalDeposited", total_withdrawn::text AS "totalWithdrawn",
            updated_at AS "updatedAt", updated_at_block AS "updatedAtBlock"`,
        key: (r) => r.payer,
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
                const spec = SELECT[topic]
                for (const row of rows) this.stats.published += this.hub.publish(hubTopic, spec.key(row), row)
            }),
        )
        if (to !== undefined && (this.lastHeight === undefined || to > this.lastHeight || n.reorg)) this.lastHeight = to
    }

    private async fetch(topic: ChangeTopic, n: Notice, from: number | undefined, to: number | undefined): Promise<any[]> {
        const spec = SELECT[topic]
        const cap = this.options.maxRowsPerTopic ?? 5_000
        let res
        if (n.byRange.has(topic)) {
            if (to === undefined) return []
            const lo = Math.min(from ?? to, to)
            res = await this.db.query(
                `SELECT ${spec.columns} FROM ${spec.table} WHERE ${spec.block} BETWEEN $1 AND $2 ORDER BY ${spec.block}, id LIMIT ${cap}`,
                [lo, to],
            )
        } else {
            const ids = [...n.ids[topic]]
            if (ids.length === 0) return []
            res = await this.db.query(`SELECT ${spec.columns} FROM ${spec.table} WHERE id = ANY($1::text[]) ORDER BY ${spec.block}, id LIMIT ${cap}`, [ids])
        }
        this.stats.queries++
        return res.rows
    }
}
