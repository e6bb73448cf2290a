import { classifyBlock } from '../../src/mev/classify'
import { findLiquidations } from '../../src/mev/liquidations'
import { Liquidation } from '../../src/mev/liquidation-types'
import { Trace } from '../../src/mev/types'
import { addr, block, call, transferFromInput, transferInput, txHash } from './builders'
import { LIQUIDATION_EXTRAS as EXTRA_VS_REFERENCE, LIQUIDATION_MISSING as MISSING_VS_REFERENCE } from './parity-differences'
import { key, loadBlock, loadExpect, loadReference, refFields, referenceBlocks } from './mev-inspect-fixtures'

const FIELDS = ['liquidated_user', 'liquidator_user', 'debt_token_address', 'debt_purchase_amount', 'received_amount', 'received_token_address', 'protocol']

const pick = (l: Liquidation) => ({
    liquidatedUser: l.liquidatedUser,
    liquidatorUser: l.liquidatorUser,
    debtTokenAddress: l.debtTokenAddress,
    debtPurchaseAmount: l.debtPurchaseAmount,
    receivedAmount: l.receivedAmount,
    receivedTokenAddress: l.receivedTokenAddress,
    protocol: l.protocol,
})

describe('liquidations on the shared mainnet blocks', () => {
    const blocks = referenceBlocks()

    it.each(blocks)('block %i: every mev-inspect-py test expectation holds', (n) => {
        const exp = loadExpect(n)
        const ours = findLiquidations(loadBlock(n))
        for (const e of exp?.liquidations ?? []) {
            const found = ours.find((l) => key(l.transactionHash, l.traceAddress) === key(e.transactionHash, e.traceAddress))
            expect(found && { ...pick(found), transactionHash: found.transactionHash, traceAddress: found.traceAddress }).toEqual(e)
        }
        for (const tx of exp?.liquidationsNotInTx ?? []) {
            expect(ours.filter((l) => l.transactionHash === tx)).toEqual([])
        }
        for (const l of ours) {
            expect(l.blockNumber).toBe(n)
            expect(l.error).toBeNull()
        }
    })

    it('the reverted Compound liquidation of block 15049646 is not reported', () => {
        const b = loadBlock(15049646)
        const tx = '0x6dd0d8be8a77651f64ef399b47fbc87011bd796b43349c3164ff7da965e0b345'
        // The fixture really holds a failed liquidateBorrow in that transaction.
        expect(b.traces.some((t) => t.transactionHash === tx && t.action.input?.startsWith('0xaae40a2a') && t.error)).toBe(true)
        expect(findLiquidations(b).filter((l) => l.transactionHash === tx)).toEqual([])
    })

    it('matches mev-inspect-py’s reference: recall ≥ 95 %, every difference allow-listed with its reason', () => {
        let refCount = 0
        let matched = 0
        const extras: string[] = []
        const missing: string[] = []
        for (const n of blocks) {
            const ours = findLiquidations(loadBlock(n))
            const ref = loadReference(n).liquidations.filter((r) => r.error === null)
            const byKey = new Map(ours.map((l) => [key(l.transactionHash, l.traceAddress), l]))
            for (const r of ref) {
                refCount++
                const l = byKey.get(key(r.transaction_hash, r.trace_address))
                if (!l) {
                    missing.push(key(r.transaction_hash, r.trace_address))
                    continue
                }
                matched++
                expect(pick(l)).toEqual(refFields(r, FIELDS))
                byKey.delete(key(r.transaction_hash, r.trace_address))
            }
            for (const l of byKey.values()) {
                const allowed = EXTRA_VS_REFERENCE.find((a) => a.block === n && key(a.tx, a.traceAddress) === key(l.transactionHash, l.traceAddress))
                if (!allowed) extras.push(key(l.transactionHash, l.traceAddress))
                else if (allowed.reason === 'ironbank-not-on-main') expect(l.protocol).toBe('ironbank')
            }
        }
        expect(missing.sort()).toEqual(MISSING_VS_REFERENCE.map((m) => key(m.tx, m.traceAddress)).sort())
        expect(extras).toEqual([])
        expect(refCount).toBeGreaterThan(0)
        expect(matched / refCount).toBeGreaterThanOrEqual(0.95)
    })
})

// ---------------------------------------------------------------------------------------------
// Synthetic traces

const w = (hex: string) => hex.replace(/^0x/, '').toLowerCase().padStart(64, '0')
const u = (v: bigint) => w(v.toString(16))
const liquidationCallInput = (collateral: string, debt: string, user: string, amount: bigint, receiveAToken = false) =>
    '0x00a718a9' + w(collateral) + w(debt) + w(user) + u(amount) + u(receiveAToken ? 1n : 0n)
