/**
 * Uniswap V2 arithmetic for the simulator's searchers (pure, exact, bigint): quotes as the pair computes them
 * (0.3% fee), the best arbitrage around a cycle of pairs, and the largest frontrun a victim's slippage limit allows.
 */

export interface Pool {
    address: string
    name: string
    token0: string
    token1: string
    reserve0: bigint
    reserve1: bigint
}

/** UniswapV2Library.getAmountOut. */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
    if (amountIn <= 0n || reserveIn <= 0n || reserveOut <= 0n) return 0n
    const inWithFee = amountIn * 997n
    return (inWithFee * reserveOut) / (reserveIn * 1000n + inWithFee)
}

export function hasToken(pool: Pool, token: string): boolean {
    return pool.token0 === token || pool.token1 === token
}

export function otherToken(pool: Pool, token: string): string {
    if (pool.token0 === token) return pool.token1
    if (pool.token1 === token) return pool.token0
    throw new Error(`${token} is not a token of pool ${pool.name}`)
}

export function reservesFor(pool: Pool, tokenIn: string): [reserveIn: bigint, reserveOut: bigint] {
    return tokenIn === pool.token0 ? [pool.reserve0, pool.reserve1] : [pool.reserve1, pool.reserve0]
}

export function quote(pool: Pool, tokenIn: string, amountIn: bigint): bigint {
    const [rin, rout] = reservesFor(pool, tokenIn)
    return amountOut(amountIn, rin, rout)
}

/** The pool after selling `amountIn` of `tokenIn` into it, and what the seller got. */
export function applySwap(pool: Pool, tokenIn: string, amountIn: bigint): { pool: Pool; out: bigint } {
    const out = quote(pool, tokenIn, amountIn)
    const zeroForOne = tokenIn === pool.token0
    return {
        out,
        pool: {
            ...pool,
            reserve0: zeroForOne ? pool.reserve0 + amountIn : pool.reserve0 - out,
            reserve1: zeroForOne ? pool.reserve1 - out : pool.reserve1 + amountIn,
        },
    }
}

export interface Cycle {
    pools: Pool[]
    /** tokens[0] = start = tokens[pools.length] */
    tokens: string[]
}

/** Cycles of 2..maxHops distinct pools that start and end in `start`. */
export function cyclesFrom(pools: Pool[], start: string, maxHops = 3): Cycle[] {
    const out: Cycle[] = []
    const walk = (path: Pool[], tokens: string[]) => {
        const cur = tokens[tokens.length - 1]
        for (const p of pools) {
            if (path.includes(p) || !hasToken(p, cur)) continue
            const next = otherToken(p, cur)
            if (next === start) {
                if (path.length + 1 >= 2) out.push({ pools: [...path, p], tokens: [...tokens, next] })
                continue
            }
            if (path.length + 1 < maxHops && !tokens.includes(next)) walk([...path, p], [...tokens, next])
        }
    }
    walk([], [start])
    return out
}

export function cycleOut(cycle: Cycle, amountIn: bigint): bigint {
    let amount = amountIn
    cycle.pools.forEach((p, i) => (amount = quote(p, cycle.tokens[i], amount)))
    return amount
}

export interface ArbitragePlan {
    cycle: Cycle
    amountIn: bigint
    amountOut: bigint
    /** in the start token */
    profit: bigint
}

/** The most profitable input (at most `cap`) around `cycle`: profit is concave in the input, so a ternary search finds it. */
export function optimiseCycle(cycle: Cycle, cap: bigint): ArbitragePlan | undefined {
    const profit = (x: bigint) => cycleOut(cycle, x) - x
    let lo = 0n
    let hi = cap
    while (hi - lo > 2n) {
        const m1 = lo + (hi - lo) / 3n
        const m2 = hi - (hi - lo) / 3n
        if (profit(m1) < profit(m2)) lo = m1
        else hi = m2
    }
    let best = lo
    for (let x = lo + 1n; x <= hi; x++) if (profit(x) > profit(best)) best = x
    const p = profit(best)
    if (best <= 0n || p <= 0n) return undefined
    return { cycle, amountIn: best, amountOut: best + p, profit: p }
}

export interface SandwichPlan {
    /** the searcher sells frontIn of the victim's input token first... */
    frontIn: bigint
    frontOut: bigint
    /** ...the victim gets victimOut (≥ its minimum)... */
    victimOut: bigint
    /** ...then the searcher sells frontOut back and receives backOut of the victim's input token */
    backOut: bigint
    /** backOut − frontIn, in the victim's input token (mev-inspect's sandwich profit) */
    profit: bigint
}

function simulateSandwich(pool: Pool, tokenIn: string, victimIn: bigint, frontIn: bigint): SandwichPlan {
    const front = applySwap(pool, tokenIn, frontIn)
    const victim = applySwap(front.pool, tokenIn, victimIn)
    const back = applySwap(victim.pool, otherToken(pool, tokenIn), front.out)
    return { frontIn, frontOut: front.out, victimOut: victim.out, backOut: back.out, profit: back.out - frontIn }
}

/**
 * The frontrun that pushes the price as far as the victim's `victimMinOut` allows (at most `cap`), or a smaller one
 * when that earns more; undefined when no frontrun is profitable or the victim would fail anyway.
 */
export function planSandwich(pool: Pool, tokenIn: string, victimIn: bigint, victimMinOut: bigint, cap: bigint): SandwichPlan | undefined {
    if (quote(pool, tokenIn, victimIn) < victimMinOut || cap <= 0n) return undefined
    // victim's output falls as the frontrun grows: the largest frontrun it tolerates, by bisection
    let lo = 0n
    let hi = cap
    if (simulateSandwich(pool, tokenIn, victimIn, hi).victimOut < victimMinOut) {
        while (hi - lo > 1n) {
            const mid = (lo + hi) / 2n
            if (simulateSandwich(pool, tokenIn, victimIn, mid).victimOut >= victimMinOut) lo = mid
            else hi = mid
        }
        hi = lo
    }
    if (hi <= 0n) return undefined
    let best: SandwichPlan | undefined
    for (const pct of [100n, 90n, 75n, 60n, 45n, 30n]) {
        const plan = simulateSandwich(pool, tokenIn, victimIn, (hi * pct) / 100n)
        if (plan.frontIn > 0n && plan.victimOut >= victimMinOut && (!best || plan.profit > best.profit)) best = plan
    }
    return best && best.profit > 0n ? best : undefined
}
