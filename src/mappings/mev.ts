/**
 * MEV rows of one block from the classifier's result (BlockFacts.mev): Swap, Arbitrage, Sandwich and the
 * unified MevEvent feed (one row per swap, arbitrage, sandwich and direct coinbase transfer; liquidations, JIT
 * liquidity, NFT trades and miner payments are mev-kinds.ts), each with the block's proposer. Ids are deterministic functions of the chain position, lowercase, and sort in
 * chain order:
 *   Swap      <height>-<tx position>-t<trace address joined by '.'>
 *   Arbitrage <height>-<tx position>-a<index among the tx's arbitrages>
 *   Sandwich  <height>-s<index among the block's sandwiches>
 *   MevEvent  <height>-<swap|arb|sandwich|coinbase>-<rest of the row id | tx position-index>
 */
import { Arbitrage, Block as BlockEntity, MevEvent, MevKind, Sandwich, Swap, Validator } from '../model'
import { Swap as ClassifiedSwap } from '../mev/types'
import type { BlockFacts } from './block-facts'
import { otherMevRows } from './mev-kinds'
import { MappingState } from './state'
import { heightKey, pad } from './util'

export function swapId(height: number, s: { transactionPosition: number; traceAddress: number[] }): string {
    return `${heightKey(height)}-${pad(s.transactionPosition, 5)}-t${s.traceAddress.join('.')}`
}

export interface BlockMevTotals {
    coinbaseTransfers: bigint
    coinbaseTransferCount: number
    swapCount: number
    arbitrageCount: number
    sandwichCount: number
    liquidationCount: number
    jitLiquidityCount: number
    nftTradeCount: number
    /** ids of the MevEvent rows written for the block */
    mevEventIds: string[]
}

