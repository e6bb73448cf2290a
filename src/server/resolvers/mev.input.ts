import { registerEnumType } from 'type-graphql'

/** Same values as the model's MevKind (schema.graphql); merged into one enum. */
export enum MevKind {
    SWAP = 'SWAP',
    ARBITRAGE = 'ARBITRAGE',
    SANDWICH = 'SANDWICH',
    COINBASE_TRANSFER = 'COINBASE_TRANSFER',
    LIQUIDATION = 'LIQUIDATION',
    JIT_LIQUIDITY = 'JIT_LIQUIDITY',
    NFT_TRADE = 'NFT_TRADE',
}
registerEnumType(MevKind, { name: 'MevKind' })

/** What `mevFeed` and `mevDetected` return when `kinds` is not given: every kind but swaps (those only on request). */
export const DEFAULT_MEV_KINDS: MevKind[] = Object.values(MevKind).filter((k) => k !== MevKind.SWAP)
