import { SwapProtocol, Trace } from './types'
import { abiWords, isPlainCall, lower, selectorOf, wordToAddress, wordToUint } from './util'

/**
 * Swap entry points recognised by selector (the protocol's own function), whatever the pool's
 * address: a pool is whatever contract exposes the function and moves the tokens.
 */
export const SELECTOR_UNISWAP_V2_SWAP = '0x022c0d9f' // swap(uint256,uint256,address,bytes)
export const SELECTOR_UNISWAP_V3_SWAP = '0x128acb08' // swap(address,bool,int256,uint160,bytes)
const BALANCER_V1 = new Set([
    '0x8201aa3f', // swapExactAmountIn(address,uint256,address,uint256,uint256)
    '0x7c5e9ea4', // swapExactAmountOut(address,uint256,address,uint256,uint256)
])
const CURVE = new Set([
    '0x3df02124', // exchange(int128,int128,uint256,uint256)
    '0xa6417ed6', // exchange_underlying(int128,int128,uint256,uint256)
    '0x5b41b908', // exchange(uint256,uint256,uint256,uint256) (crypto pools)
    '0x394747c5', // exchange(uint256,uint256,uint256,uint256,bool) (crypto pools, ETH)
    '0x65b2489b', // exchange_underlying(uint256,uint256,uint256,uint256)
])
const BANCOR_CONVERT_BY_PATH = '0xb77d239b' // convertByPath(address[],uint256,uint256,address,address,uint256)
/** 0x Exchange Proxy native order fills: selector -> [words before takerTokenFillAmount, taker word in the order]. */
const ZERO_EX_FILLS = new Map<string, { fillWord: number; takerWord: number }>([
    ['0xf6274f66', { fillWord: 16, takerWord: 6 }], // fillLimitOrder(LimitOrder,Signature,uint128)
    ['0x9240529c', { fillWord: 16, takerWord: 6 }], // fillOrKillLimitOrder(LimitOrder,Signature,uint128)
    ['0x414e4ccf', { fillWord: 16, takerWord: 6 }], // _fillLimitOrder(LimitOrder,Signature,uint128,address,address)
    ['0xaa77476c', { fillWord: 14, takerWord: 5 }], // fillRfqOrder(RfqOrder,Signature,uint128)
    ['0x438cdfc5', { fillWord: 14, takerWord: 5 }], // fillOrKillRfqOrder(RfqOrder,Signature,uint128)
    ['0xaa6b21cd', { fillWord: 14, takerWord: 5 }], // _fillRfqOrder(RfqOrder,Signature,uint128,address,bool,address)
])

/**
 * How a swap's two legs are found among the transaction's transfers:
 *  - push: the pool is paid before the call (Uniswap V2; flash swaps pay inside it);
 *  - pull: the pool is paid inside the call (V3 callback, Balancer/Curve transferFrom);
 *  - recipient: legs are what the caller pays and receives (Bancor's network contract routes);
 *  - order: a 0x native order; legs come from the order itself.
 */
export type SwapLegs = 'push' | 'pull' | 'recipient' | 'order'

export interface ZeroExOrder {
    makerToken: string
    takerToken: string
    taker: string
    takerTokenFillAmount: bigint
}

export interface SwapCall {
    index: number
    trace: Trace
    protocol: SwapProtocol
    legs: SwapLegs
    pool: string
    caller: string
    recipient: string
    order?: ZeroExOrder
}

export function decodeSwapCall(t: Trace, index: number): SwapCall | null {
    if (!isPlainCall(t)) return null
    const input = t.action.input
    const sel = selectorOf(input)
    const pool = lower(t.action.to)
    const caller = lower(t.action.from)
    if (!input || !sel || !pool || !caller) return null
    const base = { index, trace: t, pool, caller }
    if (sel === SELECTOR_UNISWAP_V2_SWAP) {
        const w = abiWords(input)
        if (w.length < 4) return null
        return { ...base, protocol: 'uniswap_v2', legs: 'push', recipient: wordToAddress(w[2]) }
    }
    if (sel === SELECTOR_UNISWAP_V3_SWAP) {
        const w = abiWords(input)
        if (w.length < 5) return null
        return { ...base, protocol: 'uniswap_v3', legs: 'pull', recipient: wordToAddress(w[0]) }
    }
    // Balancer V1 and Curve pay the output back to the caller
    if (BALANCER_V1.has(sel)) return { ...base, protocol: 'balancer_v1', legs: 'pull', recipient: caller }
    if (CURVE.has(sel)) return { ...base, protocol: 'curve', legs: 'pull', recipient: caller }
    if (sel === BANCOR_CONVERT_BY_PATH) return { ...base, protocol: 'bancor', legs: 'recipient', recipient: caller }
    const fill = ZERO_EX_FILLS.get(sel)
    if (fill) {
        const w = abiWords(input)
        if (w.length <= fill.fillWord) return null
        const order: ZeroExOrder = {
            makerToken: wordToAddress(w[0]),
            takerToken: wordToAddress(w[1]),
            taker: wordToAddress(w[fill.takerWord]),
            takerTokenFillAmount: wordToUint(w[fill.fillWord]),
        }
        return { ...base, protocol: 'zero_ex', legs: 'order', recipient: pool, order }
    }
    return null
}
