/**
 * Time travel: the entities whose every version is kept, with the block range in which it held, in
 * `<table>_history` (db/migrations/1795308991400-History.js and 1795308991500-HistoryMore.js create those
 * tables; a new entry here needs its table in a migration). The indexer writes them (src/indexer/write/history.ts),
 * the API reads them for queries with a `block` argument (src/server/time-travel.ts).
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
    { entity: 'Payout', table: 'payout', queries: ['payouts', 'payoutById', 'payoutsConnection'] },
    { entity: 'Dispute', table: 'dispute', queries: ['disputes', 'disputeById', 'disputesConnection'] },
    { entity: 'ProtocolParams', table: 'protocol_params', queries: ['protocolParams', 'protocolParamsById', 'protocolParamsConnection'] },
    { entity: 'Validator', table: 'validator', queries: ['validators', 'validatorById', 'validatorsConnection'] },
    { entity: 'Delegation', table: 'delegation', queries: ['delegations', 'delegationById', 'delegationsConnection'] },
    { entity: 'RoleAssignment', table: 'role_assignment', queries: ['roleAssignments', 'roleAssignmentById', 'roleAssignmentsConnection'] },
]

export const VERSIONED_ENTITIES: ReadonlySet<string> = new Set(VERSIONED.map((v) => v.entity))

export function historyTable(table: string): string {
    return `${table}_history`
}

/**
 * The pruning horizon (HISTORY_BLOCKS): one row (id 0), `pruned_below`, written by the processor in the transaction
 * that pruned (src/indexer/write/history-prune.ts); the API refuses blocks below it (src/server/time-travel.ts).
 */
export const PRUNE_TABLE = 'history_pruned'
