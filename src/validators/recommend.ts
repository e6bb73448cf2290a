import { combine } from './scoring'
import { COMPONENTS, Component, ScoringConfig, Weights } from './scoring-config'

export type RiskTolerance = 'LOW' | 'MEDIUM' | 'HIGH'

/** A scored validator as stored: components and current stake. */
export interface Candidate {
    validator: string
    components: Record<Component, number>
    stake: bigint
    jailed: boolean
}

export interface Recommendation {
    validator: string
    amount: bigint
    /** The validator's score under the delegator's risk-adjusted weights. */
    adjustedScore: number
    /** Stake share after this delegation. */
    stakeShareAfter: number
}

/** How a delegator's risk tolerance tilts the configured weights before renormalising to 1. */
const TILT: Record<RiskTolerance, Partial<Record<Component, number>>> = {
    LOW: { risk: 2, reliability: 1.5, consistency: 1.5, mevPotential: 0.5 },
    MEDIUM: {},
    HIGH: { mevPotential: 1.75, risk: 0.5, consistency: 0.75 },
}

export function tiltedWeights(weights: Weights, tolerance: RiskTolerance): Weights {
    const raw = {} as Weights
    for (const c of COMPONENTS) raw[c] = weights[c] * (TILT[tolerance][c] ?? 1)
    const sum = COMPONENTS.reduce((s, c) => s + raw[c], 0)
    for (const c of COMPONENTS) raw[c] = sum > 0 ? raw[c] / sum : 1 / COMPONENTS.length
    return raw
}

/**
 * Split `stake` over the best `maxValidators` unjailed validators under the tilted weights, in proportion to
 * their adjusted scores, never pushing a validator's stake share above the concentration cap (what a
 * validator cannot take is passed on to the next).
 */
export function recommendDelegation(
    candidates: Candidate[],
    stake: bigint,
    tolerance: RiskTolerance,
    config: ScoringConfig,
    maxValidators = 3,
): Recommendation[] {
    if (stake <= 0n) return []
    const weights = tiltedWeights(config.weights, tolerance)
    const ranked = candidates
        .filter((c) => !c.jailed)
        .map((c) => ({ c, score: combine(c.components, weights).total }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score || (a.c.validator < b.c.validator ? -1 : 1))
    const totalAfter = candidates.reduce((s, c) => s + c.stake, 0n) + stake
    const cap = config.params.concentrationCap
    const out: Recommendation[] = []
    let remaining = stake
    const pool = ranked.slice(0, maxValidators)
    let scoreLeft = pool.reduce((s, x) => s + x.score, 0)
    for (const { c, score } of pool) {
        if (remaining === 0n) break
        const share = BigInt(Math.floor((score / scoreLeft) * 1e6))
        let amount = (remaining * share) / 1_000_000n
        if (pool[pool.length - 1].c === c || out.length === maxValidators - 1) amount = remaining
        const room = BigInt(Math.floor(cap * 1e6)) * totalAfter / 1_000_000n - c.stake
        if (amount > room) amount = room > 0n ? room : 0n
        scoreLeft -= score
        if (amount === 0n) continue
        remaining -= amount
        out.push({ validator: c.validator, amount, adjustedScore: score, stakeShareAfter: Number(((c.stake + amount) * 1_000_000n) / totalAfter) / 1e6 })
    }
    return out
}
