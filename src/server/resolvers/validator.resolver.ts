/**
 * Validators and delegation: rankings and score history (ValidatorScore + ValidatorEpochStat, each score
 * with its breakdown and a total recomputed from the stored components), revenue over a block or epoch range,
 * delegation recommendations (src/validators/recommend.ts over the latest scores and current stakes), and
 * the `validatorScoreUpdated` push subscription.
 *
 * Every query is one statement on indexed columns: rankings by validator_score (epoch, rank), history by
 * (validator_id, epoch), revenue by block height / validator_epoch_stat epoch, or the Validator row's
 * all-time counters.
 */
import { Arg, Ctx as GqlCtx, Int, Query, Resolver, Root, Subscription } from 'type-graphql'
import type { Ctx } from '../context'
import { apiError } from '../errors'
import { SlowConsumer } from '../pubsub/queue'
import { services } from '../services'
import { recommendDelegation, tiltedWeights } from '../../validators/recommend'
import { ScoringConfig, loadScoringConfig } from '../../validators/scoring-config'
import { RiskTolerance } from './validator.input'
import { BigIntScalar } from './scalars'
import { openSubscription, unwrapEvent } from './subscription.resolver'
import {
    componentsOf,
    DelegationRecommendation,
    SCORE_ENTRY_SQL,
    scoreEntryFromRow,
    VALIDATOR_INFO_COLUMNS,
    VALIDATOR_TOTAL_STAKE,
    validatorInfoFromRow,
    ValidatorRevenue,
    ValidatorScoreEntry,
} from './validator.type'
import * as v from './validate'

const MAX_INT4 = 2_147_483_647

/** An optional block height / epoch argument: an integer in [0, 2^31). */
export function optionalIndex(value: number | null | undefined, name: string): number | undefined {
    if (value == null) return undefined
    if (!Number.isInteger(value) || value < 0 || value > MAX_INT4) throw apiError('BAD_USER_INPUT', `${name} must be a non-negative integer`, { argument: name })
    return value
}

/** [from, to], both inclusive, defaulting to the whole range; from > to is refused. */
export function inclusiveRange(from: number | undefined, to: number | undefined, names: [string, string]): [number, number] {
    const lo = from ?? 0
    const hi = to ?? MAX_INT4
    if (lo > hi) throw apiError('BAD_USER_INPUT', `${names[0]} must not be greater than ${names[1]}`, { argument: names[0] })
    return [lo, hi]
}

let scoringConfig: ScoringConfig | undefined
/** The scoring config the processor uses (SCORING_CONFIG or config/scoring.json), read once. */
function scoring(): ScoringConfig {
    if (!scoringConfig) scoringConfig = loadScoringConfig()
    return scoringConfig
}

async function requireValidator(ctx: Ctx, address: string): Promise<void> {
    const res = await services(ctx).db.query(`SELECT 1 FROM validator WHERE id = $1`, [address])
    if (res.rowCount === 0) throw apiError('NOT_FOUND', `validator ${address} is not registered`, { argument: 'validator' })
}

const REVENUE_COLUMNS = `coalesce(r.blocks_proposed, 0) AS "blocksProposed", coalesce(r.priority_fees, 0)::text AS "priorityFees",
       coalesce(r.mev_revenue, 0)::text AS "mevRevenue", coalesce(r.priority_fees + r.mev_revenue, 0)::text AS "totalRevenue",
       CASE WHEN r.blocks_proposed > 0 THEN div(r.priority_fees + r.mev_revenue, r.blocks_proposed)::text ELSE '0' END AS "revenuePerBlock",
       coalesce(r.missed_slots, 0) AS "missedSlots"`

