/**
 * The classifier's definitions on hand-built traces, one case per class of bug fixed (issue 9) and per
 * protocol: proxy tokens, fee-on-transfer hooks, V3 flash-swap-style arbitrage profit, router
 * backruns, reverted arbitrages; Balancer V1, Curve (ETH legs), Bancor, 0x fills; JIT liquidity; miner
 * payments and gas cost.
 */
import { blockInputFromText, classifyBlock } from '../../src/mev/classify'
import { ETH_TOKEN } from '../../src/mev/transfers'
import { addr, block, call, transferFromInput, transferInput, v2BotSwapTx, v2RouterSwapTx, v2SwapInput, v3SwapInput } from './builders'

const WETH = '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'
const TKN = addr('tkn')
const USDC = addr('usdc')
const bot = addr('bot')
const eoa = addr('eoa')
const user = addr('user')
const router = addr('router')
const pair = addr('pair')

const word = (hex: string) => hex.replace(/^0x/, '').toLowerCase().padStart(64, '0')
const uint = (v: bigint) => word((v < 0n ? (1n << 256n) + v : v).toString(16))
const selectorCall = (sel: string, ...words: string[]) => sel + words.join('')

describe('bug classes', () => {
    it('a token behind a forwarding proxy is the address called, not its implementation', () => {
        const impl = addr('susd-impl')
        const r = classifyBlock(
            block([
                call(0, [], user, router, '0x38ed1739'),
                call(0, [0], router, TKN, transferFromInput(user, pair, 100n)),
                call(0, [0, 0], TKN, impl, transferFromInput(user, pair, 100n)), // Synthetix-style proxy forwards the call
                call(0, [0, 1], TKN, impl, transferFromInput(user, pair, 100n), { callType: 'delegatecall' }),
                call(0, [1], router, pair, v2SwapInput(0n, 90n, user)),
                call(0, [1, 0], pair, USDC, transferInput(user, 90n)),
            ]),
        )
        expect(r.swaps).toHaveLength(1)
        expect(r.swaps[0]).toMatchObject({ tokenInAddress: TKN, tokenInAmount: '100', fromAddress: user, tokenOutAddress: USDC })
    })

    it("a fee-on-transfer hook's liquidity deposit to the same pair is not the swap's input", () => {
        const r = classifyBlock(
            block([
                call(0, [], user, router, '0x5c11d795'),
                call(0, [0], router, TKN, transferFromInput(user, pair, 1000n)),
                call(0, [0, 0], TKN, router, '0xf305d719'), // hook: addLiquidityETH
                call(0, [0, 0, 0], router, TKN, transferFromInput(TKN, pair, 7n)),
                call(0, [0, 0, 1], router, WETH, transferInput(pair, 3n)),
                call(0, [1], router, pair, v2SwapInput(0n, 50n, user)),
                call(0, [1, 0], pair, WETH, transferInput(user, 50n)),
            ]),
        )
        expect(r.swaps).toHaveLength(1)
        expect(r.swaps[0]).toMatchObject({ fromAddress: user, tokenInAddress: TKN, tokenInAmount: '1000', tokenOutAmount: '50' })
    })

    it('V3 flash-swap route: profit in the token the cycle starts and ends with', () => {
        const v3 = addr('v3pool')
        const r = classifyBlock(
            block([
                call(0, [], eoa, bot, '0x00000001'),
                call(0, [0], bot, v3, v3SwapInput(bot, true, 500n)), // pays USDC, gets WETH
                call(0, [0, 0], v3, WETH, transferInput(bot, 1200n)),
                call(0, [0, 1], v3, bot, '0xfa461e33'),
                call(0, [0, 1, 0], bot, WETH, transferInput(pair, 1000n)),
                call(0, [0, 1, 1], bot, pair, v2SwapInput(500n, 0n, v3)), // the pair pays the V3 pool
                call(0, [0, 1, 1, 0], pair, USDC, transferInput(v3, 500n)),
            ]),
        )
        expect(r.arbitrages).toHaveLength(1)
        expect(r.arbitrages[0]).toMatchObject({ accountAddress: bot, profitTokenAddress: WETH, startAmount: '1000', endAmount: '1200', profitAmount: '200' })
    })

    it('a route read from its middle (zero profit in an intermediate token) starts where the searcher paid', () => {
        const helper = addr('helper')
        const v3 = addr('v3pool')
        const curve = addr('curve')
        const r = classifyBlock(
            block([
                call(0, [], eoa, bot, '0x00000055'),
                call(0, [0], bot, WETH, transferInput(helper, 10n)),
                call(0, [1], bot, helper, '0x00000003'),
                call(0, [1, 0], helper, v3, v3SwapInput(bot, false, 10n)),
                call(0, [1, 0, 0], v3, TKN, transferInput(bot, 50n)),
                call(0, [1, 0, 1], v3, helper, '0xfa461e33'),
                call(0, [1, 0, 1, 0], helper, WETH, transferInput(v3, 10n)),
                call(0, [2], bot, curve, selectorCall('0x5b41b908', uint(1n), uint(0n), uint(50n), uint(1n))),
                call(0, [2, 0], curve, TKN, transferFromInput(bot, curve, 50n)),
                call(0, [2, 1], curve, WETH, transferInput(bot, 12n)),
            ]),
        )
        expect(r.arbitrages).toHaveLength(1)
        expect(r.arbitrages[0]).toMatchObject({ profitTokenAddress: WETH, profitAmount: '2' })
        expect(r.arbitrages[0].swaps.map((s) => s.protocol)).toEqual(['uniswap_v3', 'curve'])
    })

    it('a sandwich whose backrun sells through a router for ETH is recognised', () => {
        const weth = WETH
        const front = v2BotSwapTx(0, { eoa, bot, pair, tokenIn: weth, amountIn: 1000n, tokenOut: TKN, amountOut: 5000n })
        const victim = v2RouterSwapTx(1, { user, pair, tokenIn: weth, amountIn: 300n, tokenOut: TKN, amountOut: 1400n })
        const back = [
            call(2, [], eoa, bot, '0x00000009'),
            call(2, [0], bot, router, '0x791ac947'), // swapExactTokensForETHSupportingFeeOnTransferTokens
            call(2, [0, 0], router, TKN, transferFromInput(bot, pair, 5000n)),
            call(2, [0, 1], router, pair, v2SwapInput(1100n, 0n, router)),
            call(2, [0, 1, 0], pair, weth, transferInput(router, 1100n)),
            call(2, [0, 2], router, weth, '0x2e1a7d4d' + uint(1100n)),
            call(2, [0, 2, 0], weth, router, '0x', { value: 1100n }),
            call(2, [0, 3], router, bot, '0x', { value: 1100n }),
        ]
        const r = classifyBlock(block([...front, ...victim, ...back]))
        expect(r.sandwiches).toHaveLength(1)
        expect(r.sandwiches[0]).toMatchObject({ sandwicherAddress: bot, profitTokenAddress: weth, profitAmount: '100' })
        expect(r.sandwiches[0].backrunSwap).toMatchObject({ transactionPosition: 2, fromAddress: bot, recipientAddress: router })
    })

    it('a sandwicher trading ETH through a router both ways: the sandwicher is who collected the output', () => {
        const s = addr('sandwicher-eoa')
        const sellForEth = (pos: number, who: string, amountIn: bigint, ethOut: bigint) => [
            call(pos, [], who, router, '0x18cbafe5'), // swapExactTokensForETH
            call(pos, [0], router, TKN, transferFromInput(who, pair, amountIn)),
            call(pos, [1], router, pair, v2SwapInput(ethOut, 0n, router)),
            call(pos, [1, 0], pair, WETH, transferInput(router, ethOut)),
            call(pos, [2], router, WETH, '0x2e1a7d4d' + uint(ethOut)),
            call(pos, [2, 0], WETH, router, '0x', { value: ethOut }),
            call(pos, [3], router, who, '0x', { value: ethOut }),
        ]
        const buyWithEth = (pos: number, who: string, ethIn: bigint, amountOut: bigint) => [
            call(pos, [], who, router, '0x7ff36ab5', { value: ethIn }), // swapExactETHForTokens
            call(pos, [0], router, WETH, '0xd0e30db0', { value: ethIn }),
            call(pos, [1], router, WETH, transferInput(pair, ethIn)),
            call(pos, [2], router, pair, v2SwapInput(0n, amountOut, who)),
            call(pos, [2, 0], pair, TKN, transferInput(who, amountOut)),
        ]
        const r = classifyBlock(block([...sellForEth(0, s, 500n, 100n), ...sellForEth(1, user, 50n, 9n), ...buyWithEth(2, s, 95n, 500n)]))
        expect(r.swaps.map((x) => x.fromAddress)).toEqual([s, user, router]) // the router paid the WETH it wrapped
        expect(r.sandwiches).toHaveLength(1)
        expect(r.sandwiches[0]).toMatchObject({ sandwicherAddress: s, profitTokenAddress: TKN, profitAmount: '0' })
    })

    it("a reverted transaction's failed cycle is one arbitrage with its error", () => {
        const [pA, pB, pC, pD] = ['pA', 'pB', 'pC', 'pD'].map(addr)
        const leg = (i: number, p: string, tIn: string, tOut: string, amountIn: bigint, amountOut: bigint, next: string) => [
            call(0, [2 * i], bot, tIn, transferInput(p, amountIn)),
            call(0, [2 * i + 1], bot, p, v2SwapInput(0n, amountOut, next)),
            call(0, [2 * i + 1, 0], p, tOut, transferInput(next, amountOut)),
        ]
        const r = classifyBlock(
            block([
                call(0, [], eoa, bot, '0x00000001', { error: 'Reverted' }),
                ...leg(0, pA, WETH, TKN, 100n, 500n, bot),
                ...leg(1, pB, TKN, WETH, 500n, 101n, bot),
                ...leg(2, pC, WETH, TKN, 101n, 505n, bot),
                ...leg(3, pD, TKN, WETH, 505n, 99n, bot),
            ]),
        )
        expect(r.swaps).toEqual([])
        expect(r.arbitrages).toHaveLength(1)
        expect(r.arbitrages[0]).toMatchObject({ error: 'Reverted', profitTokenAddress: WETH, startAmount: '100', endAmount: '99' })
        expect(r.arbitrages[0].swaps.map((s) => s.contractAddress)).toEqual([pA, pB, pC, pD])
    })
})

