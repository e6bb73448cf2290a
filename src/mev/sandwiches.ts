import { Sandwich, Swap } from './types'
import { compareSwaps, swapCollector } from './swaps'

/**
 * Sandwiches in a block's swaps (mev-inspect-py's definition, with the sandwicher followed through
 * routers).
 *
 * For each swap taken as a frontrun, the sandwicher is whoever collected its output (its recipient,
 * or the address a router passed the output on to). Walking later transactions' swaps on the same pool:
 *  - same direction by someone else (the sandwicher neither paid it nor collected its output) -> victim;
 *  - opposite direction paid by the sandwicher or whose output the sandwicher collected, whichever
 *    contract sits in between -> backrun; it closes the sandwich if at least one victim was seen.
 * profit = backrun token out amount - frontrun token in amount, in the frontrun's token in.
 */
export function findSandwiches(blockSwaps: Swap[]): Sandwich[] {
    const swaps = blockSwaps.filter((s) => s.error === null).sort(compareSwaps)
    const sandwiches: Sandwich[] = []

    for (let i = 0; i < swaps.length; i++) {
        const front = swaps[i]
        const sandwicher = swapCollector(front)
        const victims: Swap[] = []
        for (let j = i + 1; j < swaps.length; j++) {
            const s = swaps[j]
            if (s.transactionHash === front.transactionHash) continue
            if (s.contractAddress !== front.contractAddress) continue
            const bySandwicher = s.fromAddress === sandwicher || swapCollector(s) === sandwicher
            const sameDirection = s.tokenInAddress === front.tokenInAddress && s.tokenOutAddress === front.tokenOutAddress
            const opposite = s.tokenInAddress === front.tokenOutAddress && s.tokenOutAddress === front.tokenInAddress
            if (sameDirection && !bySandwicher) {
                victims.push(s)
            } else if (opposite && bySandwicher) {
                const sandwiched = victims.filter((v) => v.transactionHash !== s.transactionHash)
                if (sandwiched.length > 0) {
                    sandwiches.push({
                        sandwicherAddress: sandwicher,
                        frontrunSwap: front,
                        sandwichedSwaps: sandwiched,
                        backrunSwap: s,
                        profitTokenAddress: front.tokenInAddress,
                        profitAmount: (BigInt(s.tokenOutAmount) - BigInt(front.tokenInAmount)).toString(),
                        gasCost: null,
                        netProfit: null,
                    })
                }
                break
            }
        }
    }
    return sandwiches
}
