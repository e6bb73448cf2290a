// ProtocolEvent becomes a read-only view (src/model/protocol-event-row.ts says why): the logs that have no row of
// their own stay in a table, renamed protocol_event_row, and the Escrow movement events (Deposited, Withdrawn,
// Locked, Unlocked, Charged) are derived from escrow_movement, which gains the two columns it lacked (block_hash,
// and an index on tx_from for `protocolEvents(where: {txFrom_eq})`); the Escrow's address comes from
// indexed_contract, which the processor fills at start (src/indexer/run.ts). Two branches: the stored rows, and
// every movement with its name and args chosen by kind (CASE). Why not one branch per kind with a constant name:
// then "the latest 20 events" (ORDER BY block_number / id / timestamp LIMIT 20) was planned as a sort of all rows
// (1.3 s at 1M movements) instead of a merge of index scans (1 ms). A `contract` filter other than ESCROW drops the
// movement branch before any row is read; a `name` filter on a rare name reads the movements (150 ms at 1M; the
// latest 20 of a common one 1 ms). The args are the decoder's (src/mappings/util.ts jsonArgs): uint256 as decimal
// strings, addresses and bytes32 lowercase; test/processor/e2e.test.ts compares the view with every decoded log of
// the chain, test/processor/protocol-event-migration.test.ts with rows written before this migration. The list of
// events is frozen here (a migration does not change); src/mappings/escrow.ts KIND is the processor's.
const ADDRESS = `(SELECT c.address FROM indexed_contract AS c WHERE c.id = 'ESCROW')`

/** Each Escrow movement event: its kind in escrow_movement, its name, and its args besides the balances (name → SQL over `m`). */
const ESCROW_EVENTS = [
    ['DEPOSIT', 'Deposited', { payer: 'm.payer', token: 'm.token_id', amount: 'm.amount::text' }],
    ['WITHDRAWAL', 'Withdrawn', { payer: 'm.payer', token: 'm.token_id', amount: 'm.amount::text', to: 'm.counterparty' }],
    ['LOCK', 'Locked', { payer: 'm.payer', token: 'm.token_id', batchId: 'm.batch_id', amount: 'm.amount::text' }],
    ['UNLOCK', 'Unlocked', { payer: 'm.payer', token: 'm.token_id', batchId: 'm.batch_id', amount: 'm.amount::text' }],
    ['CHARGE', 'Charged', { payer: 'm.payer', token: 'm.token_id', batchId: 'm.batch_id', amount: 'm.amount::text', recipient: 'm.counterparty' }],
]

const COLUMNS = `id, contract, contract_address, name, args, block_number, block_hash, log_index, tx_hash, tx_from, "timestamp"`

function viewSql() {
    const name = `CASE m.kind ${ESCROW_EVENTS.map(([kind, name]) => `WHEN '${kind}' THEN '${name}'`).join(' ')} END`
    const args = `CASE m.kind ${ESCROW_EVENTS.map(([kind, , args]) => {
        const all = { ...args, availableAfter: 'm.available_after::text', lockedAfter: 'm.locked_after::text' }
        return `WHEN '${kind}' THEN jsonb_build_object(${Object.entries(all).map(([k, v]) => `'${k}', ${v}`).join(', ')})`
    }).join(' ')} END`
    return (
        `CREATE VIEW protocol_event (${COLUMNS}) AS SELECT ${COLUMNS} FROM protocol_event_row\nUNION ALL ` +
        `SELECT m.id, 'ESCROW'::varchar(20), ${ADDRESS}, ${name}, ${args}, m.block_number, m.block_hash, m.log_index, m.tx_hash, m.tx_from, m."timestamp" ` +
        `FROM escrow_movement AS m`
    )
}

/** The deferred-index records of table `from` (if a backfill left any) made to rebuild on table `to`. */
async function renameDeferred(db, from, to) {
    if (!(await db.query(`SELECT to_regclass('squid_deferred_index') IS NOT NULL AS ok`))[0].ok) return
    await db.query(
        `UPDATE squid_deferred_index SET table_name = '${to}', ` +
            `definition = regexp_replace(definition, ' ON ((\\S+\\.)?)"?${from}"? ', ' ON \\1${to} ') WHERE table_name = '${from}'`,
    )
}

module.exports = class ProtocolEventView1795308991800 {
    name = 'ProtocolEventView1795308991800'

    async up(db) {
        await db.query(`ALTER TABLE "escrow_movement" ADD "block_hash" text`)
        // from the event rows written so far; a movement without one (PROTOCOL_EVENTS=false) from its block row, if any
        await db.query(`UPDATE "escrow_movement" AS m SET block_hash = p.block_hash FROM "protocol_event" AS p WHERE p.id = m.id`)
        if ((await db.query(`SELECT to_regclass('block') IS NOT NULL AS ok`))[0].ok) {
            await db.query(`UPDATE "escrow_movement" AS m SET block_hash = b.hash FROM "block" AS b WHERE m.block_hash IS NULL AND b.height = m.block_number`)
        }
        // unknown (neither): marked, never guessed
        await db.query(`UPDATE "escrow_movement" SET block_hash = '0x' WHERE block_hash IS NULL`)
        await db.query(`ALTER TABLE "escrow_movement" ALTER COLUMN "block_hash" SET NOT NULL`)
        await db.query(`CREATE INDEX "IDX_1f66b56540e503c1451ceaf9e0" ON "escrow_movement" ("tx_from")`)

        // id = the contract's ProtocolContract name
        await db.query(`CREATE TABLE "indexed_contract" ("id" character varying(20) PRIMARY KEY, "address" text NOT NULL)`)
        await db.query(
            `INSERT INTO "indexed_contract" (id, address) SELECT DISTINCT ON (contract) contract, contract_address FROM "protocol_event" ` +
                `WHERE contract = 'ESCROW' ORDER BY contract, block_number DESC`,
        )
        await db.query(`DELETE FROM "protocol_event" AS p USING "escrow_movement" AS m WHERE p.id = m.id`)
        await db.query(`ALTER TABLE "protocol_event" RENAME TO "protocol_event_row"`)
        await db.query(`ALTER TABLE "protocol_event_row" RENAME CONSTRAINT "PK_2a445aa1ba2902fb99db6142cc1" TO "PK_c78f0beb9fda6bca9e8e6f48be7"`)
        // a backfill that deferred the table's indexes (src/indexer/write/deferred-indexes.ts) rebuilds them on the new name
        await renameDeferred(db, 'protocol_event', 'protocol_event_row')
        await db.query(viewSql())
    }

    async down(db) {
        await db.query(`INSERT INTO "protocol_event_row" SELECT * FROM "protocol_event" AS v WHERE v.contract = 'ESCROW' AND v.id IN (SELECT id FROM "escrow_movement")`)
        await db.query(`DROP VIEW "protocol_event"`)
        await db.query(`ALTER TABLE "protocol_event_row" RENAME CONSTRAINT "PK_c78f0beb9fda6bca9e8e6f48be7" TO "PK_2a445aa1ba2902fb99db6142cc1"`)
        await db.query(`ALTER TABLE "protocol_event_row" RENAME TO "protocol_event"`)
        await renameDeferred(db, 'protocol_event_row', 'protocol_event')
        await db.query(`DROP TABLE "indexed_contract"`)
        await db.query(`DROP INDEX "IDX_1f66b56540e503c1451ceaf9e0"`)
        await db.query(`ALTER TABLE "escrow_movement" DROP COLUMN "block_hash"`)
    }
}
