/**
 * MEV rows of the categories beyond swaps, arbitrages and sandwiches (mev.ts): Liquidation, JitLiquidity, NftTrade
 * and MinerPayment, with their MevEvent feed rows (LIQUIDATION, JIT_LIQUIDITY, NFT_TRADE; miner payments have no
 * feed row). Ids, deterministic and sorting in chain order:
 *   Liquidation  <height>-<tx position>-l<trace address joined by '.'>
 *   JitLiquidity <height>-j<index among the block's JIT liquidity>
 *   NftTrade     <height>-<tx position>-n<trace address joined by '.'>
 *   MinerPayment <height>-<tx position>
 * Miner payments are kept for the transactions that matter to MEV accounting — those that made a coinbase transfer
 * or carry a stored arbitrage, sandwich leg, liquidation or JIT mint/burn — not for every transaction of the block.
 */
import { Block as BlockEntity, JitLiquidity, Liquidation, MevEvent, MevKind, MinerPayment, NftTrade, Validator } from '../model'
import { BlockClassification, Swap as ClassifiedSwap } from '../mev/types'
import { pad } from './util'

/** What mev.ts shares with this file for one block. */
export interface BlockMevContext {
    height: number
    /** heightKey(height) */
    hk: string
    timestamp: Date
    block: BlockEntity
    validator: () => Validator | null
    /** tx hash (lowercase) → position in the block */
    txPositions: Map<string, number>
    /** adds a MevEvent row; `id` is the part after `<height>-` */
    mevEvent: (id: string, kind: MevKind, props: Partial<MevEvent>) => void
    /** the Swap row id of a classified swap (adding the row when new) */
    swapRowId: (s: ClassifiedSwap) => string
}

export interface OtherMevRows {
    liquidations: Liquidation[]
    jitLiquidity: JitLiquidity[]
    nftTrades: NftTrade[]
    minerPayments: MinerPayment[]
}

const bigOrNull = (v: string | null): bigint | null => (v == null ? null : BigInt(v))
const trace = (a: number[]) => a.join('.')

export function otherMevRows(c: BlockMevContext, mev: BlockClassification): OtherMevRows {
    const base = () => ({ block: c.block, blockNumber: c.height, timestamp: c.timestamp, validator: c.validator() })
    const position = (hash: string) => c.txPositions.get(hash.toLowerCase()) ?? 0

    const liquidations = mev.liquidations.map((l) => {
        const pos = position(l.transactionHash)
        return new Liquidation({
            ...base(),
            id: `${c.hk}-${pad(pos, 5)}-l${trace(l.traceAddress)}`,
            transactionHash: l.transactionHash.toLowerCase(),
            transactionPosition: pos,
            traceAddress: [...l.traceAddress],
            protocol: l.protocol,
            liquidatedUser: l.liquidatedUser,
            liquidator: l.liquidatorUser,
            debtToken: l.debtTokenAddress,
            debtPurchaseAmount: BigInt(l.debtPurchaseAmount),
            receivedToken: l.receivedTokenAddress,
            receivedAmount: BigInt(l.receivedAmount),
            gasCost: bigOrNull(l.gasCost),
            netProfit: bigOrNull(l.netProfit),
        })
    })
    for (const l of liquidations) {
        c.mevEvent(`liquidation-${l.id.slice(c.hk.length + 1)}`, MevKind.LIQUIDATION, {
            transactionHash: l.transactionHash,
            account: l.liquidator,
            token: l.receivedToken,
            amount: l.receivedAmount,
            liquidation: new Liquidation({ id: l.id }),
        })
    }

    const jitLiquidity = mev.jitLiquidity.map((j, i) => {
        const swapIds = j.swaps.map(c.swapRowId)
        return new JitLiquidity({
            ...base(),
            id: `${c.hk}-j${i}`,
            bot: j.botAddress,
            pool: j.poolAddress,
            mintTransactionHash: j.mintTransactionHash,
            mintTraceAddress: [...j.mintTrace],
            burnTransactionHash: j.burnTransactionHash,
            burnTraceAddress: [...j.burnTrace],
            token0: j.token0Address,
            token1: j.token1Address,
            mintAmount0: BigInt(j.mintToken0Amount),
            mintAmount1: BigInt(j.mintToken1Amount),
            burnAmount0: BigInt(j.burnToken0Amount),
            burnAmount1: BigInt(j.burnToken1Amount),
            swapVolume0: BigInt(j.token0SwapVolume),
            swapVolume1: BigInt(j.token1SwapVolume),
            swapIds,
            swapCount: swapIds.length,
        })
    })
    for (const j of jitLiquidity) {
        c.mevEvent(`jit-${j.id.slice(c.hk.length + 1)}`, MevKind.JIT_LIQUIDITY, {
            transactionHash: j.mintTransactionHash,
            pool: j.pool,
            account: j.bot,
            jitLiquidity: new JitLiquidity({ id: j.id }),
        })
    }

    const nftTrades = mev.nftTrades.map(
        (t) =>
            new NftTrade({
                ...base(),
                id: `${c.hk}-${pad(t.transactionPosition, 5)}-n${trace(t.traceAddress)}`,
                transactionHash: t.transactionHash.toLowerCase(),
                transactionPosition: t.transactionPosition,
                traceAddress: [...t.traceAddress],
                protocol: t.protocol,
                seller: t.sellerAddress,
                buyer: t.buyerAddress,
                paymentToken: t.paymentTokenAddress,
                paymentAmount: BigInt(t.paymentAmount),
                collection: t.collectionAddress,
                tokenId: BigInt(t.tokenId),
            }),
    )
    for (const t of nftTrades) {
        c.mevEvent(`nft-${t.id.slice(c.hk.length + 1)}`, MevKind.NFT_TRADE, {
            transactionHash: t.transactionHash,
            pool: t.collection,
            account: t.buyer,
            token: t.paymentToken,
            amount: t.paymentAmount,
            nftTrade: new NftTrade({ id: t.id }),
        })
    }

    const wanted = mevTransactions(mev)
    const minerPayments = mev.minerPayments
        .filter((p) => wanted.has(p.transactionHash) || p.coinbaseTransfer !== '0')
        .map(
            (p) =>
                new MinerPayment({
                    ...base(),
                    id: `${c.hk}-${pad(p.transactionIndex, 5)}`,
                    transactionHash: p.transactionHash,
                    transactionPosition: p.transactionIndex,
                    miner: p.minerAddress,
                    from: p.transactionFromAddress,
                    to: p.transactionToAddress,
                    coinbaseTransfer: BigInt(p.coinbaseTransfer),
                    gasUsed: BigInt(p.gasUsed),
                    gasPrice: BigInt(p.gasPrice),
                    baseFee: BigInt(p.baseFeePerGas),
                    gasPriceWithCoinbaseTransfer: BigInt(p.gasPriceWithCoinbaseTransfer),
                }),
        )
    return { liquidations, jitLiquidity, nftTrades, minerPayments }
}

/** Hashes (lowercase) of the transactions carrying a stored arbitrage, sandwich leg, liquidation or JIT mint/burn. */
function mevTransactions(mev: BlockClassification): Set<string> {
    const out = new Set<string>()
    const add = (h: string) => out.add(h.toLowerCase())
    for (const a of mev.arbitrages) add(a.transactionHash)
    for (const s of mev.sandwiches) {
        add(s.frontrunSwap.transactionHash)
        add(s.backrunSwap.transactionHash)
    }
    for (const l of mev.liquidations) add(l.transactionHash)
    for (const j of mev.jitLiquidity) {
        add(j.mintTransactionHash)
        add(j.burnTransactionHash)
    }
    return out
}
