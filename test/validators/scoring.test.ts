import { combine, EpochStat, scoreValidators } from '../../src/validators/scoring'
import { COMPONENTS, loadScoringConfig, validateScoringConfig } from '../../src/validators/scoring-config'
import { recommendDelegation, tiltedWeights } from '../../src/validators/recommend'

const config = loadScoringConfig()
const GWEI = 1_000_000_000n

function epoch(e: number, over: Partial<EpochStat> = {}): EpochStat {
    return {
        epoch: e,
        blocksProposed: 10,
        blocksExpected: 10,
        missedSlots: 0,
        longestMissStreak: 0,
        priorityFees: 10n * 1000n * GWEI,
        mevRevenue: 0n,
        sandwichBlocks: 0,
        stakeShare: 0.1,
        commissionBps: 500,
        commissionHikes: 0,
        jailed: false,
        slashes: 0,
        ...over,
    }
}

const history = (n: number, over: Partial<EpochStat> = {}) => Array.from({ length: n }, (_, i) => epoch(i + 1, over))

describe('delegation scoring', () => {
    it('ships a valid default config whose weights add up to 1', () => {
        expect(COMPONENTS.reduce((s, c) => s + config.weights[c], 0)).toBeCloseTo(1, 12)
    })

    it('rejects weights that do not add up to 1, unknown weights and bad params', () => {
        expect(() => validateScoringConfig({ ...config, weights: { ...config.weights, risk: 0.5 } })).toThrow(/add up to 1/)
        expect(() => validateScoringConfig({ ...config, weights: { ...config.weights, luck: 0 } })).toThrow(/unknown scoring weight/)
        expect(() => validateScoringConfig({ ...config, params: { ...config.params, windowEpochs: 0 } })).toThrow(/windowEpochs/)
    })

    it('total equals the sum of weight × component for every validator', () => {
        const res = scoreValidators(
            [
                { validator: 'a', history: history(8) },
                { validator: 'b', history: history(8, { mevRevenue: 50n * 1000n * GWEI, sandwichBlocks: 3 }) },
                { validator: 'c', history: history(8, { blocksProposed: 4, longestMissStreak: 3, jailed: true }) },
            ],
            config,
        )
        for (const r of res) {
            const sum = COMPONENTS.reduce((s, c) => s + r.weights[c] * r.components[c], 0)
            expect(r.total).toBeCloseTo(sum, 12)
            expect(combine(r.components, r.weights).total).toBe(r.total)
            for (const c of COMPONENTS) expect(r.components[c]).toBeGreaterThanOrEqual(0), expect(r.components[c]).toBeLessThanOrEqual(1)
        }
    })

    it('ranks a reliable, cheap, clean validator above a jailed one that misses slots', () => {
        const res = scoreValidators(
            [
                { validator: 'bad', history: history(8, { blocksProposed: 5, blocksExpected: 10, longestMissStreak: 2, jailed: true, commissionBps: 3000 }) },
                { validator: 'good', history: history(8) },
            ],
            config,
        )
        expect(res.map((r) => r.validator)).toEqual(['good', 'bad'])
        expect(res[0].rank).toBe(1)
        const bad = res[1]
        expect(bad.components.reliability).toBeCloseTo(0.5 - 2 * config.params.missStreakPenalty, 12)
        expect(bad.components.risk).toBeCloseTo(1 - config.params.jailPenalty, 12)
    })

    it('gives the highest-revenue validator full MEV level and penalises its sandwiches under risk', () => {
        const res = scoreValidators(
            [
                { validator: 'plain', history: history(4) },
                { validator: 'mev', history: history(4, { mevRevenue: 90n * 1000n * GWEI, sandwichBlocks: 5 }) },
            ],
            config,
        )
        const mev = res.find((r) => r.validator === 'mev')!
        const plain = res.find((r) => r.validator === 'plain')!
        expect(mev.revenuePerBlockGwei).toBeCloseTo(10_000, 6)
        expect(plain.revenuePerBlockGwei).toBeCloseTo(1_000, 6)
        expect(mev.components.mevPotential).toBeGreaterThan(plain.components.mevPotential)
        expect(mev.components.risk).toBeCloseTo(1 - config.params.sandwichPenalty * 0.5, 12)
    })

    it('rewards a rising revenue trend and penalises volatile revenue', () => {
        const rising = [1, 2, 3, 4].map((e) => epoch(e, { priorityFees: BigInt(e) * 10_000n * GWEI }))
        const flat = history(4, { priorityFees: 25_000n * GWEI })
        const res = scoreValidators([{ validator: 'rising', history: rising }, { validator: 'flat', history: flat }], config)
        const r = res.find((x) => x.validator === 'rising')!
        const f = res.find((x) => x.validator === 'flat')!
        expect(f.components.consistency).toBe(1)
        expect(r.components.consistency).toBeLessThan(1)
        // same mean revenue, but the rising one's trend term is above neutral
        expect(r.components.mevPotential).toBeGreaterThan(f.components.mevPotential)
    })

    it('only looks at the last windowEpochs epochs', () => {
        const old = history(20, { jailed: true }).map((e, i) => (i >= 20 - config.params.windowEpochs ? { ...e, jailed: false } : e))
        const [r] = scoreValidators([{ validator: 'x', history: old }], config)
        expect(r.components.risk).toBe(1)
        expect(r.epoch).toBe(20)
    })
})

