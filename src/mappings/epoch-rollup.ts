/**
 * Closing a finished epoch: its blocks (stored before this handler call and this call's) rolled up per validator
 * (ValidatorEpochStat: blocks proposed and expected, missed slots and streaks, revenue, stake share, commission,
 * jail and slash counts against the epoch's start snapshot) and chain-wide (EpochSummary), then scored.
 */
import { Block as BlockEntity, EpochSummary, Validator, ValidatorEpochStat } from '../model'
import { epochStart, expectedBlocks } from '../validators/schedule'
import { EpochContext, relId } from './epoch-context'
import { scoreEpoch } from './epoch-scores'
import { epochKey, validatorEpochId } from './epoch-snapshots'
import { MappingState } from './state'

interface Acc {
    blocksProposed: number
    slotsScheduled: number
    missedSlots: number
    streak: number
    longestMissStreak: number
    priorityFees: bigint
    mevRevenue: bigint
    sandwichBlocks: number
}

const newAcc = (): Acc => ({ blocksProposed: 0, slotsScheduled: 0, missedSlots: 0, streak: 0, longestMissStreak: 0, priorityFees: 0n, mevRevenue: 0n, sandwichBlocks: 0 })

/** a / b as a double (each side rounded to the nearest double first: deterministic). */
const ratio = (a: bigint, b: bigint): number => (b === 0n ? 0 : Number(a) / Number(b))

/** Roll up finished epoch `epoch` (called while processing block `closingHeight`, its successor's first). */
export function closeEpoch(state: MappingState, ctx: EpochContext, epoch: number, closingHeight: number): void {
    const from = epochStart(epoch, ctx.epochBlocks)
    const to = from + ctx.epochBlocks - 1
    const blocks = [...ctx.storedBlocks, ...state.blocks]
        .filter((b) => b.height >= from && b.height <= to)
        .sort((a, b) => a.height - b.height)
    if (blocks.length === 0) return
    const startSnap = ctx.snapshot(epoch)!
    const { perValidator, totals } = tally(blocks)
    const validators = state.validators.all().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const expected = expectedBlocks(startSnap.schedule, blocks.length)
    const stats = validators.map((v) => {
        const a = perValidator.get(v.id) ?? newAcc()
        const s0 = startSnap.entries.get(v.id)
        const stake = s0 ? BigInt(s0.stake) : 0n
        return new ValidatorEpochStat({
            id: validatorEpochId(v.id, epoch),
            validator: new Validator({ id: v.id }),
            epoch,
            startBlock: from,
            endBlock: to,
            blocksProposed: a.blocksProposed,
            blocksExpected: expected.get(v.id) ?? 0,
            slotsScheduled: a.slotsScheduled,
            missedSlots: a.missedSlots,
            longestMissStreak: a.longestMissStreak,
            priorityFees: a.priorityFees,
            mevRevenue: a.mevRevenue,
            revenue: a.priorityFees + a.mevRevenue,
            mevShare: ratio(a.mevRevenue, totals.mevRevenue),
            sandwichBlocks: a.sandwichBlocks,
            stake,
            stakeShare: ratio(stake, startSnap.totalStake),
            stakeEnd: v.stake,
            commissionBps: v.commissionBps,
            commissionHikes: v.commissionHikeCount - (s0?.commissionHikeCount ?? 0),
            jailed: (s0?.jailed ?? false) || v.jailed || v.jailCount > (s0?.jailCount ?? 0),
            slashes: v.slashCount - (s0?.slashCount ?? 0),
        })
    })
    state.epochStats.push(...stats)

    const scored = scoreEpoch(state, ctx, epoch, stats, closingHeight)
    state.epochSummaries.push(
        new EpochSummary({
            id: epochKey(epoch),
            epoch,
            startBlock: from,
            endBlock: to,
            startTime: blocks[0].timestamp,
            endTime: blocks[blocks.length - 1].timestamp,
            blocks: blocks.length,
            attributedBlocks: totals.attributed,
            missedSlots: totals.missed,
            priorityFees: totals.priorityFees,
            mevRevenue: totals.mevRevenue,
            swapCount: totals.swaps,
            arbitrageCount: totals.arbs,
            sandwichCount: totals.sandwiches,
            validatorCount: validators.length,
            activeValidators: startSnap.schedule.length,
            totalStake: startSnap.totalStake,
            scoredValidators: scored,
        }),
    )
    ctx.closed.push(epoch)
}

/** Per-validator and chain-wide tallies of an epoch's blocks, in height order (miss streaks depend on it). */
function tally(blocks: BlockEntity[]): { perValidator: Map<string, Acc>; totals: { missed: number; attributed: number; priorityFees: bigint; mevRevenue: bigint; swaps: number; arbs: number; sandwiches: number } } {
    const perValidator = new Map<string, Acc>()
    const of = (v: string): Acc => {
        let a = perValidator.get(v)
        if (!a) perValidator.set(v, (a = newAcc()))
        return a
    }
    const totals = { missed: 0, attributed: 0, priorityFees: 0n, mevRevenue: 0n, swaps: 0, arbs: 0, sandwiches: 0 }
    for (const b of blocks) {
        const proposer = relId(b.proposer)
        const scheduled = relId(b.scheduledProposer)
        totals.priorityFees += b.priorityFees
        totals.mevRevenue += b.mevRevenue
        totals.swaps += b.swapCount
        totals.arbs += b.arbitrageCount
        totals.sandwiches += b.sandwichCount
        if (b.missedSlot) totals.missed++
        if (proposer) {
            totals.attributed++
            const a = of(proposer)
            a.blocksProposed++
            a.priorityFees += b.priorityFees
            a.mevRevenue += b.mevRevenue
            if (b.sandwichCount > 0) a.sandwichBlocks++
        }
        if (scheduled) {
            const a = of(scheduled)
            a.slotsScheduled++
            if (b.missedSlot) {
                a.missedSlots++
                a.streak++
                a.longestMissStreak = Math.max(a.longestMissStreak, a.streak)
            } else {
                a.streak = 0
            }
        }
    }
    return { perValidator, totals }
}
