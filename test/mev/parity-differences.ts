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

// ---------------------------------------------------------------------------------------------
// Liquidations and NFT trades (checked by liquidations.test.ts, nft-trades.test.ts and, on the CLI's
// output, parity-output.test.ts)

/**
 * Where our liquidations deliberately differ from mev-inspect-py's reference output (see the
 * README's MEV section). Each entry's reason is checked against the finding.
 */
export const LIQUIDATION_EXTRAS: Array<{ block: number; tx: string; traceAddress: number[]; reason: 'ironbank-not-on-main' }> = [
    // mev-inspect-py's main branch has no Iron Bank classifier; its Iron Bank PR (#297) asserts this
    // very liquidation (expect/14422990.json), and we report exactly that.
    { block: 14422990, tx: '0xb7b6192174289b765f318d18ad8dbd2e51a55fa359fd580ffa59d9e4693a4b9f', traceAddress: [0, 1, 1], reason: 'ironbank-not-on-main' },
]
export const LIQUIDATION_MISSING: Array<{ block: number; tx: string; traceAddress: number[] }> = []


export type NftReason = 'wyvern-2.3' | 'erc1155' | 'aggregator-recipient'

/**
 * Trades we report that mev-inspect-py's reference does not, each a real trade it misses (see the
 * README's MEV section). The test checks each reason on the trace:
 * - wyvern-2.3: the match ran on OpenSea's Wyvern 2.3 exchange, which mev-inspect-py's spec does not list;
 * - erc1155: the NFT moved by ERC1155 safeTransferFrom, which mev-inspect-py does not read as a transfer;
 * - aggregator-recipient: the buy order's maker (an aggregator) had the NFT sent to its user.
 */
export const NFT_TRADE_EXTRAS: Array<[number, string, number[], NftReason]> = [
    [11931272, '0x7728befa7cf3180ed7485acaa0a63fc648563487ea3f2b855c7ce3b8f4393bfc', [], 'erc1155'],
    [13207907, '0x4ea60c302fc80bed75ade76a41732d8f6645622b55f95dc125fb991c43755e0f', [], 'erc1155'],
    [13323642, '0x3fb5a38037d0f81a4e90628c0be3d3f36658b53e35b47a54a3a7fd6e4cb5e87b', [], 'erc1155'],
    [13323642, '0x21db4cc51d711cb95ae4aa5021bd6ce8f63280e8cf2a16e73c2d3d5b7fef9467', [], 'erc1155'],
    [13323642, '0xb9b4bfb4f0de16341db231431f02c40c2c8e9618f7fe4c824f8c56f3e0a6cf69', [], 'erc1155'],
    [13601096, '0x13a324ed5ee8881350a761283fa5a878d0e7a86d085f7bb9baddca6146efad39', [], 'erc1155'],
    [13666312, '0x48487b4a037d6bc361d581c91a8cfba1773233d370e94ded6ba91d8e49d533a3', [], 'erc1155'],
    [13666312, '0x03ed7d0335d958449d068426e9c85abab7935b069378c868c738f9779c4a987e', [], 'erc1155'],
    [13666312, '0xbe02ea0ae7edb482def2c16fc31f202cdfb431900346403a0026061e71c23a24', [], 'erc1155'],
    [13666312, '0xb468726313a0d91e41cce38242900475689524ecd006f83af86922e63bcd7002', [1, 0], 'aggregator-recipient'],
    [13666312, '0xb468726313a0d91e41cce38242900475689524ecd006f83af86922e63bcd7002', [1, 1], 'aggregator-recipient'],
    [13666312, '0xb468726313a0d91e41cce38242900475689524ecd006f83af86922e63bcd7002', [1, 2], 'aggregator-recipient'],
    [13666312, '0xb468726313a0d91e41cce38242900475689524ecd006f83af86922e63bcd7002', [1, 3], 'aggregator-recipient'],
    [14422990, '0x18d39bd7da38db2bf4b36bedfc665e70fe7642285cd82e69600d1826bfd47896', [], 'wyvern-2.3'],
    [14422990, '0x73107f684c908dfff484643f9621eb8e1a412fa2bbd44d9dd254441ac6069131', [], 'wyvern-2.3'],
    [14422990, '0x4e11f66e17db990c95cec547308f96bca60b8b301527f59ec253a07764b445a8', [], 'wyvern-2.3'],
    [14621812, '0xf51e614e073d52450f84de96e43a4f3cb0a30c82d850b929dba7c7c97c8b17ef', [0], 'wyvern-2.3'],
    [14621812, '0x18eff52b84002ad101276e46297c1e005c16d84425d6809aa6b2e8039895d084', [0], 'wyvern-2.3'],
    [14621812, '0x18eff52b84002ad101276e46297c1e005c16d84425d6809aa6b2e8039895d084', [1], 'wyvern-2.3'],
    [14621812, '0x18eff52b84002ad101276e46297c1e005c16d84425d6809aa6b2e8039895d084', [2], 'wyvern-2.3'],
    [14621812, '0x18eff52b84002ad101276e46297c1e005c16d84425d6809aa6b2e8039895d084', [3], 'wyvern-2.3'],
    [14621812, '0x18eff52b84002ad101276e46297c1e005c16d84425d6809aa6b2e8039895d084', [4], 'wyvern-2.3'],
    [14621812, '0xea70ccb0522866bfdf7e1bbc725da287d9c2342594e7c32978f87369802b77e6', [], 'wyvern-2.3'],
    [14621812, '0xe5418e39a8d089f359a6f0d6074bb75fa66a014fcbad5151554d5b1c3d6656d7', [], 'wyvern-2.3'],
    [14621812, '0x6612e05f1cd28fcb5f80e24d0040e5a2d3f097f7c6607eac654fd0671d1995f9', [], 'wyvern-2.3'],
    [14621812, '0xec905c4c65594fd577e6663f77f439e4d033a25193bc5007b320d1473ea9393a', [], 'wyvern-2.3'],
    [14621812, '0x389c4cf8da67073339b52fe5c05d5df4f6c890fde21e92f50f74db5d02438ecb', [], 'wyvern-2.3'],
    [14621812, '0x0ef1c24d780553cfc90a2b102fd9643e89590fd43a0836f6edb0d831ede4678a', [], 'wyvern-2.3'],
    [14621812, '0x45786154ce7ee55e43e148c0512b4f9f48e91a11712cde67c4116ae84ac5dc4a', [], 'wyvern-2.3'],
    [14621812, '0x70f9d1b0ef1735f775b574112e805d74732e6717b01b5dc9fd5196094e239389', [], 'wyvern-2.3'],
    [14621812, '0x33deee61156e211ff863a34340a39ae75d471e1106698481a250cbbf955ccb58', [], 'wyvern-2.3'],
    [14621812, '0xbc5514b805cea625f9c6798ee9848340814af58624eb1f22c5b58a07ac8887f7', [], 'wyvern-2.3'],
    [15049646, '0x3eae17591c171e0284b67f9148df85cde1bc35cb213430a10d50e082683f6f0a', [], 'wyvern-2.3'],
]

