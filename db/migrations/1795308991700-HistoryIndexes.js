// Time travel, read side (README, Time travel: Cost): an as-of query with a filter reads `<table>_history` with
// `block_range @> N AND <col> = …`. With only the GiST on block_range, that reads every version live at N (one per
// row of the entity) and filters them. So each secondary index of the current table (a plain column list: the
// filters OpenReader's `where` turns into) gets a twin on the history table:
// - GiST (<cols>, block_range) with btree_gist (shipped with Postgres, a trusted extension): both conditions are
//   index conditions, the scan touches only the versions that match (measured on 1,000 accounts × 1,000 versions:
//   a payer filter as of N 1.4–8 ms → 0.1 ms, what the current table's btree costs);
// - without btree_gist (not installable here): btree (<cols>, lower(block_range)), the range then checked per
//   version of the matching rows (0.7 ms in the same test).
// The list is read from the catalog, so the history tables mirror whatever indexes the current tables have at this
// point. A backfill defers these like the other block-range indexes (src/indexer/write/deferred-indexes.ts).
const TABLES = ['escrow_account', 'batch', 'token', 'participant', 'payout', 'dispute', 'protocol_params', 'validator', 'delegation', 'role_assignment']

/** Each plain secondary index of `table` (not the primary key, no expressions, no predicate): its column names. */
async function secondaryIndexes(db, table) {
    const rows = await db.query(
        `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
           FROM pg_index x
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_am am ON am.oid = i.relam
           CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
          WHERE n.nspname = current_schema() AND t.relname = $1 AND NOT x.indisprimary
            AND am.amname = 'btree' AND x.indexprs IS NULL AND x.indpred IS NULL
          GROUP BY x.indexrelid
          ORDER BY min(i.relname)`,
        [table],
    )
    const seen = new Set()
    return rows.map((r) => r.cols).filter((cols) => !seen.has(cols.join(',')) && seen.add(cols.join(',')))
}

function indexName(table, cols) {
    const name = `${table}_history_${cols.join('_')}_asof`
    // Postgres truncates longer names silently: two could collide
    if (Buffer.byteLength(name) > 63) throw new Error(`index name too long: ${name}`)
    return name
}

async function btreeGist(db) {
    const [r] = await db.query(
        `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gist') AS installed,
                EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist') AS available,
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR has_database_privilege(current_database(), 'CREATE') AS may`,
    )
    if (r.installed) return true
    if (!r.available || !r.may) return false
    await db.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`)
    return true
}

const q = (c) => `"${c}"`

module.exports = class HistoryIndexes1795308991700 {
    name = 'HistoryIndexes1795308991700'

    async up(db) {
        const gist = await btreeGist(db)
        for (const t of TABLES) {
            for (const cols of await secondaryIndexes(db, t)) {
                const h = `${t}_history`
                const def = gist
                    ? `USING gist (${cols.map(q).join(', ')}, "block_range")`
                    : `(${cols.map(q).join(', ')}, lower("block_range"))`
                await db.query(`CREATE INDEX IF NOT EXISTS "${indexName(t, cols)}" ON "${h}" ${def}`)
            }
        }
    }

    async down(db) {
        // the extension stays: other objects may use it
        for (const t of TABLES) {
            for (const cols of await secondaryIndexes(db, t)) await db.query(`DROP INDEX IF EXISTS "${indexName(t, cols)}"`)
        }
    }
}
