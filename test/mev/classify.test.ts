import { blockInputFromJson, classifyBlock } from '../../src/mev/classify'
import { findSwapRoutes } from '../../src/mev/arbitrages'
import { Swap } from '../../src/mev/types'
import {
    addr,
    block,
    call,
    transferFromInput,
    transferInput,
    txHash,
    v2BotSwapTx,
    v2RouterSwapTx,
    v2SwapInput,
    v3SwapInput,
} from './builders'

const WETH = addr('weth')
const TKN = addr('tkn')
const USDC = addr('usdc')
const user = addr('user')
const router = addr('router')
const pair = addr('pair')

describe('swaps', () => {
    it('classifies a Uniswap V2 swap paid before swap() is called', () => {
        const r = classifyBlock(
            block(v2RouterSwapTx(3, { user, pair, tokenIn: WETH, amountIn: 100n, tokenOut: TKN, amountOut: 90n })),
        )
        expect(r.swaps).toEqual([
            {
                transactionHash: txHash(3),
                transactionPosition: 3,
                traceAddress: [1],
                contractAddress: pair,
                fromAddress: user, // who paid the input (mev-inspect-py's from_address), not the router
                recipientAddress: user,
                tokenInAddress: WETH,
                tokenInAmount: '100',
                tokenOutAddress: TKN,
                tokenOutAmount: '90',
                protocol: 'uniswap_v2',
                error: null,
            },
        ])
        expect(r.arbitrages).toEqual([])
    })

    it('classifies a Uniswap V3 swap paid in the callback', () => {
        const pool = addr('v3pool')
        const r = classifyBlock(
            block([
                call(0, [], user, router, '0x414bf389'),
                call(0, [0], router, pool, v3SwapInput(user, true, 5000n)),
                call(0, [0, 0], pool, USDC, transferInput(user, 7000000n)),
                call(0, [0, 1], pool, USDC, '0x70a08231', { callType: 'staticcall' }),
                call(0, [0, 2], pool, router, '0xfa461e33'),
                call(0, [0, 2, 0], router, WETH, transferFromInput(user, pool, 5000n)),
            ]),
        )
        expect(r.swaps).toHaveLength(1)
        expect(r.swaps[0]).toMatchObject({
            traceAddress: [0],
            contractAddress: pool,
            fromAddress: user,
            recipientAddress: user,
            tokenInAddress: WETH,
            tokenInAmount: '5000',
            tokenOutAddress: USDC,
            tokenOutAmount: '7000000',
            protocol: 'uniswap_v3',
            error: null,
        })
    })

    it('chains a multi-hop V2 route: the first pair pays the second, no arbitrage', () => {
        const pair2 = addr('pair2')
        const r = classifyBlock(
            block([
                call(0, [], user, router),
                call(0, [0], router, WETH, transferFromInput(user, pair, 1000n)),
                call(0, [1], router, pair, v2SwapInput(0n, 20n, pair2)),
                call(0, [1, 0], pair, TKN, transferInput(pair2, 20n)),
                call(0, [2], router, pair2, v2SwapInput(0n, 3000n, user)),
                call(0, [2, 0], pair2, USDC, transferInput(user, 3000n)),
            ]),
        )
        expect(r.swaps.map((s) => [s.contractAddress, s.tokenInAddress, s.tokenInAmount, s.tokenOutAddress, s.tokenOutAmount])).toEqual([
            [pair, WETH, '1000', TKN, '20'],
            [pair2, TKN, '20', USDC, '3000'],
        ])
        expect(r.arbitrages).toEqual([])
    })

    it('V2 flash swap: the pair is repaid inside the swap callback', () => {
        const bot = addr('flash-bot')
        const r = classifyBlock(
            block([
                call(0, [], user, bot),
                call(0, [0], bot, pair, v2SwapInput(0n, 90n, bot).slice(0, -64) + '01'.padStart(64, '0') + 'ff'.padEnd(64, '0')),
                call(0, [0, 0], pair, TKN, transferInput(bot, 90n)),
                call(0, [0, 1], pair, bot, '0x10d1e85c'),
                call(0, [0, 1, 0], bot, WETH, transferInput(pair, 101n)),
            ]),
        )
        expect(r.swaps.map((s) => [s.fromAddress, s.recipientAddress, s.tokenInAddress, s.tokenInAmount, s.tokenOutAddress, s.tokenOutAmount])).toEqual([
            [bot, bot, WETH, '101', TKN, '90'],
        ])
    })

    it('V2: takes the payment closest before swap() and does not reuse a payment for a second swap', () => {
        const r = classifyBlock(
            block([
                call(0, [], user, router),
                call(0, [0], router, USDC, transferInput(pair, 5n)), // stray transfer of some other token
                call(0, [1], router, WETH, transferInput(pair, 100n)),
                call(0, [2], router, pair, v2SwapInput(0n, 90n, user)),
                call(0, [2, 0], pair, TKN, transferInput(user, 90n)),
            ]),
        )
        expect(r.swaps.map((s) => [s.traceAddress, s.tokenInAddress, s.tokenInAmount])).toEqual([[[2], WETH, '100']])
        const r2 = classifyBlock(
            block([
                call(0, [], user, router),
                call(0, [0], router, WETH, transferInput(pair, 100n)),
                call(0, [1], router, pair, v2SwapInput(0n, 90n, user)),
                call(0, [1, 0], pair, TKN, transferInput(user, 90n)),
                call(0, [2], router, pair, v2SwapInput(0n, 80n, user)), // nothing paid for this one
                call(0, [2, 0], pair, TKN, transferInput(user, 80n)),
            ]),
        )
        expect(r2.swaps.map((s) => [s.traceAddress, s.tokenInAddress, s.tokenInAmount])).toEqual([[[1], WETH, '100']])
    })

    it('skips reverted swaps and swaps inside reverted subtrees', () => {
        const traces = [
            // swap call itself failed
            ...v2RouterSwapTx(0, { user, pair, tokenIn: WETH, amountIn: 100n, tokenOut: TKN, amountOut: 90n }).map((t) =>
                t.traceAddress.length === 1 && t.traceAddress[0] === 1 ? { ...t, error: 'Reverted' } : t,
            ),
            // a caught failing sub-call [0] containing a successful-looking swap
            call(1, [], user, router),
            { ...call(1, [0], router, router), error: 'Reverted' },
            call(1, [0, 0], router, WETH, transferInput(pair, 100n)),
            call(1, [0, 1], router, pair, v2SwapInput(0n, 90n, user)),
            call(1, [0, 1, 0], pair, TKN, transferInput(user, 90n)),
        ]
        expect(classifyBlock(block(traces)).swaps).toEqual([])
    })

    it('ignores token transfers made through delegatecall/staticcall and calls without a payment', () => {
        const r = classifyBlock(
            block([
                call(0, [], user, router),
                call(0, [0], router, WETH, transferInput(pair, 100n), { callType: 'delegatecall' }),
                call(0, [1], router, pair, v2SwapInput(0n, 90n, user)),
                call(0, [1, 0], pair, TKN, transferInput(user, 90n)),
            ]),
        )
        expect(r.swaps).toEqual([])
    })
})

