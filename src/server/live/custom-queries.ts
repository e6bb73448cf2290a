/**
 * The custom (type-graphql) read queries that are also live queries, each with the SQL tables its resolver reads.
 * This map is the one list: live.schema.ts offers these fields on the Subscription root, tables-read.ts wakes them
 * on a notice that names one of their tables. A custom query's tables cannot be derived from its document (its SQL
 * is hand-written), so they are declared here, and test/server/live-custom.test.ts fails when a resolver's SQL
 * reads a table missing from its list (it EXPLAINs every statement the resolver runs).
 *
 * Tables are SQL names as the resolvers write them: `batch`, `validator_score` (the processor's entity tables, the
 * notice names their entity: Batch, ValidatorScore), or `api.batch_leaves` (written by this server's own
 * mutations, never by the processor: not in any notice, so a change there alone wakes nothing; the leaves are
 * stored before their batch is committed on chain, and the queries read them joined to the indexed batch).
 */

export interface CustomLiveQuery {
    /** SQL tables its resolver reads */
    tables: readonly string[]
    /** arguments the live field does not take (they select a later page) */
    omitArgs?: readonly string[]
}

export const CUSTOM_LIVE_QUERIES: Readonly<Record<string, CustomLiveQuery>> = {
    // settlement.resolver.ts LIFECYCLE_SQL
    batchLifecycle: { tables: ['batch', 'dispute', 'payout', 'claim', 'api.batch_leaves'] },
    // settlement.resolver.ts CLAIMABLE_SQL
    claimableBalance: { tables: ['api.batch_leaves', 'batch', 'claim'] },
    // validator.type.ts SCORE_ENTRY_SQL (+ the latest epoch's max)
    validatorRankings: { tables: ['validator_score', 'validator', 'validator_epoch_stat'] },
    // mev.type.ts mevItemsSql and mev-kinds.type.ts OTHER_DETAIL_JOINS; live: the first page only
    mevFeed: { tables: ['mev_event', 'arbitrage', 'sandwich', 'liquidation', 'jit_liquidity', 'nft_trade', 'swap'], omitArgs: ['cursor'] },
}

export const isCustomLiveQuery = (field: string): boolean => Object.prototype.hasOwnProperty.call(CUSTOM_LIVE_QUERIES, field)

/** Tables of the `api` schema: this server's own, never in a processor notice. */
const isApiTable = (table: string) => table.startsWith('api.')

/** The SQL table of an entity (squid's snake-case naming strategy: MevEvent → mev_event). */
export function entityTable(entity: string): string {
    return entity.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}

/**
 * Entity names (as notices carry them) of a custom live query's tables. Throws when a declared table is neither an
 * entity of `entities` nor an `api.` table: a typo would otherwise leave the query asleep.
 */
export function customQueryEntities(field: string, entities: Iterable<string>): Set<string> {
    if (!isCustomLiveQuery(field)) return new Set()
    const q = CUSTOM_LIVE_QUERIES[field]
    const byTable = new Map<string, string>()
    for (const e of entities) byTable.set(entityTable(e), e)
    const out = new Set<string>()
    for (const t of q.tables) {
        const e = byTable.get(t)
        if (e) out.add(e)
        else if (!isApiTable(t)) throw new Error(`live query ${field}: table ${t} is not an entity table (custom-queries.ts)`)
    }
    return out
}
