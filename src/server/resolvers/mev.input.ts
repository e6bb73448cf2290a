import { registerEnumType } from 'type-graphql'

/** Same values as the model's MevKind (schema.graphql); merged into one enum. */
export enum MevKind {
    SWAP = 'SWAP',
    ARBITRAGE = 'ARBITRAGE',
    SANDWICH = 'SANDWICH',
    COINBASE_TRANSFER = 'COINBASE_TRANSFER',
}
registerEnumType(MevKind, { name: 'MevKind' })

/** What `mevFeed` and `mevDetected` return when `kinds` is not given: swaps only on request. */
export const DEFAULT_MEV_KINDS: MevKind[] = [MevKind.ARBITRAGE, MevKind.SANDWICH, MevKind.COINBASE_TRANSFER]
