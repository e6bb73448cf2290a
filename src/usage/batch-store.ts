import { keccak256, toUtf8Bytes } from 'ethers'
import type { Pool, PoolClient } from 'pg'
import { USAGE_BATCHED_CHANNEL } from './feed'
import { priceOf } from './terms'

/** A (payer, token) queue that is due: full (size) or old (age). */
export interface DueQueue {
    payer: string
    token: string
    queued: number
    old: boolean
}

export interface OpenBatch {
    batchKey: string
    payer: string
    token: string
    recordCount: number
}

/** Queues with at least `maxRecords` records, or whose oldest record is older than `maxAgeMs` (database clock). */
export async function dueQueues(db: Pool | PoolClient, maxRecords: number, maxAgeMs: number): Promise<DueQueue[]> {
    const r = await db.query(
        `SELECT payer, token, count(*)::int AS n, min(received_at) <= clock_timestamp() - $1::int * interval '1 millisecond' AS old
           FROM api.usage_records WHERE state = 'queued' GROUP BY payer, token`,
        [maxAgeMs],
    )
    return r.rows.filter((x) => x.n >= maxRecords || x.old).map((x) => ({ payer: x.payer, token: x.token, queued: x.n, old: x.old }))
}

/**
 * Close one batch of the oldest ≤ `maxRecords` queued records of (payer, token), in one transaction: the batch row
 * (state closed) and every record moved to batching with its batch key. The key is the hash of the record set, so
 * the commit's idempotency key — and the batch id derived from it — are fixed before anything is sent.
 */
export async function closeBatch(db: Pool, payer: string, token: string, maxRecords: number, closedBy: 'size' | 'age'): Promise<string | undefined> {
    const c = await db.connect()
    try {
        await c.query('BEGIN')
        const r = await c.query(
            `SELECT usage_id, units::text AS units, price_per_thousand::text AS price, publisher, payee FROM api.usage_records
              WHERE state = 'queued' AND payer = $1 AND token = $2 ORDER BY received_at, usage_id LIMIT $3 FOR UPDATE SKIP LOCKED`,
            [payer, token, maxRecords],
        )
        if (r.rowCount === 0) {
            await c.query('ROLLBACK')
            return undefined
        }
        const ids = r.rows.map((x) => x.usage_id as string).sort()
        const batchKey = keccak256(toUtf8Bytes(`${payer}\n${token}\n${ids.join('\n')}`)).slice(2)
        const total = leavesOf(r.rows.map((x) => ({ payee: x.payee, publisher: x.publisher, price: x.price, units: x.units }))).reduce((s, l) => s + l.amount, 0n)
        await c.query(
            `INSERT INTO api.usage_batches (batch_key, payer, token, state, record_count, total_amount, closed_by) VALUES ($1, $2, $3, 'closed', $4, $5, $6)`,
            [batchKey, payer, token, ids.length, total.toString(), closedBy],
        )
        await c.query(`UPDATE api.usage_records SET state = 'batching', batch_key = $1 WHERE usage_id = ANY($2::text[])`, [batchKey, ids])
        await c.query('COMMIT')
        return batchKey
    } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined)
        throw e
    } finally {
        c.release()
    }
}

export async function openBatches(db: Pool): Promise<OpenBatch[]> {
    const r = await db.query(
        `SELECT batch_key, payer, token, record_count FROM api.usage_batches WHERE state <> 'committed' ORDER BY created_at, batch_key`,
    )
    return r.rows.map((x) => ({ batchKey: x.batch_key, payer: x.payer, token: x.token, recordCount: x.record_count }))
}

interface Group {
    payee: string
    publisher: string
    price: string
    units: string
}

/** The pricing rule (./terms.ts priceOf): Σ units per (payee, publisher, price frozen at receipt), floored once per group. */
export function leavesOf(groups: Group[]): { payee: string; amount: bigint }[] {
    const sums = new Map<string, { payee: string; price: bigint; units: bigint }>()
    for (const g of groups) {
        const k = `${g.payee}|${g.publisher}|${g.price}`
        const s = sums.get(k) ?? { payee: g.payee, price: BigInt(g.price), units: 0n }
        s.units += BigInt(g.units)
        sums.set(k, s)
    }
    return [...sums.values()].map((s) => ({ payee: s.payee, amount: priceOf(s.units, s.price) })).filter((l) => l.amount > 0n)
}

/** The payout leaves of a closed batch: paid to the payout address each publisher had registered at receipt. */
export async function batchLeaves(db: Pool, batchKey: string): Promise<{ payee: string; amount: bigint }[]> {
    const r = await db.query(
        `SELECT payee, publisher, price_per_thousand::text AS price, sum(units)::text AS units FROM api.usage_records
          WHERE batch_key = $1 GROUP BY payee, publisher, price_per_thousand`,
        [batchKey],
    )
    return leavesOf(r.rows)
}

/** The batch is on chain: batch and records committed/batched together. */
export async function markCommitted(db: Pool, batchKey: string, batchId: string | null, txHash: string | null, reason: string | null): Promise<void> {
    const c = await db.connect()
    try {
        await c.query('BEGIN')
        await c.query(
            `UPDATE api.usage_batches SET state = 'committed', batch_id = $2, tx_hash = $3, reason = $4, committed_at = now() WHERE batch_key = $1`,
            [batchKey, batchId, txHash, reason],
        )
        await c.query(`UPDATE api.usage_records SET state = 'batched' WHERE batch_key = $1`, [batchKey])
        // delivered at COMMIT to every API replica's UsageFeed (./feed.ts)
        await c.query(`SELECT pg_notify($1, $2)`, [USAGE_BATCHED_CHANNEL, batchKey])
        await c.query('COMMIT')
    } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined)
        throw e
    } finally {
        c.release()
    }
}

/** The batch could not be committed yet (e.g. INSUFFICIENT_ESCROW): it stays, with the reason visible. */
export async function markWaiting(db: Pool, batchKey: string, state: 'closed' | 'waiting', reason: string): Promise<void> {
    await db.query(`UPDATE api.usage_batches SET state = $2, reason = $3 WHERE batch_key = $1 AND state <> 'committed'`, [batchKey, state, reason])
}
