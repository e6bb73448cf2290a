import type { Pool } from 'pg'

/** A publisher's terms as the processor indexed them (the `participant` entity table). */
export interface PublisherTerms {
    publisher: string
    kind: string
    active: boolean
    consent: boolean
    pricePerThousand: bigint
    payoutAddress: string
}

/** Per-record rejection codes of submitUsage (README "Usage pipeline"). */
export type UsageRejection =
    | 'BAD_RECORD' // malformed publisher / units / usageId
    | 'DUPLICATE_IN_REQUEST' // the same usageId twice in one call
    | 'IDEMPOTENCY_CONFLICT' // usageId already queued with other content
    | 'PUBLISHER_UNKNOWN' // never registered as a publisher (in the indexed state)
    | 'PUBLISHER_INACTIVE' // deactivated
    | 'NO_CONSENT' // has not given (or withdrew) consent

/**
 * The indexed terms of `publishers`. "In force" means: what the processor had indexed when the record was received
 * (read in the same statement that queues it); a terms change applies to records received after it was indexed.
 */
export async function termsOf(db: Pool, publishers: string[]): Promise<Map<string, PublisherTerms>> {
    const out = new Map<string, PublisherTerms>()
    if (publishers.length === 0) return out
    const r = await db.query(
        `SELECT id, kind, active, consent, price_per_thousand::text AS price, lower(payout_address) AS payout
           FROM participant WHERE id = ANY($1::text[])`,
        [publishers],
    )
    for (const row of r.rows) {
        out.set(row.id, {
            publisher: row.id,
            kind: row.kind,
            active: row.active,
            consent: row.consent,
            pricePerThousand: BigInt(row.price),
            payoutAddress: row.payout,
        })
    }
    return out
}

/** Why `t` cannot be paid for usage now, or undefined when it can. */
export function rejectionOf(t: PublisherTerms | undefined): UsageRejection | undefined {
    if (!t || t.kind !== 'PUBLISHER') return 'PUBLISHER_UNKNOWN'
    if (!t.active) return 'PUBLISHER_INACTIVE'
    if (!t.consent) return 'NO_CONSENT'
    return undefined
}

/**
 * Pricing rule: records are summed per (publisher, price in force) within a batch, and the sum is floored once:
 * floor(Σ units × pricePerThousand / 1000). Flooring once per group (not per record) keeps a publisher paid for
 * usage that is split into many small records; the remainder (< 1 base unit per group) stays with the payer.
 */
export function priceOf(units: bigint, pricePerThousand: bigint): bigint {
    return (units * pricePerThousand) / 1000n
}

/**
 * Why usage for `payer` in `token` cannot be batched (as indexed), or undefined when it can: the payer must be an
 * active AI platform and the token allow-listed, else every batch of it would be refused on chain.
 */
export async function payerProblem(db: Pool, payer: string, token: string): Promise<{ field: 'payer' | 'token'; message: string } | undefined> {
    const r = await db.query(
        `SELECT (SELECT kind = 'AI_PLATFORM' AND active FROM participant WHERE id = $1) AS payer_ok,
                (SELECT allowed FROM token WHERE id = $2) AS token_ok`,
        [payer, token],
    )
    if (!r.rows[0].payer_ok) return { field: 'payer', message: `payer ${payer} is not an active registered AI platform (as indexed)` }
    if (!r.rows[0].token_ok) return { field: 'token', message: `token ${token} is not an allow-listed settlement token (as indexed)` }
    return undefined
}
