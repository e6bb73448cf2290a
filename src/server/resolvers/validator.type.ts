/**
 * Validator scores, epoch stats, revenue and delegation recommendations, plus the SQL that reads a score
 * row with its validator and epoch stat (shared by the queries and the `validatorScoreUpdated` feed, so both
 * answer the same shape).
 */
import { Field, Float, Int, ObjectType } from 'type-graphql'
import { combine } from '../../validators/scoring'
import { COMPONENTS, Component } from '../../validators/scoring-config'
import { RiskTolerance } from './validator.input'
import { BigIntScalar } from './scalars'

@ObjectType({ description: 'One value per score component (components are in [0, 1], higher is better for a delegator).' })
export class ScoreComponents {
    @Field(() => Float, { description: 'revenue (priority fees + MEV) per proposed block vs the best validator, blended with its trend' }) mevPotential!: number
    @Field(() => Float, { description: 'proposed ÷ expected blocks, minus a penalty for the longest run of missed slots' }) reliability!: number
    @Field(() => Float, { description: '1 − commission ÷ maxCommissionBps, minus a penalty per commission increase' }) commission!: number
    @Field(() => Float, { description: '1 − stake share ÷ concentrationCap' }) decentralization!: number
    @Field(() => Float, { description: '1 − coefficient of variation of per-epoch revenue per block' }) consistency!: number
    @Field(() => Float, { description: '1 − jailing, slashing and sandwich-participation deductions' }) risk!: number
}

@ObjectType({ description: "A validator's current registry state (not the state of the epoch a score is for: see `stat`)." })
export class ValidatorInfo {
    @Field(() => String, { description: 'validator address (the Validator entity id)' }) address!: string
    @Field(() => String) feeRecipient!: string
    @Field(() => Int) commissionBps!: number
    @Field(() => BigIntScalar, { description: 'tokens delegated to it now' }) stake!: string
    @Field(() => Float, { description: 'stake ÷ Σ stake of all registered validators, now' }) stakeShare!: number
    @Field(() => Boolean) jailed!: boolean
}

@ObjectType({ description: 'What the indexer rolled up for the validator in one finished epoch (ValidatorEpochStat).' })
export class ValidatorEpochStatInfo {
    @Field(() => Int) epoch!: number
    @Field(() => Int) startBlock!: number
    @Field(() => Int) endBlock!: number
    @Field(() => Int) blocksProposed!: number
    @Field(() => Float, { description: 'stake share at the epoch start × blocks in the epoch' }) blocksExpected!: number
    @Field(() => Int) slotsScheduled!: number
    @Field(() => Int) missedSlots!: number
    @Field(() => Int) longestMissStreak!: number
    @Field(() => BigIntScalar, { description: 'wei' }) priorityFees!: string
    @Field(() => BigIntScalar, { description: 'direct coinbase transfers to its blocks, wei' }) mevRevenue!: string
    @Field(() => BigIntScalar, { description: 'priorityFees + mevRevenue' }) revenue!: string
    @Field(() => Float, { description: "its share of the epoch's MEV revenue" }) mevShare!: number
    @Field(() => Int, { description: 'blocks it proposed that contain a sandwich' }) sandwichBlocks!: number
    @Field(() => BigIntScalar, { description: 'stake at the epoch start' }) stake!: string
    @Field(() => Float, { description: 'stake share at the epoch start' }) stakeShare!: number
    @Field(() => Int) commissionBps!: number
    @Field(() => Int) commissionHikes!: number
    @Field(() => Boolean, { description: 'jailed at any point of the epoch' }) jailed!: boolean
    @Field(() => Int) slashes!: number
}