@Resolver()
export class ValidatorResolver {
    @Query(() => [ValidatorScoreEntry], {
        description: "Validators ranked by delegation score in the latest scored epoch (or `epoch`), best first, each with its components, weights and contributions.",
    })
    async validatorRankings(
        @Arg('epoch', () => Int, { nullable: true }) epochArg: number | null,
        @Arg('limit', () => Int, { defaultValue: 50 }) limitArg: number,
        @GqlCtx() ctx: Ctx,
    ): Promise<ValidatorScoreEntry[]> {
        const epoch = optionalIndex(epochArg, 'epoch')
        const limit = v.limit(limitArg, 50, 1000)
        // (epoch, rank) is indexed; max(epoch) reads the same index backwards
        const res = await services(ctx).db.query(
            `${SCORE_ENTRY_SQL}
             WHERE s.epoch = coalesce($1::int, (SELECT max(epoch) FROM validator_score))
             ORDER BY s.rank, s.validator_id LIMIT ${limit}`,
            [epoch ?? null],
        )
        return res.rows.map(scoreEntryFromRow)
    }

    @Query(() => [ValidatorScoreEntry], {
        description: "A validator's scores per epoch, newest first, within [fromEpoch, toEpoch]: total, rank, breakdown, recomputedTotal and the epoch's stat.",
    })
    async validatorScoreHistory(
        @Arg('validator', () => String) validatorArg: string,
        @Arg('fromEpoch', () => Int, { nullable: true }) fromArg: number | null,
        @Arg('toEpoch', () => Int, { nullable: true }) toArg: number | null,
        @Arg('limit', () => Int, { defaultValue: 100 }) limitArg: number,
        @GqlCtx() ctx: Ctx,
    ): Promise<ValidatorScoreEntry[]> {
        const validator = v.address(validatorArg, 'validator')
        const [from, to] = inclusiveRange(optionalIndex(fromArg, 'fromEpoch'), optionalIndex(toArg, 'toEpoch'), ['fromEpoch', 'toEpoch'])
        const limit = v.limit(limitArg, 100, 1000)
        const res = await services(ctx).db.query(
            `${SCORE_ENTRY_SQL}
             WHERE s.validator_id = $1 AND s.epoch BETWEEN $2 AND $3
             ORDER BY s.epoch DESC LIMIT ${limit}`,
            [validator, from, to],
        )
        if (res.rows.length === 0) await requireValidator(ctx, validator)
        return res.rows.map(scoreEntryFromRow)
    }