describe('arbitrages', () => {
    const eoa = addr('searcher')
    const bot = addr('bot')
    const pairA = addr('pairA')
    const pairB = addr('pairB')
    const arbTx = (pos: number, backOut: bigint, errors: { top?: string; second?: string } = {}) => [
        call(pos, [], eoa, bot, '0x12345678', { error: errors.top }),
        call(pos, [0], bot, WETH, transferInput(pairA, 1000n)),
        call(pos, [1], bot, pairA, v2SwapInput(0n, 500n, pairB)),
        call(pos, [1, 0], pairA, TKN, transferInput(pairB, 500n)),
        call(pos, [2], bot, pairB, v2SwapInput(backOut, 0n, bot), { error: errors.second }),
        call(pos, [2, 0], pairB, WETH, transferInput(bot, backOut)),
    ]

    it('finds a two-pool cycle and its profit', () => {
        const r = classifyBlock(block(arbTx(5, 1042n)))
        expect(r.swaps).toHaveLength(2)
        expect(r.arbitrages).toHaveLength(1)
        const a = r.arbitrages[0]
        expect(a).toMatchObject({
            transactionHash: txHash(5),
            transactionPosition: 5,
            accountAddress: bot, // who paid for the first swap
            profitTokenAddress: WETH,
            profitAmount: '42',
            error: null,
        })
        expect(a.swaps.map((s) => s.contractAddress)).toEqual([pairA, pairB])
    })

    it('finds a three-pool cycle and reports a loss as negative profit', () => {
        const pairC = addr('pairC')
        const r = classifyBlock(
            block([
                call(0, [], eoa, bot),
                call(0, [0], bot, WETH, transferInput(pairA, 1000n)),
                call(0, [1], bot, pairA, v2SwapInput(0n, 500n, pairB)),
                call(0, [1, 0], pairA, TKN, transferInput(pairB, 500n)),
                call(0, [2], bot, pairB, v2SwapInput(0n, 2000n, pairC)),
                call(0, [2, 0], pairB, USDC, transferInput(pairC, 2000n)),
                call(0, [3], bot, pairC, v2SwapInput(990n, 0n, bot)),
                call(0, [3, 0], pairC, WETH, transferInput(bot, 990n)),
            ]),
        )
        expect(r.arbitrages).toHaveLength(1)
        expect(r.arbitrages[0].swaps).toHaveLength(3)
        expect(r.arbitrages[0].profitAmount).toBe('-10')
    })

    it('reports a reverted arbitrage with its error, and keeps its swaps out of the block swaps', () => {
        const r = classifyBlock(block(arbTx(2, 990n, { top: 'Reverted', second: 'Reverted' })))
        expect(r.swaps).toEqual([])
        expect(r.arbitrages).toHaveLength(1)
        const a = r.arbitrages[0]
        expect(a.error).toBe('Reverted')
        expect(a.accountAddress).toBe(bot)
        expect(a.profitAmount).toBe('-10')
        expect(a.swaps.map((s) => s.error)).toEqual([null, 'Reverted'])
        expect(r.sandwiches).toEqual([])
    })

    it('does not treat an open route (A->B->C) as a cycle', () => {
        const mk = (tokenIn: string, tokenOut: string, pool: string, i: number): Swap => ({
            transactionHash: txHash(0),
            transactionPosition: 0,
            traceAddress: [i],
            contractAddress: pool,
            fromAddress: i === 0 ? bot : pairA,
            recipientAddress: tokenOut === WETH ? bot : pairB,
            tokenInAddress: tokenIn,
            tokenInAmount: '1',
            tokenOutAddress: tokenOut,
            tokenOutAmount: '1',
            protocol: 'uniswap_v2',
            error: null,
        })
        expect(findSwapRoutes([mk(WETH, TKN, pairA, 0), mk(TKN, USDC, pairB, 1)])).toEqual([])
        expect(findSwapRoutes([mk(WETH, TKN, pairA, 0), mk(TKN, WETH, pairB, 1)])).toHaveLength(1)
    })
})