@ObjectType({ description: "A validator's delegation score for one epoch, with its breakdown." })
export class ValidatorScoreEntry {
    @Field(() => Int) epoch!: number
    @Field(() => Int, { description: '1 = best of the epoch' }) rank!: number
    @Field(() => ValidatorInfo) validator!: ValidatorInfo
    @Field(() => Float, { description: 'the stored total' }) total!: number
    @Field(() => Float, { description: 'Σ weight × component recomputed from the stored row (equals total up to float rounding)' }) recomputedTotal!: number
    @Field(() => ScoreComponents) components!: ScoreComponents
    @Field(() => ScoreComponents, { description: 'the weights the score was computed with (add up to 1)' }) weights!: ScoreComponents
    @Field(() => ScoreComponents, { description: 'weight × component: what each component added to the total' }) contributions!: ScoreComponents
    @Field(() => Float, { description: 'revenue (priority fees + MEV) per proposed block over the window, gwei' }) revenuePerBlockGwei!: number
    @Field(() => Int) windowEpochs!: number
    @Field(() => Int, { description: 'epochs of history used (≤ windowEpochs)' }) epochsUsed!: number
    @Field(() => Int, { description: 'the block whose processing closed the epoch' }) computedAtBlock!: number
    @Field(() => ValidatorEpochStatInfo, { nullable: true, description: "the validator's stat for this epoch" }) stat!: ValidatorEpochStatInfo | null
    @Field(() => Boolean, { description: 'validatorScoreUpdated: pushed because of a reorg (the score as on the new branch, or with `removed`); false in queries' }) reorg!: boolean
    @Field(() => Boolean, { description: 'validatorScoreUpdated: the score was computed only on blocks a reorg abandoned (drop it); false in queries' }) removed!: boolean
}

@ObjectType({ description: "A validator's revenue over a block or epoch range (or all time)." })
export class ValidatorRevenue {
    @Field(() => ValidatorInfo) validator!: ValidatorInfo
    @Field(() => Int) blocksProposed!: number
    @Field(() => BigIntScalar, { description: 'Σ (effective gas price − base fee) × gas used of its blocks, wei' }) priorityFees!: string
    @Field(() => BigIntScalar, { description: 'direct coinbase transfers (MEV payments) to its blocks, wei' }) mevRevenue!: string
    @Field(() => BigIntScalar, { description: 'priorityFees + mevRevenue' }) totalRevenue!: string
    @Field(() => BigIntScalar, { description: 'totalRevenue ÷ blocksProposed, rounded down (0 without blocks)' }) revenuePerBlock!: string
    @Field(() => Int, { description: 'slots scheduled to it that it did not propose' }) missedSlots!: number
}

@ObjectType()
export class DelegationAllocation {
    @Field(() => ValidatorInfo) validator!: ValidatorInfo
    @Field(() => BigIntScalar) amount!: string
    @Field(() => Float, { description: "the validator's score under the risk-tilted weights" }) adjustedScore!: number
    @Field(() => Float, { description: "the validator's stake share after this delegation" }) stakeShareAfter!: number
}

@ObjectType({ description: 'How to split a stake over the best validators of the latest scored epoch.' })
export class DelegationRecommendation {
    @Field(() => BigIntScalar) stake!: string
    @Field(() => RiskTolerance) riskTolerance!: RiskTolerance
    @Field(() => Int, { nullable: true, description: 'the scored epoch the candidates come from (null: nothing scored yet)' }) epoch!: number | null
    @Field(() => [DelegationAllocation]) allocations!: DelegationAllocation[]
    @Field(() => BigIntScalar, { description: 'Σ allocations' }) allocated!: string
    @Field(() => BigIntScalar, { description: 'what no candidate could take (concentration cap, too few candidates)' }) unallocated!: string
    @Field(() => ScoreComponents, { description: 'the configured weights tilted by riskTolerance, renormalised to 1' }) weightsUsed!: ScoreComponents
    @Field(() => Float, { description: 'no validator is pushed above this stake share' }) concentrationCap!: number
}

// ---------------------------------------------------------------------------
// SQL shared by the queries and the subscription feed

const SNAKE: Record<Component, string> = {
    mevPotential: 'mev_potential',
    reliability: 'reliability',
    commission: 'commission',
    decentralization: 'decentralization',
    consistency: 'consistency',
    risk: 'risk',
}

/** ValidatorInfo columns of validator `v`; needs `t.total_stake` (see VALIDATOR_TOTAL_STAKE). */
export const VALIDATOR_INFO_COLUMNS = `v.id AS v_address, v.fee_recipient AS v_fee_recipient, v.commission_bps AS v_commission_bps,
    v.stake::text AS v_stake, v.jailed AS v_jailed,
    CASE WHEN t.total_stake > 0 THEN (v.stake / t.total_stake)::float8 ELSE 0 END AS v_stake_share`

