/**
 * A two-block chain for the MEV kinds beyond swaps: block 100 registers validator A (fee recipient FA), block 101,
 * mined by FA, holds a Compound cEther liquidation by a bot that also tips the coinbase (tx 0) and an unrelated
 * transfer (tx 1), with receipts. Run through processBatch into the in-memory store; the rows it writes are what
 * the processor stores (test/processor/mev-kinds.test.ts) and what the API serves (test/server/mev-kinds.test.ts).
 */
import { processBatch } from '../../../src/indexer/batch'
import type { BlockFacts } from '../../../src/mappings/block-facts'
import { BlockMevTotals, addBlockMev } from '../../../src/mappings/mev'
import { MappingState } from '../../../src/mappings/state'
import { Block as BlockEntity } from '../../../src/model'
import { emptyClassification } from '../../../src/mev/classify'
import { EventDecoder } from '../../../src/mappings/decode'
import { SquidBlockLike, SquidTraceLike, SquidTxLike } from '../../../src/mappings/block-facts'
import { BlockClassification, Swap, Trace } from '../../../src/mev/types'
import { loadScoringConfig } from '../../../src/validators/scoring-config'
import { addr, call, transferInput, txHash } from '../../mev/builders'
import { FakeStore } from './fake-store'
import { ADDR, buildBlocks } from './logs'

export const A = '0x00000000000000000000000000000000000000a1'
export const FA = '0x00000000000000000000000000000000000000fa'
const TOKEN = '0x00000000000000000000000000000000000000aa'
const TREASURY = '0x00000000000000000000000000000000000000ab'
export const COMPOUND_COMPTROLLER = '0x3d9819210a31b4961b30ef54be2aed79b9c9cd3b'
export const ETH = '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'
export const GWEI = 1_000_000_000n
export const BASE_FEE = 7n * GWEI
export const T0 = 1_767_225_600

export const bot = addr('liq-bot')
export const eoa = addr('liq-eoa')
export const borrower = addr('borrower')
export const cEther = addr('cEther')
export const cUni = addr('cUni')
export const TIP = 54_321n
export const LIQ_GAS = 300_000n
export const LIQ_PRICE = BASE_FEE + 3n * GWEI

const w = (hex: string) => hex.replace(/^0x/, '').toLowerCase().padStart(64, '0')
const u = (v: bigint) => w(v.toString(16))

/** tx 0: eoa → bot → cEther.liquidateBorrow{4000 wei}(borrower, cUni) (comptroller check, seize 321 cUni), bot tips the miner. */
function liquidationTraces(miner: string): Trace[] {
    return [
        call(0, [], eoa, bot, '0x00000088'),
        call(0, [0], bot, cEther, '0xaae40a2a' + w(borrower) + w(cUni), { value: 4000n }),
        call(0, [0, 0], cEther, COMPOUND_COMPTROLLER, '0x5fc7e71e' + w(cEther) + w(cUni) + w(bot) + w(borrower) + u(4000n)),
        call(0, [0, 1], cEther, cUni, '0xb2a02ff1' + w(bot) + w(borrower) + u(321n)),
        call(0, [1], bot, miner, '0x', { value: TIP }),
        call(1, [], addr('someone'), addr('token'), transferInput(addr('x'), 1n)),
    ]
}

function squidTrace(t: Trace): SquidTraceLike {
    const q = (v: unknown) => (v == null ? undefined : BigInt(v as string))
    return {
        type: t.type,
        transactionIndex: t.transactionPosition!,
        traceAddress: t.traceAddress,
        subtraces: t.subtraces ?? 0,
        error: t.error ?? null,
        action: { from: t.action.from, to: t.action.to, callType: t.action.callType, input: t.action.input, value: q(t.action.value), gas: q(t.action.gas) },
        result: t.result ? { output: t.result.output, gasUsed: q(t.result.gasUsed) } : undefined,
    }
}

export function liquidationBlocks(): SquidBlockLike[] {
    const ev = (event: string, args: unknown[]) => ({ contract: 'ValidatorRegistry' as const, event, args })
    const built = buildBlocks([
        { height: 100, timestamp: T0, events: [ev('ConfigChanged', [TOKEN, TREASURY, 30n, 20n, 5000]), ev('ValidatorRegistered', [A, FA, 500, 'ipfs://a', 1n])] },
        { height: 101, timestamp: T0 + 12, events: [] },
    ])
    return built.map((b) => {
        const h = b.header.height
        const txs: SquidTxLike[] =
            h === 101
                ? [
                      { transactionIndex: 0, hash: txHash(0), from: eoa, to: bot, gasUsed: LIQ_GAS, effectiveGasPrice: LIQ_PRICE, status: 1 },
                      { transactionIndex: 1, hash: txHash(1), from: addr('someone'), to: addr('token'), gasUsed: 21_000n, effectiveGasPrice: BASE_FEE, status: 1 },
                  ]
                : []
        return {
            header: { ...b.header, miner: FA, baseFeePerGas: BASE_FEE, gasUsed: 321_000n, gasLimit: 30_000_000n },
            transactions: txs,
            traces: (h === 101 ? liquidationTraces(FA) : []).map(squidTrace),
            logs: b.logs,
        } as SquidBlockLike
    })
}

/** Both blocks through the processor's batch handler into a fresh in-memory store. */
export async function runLiquidationScenario(): Promise<FakeStore> {
    const blocks = liquidationBlocks()
    const store = new FakeStore()
    const decoded = new EventDecoder(ADDR).decodeBlocks(blocks as any)
    await processBatch({ blocks: blocks as any, events: decoded.all }, store.asStore(), { epochBlocks: 4, scoring: loadScoringConfig() })
    return store
}

/**
 * One JIT liquidity (serving one V3 swap) and one NFT trade at `height`, proposed by A, through addBlockMev (no
 * receipts): the rows the processor would write for them.
 */
export function jitAndNftState(height: number): MappingState & { totals: BlockMevTotals } {
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
        ...emptyClassification(height),
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
                blockNumber: height,
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
        height,
        hash: '0x' + height.toString(16),
        timestamp: height * 1000,
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
    const totals = addBlockMev(state, facts, new BlockEntity({ id: String(height).padStart(10, '0') }), A)
    return Object.assign(state, { totals })
}
