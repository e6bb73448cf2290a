/**
 * Epochs: stake snapshots, the proposer schedule, per-validator epoch rollups and delegation scores.
 *
 * - Epoch e covers blocks [e*E, (e+1)*E − 1] (E = EPOCH_BLOCKS). Its EpochSnapshot is the registry state
 *   after block e*E − 1, written when the epoch's first block is processed (or, for the epoch indexing
 *   starts in, when its first indexed block is) — before that block's own events are applied.
 * - Each block's scheduled proposer is drawn from the unjailed validators' stakes in its epoch's snapshot
 *   (src/validators/schedule.ts).
 * - When block e*E is processed, epoch e−1 is finished: its blocks (stored + this batch's) are rolled up per
 *   validator (ValidatorEpochStat) and chain-wide (EpochSummary); then every validator is scored over its
 *   last `windowEpochs` stats (ValidatorScore, Validator.score/rank).
 *
 * Nothing here survives a handler call: snapshots, stored blocks and stats are read from the store at the
 * start of each batch, so a rollback (hot blocks) never leaves stale state behind.
 */
import { Store } from '@subsquid/typeorm-store'
import { Between, Raw } from 'typeorm'
import {
    Block as BlockEntity,
    EpochSnapshot,
    EpochSummary,
    Validator,
    ValidatorEpochStat,
    ValidatorScore,
} from '../model'
import { COMPONENTS, ScoringConfig } from '../validators/scoring-config'
import { EpochStat, scoreValidators } from '../validators/scoring'
import { StakeEntry, epochOf, epochStart, expectedBlocks, normalizeSnapshot, scheduledProposer } from '../validators/schedule'
import { MappingState, loadByIds } from './state'
import { pad } from './util'

export const epochKey = (epoch: number) => pad(epoch, 8)
export const validatorEpochId = (validator: string, epoch: number) => `${validator}-${epochKey(epoch)}`

/** One validator in an EpochSnapshot (JSON; amounts as decimal strings). */
export interface SnapshotEntry {
    validator: string
    stake: string
    totalShares: string
    jailed: boolean
    commissionBps: number
    slashCount: number
    jailCount: number
    commissionHikeCount: number
}

/** A snapshot with its lookups precomputed. */
export interface ParsedSnapshot {
    row: EpochSnapshot
    entries: Map<string, SnapshotEntry>
    /** unjailed validators with stake: what the schedule draws from (normalised order) */
    schedule: StakeEntry[]
    totalStake: bigint
}

export function parseSnapshot(row: EpochSnapshot): ParsedSnapshot {
    const list = (row.validators as SnapshotEntry[]) ?? []
    const entries = new Map(list.map((e) => [e.validator, e]))
    const schedule = normalizeSnapshot(list.filter((e) => !e.jailed).map((e) => ({ validator: e.validator, stake: BigInt(e.stake) })))
    return { row, entries, schedule, totalStake: list.reduce((s, e) => s + BigInt(e.stake), 0n) }
}

/** The registry state of `validators` as a snapshot row for `epoch`. */
export function buildSnapshot(validators: Validator[], epoch: number, epochBlocks: number, takenAtBlock: number): EpochSnapshot {
    const list: SnapshotEntry[] = validators
        .map((v) => ({
            validator: v.id,
            stake: v.stake.toString(),
            totalShares: v.totalShares.toString(),
            jailed: v.jailed,
            commissionBps: v.commissionBps,
            slashCount: v.slashCount,
            jailCount: v.jailCount,
            commissionHikeCount: v.commissionHikeCount,
        }))
        .sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0))
    let scheduled = 0n
    let total = 0n
    for (const e of list) {
        total += BigInt(e.stake)
        if (!e.jailed) scheduled += BigInt(e.stake)
    }
    return new EpochSnapshot({
        id: epochKey(epoch),
        epoch,
        startBlock: epochStart(epoch, epochBlocks),
        takenAtBlock,
        validators: list,
        scheduledStake: scheduled,
        totalStake: total,
    })
}

/** Which epochs a batch of heights touches, starts and finishes. */
export interface EpochPlan {
    /** epochs of the batch's blocks */
    epochs: number[]
    /** heights in the batch that are the first block of an epoch */
    boundaries: number[]
    /** epochs finished by those boundaries (boundary epoch − 1, when ≥ 0) */
    closing: number[]
}