    @Query(() => [ValidatorRevenue], {
        description:
            'Per validator: blocks proposed, priority fees, MEV (coinbase transfers), total, per-block average and missed slots, highest total first. ' +
            'Over blocks [fromBlock, toBlock], or finished epochs [fromEpoch, toEpoch] (the epoch rollups), or all time when no range is given.',
    })
    async validatorRevenue(
        @Arg('validator', () => String, { nullable: true }) validatorArg: string | null,
        @Arg('fromBlock', () => Int, { nullable: true }) fromBlockArg: number | null,
        @Arg('toBlock', () => Int, { nullable: true }) toBlockArg: number | null,
        @Arg('fromEpoch', () => Int, { nullable: true }) fromEpochArg: number | null,
        @Arg('toEpoch', () => Int, { nullable: true }) toEpochArg: number | null,
        @Arg('limit', () => Int, { defaultValue: 100 }) limitArg: number,
        @GqlCtx() ctx: Ctx,
    ): Promise<ValidatorRevenue[]> {
        const validator = v.optionalAddress(validatorArg, 'validator')
        const fromBlock = optionalIndex(fromBlockArg, 'fromBlock')
        const toBlock = optionalIndex(toBlockArg, 'toBlock')
        const fromEpoch = optionalIndex(fromEpochArg, 'fromEpoch')
        const toEpoch = optionalIndex(toEpochArg, 'toEpoch')
        const limit = v.limit(limitArg, 100, 1000)
        const byBlock = fromBlock !== undefined || toBlock !== undefined
        const byEpoch = fromEpoch !== undefined || toEpoch !== undefined
        if (byBlock && byEpoch) throw apiError('BAD_USER_INPUT', 'give a block range or an epoch range, not both', { argument: 'fromEpoch' })

        const params: unknown[] = []
        const p = (x: unknown) => {
            params.push(x)
            return `$${params.length}`
        }
        let rows: string
        if (byBlock) {
            const [lo, hi] = inclusiveRange(fromBlock, toBlock, ['fromBlock', 'toBlock'])
            const range = `height BETWEEN ${p(lo)} AND ${p(hi)}`
            const vp = validator ? p(validator) : undefined
            // proposed blocks by (proposer_id, height), missed slots by the partial (scheduled_proposer_id, height) WHERE missed_slot index
            rows = `(SELECT coalesce(b.vid, m.vid) AS vid, coalesce(b.blocks_proposed, 0) AS blocks_proposed, coalesce(b.priority_fees, 0) AS priority_fees,
                            coalesce(b.mev_revenue, 0) AS mev_revenue, coalesce(m.missed_slots, 0) AS missed_slots
                     FROM (SELECT proposer_id AS vid, count(*)::int AS blocks_proposed, sum(priority_fees) AS priority_fees, sum(mev_revenue) AS mev_revenue
                           FROM block WHERE ${range} AND ${vp ? `proposer_id = ${vp}` : 'proposer_id IS NOT NULL'} GROUP BY proposer_id) b
                     FULL JOIN (SELECT scheduled_proposer_id AS vid, count(*)::int AS missed_slots
                           FROM block WHERE missed_slot AND ${range} AND ${vp ? `scheduled_proposer_id = ${vp}` : 'scheduled_proposer_id IS NOT NULL'}
                           GROUP BY scheduled_proposer_id) m ON m.vid = b.vid)`
        } else if (byEpoch) {
            const [lo, hi] = inclusiveRange(fromEpoch, toEpoch, ['fromEpoch', 'toEpoch'])
            rows = `(SELECT validator_id AS vid, sum(blocks_proposed)::int AS blocks_proposed, sum(priority_fees) AS priority_fees,
                            sum(mev_revenue) AS mev_revenue, sum(missed_slots)::int AS missed_slots
                     FROM validator_epoch_stat WHERE epoch BETWEEN ${p(lo)} AND ${p(hi)} ${validator ? `AND validator_id = ${p(validator)}` : ''}
                     GROUP BY validator_id)`
        } else {
            // all time: the Validator row's counters, missed slots from the partial index on missed blocks
            rows = `(SELECT vv.id AS vid, vv.blocks_proposed, vv.priority_fees, vv.mev_revenue, coalesce(m.missed_slots, 0) AS missed_slots
                     FROM validator vv
                     LEFT JOIN (SELECT scheduled_proposer_id AS vid, count(*)::int AS missed_slots FROM block
                                WHERE missed_slot AND ${validator ? `scheduled_proposer_id = ${p(validator)}` : 'scheduled_proposer_id IS NOT NULL'}
                                GROUP BY scheduled_proposer_id) m ON m.vid = vv.id
                     ${validator ? `WHERE vv.id = ${p(validator)}` : ''})`
        }
        // every registered validator (zeros when it had no activity in the range)
        const res = await services(ctx).db.query(
            `SELECT ${VALIDATOR_INFO_COLUMNS},
                    ${REVENUE_COLUMNS}
             FROM validator v
             CROSS JOIN ${VALIDATOR_TOTAL_STAKE}
             LEFT JOIN ${rows} r ON r.vid = v.id
             ${validator ? `WHERE v.id = ${p(validator)}` : ''}
             ORDER BY coalesce(r.priority_fees + r.mev_revenue, 0) DESC, coalesce(r.blocks_proposed, 0) DESC, v.id
             LIMIT ${limit}`,
            params,
        )
        if (validator && res.rows.length === 0) throw apiError('NOT_FOUND', `validator ${validator} is not registered`, { argument: 'validator' })
        return res.rows.map((r) => ({
            validator: validatorInfoFromRow(r),
            blocksProposed: r.blocksProposed,
            priorityFees: r.priorityFees,
            mevRevenue: r.mevRevenue,
            totalRevenue: r.totalRevenue,
            revenuePerBlock: r.revenuePerBlock,
            missedSlots: r.missedSlots,
        }))
    }