describe('protocols', () => {
    it('Balancer V1: the pool pulls the input and pays the caller', () => {
        const bpool = addr('bpool')
        const r = classifyBlock(
            block([
                call(0, [], eoa, bot),
                call(0, [0], bot, bpool, selectorCall('0x8201aa3f', word(TKN), uint(100n), word(WETH), uint(1n), uint(2n ** 200n))),
                call(0, [0, 0], bpool, TKN, transferFromInput(bot, bpool, 100n)),
                call(0, [0, 1], bpool, WETH, transferInput(bot, 5n)),
            ]),
        )
        expect(r.swaps).toEqual([expect.objectContaining({ protocol: 'balancer_v1', contractAddress: bpool, fromAddress: bot, recipientAddress: bot, tokenInAmount: '100', tokenOutAmount: '5' })])
    })

    it('Curve: ETH in with the call, ETH out by a plain value transfer', () => {
        const pool = addr('steth-pool')
        const stEth = addr('steth')
        const r = classifyBlock(
            block([
                call(0, [], user, pool, selectorCall('0x3df02124', uint(0n), uint(1n), uint(10n ** 18n), uint(1n)), { value: 10n ** 18n }),
                call(0, [0], pool, stEth, transferInput(user, 999n)),
                call(1, [], user, pool, selectorCall('0x3df02124', uint(1n), uint(0n), uint(999n), uint(1n))),
                call(1, [0], pool, stEth, transferFromInput(user, pool, 999n)),
                call(1, [1], pool, user, '0x', { value: 998n }),
            ]),
        )
        expect(r.swaps.map((s) => [s.protocol, s.tokenInAddress, s.tokenInAmount, s.tokenOutAddress, s.tokenOutAmount])).toEqual([
            ['curve', ETH_TOKEN, String(10n ** 18n), stEth, '999'],
            ['curve', stEth, '999', ETH_TOKEN, '998'],
        ])
    })

    it('Bancor: what the caller paid into convertByPath and what it received', () => {
        const network = addr('bancor-network')
        const anchor = addr('anchor')
        const r = classifyBlock(
            block([
                call(0, [], user, network, selectorCall('0xb77d239b', uint(0xc0n), uint(100n), uint(1n), word(user), word('0x0'), uint(0n), uint(0n))),
                call(0, [0], network, TKN, transferFromInput(user, anchor, 100n)),
                call(0, [1], anchor, USDC, transferInput(user, 7n)),
            ]),
        )
        expect(r.swaps).toEqual([expect.objectContaining({ protocol: 'bancor', contractAddress: network, fromAddress: user, recipientAddress: user, tokenInAmount: '100', tokenOutAddress: USDC, tokenOutAmount: '7' })])
    })

    it('0x fillLimitOrder: taker token in (fill amount), maker token out (what the taker got)', () => {
        const proxy = '0xdef1c0ded9bec7f1a1670819833240f027b25eff'
        const maker = addr('maker')
        const order = [word(USDC), word(TKN), uint(30n), uint(100n), uint(0n), word(maker), word(bot), word('0x0'), word('0x0'), uint(0n), uint(9n), uint(1n)]
        const signature = [uint(2n), uint(27n), uint(1n), uint(2n)]
        const r = classifyBlock(
            block([
                call(0, [], eoa, bot),
                call(0, [0], bot, proxy, selectorCall('0xf6274f66', ...order, ...signature, uint(100n))),
                call(0, [0, 0], proxy, USDC, transferFromInput(maker, bot, 30n)),
                call(0, [0, 1], proxy, TKN, transferFromInput(bot, maker, 100n)),
            ]),
        )
        expect(r.swaps).toEqual([
            expect.objectContaining({ protocol: 'zero_ex', contractAddress: proxy, fromAddress: bot, recipientAddress: proxy, tokenInAddress: TKN, tokenInAmount: '100', tokenOutAddress: USDC, tokenOutAmount: '30' }),
        ])
    })
})

