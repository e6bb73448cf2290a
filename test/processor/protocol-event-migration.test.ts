/**
 * db/migrations/1795308991800-ProtocolEventView.js on a database indexed before it: the escrow movements' events
 * leave the table and come back through the view with the same columns and args, the movements get their block
 * hash, a backfill's deferred index records follow the rename, and `down` restores the table as it was.
 */
import * as fs from 'fs'
import * as path from 'path'
import { Client } from 'pg'
import { DataSource } from 'typeorm'
import { applyMigrations } from '../../src/indexer/migrations'
import type { EmbeddedPostgres } from '../../src/stack/postgres'
import { scratchPostgres, ScratchPostgres } from '../server/support/stack'
import { ROOT } from './support/e2e'

jest.setTimeout(120_000)

const VIEW_MIGRATION = '1795308991800-ProtocolEventView.js'
const ESCROW = '0x' + 'e'.repeat(40)
const TOKEN = '0x' + '7'.repeat(40)
const PAYER = '0x' + '1'.repeat(40)
const BATCH = '0x' + 'b'.repeat(64)

let scratch: ScratchPostgres
let pg: EmbeddedPostgres
let db: Client

beforeAll(async () => {
    scratch = await scratchPostgres('pe-migration-', { noFsync: true })
    pg = scratch.pg
    // the schema as it was before the view
    const before = path.join(scratch.dir, 'before')
    fs.mkdirSync(path.join(before, 'db', 'migrations'), { recursive: true })
    for (const f of fs.readdirSync(path.join(ROOT, 'db', 'migrations'))) {
        if (f.endsWith('.js') && f < VIEW_MIGRATION) fs.copyFileSync(path.join(ROOT, 'db', 'migrations', f), path.join(before, 'db', 'migrations', f))
    }
    await applyMigrations(pg.url, before)
    db = new Client({ connectionString: pg.url })
    await db.connect()
})

afterAll(async () => {
    await db?.end().catch(() => {})
    await scratch?.stop()
})

/** [kind, name, args besides payer/token/amount/balances, counterparty, batch] */
const EVENTS: [string, string, Record<string, string>, string | null, string | null][] = [
    ['DEPOSIT', 'Deposited', {}, null, null],
    ['WITHDRAWAL', 'Withdrawn', { to: '0x' + 'c'.repeat(40) }, '0x' + 'c'.repeat(40), null],
    ['LOCK', 'Locked', { batchId: BATCH }, null, BATCH],
    ['UNLOCK', 'Unlocked', { batchId: BATCH }, null, BATCH],
    ['CHARGE', 'Charged', { batchId: BATCH, recipient: '0x' + 'd'.repeat(40) }, '0x' + 'd'.repeat(40), BATCH],
]

