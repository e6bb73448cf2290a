// Time travel (src/indexer/write/history.ts, src/server/time-travel.ts): one history table per versioned entity,
// the entity's columns (LIKE: a later migration that adds a column to the entity must add it here too) plus
// block_range = [the block the version was written at, the block of the next version), open-ended for the
// current one. Indexes (README, Time travel):
// - GiST on block_range: the as-of list queries (`block_range @> N`) of the API;
// - btree (id, lower(block_range)): by-id as-of lookups and the writer's "close the open version of these ids";
// - btree lower(block_range) and upper(block_range): the reorg cleanup (versions written at or after a re-processed
//   block are deleted, versions closed there reopened) finds nothing in O(log n) on every batch.
const TABLES = ['escrow_account', 'batch', 'token', 'participant']

module.exports = class History1795308991400 {
    name = 'History1795308991400'

    async up(db) {
        for (const t of TABLES) {
            const h = `${t}_history`
            await db.query(`CREATE TABLE "${h}" (LIKE "${t}", "block_range" int4range NOT NULL)`)
            // an index that existed before this migration: each row's current version, from its last change on
            // (older versions are unknown: re-index from the start block for the full history)
            await db.query(`INSERT INTO "${h}" SELECT t.*, int4range(t.updated_at_block, NULL) FROM "${t}" t`)
            await db.query(`CREATE INDEX "${h}_range" ON "${h}" USING gist ("block_range")`)
            await db.query(`CREATE INDEX "${h}_id_from" ON "${h}" ("id", lower("block_range"))`)
            await db.query(`CREATE INDEX "${h}_from" ON "${h}" (lower("block_range"))`)
            await db.query(`CREATE INDEX "${h}_to" ON "${h}" (upper("block_range"))`)
        }
    }

    async down(db) {
        for (const t of TABLES) await db.query(`DROP TABLE IF EXISTS "${t}_history"`)
    }
}
