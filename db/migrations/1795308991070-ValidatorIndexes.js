// Indexes for the validator / MEV API queries (src/server/resolvers/validator.resolver.ts, mev.resolver.ts),
// beyond those the Data migration derives from schema.graphql:
//  - mev_event (validator_id | pool, kind, block_number, id): mevFeed filtered by validator or pool reads one
//    ordered branch per kind and stops after `limit` rows (otherwise: every event of the validator/pool, then a sort);
//  - validator_score (validator_id, epoch): validatorScoreHistory;
//  - validator_score (computed_at_block): the mevDetected/validatorScoreUpdated feed's refetch by block range;
//  - block (scheduled_proposer_id, height) WHERE missed_slot: missed slots per validator (validatorRevenue).
// The timestamp must stay above the Data migration's (TypeORM orders migrations by it): these tables exist only
// after Data ran. Whoever regenerates Data must give this file a later timestamp again.
module.exports = class ValidatorIndexes1795308991070 {
    name = 'ValidatorIndexes1795308991070'

    async up(db) {
        await db.query(`CREATE INDEX IF NOT EXISTS mev_event_validator_kind_block ON mev_event (validator_id, kind, block_number, id)`)
        await db.query(`CREATE INDEX IF NOT EXISTS mev_event_pool_kind_block ON mev_event (pool, kind, block_number, id)`)
        await db.query(`CREATE INDEX IF NOT EXISTS validator_score_validator_epoch ON validator_score (validator_id, epoch)`)
        await db.query(`CREATE INDEX IF NOT EXISTS validator_score_computed_at_block ON validator_score (computed_at_block)`)
        await db.query(`CREATE INDEX IF NOT EXISTS block_missed_slot_scheduled ON block (scheduled_proposer_id, height) WHERE missed_slot`)
    }

    async down(db) {
        await db.query(`DROP INDEX IF EXISTS block_missed_slot_scheduled`)
        await db.query(`DROP INDEX IF EXISTS validator_score_computed_at_block`)
        await db.query(`DROP INDEX IF EXISTS validator_score_validator_epoch`)
        await db.query(`DROP INDEX IF EXISTS mev_event_pool_kind_block`)
        await db.query(`DROP INDEX IF EXISTS mev_event_validator_kind_block`)
    }
}