const liquidateBorrowEthInput = (borrower: string, cTokenCollateral: string) => '0xaae40a2a' + w(borrower) + w(cTokenCollateral)
const liquidateBorrowInput = (borrower: string, amount: bigint, cTokenCollateral: string) => '0xf5e3c462' + w(borrower) + u(amount) + w(cTokenCollateral)
const liquidateBorrowAllowedInput = (borrowed: string, collateral: string, liquidator: string, borrower: string, amount: bigint) =>
    '0x5fc7e71e' + w(borrowed) + w(collateral) + w(liquidator) + w(borrower) + u(amount)
const seizeInput = (liquidator: string, borrower: string, tokens: bigint) => '0xb2a02ff1' + w(liquidator) + w(borrower) + u(tokens)
const transferOnLiquidationInput = (from: string, to: string, amount: bigint) => '0xf866c319' + w(from) + w(to) + u(amount)

const COMPOUND_COMPTROLLER = '0x3d9819210a31b4961b30ef54be2aed79b9c9cd3b'
const ETH = '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'
const bot = addr('bot')
const eoa = addr('eoa')
const borrower = addr('borrower')

/** eoa -> bot -> cEther.liquidateBorrow{value}(borrower, cCollateral): comptroller check, then seize. */
function cEtherLiquidation(opts: { comptroller?: string; error?: string } = {}): Trace[] {
    const cEther = addr('cEther')
    const cUni = addr('cUni')
    const comptroller = opts.comptroller ?? COMPOUND_COMPTROLLER
    return [
        call(0, [], eoa, bot, '0x00000088', opts.error ? { error: opts.error } : {}),
        call(0, [0], bot, cEther, liquidateBorrowEthInput(borrower, cUni), { value: 4000n }),
        call(0, [0, 0], cEther, comptroller, liquidateBorrowAllowedInput(cEther, cUni, bot, borrower, 4000n)),
        call(0, [0, 1], cEther, cUni, seizeInput(bot, borrower, 321n)),
        call(0, [0, 1, 0], cUni, comptroller, '0xd02f7351'),
    ]
}