    @Query(() => DelegationRecommendation, {
        description:
            "How to split `stake` (token base units) over up to `maxValidators` validators: the latest scores re-weighted by risk tolerance, jailed validators and those already at the concentration cap excluded, in proportion to the adjusted scores, never pushing a validator's stake share above the cap.",
    })
    async delegationRecommendations(
        @Arg('stake', () => BigIntScalar) stake: bigint,
        @Arg('riskTolerance', () => RiskTolerance, { defaultValue: RiskTolerance.MEDIUM }) riskTolerance: RiskTolerance,
        @Arg('maxValidators', () => Int, { defaultValue: 3 }) maxArg: number,
        @GqlCtx() ctx: Ctx,
    ): Promise<DelegationRecommendation> {
        if (typeof stake !== 'bigint' || stake <= 0n) throw apiError('BAD_USER_INPUT', 'stake must be a positive integer (token base units)', { argument: 'stake' })
        if (stake >= 10n ** 60n) throw apiError('BAD_USER_INPUT', 'stake is too large', { argument: 'stake' })
        const maxValidators = v.limit(maxArg, 3, 20, 'maxValidators')
        const config = scoring()
        // every validator (their stake counts in the shares), with its score of the latest scored epoch if any
        const res = await services(ctx).db.query(
            `SELECT ${VALIDATOR_INFO_COLUMNS}, s.epoch,
                    s.mev_potential::float8 AS "c_mevPotential", s.reliability::float8 AS "c_reliability", s.commission::float8 AS "c_commission",
                    s.decentralization::float8 AS "c_decentralization", s.consistency::float8 AS "c_consistency", s.risk::float8 AS "c_risk"
             FROM validator v
             CROSS JOIN ${VALIDATOR_TOTAL_STAKE}
             LEFT JOIN validator_score s ON s.validator_id = v.id AND s.epoch = (SELECT max(epoch) FROM validator_score)`,
        )
        const info = new Map(res.rows.map((r) => [r.v_address as string, validatorInfoFromRow(r)]))
        const epoch = res.rows.find((r) => r.epoch != null)?.epoch ?? null
        const zero = { mevPotential: 0, reliability: 0, commission: 0, decentralization: 0, consistency: 0, risk: 0 }
        // A validator already at the concentration cap after this delegation could take nothing: it is no
        // candidate (the library would spend one of the maxValidators picks on it and leave its part unallocated).
        const totalAfter = res.rows.reduce((s, r) => s + BigInt(r.v_stake), 0n) + stake
        const capStake = (BigInt(Math.floor(config.params.concentrationCap * 1e6)) * totalAfter) / 1_000_000n
        const candidates = res.rows.map((r) => ({
            validator: r.v_address as string,
            // unscored validators only count towards the total stake (score 0: never picked)
            components: r.epoch == null ? zero : componentsOf(r, 'c_'),
            stake: BigInt(r.v_stake),
            jailed: (r.v_jailed as boolean) || BigInt(r.v_stake) >= capStake,
        }))
        const recs = recommendDelegation(candidates, stake, riskTolerance, config, maxValidators)
        const allocated = recs.reduce((s, r) => s + r.amount, 0n)
        return {
            stake: stake.toString(),
            riskTolerance,
            epoch,
            allocations: recs.map((r) => ({
                validator: info.get(r.validator)!,
                amount: r.amount.toString(),
                adjustedScore: r.adjustedScore,
                stakeShareAfter: r.stakeShareAfter,
            })),
            allocated: allocated.toString(),
            unallocated: (stake - allocated).toString(),
            weightsUsed: tiltedWeights(config.weights, riskTolerance),
            concentrationCap: config.params.concentrationCap,
        }
    }

    @Subscription(() => ValidatorScoreEntry, {
        description: 'An epoch was scored: one event per new score row (in rank order). Pass `validator` for one validator.',
        subscribe: (_root: unknown, args: { validator?: string | null }, ctx: Ctx) =>
            openSubscription(ctx, 'validatorScoreUpdated', args.validator == null ? undefined : v.address(args.validator, 'validator')),
    })
    validatorScoreUpdated(
        @Root() payload: ValidatorScoreEntry | SlowConsumer,
        @Arg('validator', () => String, { nullable: true }) _validator?: string,
    ): ValidatorScoreEntry {
        return unwrapEvent(payload)
    }
}
