/**
 * The SQL of the analytics queries (analytics.resolver.ts): the rollup counters each query reads or sums, the
 * rankings over participant_day_stat, and the date arithmetic of the ranges. Exported for the resolver and for the
 * plan checks of the API's performance suite (test/server/perf.test.ts).
 */
import type { LatencyStats } from './analytics.type'

export const DAY_MS = 86_400_000
export const HOUR_MS = 3_600_000

/**
 * participant_day_stat rows that carry claim figures (received, fees, net, claim count) / batch figures (committed,
 * records, batches, paid): every other row holds 0 in those columns, so the rankings sum only these rows. The
 * expressions must stay identical to the predicates of the partial indexes in db/migrations/*-ApiPerf.js.
 */
export const CLAIM_ROWS = '(claim_count <> 0 OR received_amount <> 0 OR fees_amount <> 0 OR net_received_amount <> 0)'
export const BATCH_ROWS = '(batch_count <> 0 OR paid_amount <> 0 OR committed_amount <> 0 OR record_count <> 0)'

/**
 * Payees ranked by gross amount received over [$1, $2) (dates), token $3 or all. Only the rows a claim touched
 * (CLAIM_ROWS: partial index participant_day_stat_claim_rows) are summed, the other rows add 0 to every sum; the
 * participant's kind is joined to the `limit` ranked rows only.
 */
export function topPublishersSql(limit: number): string {
    return `SELECT s.account, s.token_id AS token, p.kind,
            s.received::text AS "receivedAmount", s.net::text AS "netReceivedAmount",
            s.fees::text AS "feesAmount", s.claims::int AS "claimCount"
     FROM (
        SELECT account, token_id, sum(received_amount) AS received, sum(net_received_amount) AS net,
               sum(fees_amount) AS fees, sum(claim_count) AS claims
        FROM participant_day_stat
        WHERE date >= $1 AND date < $2 AND ($3::text IS NULL OR token_id = $3) AND ${CLAIM_ROWS}
        GROUP BY account, token_id
        HAVING sum(received_amount) > 0
        ORDER BY sum(received_amount) DESC, account, token_id
        LIMIT ${limit}
     ) s LEFT JOIN participant p ON p.id = s.account
     ORDER BY s.received DESC, s.account, s.token_id`
}

/** Payers ranked by amount paid, then committed, over [$1, $2): only the rows a batch touched (BATCH_ROWS). */
export function topPayersSql(limit: number): string {
    return `SELECT s.account, s.token_id AS token, p.kind,
            s.paid::text AS "paidAmount", s.committed::text AS "committedAmount",
            s.batches::int AS "batchCount", s.records::text AS "recordCount"
     FROM (
        SELECT account, token_id, sum(paid_amount) AS paid, sum(committed_amount) AS committed,
               sum(batch_count) AS batches, sum(record_count) AS records
        FROM participant_day_stat
        WHERE date >= $1 AND date < $2 AND ($3::text IS NULL OR token_id = $3) AND ${BATCH_ROWS}
        GROUP BY account, token_id
        HAVING sum(paid_amount) > 0 OR sum(committed_amount) > 0
        ORDER BY sum(paid_amount) DESC, sum(committed_amount) DESC, account, token_id
        LIMIT ${limit}
     ) s LEFT JOIN participant p ON p.id = s.account
     ORDER BY s.paid DESC, s.committed DESC, s.account, s.token_id`
}

/** rows a series query may return (all tokens together) */
export const MAX_SERIES_ROWS = 20_000

