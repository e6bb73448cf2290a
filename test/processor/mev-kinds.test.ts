/**
 * The processor stores liquidations (with gas cost from the receipt), their MevEvent feed rows and the miner
 * payments of the transactions that matter, with the block and its proposer (support/mev-scenario.ts).
 */
import { FakeStore } from './support/fake-store'
import { A, BASE_FEE, FA, LIQ_GAS, LIQ_PRICE, TIP, bot, borrower, cUni, ETH, eoa, jitAndNftState, runLiquidationScenario } from './support/mev-scenario'
import { addr, txHash } from '../mev/builders'

let db: ReturnType<FakeStore['dump']>
beforeAll(async () => {
    db = (await runLiquidationScenario()).dump()
})

const BLOCK = '0000000101'

test('the liquidation is stored with its block, proposer, amounts and gas cost (gas × price + coinbase tip)', () => {
    expect(db.Liquidation).toEqual({
        [`${BLOCK}-00000-l0`]: {
            id: `${BLOCK}-00000-l0`,
            block: { id: BLOCK },
            blockNumber: 101,
            timestamp: expect.any(String),
            validator: { id: A },
            transactionHash: txHash(0),
            transactionPosition: 0,
            traceAddress: [0],
            protocol: 'compound_v2',
            liquidatedUser: borrower,
            liquidator: bot,
            debtToken: ETH,
            debtPurchaseAmount: '4000',
            receivedToken: cUni,
            receivedAmount: '321',
            gasCost: (LIQ_GAS * LIQ_PRICE + TIP).toString(),
            // collateral in cTokens, debt in ETH: no common unit
            netProfit: null,
        },
    })
})

test('the feed gets a LIQUIDATION event next to the coinbase transfer, attributed to the proposer', () => {
    const events = Object.values(db.MevEvent)
    expect(events.map((e) => e.kind).sort()).toEqual(['COINBASE_TRANSFER', 'LIQUIDATION'])
    const liq = events.find((e) => e.kind === 'LIQUIDATION')!
    expect(liq).toMatchObject({
        id: `${BLOCK}-liquidation-00000-l0`,
        validator: { id: A },
        transactionHash: txHash(0),
        account: bot,
        token: cUni,
        amount: '321',
        liquidation: { id: `${BLOCK}-00000-l0` },
        arbitrage: null,
        sandwich: null,
    })
})

test('miner payments: the liquidation transaction (it tipped the coinbase), not the unrelated transfer', () => {
    expect(Object.values(db.MinerPayment)).toEqual([
        {
            id: `${BLOCK}-00000`,
            block: { id: BLOCK },
            blockNumber: 101,
            timestamp: expect.any(String),
            validator: { id: A },
            transactionHash: txHash(0),
            transactionPosition: 0,
            miner: FA,
            from: eoa,
            to: bot,
            coinbaseTransfer: TIP.toString(),
            gasUsed: LIQ_GAS.toString(),
            gasPrice: LIQ_PRICE.toString(),
            baseFee: BASE_FEE.toString(),
            gasPriceWithCoinbaseTransfer: ((LIQ_GAS * LIQ_PRICE + TIP) / LIQ_GAS).toString(),
        },
    ])
})

test("validator revenue counts the tip once (coinbase transfers), not the liquidator's collateral", () => {
    expect(db.Block[BLOCK]).toMatchObject({ proposer: { id: A }, mevRevenue: TIP.toString(), coinbaseTransfers: TIP.toString() })
    expect(db.Validator[A]).toMatchObject({ blocksProposed: 1, mevRevenue: TIP.toString() })
})

describe('JIT liquidity and NFT trades become rows and feed events (addBlockMev on a classification)', () => {
    const pool = addr('v3pool')
    const state = jitAndNftState(7)
    const totals = state.totals

    test('one JitLiquidity row pointing at the stored swap, one NftTrade row, each with a feed event for the proposer', () => {
        expect(state.swaps.map((s) => s.id)).toEqual(['0000000007-00001-t0'])
        expect(state.jitLiquidity).toHaveLength(1)
        expect(state.jitLiquidity[0]).toMatchObject({ id: '0000000007-j0', bot: addr('jit'), pool, swapIds: ['0000000007-00001-t0'], swapCount: 1, burnAmount0: 1450n, validator: { id: A } })
        expect(state.nftTrades).toHaveLength(1)
        expect(state.nftTrades[0]).toMatchObject({ id: '0000000007-00003-n', buyer: addr('buyer'), collection: addr('collection'), tokenId: 2n ** 70n, paymentAmount: 97500n })
        const kinds = state.mevEvents.map((e) => [e.kind, e.id, e.validator?.id])
        expect(kinds).toEqual(
            expect.arrayContaining([
                ['JIT_LIQUIDITY', '0000000007-jit-j0', A],
                ['NFT_TRADE', '0000000007-nft-00003-n', A],
            ]),
        )
        expect([totals.jitLiquidityCount, totals.nftTradeCount, totals.liquidationCount]).toEqual([1, 1, 0])
        // no receipts: no miner payment rows
        expect(state.minerPayments).toEqual([])
    })
})
