import { COMPONENTS, Component, ScoringConfig, Weights } from './scoring-config'

/** What the indexer rolled up for one validator in one epoch. Amounts in wei. */
export interface EpochStat {
    epoch: number
    blocksProposed: number
    /** Stake-weighted expectation: the validator's stake share × blocks in the epoch. */
    blocksExpected: number
    missedSlots: number
    longestMissStreak: number
    priorityFees: bigint
    mevRevenue: bigint
    /** Blocks this validator proposed that contain a sandwich. */
    sandwichBlocks: number
    stakeShare: number
    commissionBps: number
    commissionHikes: number
    jailed: boolean
    slashes: number
}

export interface ScoreInput {
    validator: string
    /** Chronological; only the last `windowEpochs` are used. */
    history: EpochStat[]
}

export interface ScoreResult {
    validator: string
    epoch: number
    rank: number
    /** Σ weights[c] × components[c], in [0, 1]. */
    total: number
    components: Record<Component, number>
    weights: Weights
    /** weights[c] × components[c]: what each component added to the total. */
    contributions: Record<Component, number>
    /** Revenue (priority fees + MEV) per proposed block over the window, in gwei. */
    revenuePerBlockGwei: number
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0)
const gwei = (wei: bigint) => Number(wei / 1_000_000n) / 1000

function revenuePerBlock(stats: EpochStat[]): number {
    const blocks = stats.reduce((s, e) => s + e.blocksProposed, 0)
    if (blocks === 0) return 0
    return stats.reduce((s, e) => s + gwei(e.priorityFees + e.mevRevenue), 0) / blocks
}

/** Per-epoch revenue per block, for epochs where the validator proposed. */
function perEpochRevenue(stats: EpochStat[]): number[] {
    return stats.filter((e) => e.blocksProposed > 0).map((e) => gwei(e.priorityFees + e.mevRevenue) / e.blocksProposed)
}

/** Combine components with weights; exported so totals can be recomputed from stored components. */
export function combine(components: Record<Component, number>, weights: Weights): { total: number; contributions: Record<Component, number> } {
    const contributions = {} as Record<Component, number>
    let total = 0
    for (const c of COMPONENTS) {
        contributions[c] = weights[c] * components[c]
        total += contributions[c]
    }
    return { total, contributions }
}

/**
 * Score every validator for the latest epoch. Each component is in [0, 1], higher is better for a delegator:
 * - mevPotential: revenue per proposed block relative to the best validator, blended with its trend
 * - reliability: proposed / expected blocks (capped at 1), minus a penalty for the longest run of missed slots
 * - commission: 1 − commission / maxCommission, minus a penalty per commission increase
 * - decentralization: 1 − stakeShare / concentrationCap (big validators score lower)
 * - consistency: 1 − coefficient of variation of per-epoch revenue per block
 * - risk: 1 − jail, slashing and sandwich-participation deductions
 */
export function scoreValidators(inputs: ScoreInput[], config: ScoringConfig): ScoreResult[] {
    const p = config.params
    const windows = inputs.map((i) => ({ validator: i.validator, stats: i.history.slice(-p.windowEpochs) })).filter((w) => w.stats.length > 0)
    const rpb = windows.map((w) => revenuePerBlock(w.stats))
    const maxRpb = Math.max(0, ...rpb)

    const results: ScoreResult[] = windows.map((w, i) => {
        const s = w.stats
        const latest = s[s.length - 1]

        const level = maxRpb > 0 ? rpb[i] / maxRpb : 0
        const half = Math.floor(s.length / 2)
        const early = revenuePerBlock(s.slice(0, half))
        const late = revenuePerBlock(s.slice(half))
        const trend = half === 0 ? 0.5 : clamp01(0.5 + (late - early) / (2 * Math.max(early, late, 1e-9)))
        const mevPotential = clamp01((1 - p.trendWeight) * level + p.trendWeight * trend)

        const proposed = s.reduce((a, e) => a + e.blocksProposed, 0)
        const expected = s.reduce((a, e) => a + e.blocksExpected, 0)
        const streak = Math.max(0, ...s.map((e) => e.longestMissStreak))
        const ratio = expected > 0 ? Math.min(1, proposed / expected) : 1
        const reliability = clamp01(ratio - Math.min(p.maxMissStreakPenalty, p.missStreakPenalty * streak))

        const hikes = s.reduce((a, e) => a + e.commissionHikes, 0)
        const commission = clamp01(1 - latest.commissionBps / p.maxCommissionBps - p.commissionHikePenalty * hikes)

        const decentralization = clamp01(1 - latest.stakeShare / p.concentrationCap)

        const series = perEpochRevenue(s)
        const mean = series.reduce((a, x) => a + x, 0) / (series.length || 1)
        const variance = series.reduce((a, x) => a + (x - mean) ** 2, 0) / (series.length || 1)
        const consistency = series.length < 2 || mean === 0 ? (series.length === 0 ? 0 : 1) : clamp01(1 - Math.sqrt(variance) / mean)

        const jailed = s.some((e) => e.jailed)
        const slashes = s.reduce((a, e) => a + e.slashes, 0)
        const sandwichShare = proposed > 0 ? s.reduce((a, e) => a + e.sandwichBlocks, 0) / proposed : 0
        const risk = clamp01(
            1 - (jailed ? p.jailPenalty : 0) - Math.min(p.maxSlashPenalty, p.slashPenalty * slashes) - p.sandwichPenalty * sandwichShare,
        )

        const components = { mevPotential, reliability, commission, decentralization, consistency, risk }
        const { total, contributions } = combine(components, config.weights)
        return { validator: w.validator, epoch: latest.epoch, rank: 0, total, components, weights: { ...config.weights }, contributions, revenuePerBlockGwei: rpb[i] }
    })
    results.sort((a, b) => b.total - a.total || (a.validator < b.validator ? -1 : 1))
    results.forEach((r, i) => (r.rank = i + 1))
    return results
}
