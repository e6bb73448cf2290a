// The usage-record pipeline (src/usage): records queued by submitUsage, and the batches the batcher closes from them.
// In the api schema (never exposed by OpenReader). A record's amount inputs (units, the publisher's price and payee)
// are frozen at receipt, so a batch's amounts do not depend on when it is closed.
module.exports = class ApiUsage1795308991300 {
    name = 'ApiUsage1795308991300'

    async up(db) {
        await db.query(`CREATE SCHEMA IF NOT EXISTS api`)
        await db.query(`CREATE TABLE IF NOT EXISTS api.usage_batches (
            batch_key text PRIMARY KEY,
            payer text NOT NULL,
            token text NOT NULL,
            state text NOT NULL CHECK (state IN ('closed', 'waiting', 'committed')),
            reason text,
            record_count integer NOT NULL,
            total_amount numeric NOT NULL,
            batch_id text,
            tx_hash text,
            closed_by text NOT NULL CHECK (closed_by IN ('size', 'age')),
            created_at timestamptz NOT NULL DEFAULT now(),
            committed_at timestamptz)`)
        await db.query(`CREATE TABLE IF NOT EXISTS api.usage_records (
            usage_id text PRIMARY KEY,
            payer text NOT NULL,
            token text NOT NULL,
            publisher text NOT NULL,
            units numeric NOT NULL,
            price_per_thousand numeric NOT NULL,
            payee text NOT NULL,
            state text NOT NULL CHECK (state IN ('queued', 'batching', 'batched')),
            batch_key text REFERENCES api.usage_batches (batch_key),
            received_at timestamptz NOT NULL DEFAULT clock_timestamp())`)
        await db.query(`CREATE INDEX IF NOT EXISTS usage_records_queue ON api.usage_records (payer, token, received_at) WHERE state = 'queued'`)
        await db.query(`CREATE INDEX IF NOT EXISTS usage_records_batch ON api.usage_records (batch_key)`)
        await db.query(`CREATE INDEX IF NOT EXISTS usage_records_publisher ON api.usage_records (publisher)`)
        await db.query(`CREATE INDEX IF NOT EXISTS usage_batches_open ON api.usage_batches (created_at) WHERE state <> 'committed'`)
    }

    async down(db) {
        await db.query(`DROP TABLE IF EXISTS api.usage_records`)
        await db.query(`DROP TABLE IF EXISTS api.usage_batches`)
    }
}
