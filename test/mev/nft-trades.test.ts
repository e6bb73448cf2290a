import { decodeCallTransfer } from '../../src/mev/call-transfers'
import { NftTrade, WYVERN_EXCHANGES, findNftTrades } from '../../src/mev/nft-trades'
import { findPunkBidAcceptances, findPunkBids, findPunkSnipes } from '../../src/mev/punks'
import { BlockInput, Trace } from '../../src/mev/types'
import { addr, block, call, transferFromInput, txHash } from './builders'
import { NFT_TRADE_EXTRAS as EXTRA_VS_REFERENCE, NftReason as Reason } from './parity-differences'
import { key, loadBlock, loadReference, refFields, referenceBlocks } from './mev-inspect-fixtures'

const FIELDS = ['seller_address', 'buyer_address', 'payment_token_address', 'payment_amount', 'collection_address', 'token_id']
const WYVERN_2_3 = '0x7f268357a8c2552623316e2562d90e642bb538e5'

function txTraces(b: BlockInput, hash: string): Trace[] {
    return b.traces.filter((t) => t.transactionHash === hash)
}

/** True when the trace shows why mev-inspect-py misses this trade. */
function reasonHolds(b: BlockInput, trade: NftTrade, reason: Reason): boolean {
    const traces = txTraces(b, trade.transactionHash)
    const match = traces.find((t) => t.traceAddress.join() === trade.traceAddress.join())
    if (!match) return false
    switch (reason) {
        case 'wyvern-2.3':
            return match.action.to === WYVERN_2_3
        case 'erc1155':
            return traces.some((t) => {
                const d = decodeCallTransfer(t)
                return d?.kind === 'erc1155' && d.token === trade.collectionAddress && d.amount.toString() === trade.tokenId && d.to === trade.buyerAddress
            })
        case 'aggregator-recipient': {
            const buyMaker = '0x' + (match.action.input ?? '').slice(10 + 64 + 24, 10 + 128)
            return buyMaker !== trade.buyerAddress
        }
    }
}

describe('OpenSea NFT trades on the shared mainnet blocks', () => {
    it('find every trade mev-inspect-py reports, with its fields; every extra is a listed, checked miss of mev-inspect-py', () => {
        let refCount = 0
        let matched = 0
        let oursCount = 0
        let unexplained = 0
        const extras: string[] = []
        for (const n of referenceBlocks()) {
            const b = loadBlock(n)
            const ours = findNftTrades(b)
            oursCount += ours.length
            const byKey = new Map(ours.map((t) => [key(t.transactionHash, t.traceAddress), t]))
            for (const r of loadReference(n).nftTrades.filter((r) => r.error === null)) {
                refCount++
                const t = byKey.get(key(r.transaction_hash, r.trace_address))
                if (!t) continue
                matched++
                const { sellerAddress, buyerAddress, paymentTokenAddress, paymentAmount, collectionAddress, tokenId } = t
                expect({ sellerAddress, buyerAddress, paymentTokenAddress, paymentAmount, collectionAddress, tokenId }).toEqual(refFields(r, FIELDS))
                expect(t.transactionPosition).toBe(r.transaction_position)
                byKey.delete(key(r.transaction_hash, r.trace_address))
            }
            for (const t of byKey.values()) {
                const listed = EXTRA_VS_REFERENCE.find(([bn, tx, ta]) => bn === n && key(tx, ta) === key(t.transactionHash, t.traceAddress))
                if (!listed) unexplained++
                else expect([key(t.transactionHash, t.traceAddress), reasonHolds(b, t, listed[3])]).toEqual([key(t.transactionHash, t.traceAddress), true])
                extras.push(key(t.transactionHash, t.traceAddress))
            }
        }
        expect(extras.sort()).toEqual(EXTRA_VS_REFERENCE.map(([, tx, ta]) => key(tx, ta)).sort())
        expect(refCount).toBeGreaterThan(0)
        expect(matched / refCount).toBeGreaterThanOrEqual(0.9)
        // Precision against the reference once its listed misses are accounted for.
        expect((oursCount - unexplained) / oursCount).toBeGreaterThanOrEqual(0.9)
    })

    it('reports no trade for a reverted atomicMatch_ (block 13207907)', () => {
        const b = loadBlock(13207907)
        const reverted = b.traces.filter((t) => t.action.input?.startsWith('0xab834bab') && t.error)
        expect(reverted.length).toBeGreaterThan(0)
        const hashes = new Set(findNftTrades(b).map((t) => t.transactionHash))
        for (const t of reverted) expect(hashes.has(t.transactionHash!)).toBe(false)
    })

    it('the shared blocks hold no CryptoPunks bids or acceptances, in mev-inspect-py’s output or ours', () => {
        for (const n of referenceBlocks()) {
            const ref = loadReference(n)
            const b = loadBlock(n)
            expect([ref.punkBids, ref.punkBidAcceptances, ref.punkSnipes]).toEqual([[], [], []])
            expect([findPunkBids(b), findPunkBidAcceptances(b), findPunkSnipes(b)]).toEqual([[], [], []])
        }
    })
})

