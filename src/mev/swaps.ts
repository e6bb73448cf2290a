import { Swap, SwapProtocol, Trace } from './types'
import {
    TxTraces,
    abiWords,
    compareTraceAddress,
    erroredKeys,
    groupByTransaction,
    isDescendant,
    isPlainCall,
    isRolledBack,
    isSameOrDescendant,
    lower,
    selectorOf,
    wordToAddress,
    wordToUint,
} from './util'

export const SELECTOR_ERC20_TRANSFER = '0xa9059cbb' // transfer(address,uint256)
export const SELECTOR_ERC20_TRANSFER_FROM = '0x23b872dd' // transferFrom(address,address,uint256)
export const SELECTOR_UNISWAP_V2_SWAP = '0x022c0d9f' // swap(uint256,uint256,address,bytes)
export const SELECTOR_UNISWAP_V3_SWAP = '0x128acb08' // swap(address,bool,int256,uint160,bytes)

/** An ERC20 transfer found from a transfer/transferFrom call trace. */
export interface Erc20Transfer {
    /** Position of the call in the transaction's ordered trace list. */
    index: number
    traceAddress: number[]
    token: string
    from: string
    to: string
    amount: bigint
}

export function decodeErc20Transfer(t: Trace, index = 0): Erc20Transfer | null {
    if (!isPlainCall(t)) return null
    const input = t.action.input
    const sel = selectorOf(input)
    const token = lower(t.action.to)
    const caller = lower(t.action.from)
    if (!input || !token || !caller) return null
    if (sel === SELECTOR_ERC20_TRANSFER) {
        const w = abiWords(input)
        if (w.length < 2) return null
        return { index, traceAddress: t.traceAddress, token, from: caller, to: wordToAddress(w[0]), amount: wordToUint(w[1]) }
    }
    if (sel === SELECTOR_ERC20_TRANSFER_FROM) {
        const w = abiWords(input)
        if (w.length < 3) return null
        return { index, traceAddress: t.traceAddress, token, from: wordToAddress(w[0]), to: wordToAddress(w[1]), amount: wordToUint(w[2]) }
    }
    return null
}

interface SwapCall {
    index: number
    trace: Trace
    protocol: SwapProtocol
    pool: string
    caller: string
    recipient: string
}

function decodeSwapCall(t: Trace, index: number): SwapCall | null {
    if (!isPlainCall(t)) return null
    const input = t.action.input
    const sel = selectorOf(input)
    const pool = lower(t.action.to)
    const caller = lower(t.action.from)
    if (!input || !pool || !caller) return null
    if (sel === SELECTOR_UNISWAP_V2_SWAP) {
        // swap(uint amount0Out, uint amount1Out, address to, bytes data)
        const w = abiWords(input)
        if (w.length < 4) return null
        return { index, trace: t, protocol: 'uniswap_v2', pool, caller, recipient: wordToAddress(w[2]) }
    }
    if (sel === SELECTOR_UNISWAP_V3_SWAP) {
        // swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes data)
        const w = abiWords(input)
        if (w.length < 5) return null
        return { index, trace: t, protocol: 'uniswap_v3', pool, caller, recipient: wordToAddress(w[0]) }
    }
    return null
}

export interface FindSwapsOptions {
    /**
     * Classify the subtree of this failed call frame as if it had not reverted (used for reverted
     * arbitrages). Only swaps inside the subtree are returned; their `error` is their own trace error.
     * Without it, only swaps whose effects were kept (no error on the call or an ancestor) are returned.
     */
    revertedRoot?: number[]
}

/** Swaps of one transaction (traces in call-tree order, as from groupByTransaction). */
export function findSwapsInTransaction(tx: TxTraces, opts: FindSwapsOptions = {}): Swap[] {
    const errored = erroredKeys(tx.traces)
    const root = opts.revertedRoot
    const usable = (ta: number[]) => (root && isSameOrDescendant(ta, root)) || !isRolledBack(ta, errored)

    const transfers: Erc20Transfer[] = []
    const calls: SwapCall[] = []
    tx.traces.forEach((t, i) => {
        if (!usable(t.traceAddress)) return
        const tr = decodeErc20Transfer(t, i)
        if (tr) {
            transfers.push(tr)
            return
        }
        if (root && !isSameOrDescendant(t.traceAddress, root)) return
        const sc = decodeSwapCall(t, i)
        if (sc) calls.push(sc)
    })
    if (calls.length === 0) return []

    // A transfer can pay one swap and be the output of another (multi-hop: pair1 sends straight to
    // pair2), so inputs and outputs are consumed separately.
    const usedAsIn = new Set<number>()
    const usedAsOut = new Set<number>()
    const swaps: Swap[] = []

    for (const c of calls) {
        const ta = c.trace.traceAddress
        const inSubtree = transfers.filter((tr) => isDescendant(tr.traceAddress, ta))
        const outs = inSubtree.filter((tr) => tr.from === c.pool && tr.to === c.recipient && !usedAsOut.has(tr.index))
        if (outs.length !== 1) continue
        const out = outs[0]

        const isIn = (tr: Erc20Transfer) => tr.to === c.pool && tr.token !== out.token && !usedAsIn.has(tr.index)
        const prior = transfers.filter((tr) => tr.index < c.index && !isDescendant(tr.traceAddress, ta) && isIn(tr))
        const children = inSubtree.filter(isIn)
        let tin: Erc20Transfer | undefined
        if (c.protocol === 'uniswap_v2') {
            // V2 pairs are paid before swap() (flash swaps pay inside the callback).
            tin = prior.length > 0 ? prior[prior.length - 1] : children[0]
        } else {
            // V3 pools are paid in uniswapV3SwapCallback, inside the swap call.
            tin = children.length > 0 ? children[0] : prior[prior.length - 1]
        }
        if (!tin) continue
        usedAsIn.add(tin.index)
        usedAsOut.add(out.index)

        swaps.push({
            transactionHash: tx.transactionHash,
            transactionPosition: tx.transactionPosition,
            traceAddress: [...ta],
            contractAddress: c.pool,
            fromAddress: c.caller,
            recipientAddress: c.recipient,
            tokenInAddress: tin.token,
            tokenInAmount: tin.amount.toString(),
            tokenOutAddress: out.token,
            tokenOutAmount: out.amount.toString(),
            protocol: c.protocol,
            error: root ? c.trace.error ?? null : null,
        })
    }
    return swaps
}

/** Topmost failed call frames of a transaction (a failed frame whose parent did not fail). */
export function revertRoots(tx: TxTraces): Trace[] {
    const errored = erroredKeys(tx.traces)
    return tx.traces.filter((t) => t.error && (t.traceAddress.length === 0 || !isRolledBack(t.traceAddress.slice(0, -1), errored)))
}

export function compareSwaps(a: Swap, b: Swap): number {
    return a.transactionPosition - b.transactionPosition || compareTraceAddress(a.traceAddress, b.traceAddress)
}

/** All swaps that took effect in a block, in block order. */
export function findSwaps(traces: Trace[] | TxTraces[]): Swap[] {
    const txs = isGrouped(traces) ? traces : groupByTransaction(traces)
    const swaps = txs.flatMap((tx) => findSwapsInTransaction(tx))
    return swaps.sort(compareSwaps)
}

export function isGrouped(x: Trace[] | TxTraces[]): x is TxTraces[] {
    return x.length > 0 && Array.isArray((x[0] as TxTraces).traces)
}
