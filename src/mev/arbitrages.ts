import { Arbitrage, Swap } from './types'
import { compareSwaps, findSwapsInTransaction, revertRoots } from './swaps'
import { TxTraces, compareTraceAddress } from './util'

/**
 * Arbitrage routes among one transaction's swaps, by mev-inspect-py's definition: a series of swaps
 * that brings the starting token back to the address that paid for the first swap.
 *
 *  - a route starts with a swap paid by an address that is not one of the tx's pools (the searcher),
 *    and ends with a swap that pays the same token back to that address;
 *  - consecutive swaps connect: the next swap takes the previous one's token out, and either the
 *    previous pool paid the next one, or the output went to the next pool's payer (routes through the
 *    searcher: BOT -> A/B -> BOT -> B/C -> BOT);
 *  - the shortest such route wins; a swap belongs to at most one route.
 *
 * Profit = end amount - start amount, in the start token. Because the start is the searcher's own
 * payment, a route whose first pool is paid inside its callback by the last pool (V3 flash-swap
 * style) still gets its profit in the token the cycle starts and ends with.
 */
export function findSwapRoutes(txSwaps: Swap[]): Swap[][] {
    const swaps = [...txSwaps].sort(compareSwaps)
    const pools = new Set(swaps.map((s) => s.contractAddress))
    const used = new Set<Swap>()
    const routes: Swap[][] = []
    for (const start of swaps) {
        if (used.has(start) || pools.has(start.fromAddress)) continue
        const ends = swaps.filter(
            (e) => e !== start && !used.has(e) && e.tokenOutAddress === start.tokenInAddress && e.recipientAddress === start.fromAddress,
        )
        const route = shortestRoute(start, ends, swaps.filter((s) => !used.has(s)), MAX_ROUTE, { steps: SEARCH_STEPS })
        if (!route) continue
        routes.push(route)
        for (const s of route) used.add(s)
    }
    if (routes.length <= 1) return routes
    // Several routes in one tx: routes through the searcher can be read from any swap (A->B->C->A or
    // B->C->A->B); keep the ones read in call order.
    const ordered = routes.filter((r) => compareTraceAddress(r[0].traceAddress, r[r.length - 1].traceAddress) < 0)
    return ordered.length ? ordered : routes
}

/** Longest swap route considered for one arbitrage. */
const MAX_ROUTE = 8
/** Bound on the route search from one start (a transaction with many interlinked swaps stays fast). */
const SEARCH_STEPS = 20_000

function connects(a: Swap, b: Swap): boolean {
    return (
        a.tokenOutAddress === b.tokenInAddress &&
        (a.contractAddress === b.fromAddress || a.recipientAddress === b.contractAddress || a.recipientAddress === b.fromAddress)
    )
}

function shortestRoute(start: Swap, ends: Swap[], all: Swap[], maxLen: number, budget: { steps: number }): Swap[] | null {
    if (ends.length === 0 || maxLen < 2 || --budget.steps < 0) return null
    for (const end of ends) if (start.tokenOutAddress === end.tokenInAddress) return [start, end]
    const others = all.filter((s) => s !== start && !ends.includes(s))
    let best: Swap[] | null = null
    let limit = maxLen - 1
    for (const next of others) {
        if (!connects(start, next)) continue
        const rest = shortestRoute(next, ends, others, limit, budget)
        if (rest && (!best || rest.length < best.length)) {
            best = rest
            limit = rest.length - 1
        }
    }
    return best ? [start, ...best] : null
}

/**
 * A route read from the middle of the cycle (its first swap paid with exactly the last swap's
 * output, so profit 0 in an intermediate token) is turned to start where the searcher put tokens in:
 * the first swap whose input is not exactly the previous swap's output.
 */
export function cycleStart(route: Swap[]): Swap[] {
    const n = route.length
    const chained = (prev: Swap, next: Swap) => prev.tokenOutAddress === next.tokenInAddress && prev.tokenOutAmount === next.tokenInAmount
    if (!chained(route[n - 1], route[0])) return route
    for (let k = 1; k < n; k++) {
        if (!chained(route[k - 1], route[k])) return [...route.slice(k), ...route.slice(0, k)]
    }
    return route
}

function toArbitrage(tx: TxTraces, found: Swap[], error: string | null): Arbitrage {
    const route = cycleStart(found)
    const first = route[0]
    const last = route[route.length - 1]
    return {
        transactionHash: tx.transactionHash,
        transactionPosition: tx.transactionPosition,
        // the searcher: who paid the swap the route was found from (and got the end output)
        accountAddress: found[0].fromAddress,
        profitTokenAddress: first.tokenInAddress,
        startAmount: first.tokenInAmount,
        endAmount: last.tokenOutAmount,
        profitAmount: (BigInt(last.tokenOutAmount) - BigInt(first.tokenInAmount)).toString(),
        error,
        swaps: route,
        gasCost: null,
        netProfit: null,
    }
}

/**
 * Arbitrages of one transaction. `liveSwaps` are the swaps that took effect (from
 * findSwapsInTransaction). A failed call frame (including a reverted top-level call) is classified
 * as if it had succeeded, all its swaps together, and is one attempt: the routes found in it form a
 * single arbitrage (swaps in call order, from the first route's start to the last swap back into its
 * token) reported with the frame's error.
 */
export function findArbitragesInTransaction(tx: TxTraces, liveSwaps?: Swap[]): Arbitrage[] {
    const swaps = liveSwaps ?? findSwapsInTransaction(tx)
    const arbs = findSwapRoutes(swaps).map((r) => toArbitrage(tx, r, null))
    for (const root of revertRoots(tx)) {
        const reverted = findSwapsInTransaction(tx, { revertedRoot: root.traceAddress })
        if (reverted.length < 2) continue
        const routes = findSwapRoutes(reverted)
        if (routes.length) arbs.push(toArbitrage(tx, mergeRoutes(routes), root.error ?? 'Reverted'))
    }
    return arbs.sort((a, b) => compareSwaps(a.swaps[0], b.swaps[0]))
}

/** One failed attempt read as several routes -> one route: all swaps in call order, cut after the last swap back into the start token. */
function mergeRoutes(routes: Swap[][]): Swap[] {
    if (routes.length === 1) return routes[0]
    const first = cycleStart(routes[0])
    const all = routes.flat().sort(compareSwaps)
    const start = all.indexOf(first[0])
    const ordered = [...all.slice(start), ...all.slice(0, start)]
    let end = ordered.length - 1
    while (end > 0 && ordered[end].tokenOutAddress !== first[0].tokenInAddress) end--
    return ordered.slice(0, end + 1)
}