// ---------------------------------------------------------------------------------------------
// Synthetic traces

const w = (hex: string) => hex.replace(/^0x/, '').toLowerCase().padStart(64, '0')
const u = (v: bigint) => w(v.toString(16))
const ZERO = '0x0000000000000000000000000000000000000000'
const WYVERN = [...WYVERN_EXCHANGES][0]

/** atomicMatch_ input with the addrs[14] that matter filled in (the rest of the call data is not read). */
function atomicMatchInput(o: { buyer: string; seller: string; target: string; paymentToken?: string; feeRecipient?: string }): string {
    const addrs = [WYVERN, o.buyer, ZERO, ZERO, o.target, ZERO, o.paymentToken ?? ZERO, WYVERN, o.seller, ZERO, o.feeRecipient ?? ZERO, ZERO, ZERO, o.paymentToken ?? ZERO]
    return '0xab834bab' + addrs.map(w).join('') + u(0n).repeat(18)
}
const safeTransfer1155Input = (from: string, to: string, id: bigint, qty: bigint) => '0xf242432a' + w(from) + w(to) + u(id) + u(qty) + u(0xa0n) + u(0n)

const buyer = addr('buyer')
const seller = addr('seller')
const sellerProxy = addr('sellerProxy')
const collection = addr('collection')
const openseaWallet = addr('openseaWallet')