/** One aggregate over the (small) validator table, joined once per statement. */
export const VALIDATOR_TOTAL_STAKE = `(SELECT coalesce(sum(stake), 0) AS total_stake FROM validator) t`

/** A score row `s` joined with its validator `v` and its epoch stat `st` (by the unique (validator_id, epoch) index). */
export const SCORE_ENTRY_SQL = `
SELECT s.epoch, s.rank, s.total::float8 AS total,
       ${COMPONENTS.map((c) => `s.${SNAKE[c]}::float8 AS "c_${c}", s.${SNAKE[c]}_weight::float8 AS "w_${c}"`).join(',\n       ')},
       s.revenue_per_block_gwei::float8 AS revenue_per_block_gwei, s.window_epochs, s.epochs_used, s.computed_at_block,
       ${VALIDATOR_INFO_COLUMNS},
       st.id AS st_id, st.start_block AS st_start_block, st.end_block AS st_end_block, st.blocks_proposed AS st_blocks_proposed,
       st.blocks_expected::float8 AS st_blocks_expected, st.slots_scheduled AS st_slots_scheduled, st.missed_slots AS st_missed_slots,
       st.longest_miss_streak AS st_longest_miss_streak, st.priority_fees::text AS st_priority_fees, st.mev_revenue::text AS st_mev_revenue,
       st.revenue::text AS st_revenue, st.mev_share::float8 AS st_mev_share, st.sandwich_blocks AS st_sandwich_blocks,
       st.stake::text AS st_stake, st.stake_share::float8 AS st_stake_share, st.commission_bps AS st_commission_bps,
       st.commission_hikes AS st_commission_hikes, st.jailed AS st_jailed, st.slashes AS st_slashes
FROM validator_score s
JOIN validator v ON v.id = s.validator_id
LEFT JOIN validator_epoch_stat st ON st.validator_id = s.validator_id AND st.epoch = s.epoch
CROSS JOIN ${VALIDATOR_TOTAL_STAKE}`

export function validatorInfoFromRow(r: any): ValidatorInfo {
    return {
        address: r.v_address,
        feeRecipient: r.v_fee_recipient,
        commissionBps: r.v_commission_bps,
        stake: r.v_stake,
        stakeShare: Number(r.v_stake_share),
        jailed: r.v_jailed,
    }
}

export function componentsOf(r: any, prefix: 'c_' | 'w_'): Record<Component, number> {
    const out = {} as Record<Component, number>
    for (const c of COMPONENTS) out[c] = Number(r[prefix + c])
    return out
}

export function scoreEntryFromRow(r: any): ValidatorScoreEntry {
    const components = componentsOf(r, 'c_')
    const weights = componentsOf(r, 'w_')
    const { total: recomputedTotal, contributions } = combine(components, weights)
    return {
        epoch: r.epoch,
        rank: r.rank,
        validator: validatorInfoFromRow(r),
        total: Number(r.total),
        recomputedTotal,
        components,
        weights,
        contributions,
        revenuePerBlockGwei: Number(r.revenue_per_block_gwei),
        windowEpochs: r.window_epochs,
        epochsUsed: r.epochs_used,
        computedAtBlock: r.computed_at_block,
        reorg: false,
        removed: false,
        stat:
            r.st_id == null
                ? null
                : {
                      epoch: r.epoch,
                      startBlock: r.st_start_block,
                      endBlock: r.st_end_block,
                      blocksProposed: r.st_blocks_proposed,
                      blocksExpected: Number(r.st_blocks_expected),
                      slotsScheduled: r.st_slots_scheduled,
                      missedSlots: r.st_missed_slots,
                      longestMissStreak: r.st_longest_miss_streak,
                      priorityFees: r.st_priority_fees,
                      mevRevenue: r.st_mev_revenue,
                      revenue: r.st_revenue,
                      mevShare: Number(r.st_mev_share),
                      sandwichBlocks: r.st_sandwich_blocks,
                      stake: r.st_stake,
                      stakeShare: Number(r.st_stake_share),
                      commissionBps: r.st_commission_bps,
                      commissionHikes: r.st_commission_hikes,
                      jailed: r.st_jailed,
                      slashes: r.st_slashes,
                  },
    }
}
