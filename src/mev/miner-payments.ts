import { ETH_PSEUDO_TOKEN as ETH_ADDRESS, WETH_ADDRESS } from './call-transfers'
import { BlockInput, CoinbaseTransfer, Liquidation, MinerPayment } from './types'
import { TxTraces, erroredKeys, groupByTransaction, isRolledBack, lower, toBigInt } from './util'

export { ETH_PSEUDO_TOKEN as ETH_ADDRESS, WETH_ADDRESS } from './call-transfers'

/** The block's beneficiary: the block's `miner`, else the author of its block-reward trace (pre-merge traces). */
export function blockMiner(block: BlockInput): string | null {
    const miner = lower(block.miner)
    if (miner) return miner
    const reward = block.traces.find((t) => t.type === 'reward' && (t.action.rewardType ?? 'block') === 'block' && t.action.author)
    return lower(reward?.action.author)
}

/** Calls carrying ETH to the block's miner that were not rolled back (one entry per call). */
export function findCoinbaseTransfers(block: BlockInput, txs: TxTraces[] = groupByTransaction(block.traces)): CoinbaseTransfer[] {
    const miner = blockMiner(block)
    if (!miner) return []
    const out: CoinbaseTransfer[] = []
    for (const tx of txs) {
        const errored = erroredKeys(tx.traces)
        for (const t of tx.traces) {
            if (t.type !== 'call' || lower(t.action.to) !== miner) continue
            if (t.action.callType && t.action.callType !== 'call') continue
            const value = toBigInt(t.action.value)
            if (value <= 0n || isRolledBack(t.traceAddress, errored)) continue
            out.push({ transactionHash: tx.transactionHash, from: lower(t.action.from) ?? '', amount: value.toString() })
        }
    }
    return out
}

/**
 * What each transaction paid the block producer (mev-inspect-py's miner payments), one per receipt:
 * coinbase transfer (ETH sent to the miner by calls that were not rolled back), gas used, gas price
 * (the receipt's effective gas price), the block's base fee, and the effective gas price including
 * the coinbase transfer: (gasUsed * gasPrice + coinbaseTransfer) / gasUsed, rounded down (0 when no
 * gas used is known).
 */
export function minerPayments(
    block: BlockInput,
    txs: TxTraces[] = groupByTransaction(block.traces),
    transfers: CoinbaseTransfer[] = findCoinbaseTransfers(block, txs),
): MinerPayment[] {
    const miner = blockMiner(block) ?? ''
    const baseFee = toBigInt(block.baseFeePerGas).toString()
    const coinbase = new Map<string, bigint>()
    for (const t of transfers) coinbase.set(t.transactionHash, (coinbase.get(t.transactionHash) ?? 0n) + BigInt(t.amount))
    const senders = new Map<string, string>()
    for (const tx of txs) {
        const top = tx.traces.find((t) => t.traceAddress.length === 0) ?? tx.traces[0]
        if (top) senders.set(tx.transactionHash, lower(top.action.from) ?? '')
    }
    const out: MinerPayment[] = []
    for (const r of block.receipts ?? []) {
        const hash = r.transactionHash.toLowerCase()
        if (!senders.has(hash)) continue
        const gasUsed = toBigInt(r.gasUsed)
        const gasPrice = toBigInt(r.effectiveGasPrice)
        const transfer = coinbase.get(hash) ?? 0n
        out.push({
            transactionHash: hash,
            transactionIndex: r.transactionIndex,
            minerAddress: miner,
            coinbaseTransfer: transfer.toString(),
            baseFeePerGas: baseFee,
            gasPrice: gasPrice.toString(),
            gasPriceWithCoinbaseTransfer: (gasUsed > 0n ? (gasUsed * gasPrice + transfer) / gasUsed : 0n).toString(),
            gasUsed: gasUsed.toString(),
            transactionToAddress: lower(r.to) ?? null,
            transactionFromAddress: senders.get(hash)!,
        })
    }
    return out.sort((a, b) => a.transactionIndex - b.transactionIndex)
}

/** Total a transaction paid for its inclusion: gas fee (gasUsed x gasPrice) plus its coinbase transfer, in wei. */
export type GasCostLookup = (transactionHash: string) => bigint | null

/**
 * Per-transaction inclusion cost, for any MEV category: `lookup(hash)` is gasUsed x effective gas
 * price + coinbase transfer in wei, or null when the block has no receipt for the transaction.
 */
export function gasCostLookup(payments: MinerPayment[]): GasCostLookup {
    const byHash = new Map<string, bigint>()
    for (const p of payments) byHash.set(p.transactionHash, BigInt(p.gasUsed) * BigInt(p.gasPrice) + BigInt(p.coinbaseTransfer))
    return (hash) => byHash.get(hash.toLowerCase()) ?? null
}

/**
 * Net profit = gross profit - gas cost, when both are in ETH (profit token WETH or ETH) and the gas cost
 * is known; null otherwise (other tokens would need a price).
 */
export function netProfit(profitToken: string, grossProfit: string, gasCost: bigint | null): string | null {
    if (gasCost === null) return null
    const token = profitToken.toLowerCase()
    if (token !== WETH_ADDRESS && token !== ETH_ADDRESS) return null
    return (BigInt(grossProfit) - gasCost).toString()
}

const ETH_VALUED: ReadonlySet<string> = new Set([WETH_ADDRESS, ETH_ADDRESS])

/**
 * A liquidation's net profit: receivedAmount - debtPurchaseAmount - gasCost, only when the collateral
 * received and the debt repaid are both ETH/WETH (the one case with a common unit and no price needed);
 * null otherwise, and null without the gas cost.
 */
export function liquidationNetProfit(l: Liquidation, gasCost: bigint | null): string | null {
    if (gasCost === null) return null
    if (!ETH_VALUED.has(l.receivedTokenAddress) || !ETH_VALUED.has(l.debtTokenAddress)) return null
    return (BigInt(l.receivedAmount) - BigInt(l.debtPurchaseAmount) - gasCost).toString()
}

/** Sum of several transactions' costs; null when any is unknown. */
export function totalGasCost(lookup: GasCostLookup, hashes: string[]): bigint | null {
    let total = 0n
    for (const h of new Set(hashes)) {
        const c = lookup(h)
        if (c === null) return null
        total += c
    }
    return total
}
