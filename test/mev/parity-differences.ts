/**
 * Deliberate differences from mev-inspect-py's own output (../shared/fixtures/mev-inspect/reference/),
 * one entry per transaction (and trace) with the reason. The parity test checks both ways: every
 * difference it finds must be listed here, every entry must still be a difference, and each entry's
 * evidence is checked on the block's traces (see `evidence` in parity.test.ts). The README's MEV
 * section lists the same classes.
 */

export type Reason =
    /**
     * The swap() call's `bytes data` argument is not padded to a multiple of 32 bytes (searcher bots
     * cut their calldata short). The pool executed it (input and output transfers are in the trace),
     * but mev-inspect-py's strict ABI decoder rejects the call, so it reports no swap.
     */
    | 'unpadded-calldata'
    /**
     * A Curve pool's exchange()/exchange_underlying() that mev-inspect-py misses because the pool is
     * not in its hard-coded address list (or uses the crypto-pool exchange(uint256,...) signature it
     * does not know). We recognise Curve by its functions, like every other protocol.
     */
    | 'curve-pool-unlisted'
    /**
     * A swap made by a fee-on-transfer token's own transfer hook (swap-and-liquify), inside the user's
     * transfer call. mev-inspect-py discards every transfer nested in a transfer, so it either loses
     * the hook swap's input (no swap) or takes the user's outer transfer, which pays a different swap,
     * as its input (wrong amount and payer). The hook swap is paid by the token contract's own nested
     * transfer to the pair.
     */
    | 'transfer-hook-swap'
    /** An arbitrage whose route contains a swap listed above, so mev-inspect-py cannot see the cycle. */
    | 'arbitrage-through-missed-swap'
    /**
     * A cycle made of swaps mev-inspect-py itself reports, where it reports no arbitrage: the searcher
     * paid WETH to a V3 pool for USDC and got more WETH back for the same USDC from a 0x order.
     */
    | 'arbitrage-missed-by-reference'
    /**
     * mev-inspect-py computes gas_price_with_coinbase_transfer with float division; above 2^53 it is
     * off by rounding. Ours is the exact integer floor((gasUsed x gasPrice + coinbaseTransfer) / gasUsed).
     */
    | 'float-rounding'

export interface KnownDifference {
    block: number
    kind: 'extra-swap' | 'swap-fields' | 'extra-arbitrage' | 'miner-payment-fields'
    tx: string
    /** trace address of the swap (swaps only) */
    trace?: number[]
    reason: Reason
}

const d = (block: number, kind: KnownDifference['kind'], tx: string, reason: Reason, trace?: number[]): KnownDifference => ({ block, kind, tx, trace, reason })

