/**
 * Analytics over the processor's rollups (TokenDayStat, TokenHourStat, ParticipantDayStat) and current
 * Token/EscrowAccount state: each query reads at most (buckets × tokens) rollup rows, never raw events.
 * Latency percentiles are the exception: percentile_cont over batch.finalized_at / claim.timestamp
 * ranges (both indexed), one ordered-set aggregate per distribution.
 *
 * Ranges are half-open [from, to): a bucket is included when its start is in the range.
 */
import type { GraphQLResolveInfo } from 'graphql'
import { Arg, Ctx as GqlCtx, Info, Int, Query, Resolver } from 'type-graphql'
import type { Ctx } from '../context'
import { apiError } from '../errors'
import { services } from '../services'
import { asOfPool, asOfStatement } from '../time-travel'
import { BlockHeight } from './block.input'
import { StatInterval } from './analytics.input'
import {
    DisputeRate,
    DisputeRateReport,
    EscrowUtilisation,
    ParticipantActivity,
    SettlementLatency,
    TokenActivityPoint,
    TokenTotals,
    TopPayer,
    TopPublisher,
} from './analytics.type'
import { DateTimeScalar } from './scalars'
import { selectedFields } from './selection'
import {
    ceilDate,
    DAY_MS,
    HOUR_MS,
    isAligned,
    latency,
    MAX_SERIES_ROWS,
    PARTICIPANT_COUNTERS,
    plain,
    ratio,
    summed,
    tokenActivityColumns,
    TOKEN_COUNTERS,
    topPayersSql,
    topPublishersSql,
} from './analytics.sql'
import * as v from './validate'

@Resolver()
export class AnalyticsResolver {
    @Query(() => [TokenActivityPoint], {
        description: 'Per token and hour/day: deposits, withdrawals, committed volume and records, finalised/rejected, disputes, claims and fees, escrow held/locked. From the hourly/daily rollups.',
    })
    async tokenActivity(
        @Arg('from', () => DateTimeScalar) from: Date,
        @Arg('to', () => DateTimeScalar) to: Date,
        @Arg('interval', () => StatInterval, { defaultValue: StatInterval.DAY }) interval: StatInterval,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @GqlCtx() ctx: Ctx,
        @Info() info: GraphQLResolveInfo,
    ): Promise<TokenActivityPoint[]> {
        v.range(from, to)
        const token = v.optionalAddress(tokenArg, 'token')
        const hourly = interval === StatInterval.HOUR
        const buckets = (to.getTime() - from.getTime()) / (hourly ? HOUR_MS : DAY_MS)
        if (buckets > (hourly ? 24 * 366 : 366 * 20)) throw apiError('BAD_USER_INPUT', `range too long for ${interval} buckets`)
        const table = hourly ? 'token_hour_stat' : 'token_day_stat'
        const col = hourly ? 'hour' : 'day'
        // only the selected columns: a 90-day chart reads a few of the ~20 counters
        const res = await services(ctx).db.query(
            `SELECT ${tokenActivityColumns(selectedFields(info), col)}
             FROM ${table}
             WHERE ${col} >= $1 AND ${col} < $2 AND ($3::text IS NULL OR token_id = $3)
             ORDER BY ${col}, token_id
             LIMIT ${MAX_SERIES_ROWS + 1}`,
            [from, to, token ?? null],
        )
        if (res.rows.length > MAX_SERIES_ROWS) throw apiError('BAD_USER_INPUT', `more than ${MAX_SERIES_ROWS} buckets: narrow the range or pick a token`)
        for (const r of res.rows) r.interval = interval
        return res.rows
    }

    @Query(() => [TokenTotals], {
        description: 'Per token totals over [from, to): read from the daily rollup when both ends are UTC midnights, else from the hourly one (buckets starting in the range).',
    })
    async tokenTotals(
        @Arg('from', () => DateTimeScalar) from: Date,
        @Arg('to', () => DateTimeScalar) to: Date,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @GqlCtx() ctx: Ctx,
    ): Promise<TokenTotals[]> {
        v.range(from, to)
        const token = v.optionalAddress(tokenArg, 'token')
        const daily = isAligned(from, DAY_MS) && isAligned(to, DAY_MS)
        const [table, col] = daily ? ['token_day_stat', 'day'] : ['token_hour_stat', 'hour']
        const res = await services(ctx).db.query(
            `SELECT s.token_id AS token, t.symbol, t.decimals, ${summed(TOKEN_COUNTERS, ['record_count'], 's.')}
             FROM ${table} s LEFT JOIN token t ON t.id = s.token_id
             WHERE s.${col} >= $1 AND s.${col} < $2 AND ($3::text IS NULL OR s.token_id = $3)
             GROUP BY s.token_id, t.symbol, t.decimals
             ORDER BY s.token_id`,
            [from, to, token ?? null],
        )
        return res.rows.map((r) => ({ ...r, source: daily ? StatInterval.DAY : StatInterval.HOUR }))
    }

