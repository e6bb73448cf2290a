/**
 * Where the indexer is: `squid_processor.status` holds the last finalized block the processor committed,
 * `squid_processor.hot_block` the unfinalized blocks above it (hot blocks are enabled). The head is the
 * highest hot block, or the finalized one when there are none. Missing tables (processor never ran) read
 * as "nothing indexed yet".
 */
import type { Pool, PoolClient } from 'pg'
import { sqlState } from '../error-mask'

export interface IndexerHead {
    height: number
    hash: string
    finalizedHeight: number
    finalizedHash: string
}

/** databases where the processor's tables were seen (they are never dropped while we run) */
const tablesSeen = new WeakSet<object>()

export async function readIndexerHead(db: Pool | PoolClient, schema = 'squid_processor'): Promise<IndexerHead | undefined> {
    const s = `"${schema.replace(/"/g, '""')}"`
    if (!tablesSeen.has(db)) {
        // ask first instead of failing (a failed query leaves an ERROR line in the Postgres log)
        const r = await db.query(`SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok`, [`${s}.status`, `${s}.hot_block`])
        if (!r.rows[0]?.ok) return undefined
        tablesSeen.add(db)
    }
    try {
        const r = await db.query(
            `SELECT s.height, s.hash, h.height AS hot_height, h.hash AS hot_hash
             FROM ${s}.status s
             LEFT JOIN LATERAL (SELECT height, hash FROM ${s}.hot_block ORDER BY height DESC LIMIT 1) h ON true
             WHERE s.id = 0`,
        )
        if (r.rowCount === 0) return undefined
        const row = r.rows[0]
        const finalizedHeight = Number(row.height)
        const hot = row.hot_height == null ? undefined : Number(row.hot_height)
        const head = hot != null && hot > finalizedHeight ? { height: hot, hash: row.hot_hash } : { height: finalizedHeight, hash: row.hash }
        return { ...head, finalizedHeight, finalizedHash: row.hash }
    } catch (e) {
        // 42P01 undefined_table, 3F000 invalid_schema_name: the processor has not created its state yet
        const code = sqlState(e)
        if (code === '42P01' || code === '3F000') return undefined
        throw e
    }
}

/**
 * `eth_blockNumber` of the RPC, cached for `ttlMs` and bounded by `timeoutMs`; concurrent callers share
 * one request. Failures are cached too (for the same ttl) so a dead RPC does not slow every query.
 */
export class ChainHeadCache {
    private value: { at: number; height?: number } | undefined
    private inflight: Promise<number | undefined> | undefined

    constructor(
        readonly rpcUrl: string | undefined,
        private ttlMs = 2_000,
        private timeoutMs = 1_500,
    ) {}

    async get(): Promise<number | undefined> {
        if (!this.rpcUrl || !/^https?:/.test(this.rpcUrl)) return undefined
        const now = Date.now()
        if (this.value && now - this.value.at < this.ttlMs) return this.value.height
        if (!this.inflight) {
            this.inflight = this.fetch().finally(() => (this.inflight = undefined))
        }
        return this.inflight
    }

    private async fetch(): Promise<number | undefined> {
        let height: number | undefined
        try {
            const res = await fetch(this.rpcUrl!, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
                signal: AbortSignal.timeout(this.timeoutMs),
            })
            const body: any = await res.json().catch(() => undefined)
            if (res.ok && typeof body?.result === 'string') height = Number(BigInt(body.result))
        } catch {
            height = undefined
        }
        this.value = { at: Date.now(), height }
        return height
    }
}
