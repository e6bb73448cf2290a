/**
 * NFT trades on OpenSea's Wyvern exchanges (`atomicMatch_`), by mev-inspect-py's definition: the
 * buy order's maker is the buyer, the sell order's maker the seller; the trade is the one NFT the
 * seller sends to the buyer and the one payment the seller receives, net of the fees the seller
 * pays to the orders' fee recipients. Read from call traces only.
 */
import { CallTransfer, ETH_PSEUDO_TOKEN, TransferKind, transfersBelow, withoutNestedTransfers } from './call-transfers'
import { NftTrade } from './market-types'
import { BlockInput } from './types'

export type { NftTrade } from './market-types'
import { TxTraces, abiWords, erroredKeys, groupByTransaction, isPlainCall, isRolledBack, lower, selectorOf, wordToAddress } from './util'


const SEL_ATOMIC_MATCH = '0xab834bab' // atomicMatch_(address[14],uint256[18],uint8[8],bytes,bytes,bytes,bytes,bytes,bytes,uint8[2],bytes32[5])

/** OpenSea's Wyvern exchange deployments. */
export const WYVERN_EXCHANGES: ReadonlySet<string> = new Set([
    '0x7be8076f4ea4a4ad08075c2508e481d6c946d12b', // Wyvern 2.2 (to Feb 2022)
    '0x7f268357a8c2552623316e2562d90e642bb538e5', // Wyvern 2.3 (Feb–Jun 2022)
])

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'
/** An ERC721 `transferFrom` decodes as 'erc20' (same signature). */
const NFT_KINDS: ReadonlySet<TransferKind> = new Set<TransferKind>(['erc20', 'erc721', 'erc1155'])

// Indexes into atomicMatch_'s addrs[14]: buy order fields 0..6, sell order fields 7..13.
const BUY_MAKER = 1
const BUY_FEE_RECIPIENT = 3
const BUY_PAYMENT_TOKEN = 6
const SELL_MAKER = 8
const SELL_FEE_RECIPIENT = 10

/** All OpenSea trades that took effect in a block, in block order. */
export function findNftTrades(block: BlockInput): NftTrade[] {
    const out: NftTrade[] = []
    for (const tx of groupByTransaction(block.traces)) out.push(...findNftTradesInTransaction(tx, block.blockNumber))
    return out
}

export function findNftTradesInTransaction(tx: TxTraces, blockNumber: number): NftTrade[] {
    const errored = erroredKeys(tx.traces)
    const trades: NftTrade[] = []
    tx.traces.forEach((t, i) => {
        if (!isPlainCall(t) || selectorOf(t.action.input) !== SEL_ATOMIC_MATCH) return
        if (!WYVERN_EXCHANGES.has(lower(t.action.to) ?? '') || isRolledBack(t.traceAddress, errored)) return
        const w = abiWords(t.action.input ?? '')
        if (w.length < 14) return
        const addrs = w.slice(0, 14).map(wordToAddress)
        const trade = tradeFromTransfers(addrs, withoutNestedTransfers(transfersBelow(tx, i, errored)))
        if (!trade) return
        trades.push({
            abiName: 'WyvernExchange',
            transactionHash: tx.transactionHash,
            transactionPosition: tx.transactionPosition,
            blockNumber,
            traceAddress: [...t.traceAddress],
            protocol: 'opensea',
            error: null,
            ...trade,
        })
    })
    return trades
}

type TradeFields = Pick<NftTrade, 'sellerAddress' | 'buyerAddress' | 'paymentTokenAddress' | 'paymentAmount' | 'collectionAddress' | 'tokenId'>

function tradeFromTransfers(addrs: string[], transfers: CallTransfer[]): TradeFields | null {
    const seller = addrs[SELL_MAKER]
    const paymentToken = addrs[BUY_PAYMENT_TOKEN] === ZERO_ADDRESS ? ETH_PSEUDO_TOKEN : addrs[BUY_PAYMENT_TOKEN]
    // The NFT is what the seller sends that is not the payment token. The order's target is not
    // used: since 2022 it is OpenSea's MerkleValidator, not the collection.
    const fromSeller = transfers.filter((t) => NFT_KINDS.has(t.kind) && t.from === seller && t.token !== paymentToken)
    // Normally it goes to the buy order's maker; an aggregator (Gem, Genie) makes the buy order
    // and has the NFT sent straight to its user, who is then the buyer.
    const toMaker = fromSeller.filter((t) => t.to === addrs[BUY_MAKER])
    const nfts = toMaker.length > 0 ? toMaker : fromSeller
    // A bundle (several NFTs for one price) has no single token id; it is not one trade.
    if (nfts.length !== 1) return null
    const buyer = nfts[0].to
    const payments = transfers.filter((t) => t.to === seller && t.token === paymentToken)
    if (payments.length !== 1) return null
    const feeRecipients = new Set([addrs[BUY_FEE_RECIPIENT], addrs[SELL_FEE_RECIPIENT]].filter((a) => a !== ZERO_ADDRESS))
    const fees = transfers.filter((t) => t.from === seller && feeRecipients.has(t.to) && t.token === paymentToken)
    const net = payments[0].amount - fees.reduce((s, t) => s + t.amount, 0n)
    return {
        sellerAddress: seller,
        buyerAddress: buyer,
        paymentTokenAddress: paymentToken,
        paymentAmount: net.toString(),
        collectionAddress: nfts[0].token,
        tokenId: nfts[0].amount.toString(),
    }
}
