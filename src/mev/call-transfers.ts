/**
 * Value movements read from call traces (no logs needed): ETH carried by calls, ERC20/ERC721
 * `transfer`/`transferFrom`, ERC721/ERC1155 `safeTransferFrom`, and Aave aToken
 * `transferOnLiquidation`. Used by the liquidation and NFT-trade detectors to look at what moved
 * inside one protocol call.
 */
import { Trace } from './types'
import { TxTraces, abiWords, erroredKeys, isDescendant, isPlainCall, isRolledBack, lower, selectorOf, toBigInt, wordToAddress, wordToUint } from './util'

/** How mev-inspect-py (and most MEV tooling) names ETH in token fields. */
export const ETH_PSEUDO_TOKEN = '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'
/** Mainnet WETH: the one token valued as ETH (net profits) and unwrapped by routers (swap outputs). */
export const WETH_ADDRESS = '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'

export type TransferKind = 'eth' | 'erc20' | 'atoken' | 'erc721' | 'erc1155'

export interface CallTransfer {
    /** Position of the call in the transaction's ordered trace list. */
    index: number
    traceAddress: number[]
    kind: TransferKind
    token: string
    from: string
    to: string
    /** Amount for fungible transfers; token id for ERC721/ERC1155 (and for an ERC721 `transferFrom`, which looks like an ERC20 one). */
    amount: bigint
    /** ERC1155 only: how many of `amount` (the id) moved. */
    quantity?: bigint
}

export const SEL_TRANSFER = '0xa9059cbb' // transfer(address,uint256)
export const SEL_TRANSFER_FROM = '0x23b872dd' // transferFrom(address,address,uint256) — ERC20 and ERC721
const SEL_TRANSFER_ON_LIQUIDATION = '0xf866c319' // transferOnLiquidation(address,address,uint256) — Aave aToken
const SEL_SAFE_TRANSFER_721 = '0x42842e0e' // safeTransferFrom(address,address,uint256)
const SEL_SAFE_TRANSFER_721_DATA = '0xb88d4fde' // safeTransferFrom(address,address,uint256,bytes)
const SEL_SAFE_TRANSFER_1155 = '0xf242432a' // safeTransferFrom(address,address,uint256,uint256,bytes)

/**
 * The transfer one call trace makes, or null. Only plain calls count: a proxy token's delegatecall
 * repeats its caller's input and would double the transfer. A call carrying ETH is an ETH transfer
 * whatever its input (as in mev-inspect-py).
 */
export function decodeCallTransfer(t: Trace, index = 0): CallTransfer | null {
    if (!isPlainCall(t)) return null
    const value = toBigInt(t.action.value)
    if (value <= 0n) return decodeTokenCall(t, index)
    const target = lower(t.action.to)
    const caller = lower(t.action.from)
    if (!target || !caller) return null
    return { index, traceAddress: t.traceAddress, kind: 'eth', token: ETH_PSEUDO_TOKEN, from: caller, to: target, amount: value }
}

/**
 * The token transfer a plain call's input asks the called contract (the token) to make, whatever ETH
 * it carries: ERC20/ERC721 `transfer`/`transferFrom` (kind 'erc20'), ERC721/ERC1155
 * `safeTransferFrom`, Aave's `transferOnLiquidation`. The one decoder of these selectors.
 */
export function decodeTokenCall(t: Trace, index = 0): CallTransfer | null {
    if (!isPlainCall(t)) return null
    const input = t.action.input
    const sel = selectorOf(input)
    const target = lower(t.action.to)
    const caller = lower(t.action.from)
    if (!input || !sel || !target || !caller) return null
    const base = { index, traceAddress: t.traceAddress, token: target }
    switch (sel) {
        case SEL_TRANSFER: {
            const w = abiWords(input)
            return w.length < 2 ? null : { ...base, kind: 'erc20', from: caller, to: wordToAddress(w[0]), amount: wordToUint(w[1]) }
        }
        case SEL_TRANSFER_FROM:
            return fromToAmount(base, 'erc20', input)
        case SEL_TRANSFER_ON_LIQUIDATION:
            return fromToAmount(base, 'atoken', input)
        case SEL_SAFE_TRANSFER_721:
        case SEL_SAFE_TRANSFER_721_DATA:
            return fromToAmount(base, 'erc721', input)
        case SEL_SAFE_TRANSFER_1155: {
            const w = abiWords(input)
            if (w.length < 4) return null
            return { ...base, kind: 'erc1155', from: wordToAddress(w[0]), to: wordToAddress(w[1]), amount: wordToUint(w[2]), quantity: wordToUint(w[3]) }
        }
        default:
            return null
    }
}

/** Calls shaped (from, to, amount-or-id, ...). */
function fromToAmount(base: { index: number; traceAddress: number[]; token: string }, kind: TransferKind, input: string): CallTransfer | null {
    const w = abiWords(input)
    if (w.length < 3) return null
    return { ...base, kind, from: wordToAddress(w[0]), to: wordToAddress(w[1]), amount: wordToUint(w[2]) }
}

/** Index range [start, end) of the traces below `tx.traces[rootIndex]` (traces are in pre-order). */
export function subtreeEnd(tx: TxTraces, rootIndex: number): number {
    const root = tx.traces[rootIndex].traceAddress
    let end = rootIndex + 1
    while (end < tx.traces.length && isDescendant(tx.traces[end].traceAddress, root)) end++
    return end
}

/**
 * Transfers made strictly below the call at `rootIndex` that took effect (a child frame that failed
 * inside a successful call, e.g. a try/catch, moved nothing).
 */
export function transfersBelow(tx: TxTraces, rootIndex: number, errored: Set<string> = erroredKeys(tx.traces)): CallTransfer[] {
    const out: CallTransfer[] = []
    const end = subtreeEnd(tx, rootIndex)
    for (let i = rootIndex + 1; i < end; i++) {
        const t = tx.traces[i]
        if (isRolledBack(t.traceAddress, errored)) continue
        const tr = decodeCallTransfer(t, i)
        if (tr) out.push(tr)
    }
    return out
}

/** Drops transfers made inside another transfer (token hooks, wrapped-token internals). */
export function withoutNestedTransfers(transfers: CallTransfer[]): CallTransfer[] {
    const kept: CallTransfer[] = []
    for (const tr of transfers) {
        if (!kept.some((k) => isDescendant(tr.traceAddress, k.traceAddress))) kept.push(tr)
    }
    return kept
}
