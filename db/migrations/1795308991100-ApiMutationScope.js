// Idempotency keys are scoped by caller role and mutation (src/server/idempotency.ts): the same key text used by a
// relayer and by an operator names two different requests. Existing rows get the scope their mutation had:
// claimPayouts was the relayer's, every other mutation the operator's.
module.exports = class ApiMutationScope1795308991100 {
    name = 'ApiMutationScope1795308991100'

    async up(db) {
        await db.query(`ALTER TABLE api.mutations ADD COLUMN IF NOT EXISTS scope text NOT NULL DEFAULT ''`)
        await db.query(`UPDATE api.mutations SET scope = CASE kind WHEN 'claimPayouts' THEN 'relayer:' ELSE 'operator:' END || kind WHERE scope = ''`)
        await db.query(`ALTER TABLE api.mutations DROP CONSTRAINT IF EXISTS mutations_pkey`)
        await db.query(`ALTER TABLE api.mutations ADD CONSTRAINT mutations_pkey PRIMARY KEY (idempotency_key, scope)`)
    }

    async down(db) {
        await db.query(`DELETE FROM api.mutations a USING api.mutations b WHERE a.idempotency_key = b.idempotency_key AND a.scope > b.scope`)
        await db.query(`ALTER TABLE api.mutations DROP CONSTRAINT IF EXISTS mutations_pkey`)
        await db.query(`ALTER TABLE api.mutations ADD CONSTRAINT mutations_pkey PRIMARY KEY (idempotency_key)`)
        await db.query(`ALTER TABLE api.mutations DROP COLUMN IF EXISTS scope`)
    }
}
