export * from './types'
export {
    classifyBlock,
    emptyClassification,
    findCoinbaseTransfers,
    blockInputFromJson,
    blockInputFromText,
    blockInputFromFixture,
    parseBlockJson,
    normalizeTrace,
    BlockInputError,
} from './classify'
export { minerPayments, gasCostLookup, netProfit, liquidationNetProfit, totalGasCost, blockMiner } from './miner-payments'
export type { GasCostLookup } from './miner-payments'
export { findJitLiquidity } from './jit'
export { toMevInspectBlock, MEV_CATEGORIES } from './output'
export type { MevInspectBlock } from './output'
export { findSwaps, findSwapsInTransaction, decodeErc20Transfer, swapCollector } from './swaps'
export { findArbitragesInTransaction, findSwapRoutes } from './arbitrages'
export { findSandwiches } from './sandwiches'
export { groupByTransaction } from './util'
export { findLiquidations, findLiquidationsInTransaction, COMPTROLLER_PROTOCOLS } from './liquidations'
export { findNftTrades, findNftTradesInTransaction, WYVERN_EXCHANGES } from './nft-trades'
export { findPunkBids, findPunkBidAcceptances, findPunkSnipes, punkSnipesFrom, CRYPTOPUNKS_MARKET } from './punks'
export { decodeCallTransfer, decodeTokenCall, ETH_PSEUDO_TOKEN } from './call-transfers'
export type { CallTransfer } from './call-transfers'