    @Query(() => ParticipantActivity, { description: "An account's daily activity (as payer and as payee) over [from, to), per token, with totals." })
    async participantActivity(
        @Arg('account', () => String) accountArg: string,
        @Arg('from', () => DateTimeScalar) from: Date,
        @Arg('to', () => DateTimeScalar) to: Date,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @GqlCtx() ctx: Ctx,
    ): Promise<ParticipantActivity> {
        v.range(from, to)
        const account = v.address(accountArg, 'account')
        const token = v.optionalAddress(tokenArg, 'token')
        if (to.getTime() - from.getTime() > 366 * 20 * DAY_MS) throw apiError('BAD_USER_INPUT', 'range too long')
        const { db } = services(ctx)
        const params = [account, ceilDate(from), ceilDate(to), token ?? null]
        // (account, date) is indexed
        const where = `account = $1 AND date >= $2 AND date < $3 AND ($4::text IS NULL OR token_id = $4)`
        const [days, totals, kind] = await Promise.all([
            db.query(`SELECT token_id AS token, date, day, ${plain(PARTICIPANT_COUNTERS)} FROM participant_day_stat WHERE ${where} ORDER BY date, token_id LIMIT ${MAX_SERIES_ROWS}`, params),
            db.query(
                `SELECT token_id AS token, ${summed(PARTICIPANT_COUNTERS, ['record_count'])} FROM participant_day_stat WHERE ${where} GROUP BY token_id ORDER BY token_id`,
                params,
            ),
            db.query(`SELECT kind FROM participant WHERE id = $1`, [account]),
        ])
        return { account, kind: kind.rows[0]?.kind ?? null, totals: totals.rows, days: days.rows }
    }

    @Query(() => [TopPublisher], {
        description: 'Payees ranked by gross amount claimed in [from, to) (daily rollup, whole UTC days). Without `token`, amounts of different tokens are ranked together: pass a token for a meaningful ranking.',
    })
    async topPublishers(
        @Arg('from', () => DateTimeScalar) from: Date,
        @Arg('to', () => DateTimeScalar) to: Date,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @Arg('limit', () => Int, { defaultValue: 10 }) limitArg: number,
        @GqlCtx() ctx: Ctx,
    ): Promise<TopPublisher[]> {
        v.range(from, to)
        const token = v.optionalAddress(tokenArg, 'token')
        const limit = v.limit(limitArg, 10, 100)
        const res = await services(ctx).db.query(topPublishersSql(limit), [ceilDate(from), ceilDate(to), token ?? null])
        return res.rows.map((r, i) => ({ rank: i + 1, ...r }))
    }

    @Query(() => [TopPayer], {
        description: 'Payers ranked by the amount charged by finalised batches in [from, to) (then by committed amount); daily rollup, whole UTC days.',
    })
    async topPayers(
        @Arg('from', () => DateTimeScalar) from: Date,
        @Arg('to', () => DateTimeScalar) to: Date,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @Arg('limit', () => Int, { defaultValue: 10 }) limitArg: number,
        @GqlCtx() ctx: Ctx,
    ): Promise<TopPayer[]> {
        v.range(from, to)
        const token = v.optionalAddress(tokenArg, 'token')
        const limit = v.limit(limitArg, 10, 100)
        const res = await services(ctx).db.query(topPayersSql(limit), [ceilDate(from), ceilDate(to), token ?? null])
        return res.rows.map((r, i) => ({ rank: i + 1, ...r }))
    }

    @Query(() => DisputeRateReport, {
        description: 'Disputes opened / batches committed in [from, to), per token and overall (daily rollup when both ends are UTC midnights, else hourly).',
    })
    async disputeRate(
        @Arg('from', () => DateTimeScalar) from: Date,
        @Arg('to', () => DateTimeScalar) to: Date,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @GqlCtx() ctx: Ctx,
    ): Promise<DisputeRateReport> {
        v.range(from, to)
        const token = v.optionalAddress(tokenArg, 'token')
        const daily = isAligned(from, DAY_MS) && isAligned(to, DAY_MS)
        const [table, col] = daily ? ['token_day_stat', 'day'] : ['token_hour_stat', 'hour']
        const res = await services(ctx).db.query(
            `SELECT token_id AS token, sum(batch_count)::int AS "batchCount", sum(dispute_count)::int AS "disputeCount",
                    sum(rejected_batch_count)::int AS "rejectedBatchCount", sum(finalized_batch_count)::int AS "finalizedBatchCount"
             FROM ${table} WHERE ${col} >= $1 AND ${col} < $2 AND ($3::text IS NULL OR token_id = $3)
             GROUP BY token_id ORDER BY token_id`,
            [from, to, token ?? null],
        )
        const withRates = (r: Omit<DisputeRate, 'disputeRate' | 'rejectionRate'>): DisputeRate => ({
            ...r,
            disputeRate: ratio(r.disputeCount, r.batchCount),
            rejectionRate: ratio(r.rejectedBatchCount, r.batchCount),
        })
        const tokens = res.rows.map(withRates)
        const sum = (k: 'batchCount' | 'disputeCount' | 'rejectedBatchCount' | 'finalizedBatchCount') => tokens.reduce((a, t) => a + t[k], 0)
        const overall = withRates({
            token: null,
            batchCount: sum('batchCount'),
            disputeCount: sum('disputeCount'),
            rejectedBatchCount: sum('rejectedBatchCount'),
            finalizedBatchCount: sum('finalizedBatchCount'),
        })
        return { overall, tokens }
    }