export function planEpochs(heights: number[], epochBlocks: number): EpochPlan {
    const epochs = [...new Set(heights.map((h) => epochOf(h, epochBlocks)))]
    const boundaries = heights.filter((h) => h % epochBlocks === 0)
    const closing = boundaries.map((h) => epochOf(h, epochBlocks) - 1).filter((e) => e >= 0)
    return { epochs, boundaries, closing }
}

const relId = (r: unknown): string | null => (r == null ? null : typeof r === 'string' ? r : ((r as { id?: string }).id ?? null))

/** Per-batch epoch working set: snapshots, the stored blocks of the first epoch this batch finishes, stored stats for scoring. */
export class EpochContext {
    readonly snapshots = new Map<number, ParsedSnapshot>()
    /** blocks stored before this batch, of epochs this batch finishes */
    storedBlocks: BlockEntity[] = []
    /** stats stored before this batch, of the epochs scoring looks back on */
    storedStats: ValidatorEpochStat[] = []
    /** epochs finished (rolled up and scored) in this batch */
    readonly closed: number[] = []

    constructor(
        readonly epochBlocks: number,
        readonly scoring: ScoringConfig,
    ) {}

    get window(): number {
        return this.scoring.params.windowEpochs
    }

    /**
     * Load what the batch's blocks need: snapshots of their epochs (and of the epochs they finish), and when
     * an epoch finishes in this batch, its blocks stored earlier and the score history. At most three queries.
     */
    async load(store: Store, heights: number[]): Promise<{ plan: EpochPlan; needAllValidators: boolean }> {
        this.snapshots.clear()
        this.storedBlocks = []
        this.storedStats = []
        if (heights.length === 0) return { plan: { epochs: [], boundaries: [], closing: [] }, needAllValidators: false }
        const plan = planEpochs(heights, this.epochBlocks)
        const ids = [...new Set([...plan.epochs, ...plan.closing])].map(epochKey)
        for (const row of await loadByIds(store, EpochSnapshot, ids)) this.snapshots.set(row.epoch, parseSnapshot(row))
        const first = heights[0]
        const needAllValidators = plan.boundaries.length > 0 || !this.snapshots.has(epochOf(first, this.epochBlocks))
        // (an epoch can only be finished if its snapshot exists, but the history to load is the same either way)
        if (plan.closing.length) {
            const minClose = Math.min(...plan.closing)
            const from = epochStart(minClose, this.epochBlocks)
            if (from < first) {
                this.storedBlocks = await store.find(BlockEntity, {
                    where: { height: Between(from, first - 1) },
                    relations: { proposer: true, scheduledProposer: true },
                })
            }
            const lo = minClose - this.window + 1
            if (minClose - 1 >= lo) {
                this.storedStats = await store.find(ValidatorEpochStat, {
                    where: { epoch: Between(Math.max(0, lo), minClose - 1) },
                    relations: { validator: true },
                })
            }
        }
        return { plan, needAllValidators }
    }

    snapshot(epoch: number): ParsedSnapshot | undefined {
        return this.snapshots.get(epoch)
    }

    /** Scheduled proposer of `height` (undefined when the epoch's snapshot has no stake). */
    scheduled(height: number): string | undefined {
        const snap = this.snapshots.get(epochOf(height, this.epochBlocks))
        return snap ? scheduledProposer(height, snap.schedule) : undefined
    }
}

/**
 * Before block `height` is recorded (its events not yet applied, so the registry state is the one after
 * height − 1): take the epoch's snapshot if it has none, and finish the previous epoch at a boundary.
 */
export function beforeBlock(state: MappingState, ctx: EpochContext, height: number, timestampMs: number): void {
    const epoch = epochOf(height, ctx.epochBlocks)
    if (ctx.snapshots.has(epoch)) return
    const row = buildSnapshot(state.validators.all(), epoch, ctx.epochBlocks, height)
    state.epochSnapshots.add(row)
    ctx.snapshots.set(epoch, parseSnapshot(row))
    if (height === epochStart(epoch, ctx.epochBlocks) && epoch > 0 && ctx.snapshots.has(epoch - 1)) {
        closeEpoch(state, ctx, epoch - 1, height)
    }
}

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