describe('routing contracts are not swaps', () => {
    it("a Curve deposit zap's exchange_underlying is routing; the pool's exchange is the swap", () => {
        const zap = addr('zap')
        const pool = addr('curve-pool')
        const r = classifyBlock(
            block([
                call(0, [], user, zap, selectorCall('0xa6417ed6', uint(0n), uint(1n), uint(100n), uint(1n))),
                call(0, [0], zap, TKN, transferFromInput(user, zap, 100n)),
                call(0, [1], zap, pool, selectorCall('0x3df02124', uint(0n), uint(1n), uint(100n), uint(1n))),
                call(0, [1, 0], pool, TKN, transferFromInput(zap, pool, 100n)),
                call(0, [1, 1], pool, USDC, transferInput(zap, 99n)),
                call(0, [2], zap, USDC, transferInput(user, 99n)),
            ]),
        )
        expect(r.swaps).toEqual([expect.objectContaining({ contractAddress: pool, fromAddress: zap, recipientAddress: zap, tokenInAmount: '100', tokenOutAmount: '99' })])
    })
})

describe('JIT liquidity, miner payments, gas cost', () => {
    const pool = addr('jit-pool')
    const [t0, t1] = [TKN, USDC].sort()
    const ticks = [uint(-887220n), uint(887220n)]
    const jitBlock = () => ({
        ...block([
            call(0, [], eoa, bot),
            call(0, [0], bot, pool, selectorCall('0x3c8a7d8d', word(bot), ...ticks, uint(5000n), uint(0xa0n), uint(0n))),
            call(0, [0, 0], pool, bot, '0xd3487997'),
            call(0, [0, 0, 0], bot, t0, transferInput(pool, 1000n)),
            call(0, [0, 0, 1], bot, t1, transferInput(pool, 2000n)),
            call(1, [], user, router),
            call(1, [0], router, pool, v3SwapInput(user, true, 100n)),
            call(1, [0, 0], pool, t1, transferInput(user, 190n)),
            call(1, [0, 1], pool, router, '0xfa461e33'),
            call(1, [0, 1, 0], router, t0, transferFromInput(user, pool, 100n)),
            call(2, [], eoa, bot),
            call(2, [0], bot, pool, selectorCall('0xa34123a7', ...ticks, uint(5000n))),
            call(2, [1], bot, pool, selectorCall('0x4f1eb3d8', word(bot), ...ticks, uint(2n ** 128n - 1n), uint(2n ** 128n - 1n))),
            call(2, [1, 0], pool, t0, transferInput(bot, 1100n)),
            call(2, [1, 1], pool, t1, transferInput(bot, 1811n)),
            call(2, [2], bot, addr('miner'), '0x', { value: 7n }),
        ]),
        baseFeePerGas: '0x10',
        receipts: [0, 1, 2].map((i) => ({ transactionHash: block([call(i, [], eoa, bot)]).traces[0].transactionHash!, transactionIndex: i, gasUsed: '100', effectiveGasPrice: '0x20', to: bot })),
    })

    it('JIT: mint, the swaps it served, burn of the same position', () => {
        const r = classifyBlock(jitBlock())
        expect(r.jitLiquidity).toHaveLength(1)
        expect(r.jitLiquidity[0]).toMatchObject({
            botAddress: bot,
            poolAddress: pool,
            mintTrace: [0],
            burnTrace: [0],
            token0Address: t0,
            token1Address: t1,
            mintToken0Amount: '1000',
            mintToken1Amount: '2000',
            burnToken0Amount: '1100',
            burnToken1Amount: '1811',
            token0SwapVolume: '100',
            token1SwapVolume: '0',
        })
        expect(r.jitLiquidity[0].swaps.map((s) => s.transactionPosition)).toEqual([1])
    })

    it('miner payments per receipt, with the coinbase transfer in the effective gas price', () => {
        const r = classifyBlock(jitBlock())
        expect(r.minerPayments).toHaveLength(3)
        expect(r.minerPayments[2]).toMatchObject({ transactionIndex: 2, coinbaseTransfer: '7', gasUsed: '100', gasPrice: '32', baseFeePerGas: '16', gasPriceWithCoinbaseTransfer: '32', minerAddress: addr('miner') })
        expect(r.minerPayments[0].coinbaseTransfer).toBe('0')
    })

    it('gasCost and netProfit on arbitrages (gross profit unchanged)', () => {
        const b = block(v2BotSwapTx(0, { eoa, bot, pair, tokenIn: WETH, amountIn: 1000n, tokenOut: TKN, amountOut: 5n }))
        b.traces.push(
            call(0, [2], bot, TKN, transferInput(addr('pair2'), 5n)),
            call(0, [3], bot, addr('pair2'), v2SwapInput(1500n, 0n, bot)),
            call(0, [3, 0], addr('pair2'), WETH, transferInput(bot, 1500n)),
        )
        const withReceipt = { ...b, receipts: [{ transactionHash: b.traces[0].transactionHash!, transactionIndex: 0, gasUsed: 10, effectiveGasPrice: 20 }] }
        const [a] = classifyBlock(withReceipt).arbitrages
        expect(a).toMatchObject({ profitAmount: '500', gasCost: '200', netProfit: '300' })
        expect(classifyBlock(b).arbitrages[0]).toMatchObject({ profitAmount: '500', gasCost: null, netProfit: null })
    })
})

describe('input text', () => {
    it('keeps integers beyond 2^53 exact, in receipts and in traces', () => {
        const doc = (value: string, gasUsed: string) =>
            `{"block_number": 1, "traces": [{"action": {"from": "${eoa}", "to": "${bot}", "callType": "call", "input": "0x", "value": ${value}},` +
            ` "trace_address": [], "transaction_hash": "0x01", "transaction_position": 0, "type": "call"}],` +
            ` "receipts": [{"transaction_hash": "0x01", "transaction_index": 0, "gas_used": ${gasUsed}, "effective_gas_price": 1}]}`
        const a = blockInputFromText(doc('1', '18446744073709551615'))
        expect(String(a.receipts![0].gasUsed)).toBe('18446744073709551615')
        const b = blockInputFromText(doc('123456789012345678901', '21000'))
        expect(String(b.traces[0].action.value)).toBe('123456789012345678901')
        expect(String(b.receipts![0].gasUsed)).toBe('21000')
    })
})
