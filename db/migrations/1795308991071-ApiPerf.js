// Indexes for the API's dashboard queries (bench/api.ts), beyond those the Data migration derives from schema.graphql:
//  - escrow_movement (payer, timestamp): "a payer's latest movements" (`escrowMovements(where: {payer_eq}, orderBy:
//    timestamp_DESC, limit)`) reads the newest `limit` index entries of the payer instead of every movement of the
//    payer (≈1,000 each on the 1M-event bench database) followed by a sort;
//  - participant_day_stat (date, token_id) WHERE <a claim touched the row>: topPublishers aggregates only the rows
//    that carry received/fee/claim amounts (claims) instead of every row of the range (deposits, commits... of all
//    payers). The predicate must stay identical to CLAIM_ROWS in src/server/resolvers/analytics.resolver.ts
//    (Postgres uses a partial index only when the query's WHERE implies its predicate);
//  - participant_day_stat (date, token_id) WHERE <a batch touched the row>: the same for topPayers (BATCH_ROWS).
// The timestamp must stay above the Data migration's (TypeORM orders migrations by it): these tables exist only
// after Data ran. Whoever regenerates Data must give this file (and ValidatorIndexes) a later timestamp again.
module.exports = class ApiPerf1795308991071 {
    name = 'ApiPerf1795308991071'

    async up(db) {
        await db.query(`CREATE INDEX IF NOT EXISTS escrow_movement_payer_timestamp ON escrow_movement (payer, "timestamp")`)
        await db.query(
            `CREATE INDEX IF NOT EXISTS participant_day_stat_claim_rows ON participant_day_stat (date, token_id)
             WHERE (claim_count <> 0 OR received_amount <> 0 OR fees_amount <> 0 OR net_received_amount <> 0)`,
        )
        await db.query(
            `CREATE INDEX IF NOT EXISTS participant_day_stat_batch_rows ON participant_day_stat (date, token_id)
             WHERE (batch_count <> 0 OR paid_amount <> 0 OR committed_amount <> 0 OR record_count <> 0)`,
        )
    }

    async down(db) {
        await db.query(`DROP INDEX IF EXISTS participant_day_stat_batch_rows`)
        await db.query(`DROP INDEX IF EXISTS participant_day_stat_claim_rows`)
        await db.query(`DROP INDEX IF EXISTS escrow_movement_payer_timestamp`)
    }
}
