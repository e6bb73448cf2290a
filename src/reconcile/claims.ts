/**
 * Claim flags (Distributor.isClaimed) against the indexed claims, now or as of a block. Claim rows are never
 * changed once written, so "the claims at block N" are those with block_number <= N: each is claimed at N, and a
 * claim indexed after N, like a payee of a stored batch (api.batch_leaves) with no claim by N, is not.
 */
import { Client } from 'pg'
import { Views } from './connect'
import { Checker, mapLimit } from './types'

export interface ClaimRows {
    claims: { id: string; batch_id: string; payee: string; block_number: number }[]
    /** the stored leaves of batches whose payout is open (at `at`, when given) */
    leaves: { batch_id: string; leaves: [string, string][] }[]
}

export async function readClaims(db: Client, at?: number): Promise<ClaimRows> {
    const claims = (await db.query(`SELECT id, batch_id, payee, block_number FROM claim`)).rows
    let leaves: ClaimRows['leaves'] = []
    if ((await db.query(`SELECT to_regclass('api.batch_leaves') AS t`)).rows[0]?.t) {
        leaves = (
            await db.query(
                `SELECT l.batch_id, l.leaves FROM api.batch_leaves l JOIN payout p ON p.id = l.batch_id
                  WHERE $1::int4 IS NULL OR p.opened_at_block <= $1::int4 ORDER BY l.batch_id`,
                [at ?? null],
            )
        ).rows
    }
    return { claims, leaves }
}

/** `at` undefined: the current state (every indexed claim is claimed). */
export async function checkClaims(rows: ClaimRows, v: Views, ck: Checker, maxLeafChecks: number, at?: number): Promise<void> {
    const blockTag = ck.blockTag
    const byNow = (c: ClaimRows['claims'][number]) => at === undefined || Number(c.block_number) <= at
    await mapLimit(rows.claims, ck.limit, async (cl) => {
        const r = await ck.call(() => v.distributor.isClaimed(cl.batch_id, cl.payee, { blockTag }))
        ck.eq('Claim', cl.id, byNow(cl) ? 'isClaimed' : `isClaimed (claim indexed at ${cl.block_number})`, byNow(cl), r)
    })
    // payees the API built leaves for: claimed iff a claim is indexed (by then)
    const seen = new Set(rows.claims.map((cl) => `${cl.batch_id}-${cl.payee}`))
    const leafChecks: { batchId: string; payee: string }[] = []
    for (const row of rows.leaves) {
        for (const [payee] of row.leaves) {
            const key = `${row.batch_id}-${payee.toLowerCase()}`
            if (!seen.has(key)) leafChecks.push({ batchId: row.batch_id, payee: payee.toLowerCase() })
        }
    }
    if (leafChecks.length > maxLeafChecks) ck.notes.push(`checked ${maxLeafChecks} of ${leafChecks.length} unclaimed payee leaves`)
    await mapLimit(leafChecks.slice(0, maxLeafChecks), ck.limit, async (l) => {
        const r = await ck.call(() => v.distributor.isClaimed(l.batchId, l.payee, { blockTag }))
        ck.eq('Claim', `${l.batchId}-${l.payee}`, 'isClaimed (no claim indexed)', false, r)
    })
}