/** a / b as a double (each side rounded to the nearest double first: deterministic). */
const ratio = (a: bigint, b: bigint): number => (b === 0n ? 0 : Number(a) / Number(b))

/** Roll up finished epoch `epoch` (called while processing block `closingHeight`, its successor's first). */
export function closeEpoch(state: MappingState, ctx: EpochContext, epoch: number, closingHeight: number): void {
    const E = ctx.epochBlocks
    const startSnap = ctx.snapshot(epoch)!
    const from = epochStart(epoch, E)
    const to = from + E - 1
    const blocks = [...ctx.storedBlocks, ...state.blocks]
        .filter((b) => b.height >= from && b.height <= to)
        .sort((a, b) => a.height - b.height)
    if (blocks.length === 0) return

    const acc = new Map<string, Acc>()
    const get = (v: string): Acc => {
        let a = acc.get(v)
        if (!a) acc.set(v, (a = { blocksProposed: 0, slotsScheduled: 0, missedSlots: 0, streak: 0, longestMissStreak: 0, priorityFees: 0n, mevRevenue: 0n, sandwichBlocks: 0 }))
        return a
    }
    let missed = 0
    let attributed = 0
    let priorityFees = 0n
    let mevRevenue = 0n
    let swaps = 0
    let arbs = 0
    let sandwiches = 0
    for (const b of blocks) {
        const proposer = relId(b.proposer)
        const scheduled = relId(b.scheduledProposer)
        priorityFees += b.priorityFees
        mevRevenue += b.mevRevenue
        swaps += b.swapCount
        arbs += b.arbitrageCount
        sandwiches += b.sandwichCount
        if (b.missedSlot) missed++
        if (proposer) {
            attributed++
            const a = get(proposer)
            a.blocksProposed++
            a.priorityFees += b.priorityFees
            a.mevRevenue += b.mevRevenue
            if (b.sandwichCount > 0) a.sandwichBlocks++
        }
        if (scheduled) {
            const a = get(scheduled)
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

    const expected = expectedBlocks(startSnap.schedule, blocks.length)
    const validators = state.validators.all().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const stats: ValidatorEpochStat[] = []
    for (const v of validators) {
        const a = acc.get(v.id) ?? get(v.id)
        const s0 = startSnap.entries.get(v.id)
        const stake = s0 ? BigInt(s0.stake) : 0n
        stats.push(
            new ValidatorEpochStat({
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
                mevShare: ratio(a.mevRevenue, mevRevenue),
                sandwichBlocks: a.sandwichBlocks,
                stake,
                stakeShare: ratio(stake, startSnap.totalStake),
                stakeEnd: v.stake,
                commissionBps: v.commissionBps,
                commissionHikes: v.commissionHikeCount - (s0?.commissionHikeCount ?? 0),
                jailed: (s0?.jailed ?? false) || v.jailed || v.jailCount > (s0?.jailCount ?? 0),
                slashes: v.slashCount - (s0?.slashCount ?? 0),
            }),
        )
    }
    state.epochStats.push(...stats)

    const scored = scoreEpoch(state, ctx, epoch, stats, closingHeight)
    const first = blocks[0]
    const last = blocks[blocks.length - 1]
    state.epochSummaries.push(
        new EpochSummary({
            id: epochKey(epoch),
            epoch,
            startBlock: from,
            endBlock: to,
            startTime: first.timestamp,
            endTime: last.timestamp,
            blocks: blocks.length,
            attributedBlocks: attributed,
            missedSlots: missed,
            priorityFees,
            mevRevenue,
            swapCount: swaps,
            arbitrageCount: arbs,
            sandwichCount: sandwiches,
            validatorCount: validators.length,
            activeValidators: startSnap.schedule.length,
            totalStake: startSnap.totalStake,
            scoredValidators: scored,
        }),
    )
    ctx.closed.push(epoch)
}

/** Score every validator with a stat for `epoch`; returns how many were scored. */
function scoreEpoch(state: MappingState, ctx: EpochContext, epoch: number, stats: ValidatorEpochStat[], closingHeight: number): number {
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

/** Which validators' rows changed in scoring (for the change notice). */
export function scoredEpochs(ctx: EpochContext): string[] {
    return ctx.closed.map(String)
}