    @Query(() => [EscrowUtilisation], {
        description: 'Escrow utilisation per token (all payers), or of one payer when `payer` is given: current, or as of the end of `block`.',
    })
    async escrowUtilisation(
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @Arg('payer', () => String, { nullable: true }) payerArg: string | null,
        @GqlCtx() ctx: Ctx,
        @Arg('block', () => BlockHeight, { nullable: true, description: 'answer as of the end of this block' }) block?: BlockHeight | null,
    ): Promise<EscrowUtilisation[]> {
        const token = v.optionalAddress(tokenArg, 'token')
        const payer = v.optionalAddress(payerArg, 'payer')
        const { db } = services(ctx)
        // (tables quoted: time travel's asOfSql reads them from their history)
        const [sql, params] = payer
            ? [
                  `SELECT a.token_id AS token, a.payer, t.symbol, a.available::text AS available, a.locked::text AS locked,
                        (a.available + a.locked)::text AS held,
                        CASE WHEN a.available + a.locked > 0 THEN (a.locked / (a.available + a.locked))::float8 END AS utilisation
                 FROM "escrow_account" a LEFT JOIN "token" t ON t.id = a.token_id
                 WHERE a.payer = $1 AND ($2::text IS NULL OR a.token_id = $2) ORDER BY a.token_id`,
                  [payer, token ?? null],
              ]
            : [
                  `SELECT id AS token, NULL AS payer, symbol, (escrow_held - escrow_locked)::text AS available, escrow_locked::text AS locked,
                    escrow_held::text AS held,
                    CASE WHEN escrow_held > 0 THEN (escrow_locked / escrow_held)::float8 END AS utilisation
             FROM "token" WHERE ($1::text IS NULL OR id = $1) ORDER BY id`,
                  [token ?? null],
              ]
        return (await asOfPool(db, block, (n) => db.query(...asOfStatement(sql, params, n)))).rows
    }

    @Query(() => SettlementLatency, {
        description: 'Percentiles (p50/p90/p95/p99, seconds) of commit → finalise for batches finalised in [from, to) and of finalise → claim for claims made in [from, to).',
    })
    async settlementLatency(
        @Arg('from', () => DateTimeScalar) from: Date,
        @Arg('to', () => DateTimeScalar) to: Date,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @GqlCtx() ctx: Ctx,
    ): Promise<SettlementLatency> {
        v.range(from, to)
        const token = v.optionalAddress(tokenArg, 'token')
        const { db } = services(ctx)
        const agg = `count(*) AS n, avg(x) AS mean, max(x) AS max,
                     CASE WHEN count(*) > 0 THEN percentile_cont(ARRAY[0.5, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY x) END AS p`
        const [ftc, ctf] = await Promise.all([
            // batch.finalized_at is indexed
            db.query(
                `SELECT ${agg} FROM (
                    SELECT extract(epoch FROM finalized_at - committed_at)::float8 AS x FROM batch
                    WHERE finalized_at >= $1 AND finalized_at < $2 AND ($3::text IS NULL OR token_id = $3)) s`,
                [from, to, token ?? null],
            ),
            // claim.timestamp is indexed; the batch is joined by primary key
            db.query(
                `SELECT ${agg} FROM (
                    SELECT extract(epoch FROM c.timestamp - b.finalized_at)::float8 AS x
                    FROM claim c JOIN batch b ON b.id = c.batch_id
                    WHERE c.timestamp >= $1 AND c.timestamp < $2 AND b.finalized_at IS NOT NULL AND ($3::text IS NULL OR c.token_id = $3)) s`,
                [from, to, token ?? null],
            ),
        ])
        return { commitToFinalize: latency(ftc.rows[0]), finalizeToClaim: latency(ctf.rows[0]) }
    }
}
