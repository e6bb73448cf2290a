import { Swap, Trace } from './types'
import { SwapCall, decodeSwapCall } from './swap-calls'
import { WETH_ADDRESS } from './call-transfers'
import { ETH_TOKEN, Erc20Transfer, callValueTransfer, decodeErc20Transfer, decodeEthTransfer, markNestedTransfers, visibleFrom } from './transfers'
import { TxTraces, compareTraceAddress, erroredKeys, groupByTransaction, isDescendant, isRolledBack, isSameOrDescendant } from './util'

export { SELECTOR_ERC20_TRANSFER, SELECTOR_ERC20_TRANSFER_FROM, decodeErc20Transfer } from './transfers'
export type { Erc20Transfer } from './transfers'
export { SELECTOR_UNISWAP_V2_SWAP, SELECTOR_UNISWAP_V3_SWAP } from './swap-calls'

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
        const tr = decodeErc20Transfer(t, i) ?? decodeEthTransfer(t, i)
        if (tr) {
            transfers.push(tr)
            return
        }
        if (root && !isSameOrDescendant(t.traceAddress, root)) return
        const sc = decodeSwapCall(t, i)
        if (sc) calls.push(sc)
    })
    if (calls.length === 0) return []
    markNestedTransfers(transfers)
    const pools = calls.filter((c) => !isZap(c, calls))

    // A transfer can pay one swap and be the output of another (multi-hop: pair1 sends straight to
    // pair2), so inputs and outputs are consumed separately.
    const used: Used = { asIn: new Set<number>(), asOut: new Set<number>() }
    const swaps: Swap[] = []
    const outputs: [Swap, Erc20Transfer][] = []
    for (const c of pools) {
        const visible = transfers.filter((tr) => visibleFrom(tr, c.trace.traceAddress))
        const legs = c.legs === 'order' ? orderLegs(c, visible) : c.legs === 'recipient' ? recipientLegs(c, visible, used) : poolLegs(c, visible, used)
        if (!legs) continue
        const swap: Swap = {
            transactionHash: tx.transactionHash,
            transactionPosition: tx.transactionPosition,
            traceAddress: [...c.trace.traceAddress],
            contractAddress: c.pool,
            fromAddress: legs.from,
            recipientAddress: legs.to,
            tokenInAddress: legs.tokenIn,
            tokenInAmount: legs.amountIn.toString(),
            tokenOutAddress: legs.tokenOut,
            tokenOutAmount: legs.amountOut.toString(),
            protocol: c.protocol,
            error: root ? c.trace.error ?? null : null,
        }
        if (legs.out) outputs.push([swap, legs.out])
        swaps.push(swap)
    }
    for (const [swap, out] of outputs) {
        const fwd = forwardedTo(out, transfers, used)
        if (fwd) collectors.set(swap, fwd)
    }
    return swaps
}

const WETH = WETH_ADDRESS
const collectors = new WeakMap<Swap, string>()

/**
 * Who ends up with a swap's output: its recipient, or the address the recipient passed the whole
 * output on to later in the transaction (a router unwrapping WETH and sending the ETH to its caller).
 */
export function swapCollector(s: Swap): string {
    return collectors.get(s) ?? s.recipientAddress
}

/** The later transfer passing the whole output on, unless it pays another swap (a route, not a collection). */
function forwardedTo(out: Erc20Transfer, transfers: Erc20Transfer[], used: Used): string | null {
    const same = (tr: Erc20Transfer) => tr.token === out.token || (out.token === WETH && tr.token === ETH_TOKEN)
    const fwd = transfers.find((tr) => tr.index > out.index && tr.from === out.to && tr.amount === out.amount && same(tr) && tr.to !== out.to)
    return fwd && fwd.to !== WETH && !used.asIn.has(fwd.index) ? fwd.to : null
}

/**
 * A Curve deposit zap wraps a pool: its exchange_underlying() calls the pool's exchange() with itself as
 * the recipient and passes the output on. The pool's call is the swap; the zap's is routing.
 */
