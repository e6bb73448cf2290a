/** Small helpers to hand-build Parity call traces for the MEV classifier tests. */
import { BlockInput, Trace } from '../../src/mev/types'

export const addr = (name: string): string => {
    // deterministic fake address from a short label
    let h = 0n
    for (const ch of name) h = (h * 131n + BigInt(ch.charCodeAt(0))) % (1n << 160n)
    return '0x' + h.toString(16).padStart(40, '0')
}
const word = (hex: string) => hex.replace(/^0x/, '').toLowerCase().padStart(64, '0')
const uint = (v: bigint) => word(v.toString(16))

export const transferInput = (to: string, amount: bigint) => '0xa9059cbb' + word(to) + uint(amount)
export const transferFromInput = (from: string, to: string, amount: bigint) => '0x23b872dd' + word(from) + word(to) + uint(amount)
/** swap(uint256,uint256,address,bytes) with empty data */
export const v2SwapInput = (amount0Out: bigint, amount1Out: bigint, to: string) =>
    '0x022c0d9f' + uint(amount0Out) + uint(amount1Out) + word(to) + uint(0x80n) + uint(0n)
/** swap(address,bool,int256,uint160,bytes) with empty data */
export const v3SwapInput = (recipient: string, zeroForOne: boolean, amountSpecified: bigint) =>
    '0x128acb08' + word(recipient) + uint(zeroForOne ? 1n : 0n) + uint(amountSpecified) + uint(1n) + uint(0xa0n) + uint(0n)

export const txHash = (pos: number) => '0x' + (pos + 1).toString(16).padStart(64, 'a')

export interface CallOpts {
    value?: bigint
    error?: string
    callType?: string
}

export function call(pos: number, traceAddress: number[], from: string, to: string, input = '0x', opts: CallOpts = {}): Trace {
    return {
        type: 'call',
        action: {
            from,
            to,
            callType: opts.callType ?? 'call',
            input,
            value: '0x' + (opts.value ?? 0n).toString(16),
            gas: '0x10000',
        },
        result: opts.error ? null : { output: '0x', gasUsed: '0x100' },
        subtraces: 0,
        traceAddress,
        transactionHash: txHash(pos),
        transactionPosition: pos,
        error: opts.error ?? null,
    }
}

export function block(traces: Trace[], miner = addr('miner')): BlockInput {
    return { blockNumber: 100, miner, traces }
}

/**
 * One V2 swap transaction through a router: router pulls tokenIn from the user into the pair, then
 * pair.swap(to=recipient) sends tokenOut. Returns the traces of transaction `pos`.
 */
export function v2RouterSwapTx(
    pos: number,
    o: { user: string; router?: string; pair: string; tokenIn: string; amountIn: bigint; tokenOut: string; amountOut: bigint; recipient?: string },
): Trace[] {
    const router = o.router ?? addr('router')
    const recipient = o.recipient ?? o.user
    return [
        call(pos, [], o.user, router, '0x38ed1739'),
        call(pos, [0], router, o.tokenIn, transferFromInput(o.user, o.pair, o.amountIn)),
        call(pos, [1], router, o.pair, v2SwapInput(0n, o.amountOut, recipient)),
        call(pos, [1, 0], o.pair, o.tokenOut, transferInput(recipient, o.amountOut)),
    ]
}

/** A bot transaction: EOA -> bot contract, bot pays the pair and calls swap(to=bot). */
export function v2BotSwapTx(
    pos: number,
    o: { eoa: string; bot: string; pair: string; tokenIn: string; amountIn: bigint; tokenOut: string; amountOut: bigint },
): Trace[] {
    return [
        call(pos, [], o.eoa, o.bot, '0x00006f3d'),
        call(pos, [0], o.bot, o.tokenIn, transferInput(o.pair, o.amountIn)),
        call(pos, [1], o.bot, o.pair, v2SwapInput(o.amountOut, 0n, o.bot)),
        call(pos, [1, 0], o.pair, o.tokenOut, transferInput(o.bot, o.amountOut)),
    ]
}
