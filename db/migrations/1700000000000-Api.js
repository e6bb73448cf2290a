// Internal state of the API server, in its own schema so OpenReader never exposes it:
// API keys (hashed), idempotent mutation results, and the leaves of batches built here (for payoutProof).
module.exports = class Api1700000000000 {
    name = 'Api1700000000000'

    async up(db) {
        await db.query(`CREATE SCHEMA IF NOT EXISTS api`)
        await db.query(`CREATE TABLE IF NOT EXISTS api.batch_leaves (
            batch_id text PRIMARY KEY,
            root text NOT NULL,
            leaf_count integer NOT NULL,
            leaves jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())`)
        await db.query(`CREATE TABLE IF NOT EXISTS api.api_keys (
            id serial PRIMARY KEY,
            key_hash text NOT NULL UNIQUE,
            role text NOT NULL CHECK (role IN ('operator', 'relayer', 'read-only')),
            label text,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz)`)
        await db.query(`CREATE TABLE IF NOT EXISTS api.mutations (
            idempotency_key text PRIMARY KEY,
            kind text NOT NULL,
            request_hash text NOT NULL,
            status text NOT NULL,
            result jsonb,
            tx_hash text,
            error jsonb,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now())`)
    }

    async down(db) {
        await db.query(`DROP SCHEMA api CASCADE`)
    }
}