describe('delegation recommendations', () => {
    const comps = (x: number) => Object.fromEntries(COMPONENTS.map((c) => [c, x])) as any
    const candidates = [
        { validator: 'a', components: comps(0.9), stake: 100n, jailed: false },
        { validator: 'b', components: comps(0.6), stake: 100n, jailed: false },
        { validator: 'c', components: comps(0.3), stake: 100n, jailed: false },
        { validator: 'j', components: comps(1), stake: 100n, jailed: true },
    ]

    it('tilted weights still add up to 1', () => {
        for (const t of ['LOW', 'MEDIUM', 'HIGH'] as const) {
            const w = tiltedWeights(config.weights, t)
            expect(COMPONENTS.reduce((s, c) => s + w[c], 0)).toBeCloseTo(1, 12)
        }
        expect(tiltedWeights(config.weights, 'LOW').risk).toBeGreaterThan(config.weights.risk)
        expect(tiltedWeights(config.weights, 'HIGH').mevPotential).toBeGreaterThan(config.weights.mevPotential)
    })

    it('skips jailed validators, favours higher scores and allocates the whole stake when there is room', () => {
        const recs = recommendDelegation(candidates, 60n, 'MEDIUM', { ...config, params: { ...config.params, concentrationCap: 1 } })
        expect(recs.map((r) => r.validator)).toEqual(['a', 'b', 'c'])
        expect(recs.reduce((s, r) => s + r.amount, 0n)).toBe(60n)
        expect(recs[0].amount).toBeGreaterThan(recs[1].amount)
    })

    it('never pushes a validator above the concentration cap', () => {
        const cap = 0.3
        const recs = recommendDelegation(candidates, 1000n, 'MEDIUM', { ...config, params: { ...config.params, concentrationCap: cap } })
        for (const r of recs) expect(r.stakeShareAfter).toBeLessThanOrEqual(cap + 1e-6)
    })
})

import { expectedBlocks, scheduledProposer } from '../../src/validators/schedule'

describe('proposer schedule', () => {
    const snap = [
        { validator: '0xBB', stake: 300n },
        { validator: '0xaa', stake: 100n },
        { validator: '0xcc', stake: 0n },
    ]

    it('is deterministic and ignores input order and validators without stake', () => {
        for (let h = 0; h < 50; h++) {
            expect(scheduledProposer(h, snap)).toBe(scheduledProposer(h, [...snap].reverse()))
            expect(scheduledProposer(h, snap)).not.toBe('0xcc')
        }
    })

    it('draws proposers in proportion to stake', () => {
        let bb = 0
        const n = 4000
        for (let h = 0; h < n; h++) if (scheduledProposer(h, snap) === '0xbb') bb++
        expect(bb / n).toBeGreaterThan(0.7)
        expect(bb / n).toBeLessThan(0.8)
        expect(expectedBlocks(snap, 32).get('0xbb')).toBeCloseTo(24, 6)
    })

    it('has no proposer when nobody has stake', () => {
        expect(scheduledProposer(1, [{ validator: '0xaa', stake: 0n }])).toBeUndefined()
    })
})

describe('delegation recommendations: water-filling under the cap', () => {
    const comps = (x: number) => Object.fromEntries(COMPONENTS.map((c) => [c, x])) as any
    it('passes what a capped validator cannot take to the others, and leaves out validators already at the cap', () => {
        const candidates = [
            { validator: 'big', components: comps(1), stake: 400n, jailed: false }, // 40% of the 1000 after: over a 0.33 cap
            { validator: 'a', components: comps(0.9), stake: 300n, jailed: false },
            { validator: 'b', components: comps(0.5), stake: 100n, jailed: false },
            { validator: 'c', components: comps(0.4), stake: 100n, jailed: false },
        ]
        const cfg = { ...config, params: { ...config.params, concentrationCap: 0.33 } }
        const recs = recommendDelegation(candidates, 100n, 'MEDIUM', cfg)
        expect(recs.map((r) => r.validator)).not.toContain('big')
        // a's share of the scores would be 50, but it has room for only 30 (cap 330 of 1000); b and c take the rest
        expect(recs.find((r) => r.validator === 'a')!.amount).toBe(30n)
        expect(recs.find((r) => r.validator === 'b')!.amount).toBeGreaterThan(recs.find((r) => r.validator === 'c')!.amount)
        expect(recs.reduce((s, r) => s + r.amount, 0n)).toBe(100n)
        for (const r of recs) expect(r.stakeShareAfter).toBeLessThanOrEqual(0.33 + 1e-6)
    })
})