/** Add the block's MEV rows to `state`; `proposer` is the block's validator id (or null). */
export function addBlockMev(state: MappingState, facts: BlockFacts, block: BlockEntity, proposer: string | null): BlockMevTotals {
    const h = facts.height
    const hk = heightKey(h)
    const ts = new Date(facts.timestamp)
    const blockRef = new BlockEntity({ id: block.id })
    const validator = () => (proposer ? new Validator({ id: proposer }) : null)
    const events: MevEvent[] = []
    const mevEvent = (id: string, kind: MevKind, props: Partial<MevEvent>) =>
        events.push(
            new MevEvent({
                id: `${hk}-${id}`,
                kind,
                block: blockRef,
                blockNumber: h,
                timestamp: ts,
                validator: validator(),
                pool: null,
                account: null,
                token: null,
                amount: null,
                swap: null,
                arbitrage: null,
                sandwich: null,
                liquidation: null,
                jitLiquidity: null,
                nftTrade: null,
                ...props,
            } as Partial<MevEvent>),
        )

    // swaps: the live ones and those inside reverted arbitrages (error set)
    const swaps = new Map<string, Swap>()
    const addSwap = (s: ClassifiedSwap): Swap => {
        const id = swapId(h, s)
        let row = swaps.get(id)
        if (!row) {
            row = new Swap({
                id,
                block: blockRef,
                blockNumber: h,
                timestamp: ts,
                validator: validator(),
                transactionHash: s.transactionHash.toLowerCase(),
                transactionPosition: s.transactionPosition,
                traceAddress: [...s.traceAddress],
                pool: s.contractAddress.toLowerCase(),
                protocol: s.protocol,
                from: s.fromAddress.toLowerCase(),
                recipient: s.recipientAddress.toLowerCase(),
                tokenIn: s.tokenInAddress.toLowerCase(),
                amountIn: BigInt(s.tokenInAmount),
                tokenOut: s.tokenOutAddress.toLowerCase(),
                amountOut: BigInt(s.tokenOutAmount),
                error: s.error,
                arbitrage: null,
            })
            swaps.set(id, row)
        }
        return row
    }
    for (const s of facts.mev.swaps) addSwap(s)

    const perTx = new Map<string, number>()
    const arbitrages: Arbitrage[] = []
    for (const a of facts.mev.arbitrages) {
        const k = perTx.get(a.transactionHash) ?? 0
        perTx.set(a.transactionHash, k + 1)
        const id = `${hk}-${pad(a.transactionPosition, 5)}-a${k}`
        const rows = a.swaps.map(addSwap)
        const arb = new Arbitrage({
            id,
            block: blockRef,
            blockNumber: h,
            timestamp: ts,
            validator: validator(),
            transactionHash: a.transactionHash.toLowerCase(),
            transactionPosition: a.transactionPosition,
            account: a.accountAddress.toLowerCase(),
            profitToken: a.profitTokenAddress.toLowerCase(),
            profitAmount: BigInt(a.profitAmount),
            error: a.error,
            swapIds: rows.map((r) => r.id),
            swapCount: rows.length,
            gasCost: a.gasCost == null ? null : BigInt(a.gasCost),
            netProfit: a.netProfit == null ? null : BigInt(a.netProfit),
        })
        for (const r of rows) if (!r.arbitrage) r.arbitrage = new Arbitrage({ id })
        arbitrages.push(arb)
    }

    const sandwiches: Sandwich[] = facts.mev.sandwiches.map(
        (s, i) =>
            new Sandwich({
                id: `${hk}-s${i}`,
                block: blockRef,
                blockNumber: h,
                timestamp: ts,
                validator: validator(),
                sandwicher: s.sandwicherAddress.toLowerCase(),
                pool: s.frontrunSwap.contractAddress.toLowerCase(),
                frontrunSwap: new Swap({ id: addSwap(s.frontrunSwap).id }),
                backrunSwap: new Swap({ id: addSwap(s.backrunSwap).id }),
                victimSwapIds: s.sandwichedSwaps.map((v) => addSwap(v).id),
                victimCount: s.sandwichedSwaps.length,
                profitToken: s.profitTokenAddress.toLowerCase(),
                profitAmount: BigInt(s.profitAmount),
                gasCost: s.gasCost == null ? null : BigInt(s.gasCost),
                netProfit: s.netProfit == null ? null : BigInt(s.netProfit),
            }),
    )

    // before the swap rows are listed: JIT liquidity refers to its swaps (live ones, already added)
    const other = otherMevRows(
        { height: h, hk, timestamp: ts, block: blockRef, validator, txPositions: facts.txPositions, mevEvent, swapRowId: (s) => addSwap(s).id },
        facts.mev,
    )
    const swapRows = sortedSwaps(swaps)
    for (const s of swapRows) {
        mevEvent(`swap-${s.id.slice(hk.length + 1)}`, MevKind.SWAP, {
            transactionHash: s.transactionHash,
            pool: s.pool,
            account: s.from,
            token: s.tokenIn,
            amount: s.amountIn,
            swap: new Swap({ id: s.id }),
        })
    }
    for (const a of arbitrages) {
        mevEvent(`arb-${a.id.slice(hk.length + 1)}`, MevKind.ARBITRAGE, {
            transactionHash: a.transactionHash,
            pool: swaps.get(a.swapIds[0])?.pool ?? null,
            account: a.account,
            token: a.profitToken,
            amount: a.profitAmount,
            arbitrage: new Arbitrage({ id: a.id }),
        })
    }
    for (const s of sandwiches) {
        mevEvent(`sandwich-${s.id.slice(hk.length + 1)}`, MevKind.SANDWICH, {
            transactionHash: swaps.get(s.frontrunSwap.id)!.transactionHash,
            pool: s.pool,
            account: s.sandwicher,
            token: s.profitToken,
            amount: s.profitAmount,
            sandwich: new Sandwich({ id: s.id }),
        })
    }
    let coinbase = 0n
    const perTxTransfers = new Map<string, number>()
    for (const t of facts.mev.coinbaseTransfers) {
        const hash = t.transactionHash.toLowerCase()
        const k = perTxTransfers.get(hash) ?? 0
        perTxTransfers.set(hash, k + 1)
        const amount = BigInt(t.amount)
        coinbase += amount
        mevEvent(`coinbase-${pad(facts.txPositions.get(hash) ?? 0, 5)}-${k}`, MevKind.COINBASE_TRANSFER, {
            transactionHash: hash,
            account: t.from.toLowerCase(),
            amount,
        })
    }

    state.swaps.push(...swapRows)
    state.arbitrages.push(...arbitrages)
    state.sandwiches.push(...sandwiches)
    state.liquidations.push(...other.liquidations)
    state.jitLiquidity.push(...other.jitLiquidity)
    state.nftTrades.push(...other.nftTrades)
    state.minerPayments.push(...other.minerPayments)
    state.mevEvents.push(...events)
    return {
        coinbaseTransfers: coinbase,
        coinbaseTransferCount: facts.mev.coinbaseTransfers.length,
        swapCount: facts.mev.swaps.length,
        arbitrageCount: arbitrages.length,
        sandwichCount: sandwiches.length,
        liquidationCount: other.liquidations.length,
        jitLiquidityCount: other.jitLiquidity.length,
        nftTradeCount: other.nftTrades.length,
        mevEventIds: events.map((e) => e.id),
    }
}

function sortedSwaps(swaps: Map<string, Swap>): Swap[] {
    return [...swaps.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