function isZap(c: SwapCall, calls: SwapCall[]): boolean {
    return c.protocol === 'curve' && calls.some((o) => o !== c && o.recipient === c.pool && isDescendant(o.trace.traceAddress, c.trace.traceAddress))
}

interface Used {
    asIn: Set<number>
    asOut: Set<number>
}

interface Legs {
    /** who paid the input (mev-inspect-py's from_address) */
    from: string
    /** who received the output */
    to: string
    tokenIn: string
    amountIn: bigint
    tokenOut: string
    amountOut: bigint
    /** the output transfer, when there is one */
    out?: Erc20Transfer
}

function legsOf(tin: Erc20Transfer, out: Erc20Transfer, used: Used): Legs {
    used.asIn.add(tin.index)
    used.asOut.add(out.index)
    return { from: tin.from, to: out.to, tokenIn: tin.token, amountIn: tin.amount, tokenOut: out.token, amountOut: out.amount, out }
}

/** Pools that hold the reserves: input = a payment to the pool, output = the pool's one payment to the recipient. */
function poolLegs(c: SwapCall, transfers: Erc20Transfer[], used: Used): Legs | null {
    const ta = c.trace.traceAddress
    const inSubtree = transfers.filter((tr) => isDescendant(tr.traceAddress, ta))
    const outs = inSubtree.filter((tr) => tr.from === c.pool && tr.to === c.recipient && !used.asOut.has(tr.index))
    if (outs.length !== 1) return null
    const out = outs[0]

    const value = callValueTransfer(c.trace, c.index)
    if (value) return legsOf(value, out, used)
    const isIn = (tr: Erc20Transfer) => tr.to === c.pool && tr.token !== out.token && !used.asIn.has(tr.index)
    const prior = transfers.filter((tr) => tr.index < c.index && !isDescendant(tr.traceAddress, ta) && isIn(tr))
    const children = inSubtree.filter(isIn)
    // push pools are paid before the call (flash swaps pay inside it); pull pools take payment inside it
    const tin = c.legs === 'push' ? prior[prior.length - 1] ?? children[0] : children[0] ?? prior[prior.length - 1]
    return tin ? legsOf(tin, out, used) : null
}

/** Router-style contracts (Bancor network): input = what the caller paid, output = what it received. */
function recipientLegs(c: SwapCall, transfers: Erc20Transfer[], used: Used): Legs | null {
    const ta = c.trace.traceAddress
    const inSubtree = transfers.filter((tr) => isDescendant(tr.traceAddress, ta))
    const outs = inSubtree.filter((tr) => tr.to === c.recipient && !used.asOut.has(tr.index))
    if (outs.length !== 1) return null
    const out = outs[0]
    const value = callValueTransfer(c.trace, c.index)
    if (value) return legsOf(value, out, used)
    const isIn = (tr: Erc20Transfer) => tr.from === c.recipient && tr.token !== out.token && !used.asIn.has(tr.index)
    const children = inSubtree.filter(isIn)
    const prior = transfers.filter((tr) => tr.index < c.index && !isDescendant(tr.traceAddress, ta) && isIn(tr))
    const tin = children.length ? (children.length === 1 ? children[0] : null) : prior[prior.length - 1]
    return tin ? legsOf(tin, out, used) : null
}

/**
 * 0x native order fill, from the taker's side: token in = the taker token (the fill amount), token out =
 * the maker token (what the taker received; for an open order, the maker-token transfer). A settled
 * fill moves exactly two transfers.
 */
function orderLegs(c: SwapCall, transfers: Erc20Transfer[]): Legs | null {
    const o = c.order!
    const ta = c.trace.traceAddress
    const children = transfers.filter((tr) => isDescendant(tr.traceAddress, ta))
    if (children.length !== 2) return null
    const anyTaker = o.taker === ZERO_ADDRESS
    const received = children.find((tr) => (anyTaker ? tr.token === o.makerToken : tr.to === o.taker))
    return {
        from: c.caller,
        to: c.pool,
        tokenIn: o.takerToken,
        amountIn: o.takerTokenFillAmount,
        tokenOut: o.makerToken,
        amountOut: received?.amount ?? 0n,
    }
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'

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
