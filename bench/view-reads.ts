/**
 * Dev tool (see bench/README.md): read latency of the ProtocolEvent view (db/migrations ProtocolEventView) at 1M escrow
 * movements and 100 stored events, for the shapes of query an activity feed sends (OpenReader's SQL: latest N by
 * block / id / timestamp, filters on name, tx hash, sender, block range, contract, args). Median of 5 after a warm-up.
 * `npx tsc -p bench/tsconfig.json && node bench/dist/bench/view-reads.js`
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Client } from 'pg'
import { applyMigrations } from '../src/indexer/migrations'
import { startEmbeddedPostgres } from '../src/stack/postgres'
import { freePort } from '../src/stack/util'
import { percentile } from './support/common'

async function main() {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viewperf-'))
    fs.chmodSync(tmp, 0o755)
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid', noFsync: true })
    const c = new Client({ connectionString: pg.url })
    try {
        await applyMigrations(pg.url)
        await c.connect()
        await measure(c)
    } finally {
        await c.end().catch(() => undefined)
        await pg.stop().catch(() => pg.kill())
        fs.rmSync(tmp, { recursive: true, force: true })
    }
}

/** Fill the tables, then time each query shape. */
async function measure(c: Client): Promise<void> {
    await c.query(`SET session_replication_role = replica`)
    await c.query(`INSERT INTO indexed_contract VALUES ('ESCROW', '0x${'e'.repeat(40)}')`)
    const kinds = `(ARRAY['DEPOSIT','DEPOSIT','DEPOSIT','DEPOSIT','DEPOSIT','DEPOSIT','DEPOSIT','WITHDRAWAL','LOCK','CHARGE'])[1 + i % 10]`
    await c.query(`INSERT INTO escrow_movement (id, kind, payer, amount, available_after, locked_after, counterparty, batch_id, block_number, block_hash, log_index, tx_hash, tx_from, "timestamp", account_id, token_id)
      SELECT lpad((i/200)::text, 10, '0') || '-abcde-' || lpad((i%200)::text, 6, '0'), ${kinds}, '0x' || lpad(to_hex(i % 1000), 40, '0'), i, i, 0, NULL, NULL, i/200, '0x' || md5(((i/200))::text) || md5('x'), i % 200, '0x' || md5((i/100)::text) || md5('y'), '0x' || lpad(to_hex(i % 1000), 40, '0'), timestamp '2026-01-01' + (i || ' seconds')::interval, 'a' || (i % 1000), 't'
      FROM generate_series(1, 1000000) AS i`)
    await c.query(`INSERT INTO protocol_event_row (id, contract, contract_address, name, args, block_number, block_hash, log_index, tx_hash, tx_from, "timestamp")
      SELECT lpad((i*50)::text, 10, '0') || '-abcde-' || lpad('999', 6, '0'), 'BATCH_LEDGER', '0xb', 'BatchCommitted', '{}', i*50, '0x', 999, '0x' || md5(i::text), NULL, timestamp '2026-01-01' + (i*10000 || ' seconds')::interval FROM generate_series(1, 100) AS i`)
    await c.query(`ANALYZE`)
    const cols = `p.id, p.contract, p.contract_address, p.name, p.args, p.block_number, p.block_hash, p.log_index, p.tx_hash, p.tx_from, p.timestamp`
    const queries: [string, string][] = [
        ['latest 20 by block', `SELECT ${cols} FROM protocol_event p ORDER BY p.block_number DESC, p.id DESC LIMIT 20`],
        ['latest 20 by id', `SELECT ${cols} FROM protocol_event p ORDER BY p.id DESC LIMIT 20`],
        ['latest 20 by timestamp', `SELECT ${cols} FROM protocol_event p ORDER BY p.timestamp DESC LIMIT 20`],
        ['name = Charged, latest 20', `SELECT ${cols} FROM protocol_event p WHERE p.name = 'Charged' ORDER BY p.block_number DESC LIMIT 20`],
        ['name = BatchCommitted', `SELECT ${cols} FROM protocol_event p WHERE p.name = 'BatchCommitted' ORDER BY p.block_number DESC LIMIT 20`],
        ['by tx hash', `SELECT ${cols} FROM protocol_event p WHERE p.tx_hash = '0x' || md5('4000') || md5('y')`],
        ['by tx_from, latest 20', `SELECT ${cols} FROM protocol_event p WHERE p.tx_from = '0x' || lpad(to_hex(7), 40, '0') ORDER BY p.block_number DESC LIMIT 20`],
        ['block range', `SELECT ${cols} FROM protocol_event p WHERE p.block_number BETWEEN 2000 AND 2001 ORDER BY p.id`],
        ['count contract = ESCROW', `SELECT count(*) FROM protocol_event p WHERE p.contract = 'ESCROW'`],
        ['args contains payer, 10', `SELECT ${cols} FROM protocol_event p WHERE p.args @> '{"payer":"0x${'0'.repeat(37)}007"}' LIMIT 10`],
    ]
    for (const [label, q] of queries) {
        await c.query(q)
        const times: number[] = []
        for (let k = 0; k < 5; k++) {
            const t = performance.now()
            await c.query(q)
            times.push(performance.now() - t)
        }
        times.sort((a, b) => a - b)
        console.log(`${label}: median ${percentile(times, 50).toFixed(2)} ms`)
    }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