describe('NFT trades from synthetic traces', () => {
    it('an ETH sale: the seller’s net ETH, the NFT sent to the buyer', () => {
        const traces = [
            call(0, [], buyer, WYVERN, atomicMatchInput({ buyer, seller, target: collection }), { value: 1000n }),
            call(0, [0], WYVERN, openseaWallet, '0x', { value: 25n }),
            call(0, [1], WYVERN, seller, '0x', { value: 975n }),
            call(0, [2], WYVERN, sellerProxy, '0x1b0f7ba9'),
            call(0, [2, 0], sellerProxy, collection, transferFromInput(seller, buyer, 1234n)),
        ]
        expect(findNftTrades(block(traces))).toEqual([
            {
                abiName: 'WyvernExchange',
                transactionHash: txHash(0),
                transactionPosition: 0,
                blockNumber: 100,
                traceAddress: [],
                protocol: 'opensea',
                error: null,
                sellerAddress: seller,
                buyerAddress: buyer,
                paymentTokenAddress: '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
                paymentAmount: '975',
                collectionAddress: collection,
                tokenId: '1234',
            },
        ])
    })

    it('a WETH sale of an ERC1155 token: the seller’s fee to the fee recipient is deducted', () => {
        const weth = addr('weth')
        const proxy = addr('tokenTransferProxy')
        const traces = [
            call(0, [], seller, WYVERN, atomicMatchInput({ buyer, seller, target: collection, paymentToken: weth, feeRecipient: openseaWallet })),
            call(0, [0], WYVERN, proxy, '0x15dacbea'),
            call(0, [0, 0], proxy, weth, transferFromInput(buyer, seller, 1000n)),
            call(0, [1], WYVERN, proxy, '0x15dacbea'),
            call(0, [1, 0], proxy, weth, transferFromInput(seller, openseaWallet, 75n)),
            call(0, [2], WYVERN, sellerProxy, '0x1b0f7ba9'),
            call(0, [2, 0], sellerProxy, collection, safeTransfer1155Input(seller, buyer, 7n, 1n)),
        ]
        const [t] = findNftTrades(block(traces))
        expect(t).toMatchObject({ paymentTokenAddress: weth, paymentAmount: '925', collectionAddress: collection, tokenId: '7', buyerAddress: buyer })
    })

    it('no trade for a reverted match, a bundle, or an unknown exchange', () => {
        const sale = (pos: number, to: string, opts: { error?: string; nfts?: number } = {}) => [
            call(pos, [], buyer, to, atomicMatchInput({ buyer, seller, target: collection }), { value: 10n, error: opts.error }),
            call(pos, [0], to, seller, '0x', { value: 10n }),
            ...Array.from({ length: opts.nfts ?? 1 }, (_, i) => call(pos, [1 + i], sellerProxy, collection, transferFromInput(seller, buyer, BigInt(i)))),
        ]
        expect(findNftTrades(block(sale(0, WYVERN, { error: 'Reverted' })))).toEqual([])
        expect(findNftTrades(block(sale(1, WYVERN, { nfts: 2 })))).toEqual([])
        expect(findNftTrades(block(sale(2, addr('otherExchange'))))).toEqual([])
        expect(findNftTrades(block(sale(3, WYVERN)))).toHaveLength(1)
    })
})

describe('CryptoPunks from synthetic traces', () => {
    const MARKET = '0xb47e3cd837ddf8e4c57f05d70ab865de6e193bbb'
    const bidInput = (punk: bigint) => '0x091dbfd2' + u(punk)
    const acceptInput = (punk: bigint, minPrice: bigint) => '0x23165b75' + u(punk) + u(minPrice)
    const bidderA = addr('bidderA')
    const bidderB = addr('bidderB')
    const owner = addr('owner')

    it('bids, an acceptance below the highest bid (a snipe by that bid), and a reverted bid that does not count', () => {
        const b = block([
            call(0, [], bidderA, MARKET, bidInput(42n), { value: 100n }),
            call(1, [], bidderB, MARKET, bidInput(42n), { value: 150n }),
            call(2, [], bidderB, MARKET, bidInput(42n), { value: 999n, error: 'Reverted' }),
            call(3, [], owner, MARKET, acceptInput(42n, 120n)),
            call(4, [], owner, MARKET, acceptInput(7n, 1n)),
        ])
        expect(findPunkBids(b)).toEqual([
            { blockNumber: 100, transactionHash: txHash(0), traceAddress: [], fromAddress: bidderA, punkIndex: 42, price: '100' },
            { blockNumber: 100, transactionHash: txHash(1), traceAddress: [], fromAddress: bidderB, punkIndex: 42, price: '150' },
        ])
        expect(findPunkBidAcceptances(b)).toEqual([
            { blockNumber: 100, transactionHash: txHash(3), traceAddress: [], fromAddress: owner, punkIndex: 42, minPrice: '120' },
            { blockNumber: 100, transactionHash: txHash(4), traceAddress: [], fromAddress: owner, punkIndex: 7, minPrice: '1' },
        ])
        expect(findPunkSnipes(b)).toEqual([
            { blockNumber: 100, transactionHash: txHash(1), traceAddress: [], fromAddress: bidderB, punkIndex: 42, minAcceptancePrice: '120', acceptancePrice: '150' },
        ])
    })

    it('no snipe when the highest bid does not exceed the minimum price', () => {
        const b = block([call(0, [], bidderA, MARKET, bidInput(5n), { value: 100n }), call(1, [], owner, MARKET, acceptInput(5n, 100n))])
        expect(findPunkSnipes(b)).toEqual([])
    })
})
