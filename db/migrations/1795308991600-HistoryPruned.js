// Time travel, pruning (HISTORY_BLOCKS, src/indexer/write/history-prune.ts): the horizon below which the history
// tables no longer answer, one row (id 0) written by the processor in the transaction that pruned; the API refuses
// a `block` below it with BLOCK_PRUNED. No row: nothing was ever pruned.
module.exports = class HistoryPruned1795308991600 {
    name = 'HistoryPruned1795308991600'

    async up(db) {
        await db.query(`CREATE TABLE "history_pruned" ("id" integer PRIMARY KEY CHECK ("id" = 0), "pruned_below" integer NOT NULL, "pruned_at" timestamptz NOT NULL)`)
    }

    async down(db) {
        await db.query(`DROP TABLE IF EXISTS "history_pruned"`)
    }
}
