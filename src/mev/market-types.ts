/** mev-inspect-py's NFT trade and CryptoPunks models, camelCased (no imports: types.ts builds on them). */

export interface NftTrade {
    abiName: 'WyvernExchange'
    transactionHash: string
    transactionPosition: number
    blockNumber: number
    traceAddress: number[]
    protocol: 'opensea'
    /** Always null: a trade whose call or an ancestor failed is not reported. */
    error: string | null
    sellerAddress: string
    buyerAddress: string
    /** ETH is 0xeeee…eeee (Wyvern's zero-address sentinel converted, as mev-inspect-py does). */
    paymentTokenAddress: string
    /** What the seller received, less the fees the seller paid; decimal string. */
    paymentAmount: string
    /** The NFT contract the token moved on. */
    collectionAddress: string
    /** Decimal string (ids exceed 2^53). */
    tokenId: string
}

export interface PunkBid {
    blockNumber: number
    transactionHash: string
    traceAddress: number[]
    /** The bidder. */
    fromAddress: string
    punkIndex: number
    /** Wei sent with the bid; decimal string. */
    price: string
}

export interface PunkBidAcceptance {
    blockNumber: number
    transactionHash: string
    traceAddress: number[]
    /** The punk's owner accepting. */
    fromAddress: string
    punkIndex: number
    /** Wei; decimal string. */
    minPrice: string
}

export interface PunkSnipe {
    blockNumber: number
    /** Of the highest bid. */
    transactionHash: string
    traceAddress: number[]
    /** The bidder. */
    fromAddress: string
    punkIndex: number
    /** The acceptance's minimum price; decimal string. */
    minAcceptancePrice: string
    /** The highest bid's price; decimal string. */
    acceptancePrice: string
}
