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
 * Split `stake` over the best `maxValidators` unjailed validators that still have room under the concentration
 * cap, in proportion to their risk-adjusted scores ("water-filling": a validator that hits the cap keeps what
 * fits and the rest is shared among the others in the same proportions). What no chosen validator can take is
 * left unallocated (the caller reports it).
 */
export function recommendDelegation(
    candidates: Candidate[],
    stake: bigint,
    tolerance: RiskTolerance,
    config: ScoringConfig,
    maxValidators = 3,
): Recommendation[] {
    if (stake <= 0n || maxValidators < 1) return []
    const weights = tiltedWeights(config.weights, tolerance)
    const totalAfter = candidates.reduce((s, c) => s + c.stake, 0n) + stake
    const capStake = (BigInt(Math.floor(config.params.concentrationCap * 1e6)) * totalAfter) / 1_000_000n
    const chosen = candidates
        .filter((c) => !c.jailed && c.stake < capStake)
        .map((c) => ({ c, score: combine(c.components, weights).total, room: capStake - c.stake, amount: 0n }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score || (a.c.validator < b.c.validator ? -1 : 1))
        .slice(0, maxValidators)

    let remaining = stake
    // Each round shares what is left among validators with room; at least one fills up or all is placed.
    for (let round = 0; round < chosen.length && remaining > 0n; round++) {
        const open = chosen.filter((x) => x.room > x.amount)
        if (open.length === 0) break
        const scoreSum = open.reduce((s, x) => s + x.score, 0)
        const wants = open.map((x) => (remaining * BigInt(Math.floor((x.score / scoreSum) * 1e9))) / 1_000_000_000n)
        // Rounding dust goes to the best-scored open validator.
        wants[0] += remaining - wants.reduce((s, w) => s + w, 0n)
        let placed = 0n
        open.forEach((x, i) => {
            const give = wants[i] < x.room - x.amount ? wants[i] : x.room - x.amount
            x.amount += give
            placed += give
        })
        remaining -= placed
        if (placed === 0n) break
    }
    return chosen
        .filter((x) => x.amount > 0n)
        .map((x) => ({
            validator: x.c.validator,
            amount: x.amount,
            adjustedScore: x.score,
            stakeShareAfter: Number(((x.c.stake + x.amount) * 1_000_000n) / totalAfter) / 1e6,
        }))
}
