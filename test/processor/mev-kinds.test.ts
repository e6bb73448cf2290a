/**
 * The processor stores liquidations (with gas cost from the receipt), their MevEvent feed rows and the miner
 * payments of the transactions that matter, with the block and its proposer (support/mev-scenario.ts).
 */
import { Block as BlockEntity } from '../../src/model'
import type { BlockFacts } from '../../src/mappings/block-facts'
import { addBlockMev } from '../../src/mappings/mev'
import { MappingState } from '../../src/mappings/state'
import { emptyClassification } from '../../src/mev/classify'
import { BlockClassification, Swap } from '../../src/mev/types'
import { FakeStore } from './support/fake-store'
import { A, BASE_FEE, FA, LIQ_GAS, LIQ_PRICE, TIP, bot, borrower, cUni, ETH, eoa, runLiquidationScenario } from './support/mev-scenario'
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
    const swap: Swap = {
        transactionHash: txHash(1),
        transactionPosition: 1,
        traceAddress: [0],
        contractAddress: pool,
        fromAddress: addr('trader'),
        recipientAddress: addr('trader'),
        tokenInAddress: addr('t0'),
        tokenInAmount: '500',
        tokenOutAddress: addr('t1'),
        tokenOutAmount: '900',
        protocol: 'uniswap_v3',
        error: null,
    }
    const mev: BlockClassification = {
        ...emptyClassification(7),
        swaps: [swap],
        jitLiquidity: [
            {
                botAddress: addr('jit'),
                poolAddress: pool,
                mintTransactionHash: txHash(0),
                mintTrace: [0],
                burnTransactionHash: txHash(2),
                burnTrace: [1],
                swaps: [swap],
                token0Address: addr('t0'),
                token1Address: addr('t1'),
                mintToken0Amount: '1000',
                mintToken1Amount: '2000',
                burnToken0Amount: '1450',
                burnToken1Amount: '1150',
                token0SwapVolume: '500',
                token1SwapVolume: '0',
            },
        ],
        nftTrades: [
            {
                abiName: 'WyvernExchange',
                transactionHash: txHash(3),
                transactionPosition: 3,
                blockNumber: 7,
                traceAddress: [],
                protocol: 'opensea',
                error: null,
                sellerAddress: addr('seller'),
                buyerAddress: addr('buyer'),
                paymentTokenAddress: ETH,
                paymentAmount: '97500',
                collectionAddress: addr('collection'),
                tokenId: (2n ** 70n).toString(),
            },
        ],
    }
    const facts: BlockFacts = {
        height: 7,
        hash: '0x07',
        timestamp: 7000,
        miner: FA,
        baseFee: 0n,
        gasUsed: 0n,
        gasLimit: 0n,
        txCount: 4,
        priorityFees: 0n,
        txPositions: new Map([0, 1, 2, 3].map((i) => [txHash(i), i])),
        mev,
    }
    const state = new MappingState(4)
    const totals = addBlockMev(state, facts, new BlockEntity({ id: '0000000007' }), A)

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
