/** The DEX activity simulator's options and counters (mev.ts). */
import type { UniswapDeployment } from '../deploy/uniswap'
import type { ProposerRotation } from './proposers'

export interface MevSimOptions {
    rpcUrl: string
    uniswap: UniswapDeployment
    /** Needed for sandwiches (their three transactions are mined together, in a block with the scheduled coinbase). */
    rotation?: ProposerRotation
    traders?: number
    /** Chance per tick of an organic swap (default 0.8). */
    swapChance?: number
    /** Chance that a profitable organic swap gets sandwiched (default 0.35). */
    sandwichChance?: number
    /** Chance per tick that the arbitrage bot looks for a cycle (default 0.8). */
    arbitrageChance?: number
    /** Smallest profit, in USD, the arbitrage bot acts on (default 25). */
    minArbitrageUsd?: number
    /** Smallest profit, in USD, the sandwich bot acts on (default 10). */
    minSandwichUsd?: number
    /** Organic swap sizes in USD: [min, max], log-uniform (default [300, 80,000]). */
    swapUsd?: [number, number]
    seed?: number
    log?: (msg: string) => void
}

export interface MevStats {
    ticks: number
    swaps: number
    arbitrages: number
    sandwiches: number
    /** sandwiches whose three transactions did not land in order in one block */
    brokenSandwiches: number
    /** wei paid to block.coinbase by the bots */
    coinbaseTips: bigint
    failures: number
}
