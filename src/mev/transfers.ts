import { ETH_PSEUDO_TOKEN, SEL_TRANSFER, SEL_TRANSFER_FROM, decodeTokenCall } from './call-transfers'
import { Trace } from './types'
import { isDescendant, isPlainCall, lower, toBigInt } from './util'

export const SELECTOR_ERC20_TRANSFER = SEL_TRANSFER
export const SELECTOR_ERC20_TRANSFER_FROM = SEL_TRANSFER_FROM
/** Token address used for ETH moved by call value (mev-inspect-py's ETH_TOKEN_ADDRESS). */
export const ETH_TOKEN = ETH_PSEUDO_TOKEN

/** A token movement found from a call trace: an ERC20 transfer/transferFrom, or ETH call value. */
export interface Erc20Transfer {
    /** Position of the call in the transaction's ordered trace list. */
    index: number
    traceAddress: number[]
    token: string
    from: string
    to: string
    amount: bigint
    /**
     * Trace addresses of the ERC20 transfer calls this transfer is nested in (innermost last): a
     * token forwarding a transfer to its implementation, or a fee-on-transfer hook moving tokens.
     */
    insideTransfers?: number[][]
}

/**
 * ERC20 transfer/transferFrom called directly on the token (plain call: the called address is the
 * token), decoded by call-transfers' one decoder; the call's ETH value is not looked at.
 */
export function decodeErc20Transfer(t: Trace, index = 0): Erc20Transfer | null {
    const d = decodeTokenCall(t, index)
    if (!d || d.kind !== 'erc20') return null
    return { index, traceAddress: d.traceAddress, token: d.token, from: d.from, to: d.to, amount: d.amount }
}

/** Plain ETH payment: a call carrying value with no calldata. */
export function decodeEthTransfer(t: Trace, index = 0): Erc20Transfer | null {
    if (!isPlainCall(t)) return null
    const input = t.action.input
    if (input && input !== '0x') return null
    const value = toBigInt(t.action.value)
    const from = lower(t.action.from)
    const to = lower(t.action.to)
    if (value <= 0n || !from || !to) return null
    return { index, traceAddress: t.traceAddress, token: ETH_TOKEN, from, to, amount: value }
}

/** ETH sent along with a (non-empty) call, e.g. to a payable swap function. */
export function callValueTransfer(t: Trace, index: number): Erc20Transfer | null {
    const value = toBigInt(t.action.value)
    const from = lower(t.action.from)
    const to = lower(t.action.to)
    if (value <= 0n || !from || !to) return null
    return { index, traceAddress: t.traceAddress, token: ETH_TOKEN, from, to, amount: value }
}

/**
 * Records, for each ERC20 transfer, the ERC20 transfer calls it is nested in. `transfers` must be in
 * call-tree order (ancestors first).
 */
export function markNestedTransfers(transfers: Erc20Transfer[]): void {
    const open: Erc20Transfer[] = []
    for (const tr of transfers) {
        while (open.length && !isDescendant(tr.traceAddress, open[open.length - 1].traceAddress)) open.pop()
        if (open.length) tr.insideTransfers = open.map((o) => o.traceAddress)
        if (tr.token !== ETH_TOKEN) open.push(tr)
    }
}

/**
 * Whether a transfer counts for a swap at `swapAddress`. A transfer nested inside another transfer
 * call is that transfer's internals (a proxy forwarding to its implementation, a fee-on-transfer
 * hook depositing liquidity): it only counts for swaps made inside the same outer transfer.
 */
export function visibleFrom(tr: Erc20Transfer, swapAddress: number[]): boolean {
    if (!tr.insideTransfers) return true
    return tr.insideTransfers.every((outer) => isDescendant(swapAddress, outer))
}
