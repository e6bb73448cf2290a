import { Pool, amountOut, applySwap, cycleOut, cyclesFrom, optimiseCycle, planSandwich, quote } from '../../src/simulator/amm'

const E18 = 10n ** 18n
const E6 = 10n ** 6n
const WETH = '0x000000000000000000000000000000000000000a'
const DAI = '0x000000000000000000000000000000000000000b'
const USDC = '0x000000000000000000000000000000000000000c'

function pool(name: string, a: string, ra: bigint, b: string, rb: bigint): Pool {
    const [token0, reserve0, token1, reserve1] = a < b ? [a, ra, b, rb] : [b, rb, a, ra]
    return { address: `0x${name}`, name, token0, token1, reserve0, reserve1 }
}

describe('V2 arithmetic', () => {
    it('quotes like UniswapV2Library.getAmountOut', () => {
        // 1 WETH into 1000 WETH / 3,000,000 USDC: 997 * 3e6 * 1e6 / (1000 * 1000 + 997) USDC units
        expect(amountOut(E18, 1000n * E18, 3_000_000n * E6)).toBe((997n * E18 * 3_000_000n * E6) / (1000n * E18 * 1000n + 997n * E18))
        expect(amountOut(0n, 1n, 1n)).toBe(0n)
    })

    it('applies a swap to the reserves (k never falls)', () => {
        const p = pool('p', WETH, 1000n * E18, USDC, 3_000_000n * E6)
        const { pool: after, out } = applySwap(p, WETH, 10n * E18)
        expect(out).toBe(quote(p, WETH, 10n * E18))
        expect(after.reserve0 * after.reserve1).toBeGreaterThanOrEqual(p.reserve0 * p.reserve1)
    })
})

describe('arbitrage', () => {
    const inconsistent = [
        pool('wu', WETH, 1000n * E18, USDC, 3_000_000n * E6),
        pool('wd', WETH, 800n * E18, DAI, 2_448_000n * E18),
        pool('du', DAI, 3_000_000n * E18, USDC, 2_985_000n * E6),
    ]

    it('finds both directions of the triangle from each token', () => {
        for (const t of [WETH, DAI, USDC]) {
            const cycles = cyclesFrom(inconsistent, t)
            expect(cycles).toHaveLength(2)
            for (const c of cycles) {
                expect(c.tokens[0]).toBe(t)
                expect(c.tokens[c.tokens.length - 1]).toBe(t)
                expect(new Set(c.pools).size).toBe(3)
            }
        }
    })

    it('sizes the profitable direction at the profit maximum, and finds nothing in the other', () => {
        const plans = cyclesFrom(inconsistent, USDC).map((c) => optimiseCycle(c, 1_000_000n * E6))
        const found = plans.filter((p) => p !== undefined)
        expect(found).toHaveLength(1)
        const plan = found[0]!
        expect(plan.profit).toBeGreaterThan(0n)
        expect(cycleOut(plan.cycle, plan.amountIn) - plan.amountIn).toBe(plan.profit)
        // a little more or less input earns no more
        const step = plan.amountIn / 50n
        expect(cycleOut(plan.cycle, plan.amountIn + step) - (plan.amountIn + step)).toBeLessThanOrEqual(plan.profit)
        expect(cycleOut(plan.cycle, plan.amountIn - step) - (plan.amountIn - step)).toBeLessThanOrEqual(plan.profit)
    })

    it('finds nothing when prices agree', () => {
        const consistent = [
            pool('wu', WETH, 1000n * E18, USDC, 3_000_000n * E6),
            pool('wd', WETH, 1000n * E18, DAI, 3_000_000n * E18),
            pool('du', DAI, 3_000_000n * E18, USDC, 3_000_000n * E6),
        ]
        for (const c of cyclesFrom(consistent, WETH)) expect(optimiseCycle(c, 1000n * E18)).toBeUndefined()
    })
})

describe('sandwich sizing', () => {
    const p = pool('wu', WETH, 1000n * E18, USDC, 3_000_000n * E6)

    it('frontruns as far as the victim’s slippage limit allows, and profits', () => {
        const victimIn = 60_000n * E6
        const minOut = (quote(p, USDC, victimIn) * 97n) / 100n
        const plan = planSandwich(p, USDC, victimIn, minOut, 1_000_000n * E6)!
        expect(plan).toBeDefined()
        expect(plan.victimOut).toBeGreaterThanOrEqual(minOut)
        expect(plan.profit).toBeGreaterThan(0n)
        expect(plan.profit).toBe(plan.backOut - plan.frontIn)
        // replay: frontrun, victim, backrun
        const f = applySwap(p, USDC, plan.frontIn)
        const v = applySwap(f.pool, USDC, victimIn)
        const b = applySwap(v.pool, WETH, f.out)
        expect([f.out, v.out, b.out]).toEqual([plan.frontOut, plan.victimOut, plan.backOut])
    })

    it('leaves tight or tiny victims alone', () => {
        const small = 100n * E6
        expect(planSandwich(p, USDC, small, (quote(p, USDC, small) * 999n) / 1000n, 1_000_000n * E6)).toBeUndefined()
        const big = 60_000n * E6
        expect(planSandwich(p, USDC, big, quote(p, USDC, big), 1_000_000n * E6)).toBeUndefined()
        expect(planSandwich(p, USDC, big, quote(p, USDC, big) + 1n, 1_000_000n * E6)).toBeUndefined()
    })
})