describe('sandwiches', () => {
    const eoa = addr('sandwich-eoa')
    const bot = addr('sandwich-bot')
    const victim = addr('victim')
    const front = (pos: number) => v2BotSwapTx(pos, { eoa, bot, pair, tokenIn: WETH, amountIn: 1000n, tokenOut: TKN, amountOut: 5000n })
    const back = (pos: number, wethOut: bigint) => v2BotSwapTx(pos, { eoa, bot, pair, tokenIn: TKN, amountIn: 5000n, tokenOut: WETH, amountOut: wethOut })

    it('finds a sandwich with negative profit', () => {
        const r = classifyBlock(
            block([
                ...front(0),
                ...v2RouterSwapTx(1, { user: victim, pair, tokenIn: WETH, amountIn: 300n, tokenOut: TKN, amountOut: 1400n }),
                ...v2RouterSwapTx(2, { user: addr('bystander'), pair: addr('other'), tokenIn: WETH, amountIn: 1n, tokenOut: TKN, amountOut: 1n }),
                ...back(3, 995n),
            ]),
        )
        expect(r.sandwiches).toHaveLength(1)
        const s = r.sandwiches[0]
        expect(s.sandwicherAddress).toBe(bot)
        expect(s.frontrunSwap.transactionPosition).toBe(0)
        expect(s.backrunSwap.transactionPosition).toBe(3)
        expect(s.sandwichedSwaps.map((v) => [v.transactionPosition, v.recipientAddress])).toEqual([[1, victim]])
        expect(s.profitTokenAddress).toBe(WETH)
        expect(s.profitAmount).toBe('-5')
    })

    it('finds a profitable sandwich with several victims', () => {
        const r = classifyBlock(
            block([
                ...front(0),
                ...v2RouterSwapTx(1, { user: victim, pair, tokenIn: WETH, amountIn: 300n, tokenOut: TKN, amountOut: 1400n }),
                ...v2RouterSwapTx(2, { user: addr('victim2'), pair, tokenIn: WETH, amountIn: 30n, tokenOut: TKN, amountOut: 140n }),
                ...back(3, 1100n),
            ]),
        )
        expect(r.sandwiches).toHaveLength(1)
        expect(r.sandwiches[0].sandwichedSwaps.map((v) => v.transactionPosition)).toEqual([1, 2])
        expect(r.sandwiches[0].profitAmount).toBe('100')
    })

    it('is not a sandwich when the middle swap goes the other way', () => {
        const r = classifyBlock(
            block([
                ...front(0),
                ...v2RouterSwapTx(1, { user: victim, pair, tokenIn: TKN, amountIn: 1400n, tokenOut: WETH, amountOut: 300n }),
                ...back(2, 1100n),
            ]),
        )
        expect(r.swaps).toHaveLength(3)
        expect(r.sandwiches).toEqual([])
    })

    it('is not a sandwich when the "backrun" is by someone else or on another pool', () => {
        const r = classifyBlock(
            block([
                ...front(0),
                ...v2RouterSwapTx(1, { user: victim, pair, tokenIn: WETH, amountIn: 300n, tokenOut: TKN, amountOut: 1400n }),
                ...v2BotSwapTx(2, { eoa, bot: addr('other-bot'), pair, tokenIn: TKN, amountIn: 5000n, tokenOut: WETH, amountOut: 1100n }),
                ...v2BotSwapTx(3, { eoa, bot, pair: addr('pair-elsewhere'), tokenIn: TKN, amountIn: 5000n, tokenOut: WETH, amountOut: 1100n }),
            ]),
        )
        expect(r.sandwiches).toEqual([])
    })
})

