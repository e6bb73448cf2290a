// Bookkeeping for src/indexer/write/deferred-indexes.ts: the indexes and foreign keys the processor dropped for a
// backfill and rebuilds at the head. Written in the handler's transaction together with the DDL, so after a crash
// it always says what is missing. (Timestamp after the Data migration, like ApiPerf.)
module.exports = class DeferredIndexes1795308991072 {
    name = 'DeferredIndexes1795308991072'

    async up(db) {
        await db.query(
            `CREATE TABLE IF NOT EXISTS squid_deferred_index (
                id text PRIMARY KEY, -- the index or constraint name
                table_name text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('index', 'foreign key')),
                definition text NOT NULL
            )`,
        )
    }

    async down(db) {
        await db.query(`DROP TABLE IF EXISTS squid_deferred_index`)
    }
}
