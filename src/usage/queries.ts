import type { Pool } from 'pg'

export interface RecordFilter {
    publisher?: string
    payer?: string
    state?: string
    batchKey?: string
    usageIds?: string[]
}

export async function listUsageRecords(db: Pool, f: RecordFilter, limit: number) {
    const cond: string[] = []
    const args: unknown[] = []
    const add = (sql: string, v: unknown) => {
        args.push(v)
        cond.push(sql.replace('?', `$${args.length}`))
    }
    if (f.publisher) add('r.publisher = ?', f.publisher)
    if (f.payer) add('r.payer = ?', f.payer)
    if (f.state) add('r.state = ?', f.state)
    if (f.batchKey) add('r.batch_key = ?', f.batchKey)
    if (f.usageIds) add('r.usage_id = ANY(?::text[])', f.usageIds)
    args.push(limit)
    const r = await db.query(
        `SELECT r.usage_id, r.payer, r.token, r.publisher, r.units::text AS units, r.price_per_thousand::text AS price, r.payee, r.state,
                r.batch_key, b.batch_id, b.reason, r.received_at
           FROM api.usage_records r LEFT JOIN api.usage_batches b ON b.batch_key = r.batch_key
          ${cond.length ? 'WHERE ' + cond.join(' AND ') : ''} ORDER BY r.received_at, r.usage_id LIMIT $${args.length}`,
        args,
    )
    return r.rows.map((x) => ({
        usageId: x.usage_id,
        payer: x.payer,
        token: x.token,
        publisher: x.publisher,
        units: x.units,
        pricePerThousand: x.price,
        payee: x.payee,
        state: x.state,
        batchKey: x.batch_key,
        batchId: x.batch_id,
        reason: x.reason,
        receivedAt: new Date(x.received_at).toISOString(),
    }))
}

export async function listUsageBatches(db: Pool, f: { payer?: string; state?: string; batchKey?: string }, limit: number) {
    const cond: string[] = []
    const args: unknown[] = []
    for (const [col, v] of [['payer', f.payer], ['state', f.state], ['batch_key', f.batchKey]] as const) {
        if (!v) continue
        args.push(v)
        cond.push(`${col} = $${args.length}`)
    }
    args.push(limit)
    const r = await db.query(
        `SELECT batch_key, payer, token, state, reason, record_count, total_amount::text AS total, closed_by, batch_id, tx_hash, created_at
           FROM api.usage_batches ${cond.length ? 'WHERE ' + cond.join(' AND ') : ''} ORDER BY created_at, batch_key LIMIT $${args.length}`,
        args,
    )
    return r.rows.map((x) => ({
        batchKey: x.batch_key,
        payer: x.payer,
        token: x.token,
        state: x.state,
        reason: x.reason,
        recordCount: x.record_count,
        totalAmount: x.total,
        closedBy: x.closed_by,
        batchId: x.batch_id,
        txHash: x.tx_hash,
        createdAt: new Date(x.created_at).toISOString(),
    }))
}