describe('coinbase transfers and input conversion', () => {
    it('reports value calls to the miner that were not rolled back', () => {
        const miner = addr('miner')
        const bot = addr('bot')
        const r = classifyBlock(
            block([
                call(0, [], user, bot),
                call(0, [0], bot, miner.toUpperCase().replace('0X', '0x'), '0x', { value: 12345n }),
                call(1, [], user, bot),
                call(1, [0], bot, miner, '0x', { value: 1n, error: 'Reverted' }),
                call(2, [], user, miner, '0x', { value: 0n }),
            ]),
        )
        expect(r.coinbaseTransfers).toEqual([{ transactionHash: txHash(0), from: bot, amount: '12345' }])
    })

    it('converts snake_case fixture traces and rejects non-blocks', () => {
        const b = blockInputFromJson({
            block_number: 7,
            miner: '0xAB',
            traces: [
                {
                    action: { from: '0x1', to: '0x2', callType: 'call', input: '0x', value: '0x0', gas: '0x0' },
                    result: { output: '0x', gasUsed: '0x0' },
                    subtraces: 0,
                    trace_address: [0, 1],
                    transaction_hash: '0xabc',
                    transaction_position: 4,
                    type: 'call',
                    error: null,
                },
            ],
            receipts: [{ transaction_hash: '0xabc', transaction_index: 4, gas_used: 21000 }],
        })
        expect(b.blockNumber).toBe(7)
        expect(b.traces[0]).toMatchObject({ traceAddress: [0, 1], transactionHash: '0xabc', transactionPosition: 4 })
        expect(b.receipts?.[0]).toMatchObject({ transactionHash: '0xabc', transactionIndex: 4, gasUsed: 21000 })
        expect(() => blockInputFromJson([])).toThrow(/JSON object/)
        expect(() => blockInputFromJson({ block_number: 1 })).toThrow(/traces/)
        expect(() => blockInputFromJson({ block_number: 1, traces: [{ action: {}, type: 'call' }] })).toThrow(/trace 0.*traceAddress/)
    })
})
