// Indexes of the API server's internal tables (schema `api`, see 1700000000000-Api.js).
// batch_leaves_leaves_gin: claimableBalance finds the stored batches holding a payee's leaf with
// `leaves @> '[["0x…payee"]]'`; without it every stored batch document is scanned.
// (Older servers created it at start with IF NOT EXISTS, hence IF NOT EXISTS here too.)
module.exports = class ApiIndexes1700000000001 {
    name = 'ApiIndexes1700000000001'

    async up(db) {
        await db.query(`CREATE INDEX IF NOT EXISTS batch_leaves_leaves_gin ON api.batch_leaves USING gin (leaves jsonb_path_ops)`)
    }

    async down(db) {
        await db.query(`DROP INDEX IF EXISTS api.batch_leaves_leaves_gin`)
    }
}
