/**
 * CryptoPunks bids, bid acceptances and snipes, by mev-inspect-py's definitions (its `punks`
 * inspector), from calls to the CryptoPunksMarket contract that took effect.
 *
 * A snipe: for a bid acceptance, the highest bid entered on the same punk in the same block is
 * above the acceptance's minimum price — the acceptor would have taken less than was bid. It is
 * reported on the bid (its transaction, trace, bidder), with both prices.
 */
import { PunkBid, PunkBidAcceptance, PunkSnipe } from './market-types'
import { BlockInput } from './types'

export type { PunkBid, PunkBidAcceptance, PunkSnipe } from './market-types'
import { TxTraces, abiWords, erroredKeys, groupByTransaction, isPlainCall, isRolledBack, lower, selectorOf, toBigInt, wordToUint } from './util'

export const CRYPTOPUNKS_MARKET = '0xb47e3cd837ddf8e4c57f05d70ab865de6e193bbb'
const SEL_ENTER_BID = '0x091dbfd2' // enterBidForPunk(uint256) payable
const SEL_ACCEPT_BID = '0x23165b75' // acceptBidForPunk(uint256,uint256)

interface MarketCall {
    tx: TxTraces
    traceAddress: number[]
    from: string
    words: string[]
    value: bigint
}

/** Plain calls with `selector` to the market that took effect, in block order. */
function marketCalls(txs: TxTraces[], selector: string, minWords: number): MarketCall[] {
    const out: MarketCall[] = []
    for (const tx of txs) {
        const errored = erroredKeys(tx.traces)
        for (const t of tx.traces) {
            if (!isPlainCall(t) || lower(t.action.to) !== CRYPTOPUNKS_MARKET || selectorOf(t.action.input) !== selector) continue
            const from = lower(t.action.from)
            const words = abiWords(t.action.input ?? '')
            if (!from || words.length < minWords || isRolledBack(t.traceAddress, errored)) continue
            out.push({ tx, traceAddress: [...t.traceAddress], from, words, value: toBigInt(t.action.value) })
        }
    }
    return out
}

/** Punk indexes run 0..9999; a larger word is not a valid call and is skipped. */
function punkIndex(word: string): number | null {
    const v = wordToUint(word)
    return v < 10000n ? Number(v) : null
}

export function findPunkBids(block: BlockInput, txs: TxTraces[] = groupByTransaction(block.traces)): PunkBid[] {
    const out: PunkBid[] = []
    for (const c of marketCalls(txs, SEL_ENTER_BID, 1)) {
        const idx = punkIndex(c.words[0])
        if (idx === null) continue
        out.push({
            blockNumber: block.blockNumber,
            transactionHash: c.tx.transactionHash,
            traceAddress: c.traceAddress,
            fromAddress: c.from,
            punkIndex: idx,
            price: c.value.toString(),
        })
    }
    return out
}

export function findPunkBidAcceptances(block: BlockInput, txs: TxTraces[] = groupByTransaction(block.traces)): PunkBidAcceptance[] {
    const out: PunkBidAcceptance[] = []
    for (const c of marketCalls(txs, SEL_ACCEPT_BID, 2)) {
        const idx = punkIndex(c.words[0])
        if (idx === null) continue
        out.push({
            blockNumber: block.blockNumber,
            transactionHash: c.tx.transactionHash,
            traceAddress: c.traceAddress,
            fromAddress: c.from,
            punkIndex: idx,
            minPrice: wordToUint(c.words[1]).toString(),
        })
    }
    return out
}

export function findPunkSnipes(block: BlockInput): PunkSnipe[] {
    return punkSnipesFrom(findPunkBids(block), findPunkBidAcceptances(block))
}

/** Snipes among one block's bids and acceptances, when those are already at hand. */
export function punkSnipesFrom(bids: PunkBid[], acceptances: PunkBidAcceptance[]): PunkSnipe[] {
    const out: PunkSnipe[] = []
    for (const acc of acceptances) {
        let highest: PunkBid | null = null
        for (const b of bids) {
            // The first of equal highest bids wins, as in mev-inspect-py.
            if (b.punkIndex === acc.punkIndex && (!highest || BigInt(b.price) > BigInt(highest.price))) highest = b
        }
        if (!highest || BigInt(highest.price) <= BigInt(acc.minPrice)) continue
        out.push({
            blockNumber: highest.blockNumber,
            transactionHash: highest.transactionHash,
            traceAddress: highest.traceAddress,
            fromAddress: highest.fromAddress,
            punkIndex: highest.punkIndex,
            minAcceptancePrice: acc.minPrice,
            acceptancePrice: highest.price,
        })
    }
    return out
}