async function seed(): Promise<void> {
    // rows as the handlers wrote them before the view (references not needed here: triggers off for the seed)
    await db.query(`SET session_replication_role = replica`)
    for (const [i, [kind, name, extra, counterparty, batch]] of EVENTS.entries()) {
        const id = `${String(10 + i).padStart(10, '0')}-abcde-${String(i).padStart(6, '0')}`
        const amount = String(10n ** 24n + BigInt(i))
        const at = new Date(Date.UTC(2026, 0, 1 + i)).toISOString()
        const txFrom = i % 2 ? PAYER : null
        await db.query(
            `INSERT INTO escrow_movement (id, kind, payer, amount, available_after, locked_after, counterparty, batch_id, block_number, log_index, tx_hash, tx_from, "timestamp", account_id, token_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
            [id, kind, PAYER, amount, String(i * 7), String(i * 3), counterparty, batch, 10 + i, i, '0x' + 'a'.repeat(64), txFrom, at, `${PAYER}-${TOKEN}`, TOKEN],
        )
        const args = { payer: PAYER, token: TOKEN, amount, ...extra, availableAfter: String(i * 7), lockedAfter: String(i * 3) }
        await db.query(
            `INSERT INTO protocol_event (id, contract, contract_address, name, args, block_number, block_hash, log_index, tx_hash, tx_from, "timestamp")
             VALUES ($1, 'ESCROW', $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [id, ESCROW, name, JSON.stringify(args), 10 + i, '0x' + String(i).repeat(64), i, '0x' + 'a'.repeat(64), txFrom, at],
        )
    }
    // a log without a row of its own, and an Escrow log that is not a movement
    await db.query(
        `INSERT INTO protocol_event VALUES ('0000000020-abcde-000000', 'TOKEN_REGISTRY', $1, 'TokenAllowed', '{"token":"${TOKEN}"}', 20, $2, 0, $3, NULL, now()),
                                         ('0000000021-abcde-000000', 'ESCROW', $4, 'Paused', '{"account":"${PAYER}"}', 21, $2, 0, $3, NULL, now())`,
        ['0x' + '5'.repeat(40), '0x' + 'f'.repeat(64), '0x' + 'a'.repeat(64), ESCROW],
    )
    await db.query(`SET session_replication_role = DEFAULT`)
    // a backfill in progress had dropped one of the table's indexes
    const def = (await db.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'protocol_event' AND indexdef LIKE '%(tx_hash)%'`)).rows[0].indexdef
    await db.query(`DROP INDEX "IDX_b79074fba328d187a45e10b766"`)
    await db.query(`INSERT INTO squid_deferred_index (id, table_name, kind, definition) VALUES ('IDX_b79074fba328d187a45e10b766', 'protocol_event', 'index', $1)`, [def])
}

const events = async () => (await db.query(`SELECT * FROM protocol_event ORDER BY id`)).rows

test('up: the same ProtocolEvent rows, the movements through the view; down: the table as it was', async () => {
    await seed()
    const before = await events()
    expect(before).toHaveLength(EVENTS.length + 2)

    expect(await applyMigrations(pg.url)).toEqual(['ProtocolEventView1795308991800'])
    expect(await events()).toEqual(before)
    expect((await db.query(`SELECT table_type FROM information_schema.tables WHERE table_name = 'protocol_event'`)).rows).toEqual([{ table_type: 'VIEW' }])
    expect((await db.query(`SELECT id, name FROM protocol_event_row ORDER BY id`)).rows.map((r) => r.name)).toEqual(['TokenAllowed', 'Paused'])
    expect((await db.query(`SELECT block_hash FROM escrow_movement ORDER BY id`)).rows.map((r) => r.block_hash)).toEqual(EVENTS.map((_, i) => '0x' + String(i).repeat(64)))
    expect((await db.query(`SELECT * FROM indexed_contract`)).rows).toEqual([{ id: 'ESCROW', address: ESCROW }])
    const deferred = (await db.query(`SELECT table_name, definition FROM squid_deferred_index`)).rows
    expect(deferred).toEqual([{ table_name: 'protocol_event_row', definition: expect.stringMatching(/ ON (public\.)?protocol_event_row USING btree \(tx_hash\)$/) }])
    // a filter on the name reads only its branch
    expect((await db.query(`SELECT count(*)::int AS n FROM protocol_event WHERE name = 'Charged' AND contract = 'ESCROW'`)).rows[0].n).toBe(1)
    // the recorded definition is valid on the renamed table
    await db.query(deferred[0].definition)

    const ds = new DataSource({ type: 'postgres', url: pg.url, migrations: [path.join(ROOT, 'db', 'migrations', '*.js')], logging: false })
    await ds.initialize()
    try {
        await ds.undoLastMigration({ transaction: 'all' })
    } finally {
        await ds.destroy()
    }
    expect((await db.query(`SELECT table_type FROM information_schema.tables WHERE table_name = 'protocol_event'`)).rows).toEqual([{ table_type: 'BASE TABLE' }])
    expect(await events()).toEqual(before)
})
