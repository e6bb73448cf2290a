/**
 * POST /sql: one SELECT under the read-only role, in a READ ONLY transaction, with a timeout and a row cap.
 */
import { Client } from 'pg'
import { createApiKey } from '../../src/server/api-keys'
import { RunningServer, startServer } from '../../src/server'
import { checkSelect, SqlRejected } from '../../src/server/sql/statement'
import { READONLY_ROLE, readonlyPassword } from '../../src/server/sql/readonly-role'
import { bid, insertToken, PgStack, post, setIndexerHead, startPgStack, upsertBatch } from './support/stack'

jest.setTimeout(120_000)

let stack: PgStack
let server: RunningServer
let key: string
let sqlUrl: string

async function sql(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${key}` }, url = sqlUrl) {
    return post(url, body, headers)
}

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, 3)
    for (let i = 1; i <= 3; i++) await upsertBatch(stack.pool, { id: bid(i), totalAmount: BigInt(i) * 10n ** 30n, committedAt: new Date(`2024-01-0${i}T00:00:00Z`), committedAtBlock: i })
    key = (await createApiKey(stack.pool, 'read-only', 'analyst')).key
    server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: stack.url, rpcUrl: null, log: () => undefined, sql: { rowCap: 50, timeoutMs: 500 } })
    sqlUrl = new URL('/sql', server.url).toString()
    expect(server.sqlUnavailable).toBeUndefined()
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

test('one SELECT with params → columns, rows (arrays), rowCount, truncated', async () => {
    const res = await sql({ sql: 'SELECT id, status, total_amount, committed_at, committed_at_block FROM batch WHERE committed_at_block >= $1 ORDER BY id', params: [2] })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
        columns: [
            { name: 'id', type: 'varchar' },
            { name: 'status', type: 'varchar' },
            { name: 'total_amount', type: 'numeric' },
            { name: 'committed_at', type: 'timestamptz' },
            { name: 'committed_at_block', type: 'int4' },
        ],
        rows: [
            [bid(2), 'COMMITTED', '2000000000000000000000000000000', '2024-01-02T00:00:00.000Z', 2],
            [bid(3), 'COMMITTED', '3000000000000000000000000000000', '2024-01-03T00:00:00.000Z', 3],
        ],
        rowCount: 2,
        truncated: false,
    })
    // WITH, a trailing semicolon and comments are fine; bytea comes back as 0x hex
    const w = await sql({ sql: "-- count\nWITH b AS (SELECT * FROM batch) SELECT count(*) AS n, '\\xdead'::bytea AS raw FROM b; /* done */ ;" })
    expect(w.body).toMatchObject({ rows: [['3', '0xdead']], rowCount: 1, truncated: false })
})

test('row cap: truncated beyond rowCap', async () => {
    const res = await sql({ sql: 'SELECT g FROM generate_series(1, 1000) g' })
    expect(res.status).toBe(200)
    expect(res.body.rowCount).toBe(50)
    expect(res.body.rows[49]).toEqual([50])
    expect(res.body.truncated).toBe(true)
})

test('anything but one SELECT is rejected before reaching Postgres', async () => {
    const rejected = [
        'UPDATE batch SET status = $1',
        'DELETE FROM batch',
        'SELECT 1; DELETE FROM batch',
        'SELECT 1; SELECT 2',
        'WITH x AS (DELETE FROM batch RETURNING id) SELECT * FROM x',
        'SELECT * FROM batch FOR UPDATE',
        'SELECT * INTO copy_of_batch FROM batch',
        "SELECT pg_notify('squid_batch', 'x')",
        `SELECT "pg_notify"('squid_batch', 'x')`,
        "SELECT set_config('statement_timeout', '0', false)",
        'COPY batch TO STDOUT',
        'SET ROLE postgres',
        'SELECT 1) q; DROP TABLE batch; --',
        'BEGIN',
        '',
    ]
    for (const q of rejected) {
        const res = await sql({ sql: q, params: q.includes('$1') ? ['x'] : [] })
        expect({ q, status: res.status, code: res.body?.error?.code }).toEqual({ q, status: 400, code: 'BAD_USER_INPUT' })
    }
    // strings and comments that merely contain those words are fine
    const ok = await sql({ sql: "SELECT 'DELETE FROM batch; UPDATE x' AS s, $$;DROP$$ AS t -- ; DELETE\n" })
    expect(ok.status).toBe(200)
    expect(ok.body.rows).toEqual([['DELETE FROM batch; UPDATE x', ';DROP']])
    const rows = await stack.pool.query('SELECT count(*)::int AS n FROM batch')
    expect(rows.rows[0].n).toBe(3)
    // the word filter is only a convenience: what it misses the database refuses
    const viaString = await sql({ sql: `SELECT query_to_xml('select pg_notify(''squid_batch'', ''{"height": 999999}'')', true, true, '')` })
    expect(viaString.status).toBe(400)
    expect(viaString.body.error.code).toBe('FORBIDDEN')
    expect(server.feed.lastHeight).toBe(3)
    // the server's own user still notifies (the processor uses the same database user)
    await stack.pool.query(`SELECT pg_notify('squid_batch', '{"height": 3, "hash": "0x03", "changed": {}}')`)
})

test('internal schemas are out of reach; errors are JSON { error: { code, message } }', async () => {
    const keys = await sql({ sql: 'SELECT key_hash FROM api.api_keys' })
    expect(keys.status).toBe(400)
    expect(keys.body.error.code).toBe('FORBIDDEN')
    expect(keys.body.error.message).toMatch(/permission denied/)
    const status = await sql({ sql: 'SELECT * FROM squid_processor.status' })
    expect(status.body.error.code).toBe('FORBIDDEN')
    const syntax = await sql({ sql: 'SELECT FROM WHERE' })
    expect(syntax.status).toBe(400)
    expect(syntax.body.error.code).toBe('BAD_USER_INPUT')
    const missing = await sql({ sql: 'SELECT $2::int' , params: [1] })
    expect(missing.body.error.code).toBe('BAD_USER_INPUT')
    const badJson = await sql('{ nope')
    expect(badJson.status).toBe(400)
})

test('statement timeout → TIMEOUT', async () => {
    const t0 = Date.now()
    const res = await sql({ sql: 'SELECT pg_sleep(5)' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('TIMEOUT')
    expect(Date.now() - t0).toBeLessThan(3_000)
    // the connection is usable afterwards
    expect((await sql({ sql: 'SELECT 1 AS one' })).body.rows).toEqual([[1]])
})

test('needs an API key (any role); rate limited like GraphQL', async () => {
    const anon = await sql({ sql: 'SELECT 1' }, {})
    expect(anon.status).toBe(401)
    expect(anon.body.error.code).toBe('UNAUTHENTICATED')
    const bad = await sql({ sql: 'SELECT 1' }, { authorization: 'Bearer sk_' + 'y'.repeat(43) })
    expect(bad.status).toBe(401)
    const get = await fetch(sqlUrl)
    expect(get.status).toBe(405)
})

test('the read-only role itself cannot write, escalate or notify', async () => {
    const u = new URL(stack.url)
    const password = readonlyPassword(decodeURIComponent(u.password), 'squid')
    u.username = READONLY_ROLE
    u.password = encodeURIComponent(password)
    const c = new Client({ connectionString: u.toString() })
    c.on('error', () => undefined)
    await c.connect()
    const code = async (q: string) => {
        try {
            await c.query(q)
            return 'ok'
        } catch (e: any) {
            return e.code as string
        }
    }
    try {
        expect((await c.query('SELECT count(*)::int AS n FROM batch')).rows[0].n).toBe(3)
        // read only by default (role setting) ...
        expect(await code(`INSERT INTO batch (id) VALUES ('x')`)).toBe('25006')
        // ... and without SELECT-only grants anyway
        await c.query('SET default_transaction_read_only = off')
        expect(await code(`INSERT INTO batch (id) VALUES ('x')`)).toBe('42501')
        expect(await code(`UPDATE batch SET status = 'REJECTED'`)).toBe('42501')
        expect(await code(`DELETE FROM batch`)).toBe('42501')
        expect(await code(`CREATE TABLE t (x int)`)).toBe('42501')
        expect(await code(`SELECT * FROM api.batch_leaves`)).toBe('42501')
        expect(await code(`SET ROLE postgres`)).toBe('42501')
        expect(await code(`SELECT set_config('role', 'postgres', false)`)).toBe('42501')
        expect(await code(`SELECT pg_read_file('/etc/passwd')`)).toBe('42501')
        await c.query('SET default_transaction_read_only = on')
        expect(await code(`CREATE TEMP TABLE t (x int)`)).toBe('25006')
        // pg_notify would work in a read-only transaction: the role has no EXECUTE on it (no forged change notices)
        expect(await code(`SELECT pg_notify('squid_batch', '{}')`)).toBe('42501')
        expect(await code(`SELECT query_to_xml('select pg_notify(''squid_batch'', ''{}'')', true, true, '')`)).toBe('42501')
    } finally {
        await c.end()
    }
    const after = await stack.pool.query(`SELECT count(*)::int AS n FROM batch WHERE status = 'COMMITTED'`)
    expect(after.rows[0].n).toBe(3)
})

test('statement checker (unit)', () => {
    expect(checkSelect('select 1;').text).toBe('select 1')
    expect(checkSelect('(SELECT 1) UNION (SELECT 2)').text).toBe('(SELECT 1) UNION (SELECT 2)')
    expect(checkSelect('SELECT $1, $3').maxParam).toBe(3)
    expect(checkSelect(`SELECT "update" FROM x`).text).toBe(`SELECT "update" FROM x`)
    expect(checkSelect(`SELECT E'it\\'s; DELETE' AS s`).text).toContain('DELETE')
    expect(() => checkSelect('SELECT /* unterminated')).toThrow(SqlRejected)
    expect(() => checkSelect("SELECT 'x")).toThrow(SqlRejected)
    expect(() => checkSelect('SELECT (1')).toThrow(/parentheses/)
    expect(() => checkSelect('VALUES (1)')).toThrow(/only SELECT/)
    expect(() => checkSelect('EXPLAIN ANALYZE DELETE FROM batch')).toThrow(SqlRejected)
})