describe('liquidations from synthetic traces', () => {
    it('Compound ETH market: the debt is the call value in ETH, the collateral the seized cTokens', () => {
        expect(findLiquidations(block(cEtherLiquidation()))).toEqual([
            {
                liquidatedUser: borrower,
                liquidatorUser: bot,
                debtTokenAddress: ETH,
                debtPurchaseAmount: '4000',
                receivedTokenAddress: addr('cUni'),
                receivedAmount: '321',
                protocol: 'compound_v2',
                transactionHash: txHash(0),
                traceAddress: [0],
                blockNumber: 100,
                error: null,
                gasCost: null,
                netProfit: null,
            },
        ])
    })

    it('a market whose comptroller is not a known protocol is not reported', () => {
        expect(findLiquidations(block(cEtherLiquidation({ comptroller: addr('someFork') })))).toEqual([])
    })

    it('a Compound liquidation inside a reverted transaction is not reported', () => {
        expect(findLiquidations(block(cEtherLiquidation({ error: 'Reverted' })))).toEqual([])
    })

    it('Compound ERC20 market seizing its own cTokens: the amount comes from the comptroller quote', () => {
        const cDai = addr('cDai')
        const dai = addr('dai')
        const quote = call(0, [1], cDai, COMPOUND_COMPTROLLER, '0xc488847b', { callType: 'staticcall' })
        quote.result = { output: '0x' + u(0n) + u(777n), gasUsed: '0x1' }
        const traces = [
            call(0, [], bot, cDai, liquidateBorrowInput(borrower, 50n, cDai)),
            call(0, [0], cDai, COMPOUND_COMPTROLLER, liquidateBorrowAllowedInput(cDai, cDai, bot, borrower, 50n)),
            quote,
            call(0, [2], cDai, dai, transferFromInput(bot, cDai, 50n)),
        ]
        const [l] = findLiquidations(block(traces))
        expect(l).toMatchObject({ debtTokenAddress: dai, debtPurchaseAmount: '50', receivedTokenAddress: cDai, receivedAmount: '777', protocol: 'compound_v2' })
    })

    const pool = addr('lendingPool')
    const impl = addr('poolImpl')
    const core = addr('core')
    const usdt = addr('usdt')
    const lend = addr('lend')

    /** bot -> pool.liquidationCall -> delegatecall impl (same input) -> collateral out, debt in. */
    function aaveLiquidation(error?: { at: 'call' | 'parent' }): Trace[] {
        const input = liquidationCallInput(lend, usdt, borrower, 1000n)
        return [
            call(0, [], eoa, bot, '0x12345678', error?.at === 'parent' ? { error: 'Reverted' } : {}),
            call(0, [0], bot, pool, input, error?.at === 'call' ? { error: 'Reverted' } : {}),
            call(0, [0, 0], pool, impl, input, { callType: 'delegatecall' }),
            call(0, [0, 0, 0], core, lend, transferInput(bot, 2500n)),
            call(0, [0, 0, 1], core, usdt, transferFromInput(bot, core, 900n)),
        ]
    }

    it('Aave: the outermost liquidationCall, the repaid debt and the collateral received', () => {
        expect(findLiquidations(block(aaveLiquidation()))).toEqual([
            {
                liquidatedUser: borrower,
                liquidatorUser: bot,
                debtTokenAddress: usdt,
                debtPurchaseAmount: '900',
                receivedTokenAddress: lend,
                receivedAmount: '2500',
                protocol: 'aave',
                transactionHash: txHash(0),
                traceAddress: [0],
                blockNumber: 100,
                error: null,
                gasCost: null,
                netProfit: null,
            },
        ])
    })

    it('a reverted Aave liquidation is not one, whether its own call or an ancestor failed', () => {
        expect(findLiquidations(block(aaveLiquidation({ at: 'call' })))).toEqual([])
        expect(findLiquidations(block(aaveLiquidation({ at: 'parent' })))).toEqual([])
    })

    it('Aave v1 ETH reserve: the debt is the call value less the refund; receiveAToken pays in aTokens', () => {
        const aLend = addr('aLend')
        const traces = [
            call(0, [], eoa, pool, liquidationCallInput(lend, ETH, borrower, 1000n, true), { value: 1000n }),
            call(0, [0], pool, aLend, transferOnLiquidationInput(borrower, eoa, 42n)),
            call(0, [1], pool, core, '0xfa93b2a5', { value: 1000n }),
            call(0, [1, 0], core, eoa, '0x', { value: 100n }),
        ]
        const [l] = findLiquidations(block(traces))
        expect(l).toMatchObject({ liquidatorUser: eoa, debtTokenAddress: ETH, debtPurchaseAmount: '900', receivedTokenAddress: aLend, receivedAmount: '42' })
    })

    it('Aave v1 ETH collateral: received as ETH; transfers of other assets are not taken for either leg', () => {
        const link = addr('link')
        const traces = [
            call(0, [], bot, pool, liquidationCallInput(ETH, link, borrower, 500n)),
            call(0, [0], core, usdt, transferInput(bot, 1n)), // neither the collateral nor the debt asset
            call(0, [1], core, bot, '0x', { value: 70n }),
            call(0, [2], core, usdt, transferFromInput(bot, core, 2n)),
            call(0, [3], core, link, transferFromInput(bot, core, 500n)),
        ]
        const [l] = findLiquidations(block(traces))
        expect(l).toMatchObject({ debtTokenAddress: link, debtPurchaseAmount: '500', receivedTokenAddress: ETH, receivedAmount: '70' })
    })

    it('a liquidationCall that moves nothing to and from the caller is not a liquidation', () => {
        const traces = [call(0, [], eoa, addr('lookalike'), liquidationCallInput(lend, usdt, borrower, 1000n))]
        expect(findLiquidations(block(traces))).toEqual([])
    })

    it('classifyBlock: gas cost from the receipt; net profit only when debt and collateral are both ETH/WETH', () => {
        const weth = '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'
        const ethBoth = [
            call(0, [], bot, pool, liquidationCallInput(weth, ETH, borrower, 1000n), { value: 1000n }),
            call(0, [0], core, weth, transferInput(bot, 1100n)),
        ]
        const receipts = [{ transactionHash: txHash(0), transactionIndex: 0, gasUsed: 10, effectiveGasPrice: 3 }]
        const [l] = classifyBlock({ ...block(ethBoth), receipts }).liquidations
        expect(l).toMatchObject({ debtTokenAddress: ETH, debtPurchaseAmount: '1000', receivedTokenAddress: weth, receivedAmount: '1100' })
        expect([l.gasCost, l.netProfit]).toEqual(['30', '70'])
        const [other] = classifyBlock({ ...block(aaveLiquidation()), receipts }).liquidations
        expect([other.gasCost, other.netProfit]).toEqual(['30', null])
        const [noReceipt] = classifyBlock(block(aaveLiquidation())).liquidations
        expect([noReceipt.gasCost, noReceipt.netProfit]).toEqual([null, null])
    })
})
