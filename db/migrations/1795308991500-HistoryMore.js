// Time travel for the other mutable entities (src/model/versioned.ts): Payout, Dispute, ProtocolParams, Validator,
// Delegation, RoleAssignment, laid out and indexed as in 1795308991400-History.js (see there and the README).
// A version is keyed by the row's updated_at_block: Payout and Dispute get that column here, seeded from what the
// row records (its last claim; its resolution or opening). Validator.updated_at_block now also moves with the blocks
// it proposes and the epochs it is scored in; an existing row is brought to that meaning before its version is seeded.
const TABLES = ['payout', 'dispute', 'protocol_params', 'validator', 'delegation', 'role_assignment']

module.exports = class HistoryMore1795308991500 {
    name = 'HistoryMore1795308991500'

    async up(db) {
        await db.query(`ALTER TABLE "payout" ADD "updated_at_block" integer`)
        await db.query(
            `UPDATE "payout" p SET "updated_at_block" = greatest(p.opened_at_block, (SELECT max(c.block_number) FROM "claim" c WHERE c.payout_id = p.id))`,
        )
        await db.query(`ALTER TABLE "payout" ALTER COLUMN "updated_at_block" SET NOT NULL`)
        await db.query(`ALTER TABLE "dispute" ADD "updated_at_block" integer`)
        await db.query(`UPDATE "dispute" SET "updated_at_block" = coalesce(resolved_at_block, opened_at_block)`)
        await db.query(`ALTER TABLE "dispute" ALTER COLUMN "updated_at_block" SET NOT NULL`)
        await db.query(
            `UPDATE "validator" v SET "updated_at_block" = greatest(v.updated_at_block,
                (SELECT max(b.height) FROM "block" b WHERE b.proposer_id = v.id),
                (SELECT max(s.computed_at_block) FROM "validator_score" s WHERE s.validator_id = v.id))`,
        )
        for (const t of TABLES) {
            const h = `${t}_history`
            await db.query(`CREATE TABLE "${h}" (LIKE "${t}", "block_range" int4range NOT NULL)`)
            // an index that existed before this migration: each row's current version, from its last change on
            await db.query(`INSERT INTO "${h}" SELECT t.*, int4range(t.updated_at_block, NULL) FROM "${t}" t`)
            await db.query(`CREATE INDEX "${h}_range" ON "${h}" USING gist ("block_range")`)
            await db.query(`CREATE INDEX "${h}_id_from" ON "${h}" ("id", lower("block_range"))`)
            await db.query(`CREATE INDEX "${h}_from" ON "${h}" (lower("block_range"))`)
            await db.query(`CREATE INDEX "${h}_to" ON "${h}" (upper("block_range"))`)
        }
    }

    async down(db) {
        for (const t of TABLES) await db.query(`DROP TABLE IF EXISTS "${t}_history"`)
        await db.query(`ALTER TABLE "dispute" DROP COLUMN "updated_at_block"`)
        await db.query(`ALTER TABLE "payout" DROP COLUMN "updated_at_block"`)
    }
}
