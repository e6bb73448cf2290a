/**
 * Types for the trace-based MEV classifier.
 *
 * `Trace` follows the Parity/OpenEthereum `trace_block` RPC shape (camelCase), so traces fetched
 * from an archive node can be passed in unchanged. Quantities may be hex strings ("0x1a"), decimal
 * strings, numbers or bigints; the classifier normalises them itself.
 */

import type { Liquidation } from './liquidation-types'
import type { NftTrade, PunkBid, PunkBidAcceptance, PunkSnipe } from './market-types'

export type { Liquidation, LiquidationProtocol } from './liquidation-types'
export type { NftTrade, PunkBid, PunkBidAcceptance, PunkSnipe } from './market-types'

export type Quantity = string | number | bigint

export interface TraceAction {
    from?: string | null
    to?: string | null
    /** "call" | "staticcall" | "delegatecall" | "callcode" (absent for create/suicide/reward). */
    callType?: string | null
    input?: string | null
    value?: Quantity | null
    gas?: Quantity | null
    /** create / suicide / reward fields, kept only for completeness. */
    init?: string | null
    address?: string | null
    refundAddress?: string | null
    balance?: Quantity | null
    author?: string | null
    rewardType?: string | null
}

export interface TraceResult {
    output?: string | null
    gasUsed?: Quantity | null
    address?: string | null
    code?: string | null
}

export interface Trace {
    /** "call" | "create" | "suicide" | "reward" */
    type: string
    action: TraceAction
    result?: TraceResult | null
    subtraces?: number
    traceAddress: number[]
    transactionHash?: string | null
    transactionPosition?: number | null
    blockNumber?: number
    blockHash?: string
    /** Set when this call frame failed ("Reverted", "Out of gas", ...). */
    error?: string | null
}

export interface Receipt {
    transactionHash: string
    transactionIndex: number
    gasUsed?: Quantity | null
    effectiveGasPrice?: Quantity | null
    cumulativeGasUsed?: Quantity | null
    from?: string | null
    to?: string | null
    status?: Quantity | null
}

export interface BlockInput {
    blockNumber: number
    blockTimestamp?: number
    /** Block beneficiary (coinbase). Needed for coinbase transfers. */
    miner?: string | null
    baseFeePerGas?: Quantity | null
    traces: Trace[]
    receipts?: Receipt[]
}

export type SwapProtocol = 'uniswap_v2' | 'uniswap_v3' | 'balancer_v1' | 'curve' | 'bancor' | 'zero_ex'

export interface Swap {
    transactionHash: string
    transactionPosition: number
    traceAddress: number[]
    /** Pool address. */
    contractAddress: string
    /** Caller of swap() (trace.action.from). */
    fromAddress: string
    /** Recipient argument of swap(). */
    recipientAddress: string
    tokenInAddress: string
    /** Decimal string. */
    tokenInAmount: string
    tokenOutAddress: string
    /** Decimal string. */
    tokenOutAmount: string
    protocol: SwapProtocol
    /** null for swaps that took effect; the swap call's own error inside reverted arbitrages. */
    error: string | null
}

export interface Arbitrage {
    transactionHash: string
    transactionPosition: number
    /** Who paid for the route's first swap (the searcher's account or contract). */
    accountAddress: string
    profitTokenAddress: string
    /** Decimal strings: the first swap's input, the last swap's output. */
    startAmount: string
    endAmount: string
    /** Decimal string, may be negative: endAmount - startAmount (gross, before gas). */
    profitAmount: string
    /** null, or the error of the reverted call frame that contained the arbitrage. */
    error: string | null
    swaps: Swap[]
    /** Wei paid for inclusion (gas fee + coinbase transfer); null without a receipt. */
    gasCost: string | null
    /** profitAmount - gasCost when the profit is in WETH/ETH; null otherwise. */
    netProfit: string | null
}

export interface Sandwich {
    sandwicherAddress: string
    frontrunSwap: Swap
    sandwichedSwaps: Swap[]
    backrunSwap: Swap
    profitTokenAddress: string
    /** Decimal string, may be negative (gross). */
    profitAmount: string
    /** Wei paid for inclusion of the frontrun and backrun transactions; null without receipts. */
    gasCost: string | null
    /** profitAmount - gasCost when the profit is in WETH/ETH; null otherwise. */
    netProfit: string | null
}

export interface CoinbaseTransfer {
    transactionHash: string
    from: string
    /** Wei, decimal string. */
    amount: string
}

/** What one transaction paid the block producer (mev-inspect-py's MinerPayment). Amounts in wei. */
export interface MinerPayment {
    transactionHash: string
    transactionIndex: number
    minerAddress: string
    coinbaseTransfer: string
    baseFeePerGas: string
    /** The receipt's effective gas price. */
    gasPrice: string
    /** (gasUsed x gasPrice + coinbaseTransfer) / gasUsed, rounded down. */
    gasPriceWithCoinbaseTransfer: string
    gasUsed: string
    transactionToAddress: string | null
    transactionFromAddress: string
}

/** Just-in-time liquidity on a Uniswap V3 pool (mint, swaps, burn of one position in one block). */
export interface JitLiquidity {
    botAddress: string
    poolAddress: string
    mintTransactionHash: string
    mintTrace: number[]
    burnTransactionHash: string
    burnTrace: number[]
    swaps: Swap[]
    token0Address: string
    token1Address: string
    mintToken0Amount: string
    mintToken1Amount: string
    burnToken0Amount: string
    burnToken1Amount: string
    /** Sum of the served swaps' inputs in each token. */
    token0SwapVolume: string
    token1SwapVolume: string
}

/** One block's classification. The categories mirror mev-inspect-py's output (plus coinbaseTransfers). */
export interface BlockClassification {
    blockNumber: number
    swaps: Swap[]
    arbitrages: Arbitrage[]
    sandwiches: Sandwich[]
    liquidations: Liquidation[]
    jitLiquidity: JitLiquidity[]
    nftTrades: NftTrade[]
    punkBids: PunkBid[]
    punkBidAcceptances: PunkBidAcceptance[]
    punkSnipes: PunkSnipe[]
    minerPayments: MinerPayment[]
    /** Individual ETH transfers to the miner (the processor's coinbase revenue). */
    coinbaseTransfers: CoinbaseTransfer[]
}
