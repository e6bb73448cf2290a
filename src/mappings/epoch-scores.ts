/**
 * Delegation scores at an epoch's close: every validator with a stat is scored over its last `windowEpochs` stats
 * (src/validators/scoring.ts), a ValidatorScore row each, and the validator's current score and rank follow.
 */
import { Validator, ValidatorEpochStat, ValidatorScore } from '../model'
import { COMPONENTS } from '../validators/scoring-config'
import { EpochStat, scoreValidators } from '../validators/scoring'
import { EpochContext, relId } from './epoch-context'
import { validatorEpochId } from './epoch-snapshots'
import { MappingState } from './state'

/** Stat fields the scoring engine reads. */
export function toEpochStat(s: ValidatorEpochStat): EpochStat {
    return {
        epoch: s.epoch,
        blocksProposed: s.blocksProposed,
        blocksExpected: s.blocksExpected,
        missedSlots: s.missedSlots,
        longestMissStreak: s.longestMissStreak,
        priorityFees: s.priorityFees,
        mevRevenue: s.mevRevenue,
        sandwichBlocks: s.sandwichBlocks,
        stakeShare: s.stakeShare,
        commissionBps: s.commissionBps,
        commissionHikes: s.commissionHikes,
        jailed: s.jailed,
        slashes: s.slashes,
    }
}

/** Score every validator with a stat for `epoch`; returns how many were scored. */
export function scoreEpoch(state: MappingState, ctx: EpochContext, epoch: number, stats: ValidatorEpochStat[], closingHeight: number): number {
    const lo = epoch - ctx.window + 1
    const history = new Map<string, ValidatorEpochStat[]>()
    for (const s of [...ctx.storedStats, ...state.epochStats]) {
        if (s.epoch < lo || s.epoch > epoch) continue
        const v = relId(s.validator)!
        let list = history.get(v)
        if (!list) history.set(v, (list = []))
        list.push(s)
    }
    const inputs = stats.map((s) => {
        const v = relId(s.validator)!
        const list = (history.get(v) ?? []).sort((a, b) => a.epoch - b.epoch)
        return { validator: v, history: list.map(toEpochStat) }
    })
    const results = scoreValidators(inputs, ctx.scoring)
    const used = new Map(inputs.map((i) => [i.validator, Math.min(i.history.length, ctx.window)]))
    for (const r of results) {
        const row = new ValidatorScore({
            id: validatorEpochId(r.validator, epoch),
            validator: new Validator({ id: r.validator }),
            epoch,
            rank: r.rank,
            total: r.total,
            revenuePerBlockGwei: r.revenuePerBlockGwei,
            windowEpochs: ctx.window,
            epochsUsed: used.get(r.validator) ?? 0,
            computedAtBlock: closingHeight,
        })
        for (const c of COMPONENTS) {
            ;(row as any)[c] = r.components[c]
            ;(row as any)[`${c}Weight`] = r.weights[c]
        }
        state.scores.push(row)
        const v = state.validators.get(r.validator)
        if (v) {
            v.score = r.total
            v.rank = r.rank
            v.scoreEpoch = epoch
            v.updatedAtBlock = closingHeight
            state.validators.touch(v)
        }
    }
    return results.length
}
