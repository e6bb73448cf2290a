/**
 * Time travel: the entities whose every version is kept, with the block range in which it held, in
 * `<table>_history` (db/migrations/1795308991400-History.js creates those tables; a new entry here needs its table
 * there). The indexer writes them (src/indexer/write/history.ts), the API reads them for queries with a `block`
 * argument (src/server/time-travel.ts).
 */
/** Every handler sets `updatedAtBlock` before it adds or touches a row of these: a version is keyed by it. */
export interface VersionedEntity {
    /** entity class name (schema.graphql type) */
    entity: string
    /** the current-state table */
    table: string
    /** OpenReader's generated queries of the entity that take `block` */
    queries: string[]
}

export const VERSIONED: readonly VersionedEntity[] = [
    { entity: 'EscrowAccount', table: 'escrow_account', queries: ['escrowAccounts', 'escrowAccountById', 'escrowAccountsConnection'] },
    { entity: 'Batch', table: 'batch', queries: ['batches', 'batchById', 'batchesConnection'] },
    { entity: 'Token', table: 'token', queries: ['tokens', 'tokenById', 'tokensConnection'] },
    { entity: 'Participant', table: 'participant', queries: ['participants', 'participantById', 'participantsConnection'] },
]

export const VERSIONED_ENTITIES: ReadonlySet<string> = new Set(VERSIONED.map((v) => v.entity))

export function historyTable(table: string): string {
    return `${table}_history`
}