export const TOKEN_COUNTERS = [
    ['deposit_count', 'depositCount', 'int'],
    ['deposit_amount', 'depositAmount', 'num'],
    ['withdrawal_count', 'withdrawalCount', 'int'],
    ['withdrawal_amount', 'withdrawalAmount', 'num'],
    ['batch_count', 'batchCount', 'int'],
    ['committed_amount', 'committedAmount', 'num'],
    ['record_count', 'recordCount', 'int'],
    ['finalized_batch_count', 'finalizedBatchCount', 'int'],
    ['finalized_amount', 'finalizedAmount', 'num'],
    ['rejected_batch_count', 'rejectedBatchCount', 'int'],
    ['rejected_amount', 'rejectedAmount', 'num'],
    ['dispute_count', 'disputeCount', 'int'],
    ['claim_count', 'claimCount', 'int'],
    ['claimed_amount', 'claimedAmount', 'num'],
    ['fees_amount', 'feesAmount', 'num'],
    ['net_claimed_amount', 'netClaimedAmount', 'num'],
] as const

export const PARTICIPANT_COUNTERS = [
    ['deposit_amount', 'depositAmount', 'num'],
    ['withdrawal_amount', 'withdrawalAmount', 'num'],
    ['batch_count', 'batchCount', 'int'],
    ['committed_amount', 'committedAmount', 'num'],
    ['record_count', 'recordCount', 'int'],
    ['paid_amount', 'paidAmount', 'num'],
    ['received_amount', 'receivedAmount', 'num'],
    ['fees_amount', 'feesAmount', 'num'],
    ['net_received_amount', 'netReceivedAmount', 'num'],
    ['claim_count', 'claimCount', 'int'],
    ['dispute_count', 'disputeCount', 'int'],
] as const

export function plain(cols: readonly (readonly [string, string, string])[], prefix = ''): string {
    return cols.map(([c, alias, kind]) => (kind === 'num' ? `${prefix}${c}::text AS "${alias}"` : `${prefix}${c} AS "${alias}"`)).join(', ')
}

const TOKEN_ACTIVITY_EXTRA: Record<string, string> = {
    escrowHeldEnd: 'escrow_held_end::text AS "escrowHeldEnd"',
    escrowLockedEnd: 'escrow_locked_end::text AS "escrowLockedEnd"',
    escrowUtilisation: 'CASE WHEN escrow_held_end > 0 THEN (escrow_locked_end / escrow_held_end)::float8 END AS "escrowUtilisation"',
}

/** The select list of tokenActivity for the selected fields (token and bucket always). */
export function tokenActivityColumns(selected: ReadonlySet<string>, col: string): string {
    const out = ['token_id AS token', `${col} AS bucket`]
    for (const [c, alias, kind] of TOKEN_COUNTERS) if (selected.has(alias)) out.push(kind === 'num' ? `${c}::text AS "${alias}"` : `${c} AS "${alias}"`)
    for (const [field, expr] of Object.entries(TOKEN_ACTIVITY_EXTRA)) if (selected.has(field)) out.push(expr)
    return out.join(', ')
}

/** sums; counts that may outgrow Int (records) come back as BigInt strings */
export function summed(cols: readonly (readonly [string, string, string])[], bigCounts: string[] = [], prefix = ''): string {
    return cols
        .map(([c, alias, kind]) =>
            kind === 'num' || bigCounts.includes(c)
                ? `coalesce(sum(${prefix}${c}), 0)::text AS "${alias}"`
                : `coalesce(sum(${prefix}${c}), 0)::int AS "${alias}"`,
        )
        .join(', ')
}

/** The first UTC midnight at or after `d`, as YYYY-MM-DD. */
export function ceilDate(d: Date): string {
    const t = Math.ceil(d.getTime() / DAY_MS) * DAY_MS
    return new Date(t).toISOString().slice(0, 10)
}

export function isAligned(d: Date, unit: number): boolean {
    return d.getTime() % unit === 0
}

export function ratio(a: number, b: number): number | null {
    return b > 0 ? a / b : null
}

/** A latency row (count, mean, max, percentile array p) as LatencyStats. */
export function latency(row: any): LatencyStats {
    const p: (number | null)[] = row.p ?? [null, null, null, null]
    return {
        count: Number(row.n),
        mean: row.mean == null ? null : Number(row.mean),
        p50: p[0] ?? null,
        p90: p[1] ?? null,
        p95: p[2] ?? null,
        p99: p[3] ?? null,
        max: row.max == null ? null : Number(row.max),
    }
}
