import { BlockClassification } from './types'

/**
 * One block's result in mev-inspect-py's object model, camelCased: every category it reports
 * (plus jitLiquidity), each object carrying its blockNumber like mev-inspect-py's rows. Amounts are
 * decimal strings and addresses lowercase already.
 */
export type MevInspectBlock = Omit<BlockClassification, 'coinbaseTransfers'>

/** The keys of MevInspectBlock's categories, in output order. */
export const MEV_CATEGORIES = [
    'swaps',
    'arbitrages',
    'sandwiches',
    'liquidations',
    'jitLiquidity',
    'nftTrades',
    'punkBids',
    'punkBidAcceptances',
    'punkSnipes',
    'minerPayments',
] as const

export function toMevInspectBlock(c: BlockClassification): MevInspectBlock {
    const blockNumber = c.blockNumber
    const out: Record<string, unknown> = { blockNumber }
    for (const k of MEV_CATEGORIES) out[k] = ((c[k] ?? []) as object[]).map((x) => withBlock(x, blockNumber))
    return out as unknown as MevInspectBlock
}

/** Adds blockNumber to an object and to the swaps nested in it (arbitrage, sandwich and JIT legs). */
function withBlock(x: object, blockNumber: number): object {
    if (!x || typeof x !== 'object') return x
    const o: Record<string, unknown> = { blockNumber, ...(x as Record<string, unknown>) }
    for (const k of ['swaps', 'sandwichedSwaps']) if (Array.isArray(o[k])) o[k] = (o[k] as object[]).map((s) => withBlock(s, blockNumber))
    for (const k of ['frontrunSwap', 'backrunSwap']) if (o[k] && typeof o[k] === 'object') o[k] = withBlock(o[k] as object, blockNumber)
    return o
}