export const KNOWN_DIFFERENCES: KnownDifference[] = [
    // Curve pools outside mev-inspect-py's list
    d(11931272, 'extra-swap', '0x0fe21e34cdd5af86c63e4a83e0ee8b67e8644defb563a55e1c70bd6284f8b7fa', 'curve-pool-unlisted', [1, 5, 2]),
    d(13207907, 'extra-swap', '0x6112a9305ecd914180b95de937624d74b25c7c7c004be5af94793f4b67fc8748', 'curve-pool-unlisted', [2, 2, 2]),
    d(14621812, 'extra-swap', '0xce267453308c5b2739b871170f0db8bebcfae567a6ef3ecbee776e5d249bf48b', 'curve-pool-unlisted', [2]),
    d(14621812, 'extra-swap', '0xb0b9865d3e26d31480048cae5f9cdfdf415964f21e5b1fc249049e0fb07b00cf', 'curve-pool-unlisted', []),
    // swaps whose calldata mev-inspect-py cannot decode
    d(14422990, 'extra-swap', '0x3fa965ce5c01c33881a6b9b92cc0e39edfc4ad68c1ae1beb2bb1b813d4642470', 'unpadded-calldata', [0]),
    d(14422990, 'extra-swap', '0x3fa965ce5c01c33881a6b9b92cc0e39edfc4ad68c1ae1beb2bb1b813d4642470', 'unpadded-calldata', [3]),
    d(14422990, 'extra-swap', '0xb7b6192174289b765f318d18ad8dbd2e51a55fa359fd580ffa59d9e4693a4b9f', 'unpadded-calldata', [0]),
    d(14422990, 'extra-swap', '0xb7b6192174289b765f318d18ad8dbd2e51a55fa359fd580ffa59d9e4693a4b9f', 'unpadded-calldata', [3]),
    d(14621812, 'extra-swap', '0x67346b32cf7fe7225253a8d24ac2339ac4d1295cb33d57c9cd1b65d5ddeefd0f', 'unpadded-calldata', [0]),
    d(14621812, 'extra-swap', '0x67346b32cf7fe7225253a8d24ac2339ac4d1295cb33d57c9cd1b65d5ddeefd0f', 'unpadded-calldata', [0, 2, 0]),
    d(14621812, 'extra-swap', '0x995149c029dc173d1a8e5ac266e1e3fc3d3f1a2430f4391e6744e0fc6d45696e', 'unpadded-calldata', [1]),
    d(14621812, 'extra-swap', '0x218979024338448263e47ce8ed925a71fbd68d6327faf020481d7a6505e0dc87', 'unpadded-calldata', [0]),
    d(15049646, 'extra-swap', '0x79fa828c222c3b21c002c7939d8cd613e7476c90bba26622da6790ed05d59ba2', 'unpadded-calldata', [0]),
    d(15049646, 'extra-swap', '0x79fa828c222c3b21c002c7939d8cd613e7476c90bba26622da6790ed05d59ba2', 'unpadded-calldata', [0, 2, 0]),
    d(15049646, 'extra-swap', '0x438fb9e5a9fa80524661a9f8292fe238cf74e6397717ef277bbccb8e8c337558', 'unpadded-calldata', [0]),
    d(15049646, 'extra-swap', '0x438fb9e5a9fa80524661a9f8292fe238cf74e6397717ef277bbccb8e8c337558', 'unpadded-calldata', [0, 2, 0]),
    d(15049646, 'extra-swap', '0x438fb9e5a9fa80524661a9f8292fe238cf74e6397717ef277bbccb8e8c337558', 'unpadded-calldata', [0, 2, 0, 2, 0]),
    d(15049646, 'extra-swap', '0x29fca501f654200b2fbf861e92cf0e0687c3cc455d2f95eadd22f0a91800baaf', 'unpadded-calldata', [1]),
    // swaps made inside a fee-on-transfer token's transfer hook
    d(14621812, 'extra-swap', '0xc743e0ac321d282949626227a079379ab037c8bcb3b8881ebde243939b31148e', 'transfer-hook-swap', [3, 1, 3]),
    d(13323642, 'swap-fields', '0xc164a733c09b84a72a577377cb09f37646cc474012757248d73b6dca16d3eeb7', 'transfer-hook-swap', [0, 1, 3]),
    d(13601096, 'swap-fields', '0x729855fe17b380dde985ef86d384511a2ddfd36f0e13a16931a73571988fe2d3', 'transfer-hook-swap', [0, 1, 3]),
    d(13601096, 'swap-fields', '0xda2daa763c6c05856d10ea364fbd2c0d120ea1ab4284924608b01123a309ad0d', 'transfer-hook-swap', [0, 1, 3]),
    d(13666312, 'swap-fields', '0x16c7f574482877f3ef58ab5667cfeaf9878bd23a84167eebd19af5adc7509a7b', 'transfer-hook-swap', [0, 1, 3]),
    d(13666312, 'swap-fields', '0xb0d3d9131c5d5efa281b1abb92630c0998208255f39b54af75ce7879adf89760', 'transfer-hook-swap', [0, 1, 3]),
    d(14621812, 'swap-fields', '0xf01a8e44b41b1dba6045b9b5974ed155211b6f218aa3d864c6fc469e3eda0045', 'transfer-hook-swap', [0, 0, 0, 3]),
    d(15049646, 'swap-fields', '0x61797b0b8500950f0dbc04b5cd403dcfb8d4227b3205479221c9f6c881370508', 'transfer-hook-swap', [0, 0, 1, 3]),
    // arbitrages mev-inspect-py cannot see or does not report
    d(14621812, 'extra-arbitrage', '0x67346b32cf7fe7225253a8d24ac2339ac4d1295cb33d57c9cd1b65d5ddeefd0f', 'arbitrage-through-missed-swap'),
    d(14621812, 'extra-arbitrage', '0x995149c029dc173d1a8e5ac266e1e3fc3d3f1a2430f4391e6744e0fc6d45696e', 'arbitrage-through-missed-swap'),
    d(14621812, 'extra-arbitrage', '0xce267453308c5b2739b871170f0db8bebcfae567a6ef3ecbee776e5d249bf48b', 'arbitrage-through-missed-swap'),
    d(15049646, 'extra-arbitrage', '0x79fa828c222c3b21c002c7939d8cd613e7476c90bba26622da6790ed05d59ba2', 'arbitrage-through-missed-swap'),
    d(15049646, 'extra-arbitrage', '0x438fb9e5a9fa80524661a9f8292fe238cf74e6397717ef277bbccb8e8c337558', 'arbitrage-through-missed-swap'),
    d(15049646, 'extra-arbitrage', '0x29fca501f654200b2fbf861e92cf0e0687c3cc455d2f95eadd22f0a91800baaf', 'arbitrage-through-missed-swap'),
    d(13666312, 'extra-arbitrage', '0xa043976d736ec8dc930c0556dffd0a86a4bfc80bf98fb7995c791fb4dc488b5d', 'arbitrage-missed-by-reference'),
    // miner payments
    d(12498502, 'miner-payment-fields', '0xdcbcdde335d54f2387a04125652a27814498a72394c1d868cc12443c60006537', 'float-rounding'),
]
