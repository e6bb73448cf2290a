import type { Pool } from 'pg'
import { BatchInputError, parseAddress } from '../settlement/batch-builder'
import { PublisherTerms, rejectionOf, termsOf, UsageRejection } from './terms'

export const MAX_USAGE_ID_LENGTH = 200
/** units per record: a positive integer below 2^128 (so Σ units × price never nears uint256) */
const UNITS_MAX = (1n << 128n) - 1n

export interface UsageRecordIn {
    publisher: string
    units: string
    usageId: string
}

export interface UsageOutcome {
    usageId: string
    accepted: boolean
    /** true: this usageId was already queued with the same content (a retry); counted once */
    duplicate: boolean
    code?: UsageRejection
    message?: string
    /** price per thousand frozen at receipt (accepted records) */
    pricePerThousand?: string
    payee?: string
}

interface Parsed {
    usageId: string
    publisher: string
    units: bigint
}

function parseRecord(r: UsageRecordIn, i: number): Parsed | UsageOutcome {
    const usageId = typeof r?.usageId === 'string' ? r.usageId : ''
    const bad = (message: string): UsageOutcome => ({ usageId, accepted: false, duplicate: false, code: 'BAD_RECORD', message: `records[${i}]: ${message}` })
    if (usageId.trim() === '' || usageId.length > MAX_USAGE_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(usageId)) {
        return bad(`usageId must be 1-${MAX_USAGE_ID_LENGTH} printable characters`)
    }
    let publisher: string
    try {
        publisher = parseAddress(r.publisher, `records[${i}].publisher`)
    } catch (e) {
        return bad(e instanceof BatchInputError ? e.message : 'publisher must be an address')
    }
    if (typeof r.units !== 'string' || !/^[0-9]{1,39}$/.test(r.units)) return bad('units must be a positive integer as a decimal string')
    const units = BigInt(r.units)
    if (units === 0n || units > UNITS_MAX) return bad('units must be between 1 and 2^128-1')
    return { usageId, publisher, units }
}

/**
 * Validate and durably queue usage records. Each record is answered on its own: accepted (queued now, or a retry of
 * a record already queued with the same content) or rejected with a code. Idempotent per usageId: the row's primary
 * key is the usageId, so concurrent retries insert it once.
 */
export async function submitUsage(db: Pool, payer: string, token: string, records: UsageRecordIn[]): Promise<UsageOutcome[]> {
    const out: (UsageOutcome | undefined)[] = new Array(records.length)
    const todo: { i: number; rec: Parsed }[] = []
    const seen = new Set<string>()
    records.forEach((r, i) => {
        const p = parseRecord(r, i)
        if ('accepted' in p) out[i] = p
        else if (seen.has(p.usageId)) out[i] = { usageId: p.usageId, accepted: false, duplicate: false, code: 'DUPLICATE_IN_REQUEST', message: `records[${i}]: usageId repeated in this call` }
        else {
            seen.add(p.usageId)
            todo.push({ i, rec: p })
        }
    })
    // retries first: a record queued earlier stays accepted even if its publisher's terms changed since
    const pending = await answerKnown(db, payer, token, todo, out)
    const terms = await termsOf(db, [...new Set(pending.map((t) => t.rec.publisher))])
    const fresh: { i: number; rec: Parsed; t: PublisherTerms }[] = []
    for (const { i, rec } of pending) {
        const t = terms.get(rec.publisher)
        const why = rejectionOf(t)
        if (why) out[i] = { usageId: rec.usageId, accepted: false, duplicate: false, code: why, message: rejectionMessage(why, rec.publisher) }
        else fresh.push({ i, rec, t: t! })
    }
    if (fresh.length > 0) {
        const r = await db.query(
            `INSERT INTO api.usage_records (usage_id, payer, token, publisher, units, price_per_thousand, payee, state)
             SELECT u.id, $1, $2, u.publisher, u.units::numeric, u.price::numeric, u.payee, 'queued'
               FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, publisher, units, price, payee)
             ON CONFLICT (usage_id) DO NOTHING RETURNING usage_id`,
            [
                payer,
                token,
                fresh.map((f) => f.rec.usageId),
                fresh.map((f) => f.rec.publisher),
                fresh.map((f) => f.rec.units.toString()),
                fresh.map((f) => f.t.pricePerThousand.toString()),
                fresh.map((f) => f.t.payoutAddress),
            ],
        )
        const inserted = new Set(r.rows.map((x) => x.usage_id as string))
        for (const f of fresh) {
            if (inserted.has(f.rec.usageId)) {
                out[f.i] = { usageId: f.rec.usageId, accepted: true, duplicate: false, pricePerThousand: f.t.pricePerThousand.toString(), payee: f.t.payoutAddress }
            }
        }
        // lost a race with a concurrent call carrying the same usageId: answer as a retry
        const raced = fresh.filter((f) => !inserted.has(f.rec.usageId))
        if (raced.length > 0) await answerKnown(db, payer, token, raced, out)
    }
    return out as UsageOutcome[]
}

/** Answer the records whose usageId is already queued (same content → accepted duplicate, else conflict); return the rest. */
async function answerKnown(db: Pool, payer: string, token: string, todo: { i: number; rec: Parsed }[], out: (UsageOutcome | undefined)[]) {
    if (todo.length === 0) return todo
    const r = await db.query(
        `SELECT usage_id, payer, token, publisher, units::text AS units, price_per_thousand::text AS price, payee
           FROM api.usage_records WHERE usage_id = ANY($1::text[])`,
        [todo.map((t) => t.rec.usageId)],
    )
    const known = new Map(r.rows.map((row) => [row.usage_id as string, row]))
    const rest: typeof todo = []
    for (const t of todo) {
        const row = known.get(t.rec.usageId)
        if (!row) {
            rest.push(t)
            continue
        }
        const same = row.payer === payer && row.token === token && row.publisher === t.rec.publisher && row.units === t.rec.units.toString()
        out[t.i] = same
            ? { usageId: t.rec.usageId, accepted: true, duplicate: true, pricePerThousand: row.price, payee: row.payee }
            : {
                  usageId: t.rec.usageId,
                  accepted: false,
                  duplicate: false,
                  code: 'IDEMPOTENCY_CONFLICT',
                  message: `usageId ${JSON.stringify(t.rec.usageId)} was already submitted with a different payer, token, publisher or units`,
              }
    }
    return rest
}

function rejectionMessage(code: UsageRejection, publisher: string): string {
    switch (code) {
        case 'PUBLISHER_UNKNOWN':
            return `${publisher} is not a registered publisher (as indexed)`
        case 'PUBLISHER_INACTIVE':
            return `publisher ${publisher} is deactivated`
        case 'NO_CONSENT':
            return `publisher ${publisher} has not given consent`
        default:
            return code
    }
}
