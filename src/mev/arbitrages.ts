import { Arbitrage, Swap } from './types'
import { compareSwaps, findSwapsInTransaction, revertRoots } from './swaps'
import { TxTraces, lower } from './util'

/** Longest swap route considered for one arbitrage. */
const MAX_ROUTE = 8

/**
 * Splits one transaction's swaps into token cycles: swap i's token out is swap i+1's token in, and
 * the last swap's token out is the first swap's token in. A pool is used at most once per cycle.
 * Swaps that belong to no cycle are left out.
 */
export function findSwapCycles(txSwaps: Swap[]): Swap[][] {
    let remaining = [...txSwaps].sort(compareSwaps)
    const cycles: Swap[][] = []

    const extend = (route: Swap[]): Swap[] | null => {
        const first = route[0]
        const cur = route[route.length - 1]
        if (route.length >= 2 && cur.tokenOutAddress === first.tokenInAddress) return route
        if (route.length >= MAX_ROUTE) return null
        const curPos = remaining.indexOf(cur)
        const candidates = remaining
            .filter(
                (s) =>
                    !route.includes(s) &&
                    s.tokenInAddress === cur.tokenOutAddress &&
                    !route.some((r) => r.contractAddress === s.contractAddress),
            )
            // prefer the pool the previous swap paid into, then swaps that come later in the call order
            .map((s) => ({ s, rank: (s.contractAddress === cur.recipientAddress ? 0 : 2) + (remaining.indexOf(s) > curPos ? 0 : 1) }))
            .sort((a, b) => a.rank - b.rank || remaining.indexOf(a.s) - remaining.indexOf(b.s))
        for (const { s } of candidates) {
            const found = extend([...route, s])
            if (found) return found
        }
        return null
    }

    for (;;) {
        let found: Swap[] | null = null
        for (const start of remaining) {
            found = extend([start])
            if (found) break
        }
        if (!found) break
        cycles.push(found)
        remaining = remaining.filter((s) => !found!.includes(s))
    }
    return cycles
}

function toArbitrage(tx: TxTraces, cycle: Swap[], error: string | null): Arbitrage {
    const first = cycle[0]
    const last = cycle[cycle.length - 1]
    const top = tx.traces.find((t) => t.traceAddress.length === 0)
    return {
        transactionHash: tx.transactionHash,
        transactionPosition: tx.transactionPosition,
        accountAddress: lower(top?.action.from) ?? first.fromAddress,
        profitTokenAddress: first.tokenInAddress,
        profitAmount: (BigInt(last.tokenOutAmount) - BigInt(first.tokenInAmount)).toString(),
        error,
        swaps: cycle,
    }
}

/**
 * Arbitrages of one transaction. `liveSwaps` are the swaps that took effect (from
 * findSwapsInTransaction). Failed call frames (including a reverted top-level call) are classified
 * as if they had succeeded; cycles found there are reported with the frame's error.
 */
export function findArbitragesInTransaction(tx: TxTraces, liveSwaps?: Swap[]): Arbitrage[] {
    const swaps = liveSwaps ?? findSwapsInTransaction(tx)
    const arbs = findSwapCycles(swaps).map((c) => toArbitrage(tx, c, null))
    for (const root of revertRoots(tx)) {
        const reverted = findSwapsInTransaction(tx, { revertedRoot: root.traceAddress })
        if (reverted.length < 2) continue
        for (const c of findSwapCycles(reverted)) arbs.push(toArbitrage(tx, c, root.error ?? 'Reverted'))
    }
    return arbs.sort((a, b) => compareSwaps(a.swaps[0], b.swaps[0]))
}
