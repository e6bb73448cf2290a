/**
 * Hardening (issue 16, finding 2): a read-only key must not reach, through /sql, anything that outlives its
 * transaction or touches other sessions. Decided by privileges: every probe below, in the plain spelling and in
 * the ones a keyword filter misses (U&"..." identifiers, quoted and pg_catalog-qualified names, query_to_xml),
 * is refused with a coded error, also as a flood of fresh session locks while a writer standing in for the processor
 * keeps committing (no real processor here: it shares the lock table, which is what the flood would exhaust);
 * the sql role holds EXECUTE on none of them (checked in the catalog as that role);
 * a connection goes back to the pool clean (even a session lock that got through is gone); one caller cannot read
 * another's query text; normal analytics SELECTs still work. The API process stays up and /health answers within
 * 1 s throughout.
 */
import { Client } from 'pg'
import { READONLY_ROLE, readonlyPassword } from '../../src/server/sql/readonly-role'
import { SESSION_EFFECT_FUNCTIONS } from '../../src/server/sql/session-effects'
import { checkSelect } from '../../src/server/sql/statement'
import { DbStack, expectAlive, postSql, sleep, startDbStack, watchHealth } from './support/db-stack'

/** advisory locks held by sessions of the /sql role (others, e.g. the usage batcher's leader lock, are the API's own) */
const ADVISORY_LOCKS_OF_SQL_ROLE = `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND a.usename = '${READONLY_ROLE}'`

jest.setTimeout(180_000)

let s: DbStack

beforeAll(async () => {
    s = await startDbStack('sqlpriv')
})

afterAll(async () => {
    await s?.close()
})

const xml = (inner: string) => `SELECT query_to_xml('${inner.replace(/'/g, "''")}', true, false, '')`

const PROBES = [
    'SELECT pg_advisory_lock(1)',
    'SELECT pg_advisory_lock(1, 2)',
    'SELECT pg_advisory_lock_shared(1)',
    'SELECT pg_try_advisory_lock(1)',
    'SELECT pg_try_advisory_lock_shared(1, 2)',
    'SELECT pg_advisory_xact_lock(1)',
    'SELECT pg_try_advisory_xact_lock_shared(1)',
    'SELECT pg_advisory_unlock_all()',
    'SELECT pg_catalog.pg_advisory_lock(7)',
    'SELECT "pg_advisory_lock"(7)',
    'SELECT U&"pg\\005fadvisory\\005flock"(7)',
    'SELECT count(pg_try_advisory_lock(g)) FROM generate_series(1, 100) g',
    xml('select pg_advisory_lock(1)'),
    xml('select pg_catalog.pg_try_advisory_lock(g) from generate_series(1, 50) g'),
    'SELECT pg_terminate_backend(pg_backend_pid() + 1)',
    'SELECT pg_cancel_backend(pg_backend_pid() + 1)',
    xml('select pg_terminate_backend(1)'),
    'SELECT pg_notify(\'squid_batch\', \'{"forged":true}\')',
    'SELECT "pg_notify"(\'squid_batch\', \'x\')',
    'SELECT U&"pg\\005fnotify"(\'squid_batch\', \'x\')',
    xml("select pg_notify('squid_batch', 'x')"),
    "SELECT set_config('statement_timeout', '0', false)",
    'SELECT U&"set\\005fconfig"(\'statement_timeout\', \'0\', false)',
    xml("select set_config('statement_timeout', '0', false)"),
    xml("select set_config('role', 'postgres', false)"),
    "SELECT pg_logical_emit_message(false, 'p', 'x')",
    'SELECT lo_create(0)',
    "SELECT lo_from_bytea(0, '\\x00'::bytea)",
    'SELECT lo_get(1)',
    'SELECT loread(0, 10)',
    xml('select lo_create(0)'),
    "SELECT pg_create_logical_replication_slot('s', 'pgoutput')",
    'SELECT query FROM pg_stat_activity',
    'SELECT * FROM pg_stat_get_activity(NULL)',
    'SELECT pg_stat_get_backend_activity(s) FROM pg_stat_get_backend_idset() s',
    xml('select query from pg_catalog.pg_stat_activity'),
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_ls_dir('.')",
    "SELECT table_to_xml('api.api_key', true, false, '')",
    'SELECT * FROM api.api_key',
    'SELECT * FROM squid_processor.status',
]

test('every session-effect probe is refused with a coded error', async () => {
    const health = watchHealth(s.api)
    const got: Record<string, string> = {}
    const want: Record<string, string> = {}
    for (const sql of PROBES) {
        let lexerRefuses = false
        try {
            checkSelect(sql)
        } catch {
            lexerRefuses = true
        }
        const r = await postSql(s.api, s.key, sql)
        got[sql] = `${r.status} ${r.body?.error?.code}`
        // what the static check lets through must be stopped by Postgres' privileges
        want[sql] = lexerRefuses ? '400 BAD_USER_INPUT' : '400 FORBIDDEN'
    }
    expect(got).toEqual(want)
    // no advisory lock of any kind is held by a /sql connection (the API's own usage batcher holds its leader lock)
    const locks = await s.admin.query(ADVISORY_LOCKS_OF_SQL_ROLE)
    expect(locks.rows[0].n).toBe(0)
    const h = await health.stop()
    expect(h.statuses.filter((x) => x !== 200)).toEqual([])
    expect(h.slowest).toBeLessThan(1_000)
    expectAlive(s.api)
})

test('a lock-table flood through /sql is refused while a writer standing in for the processor keeps committing', async () => {
    await s.admin.query(`INSERT INTO squid_processor.status (id, height, hash) VALUES (0, 0, '0x') ON CONFLICT (id) DO UPDATE SET height = 0`)
    const health = watchHealth(s.api)
    let stop = false
    const codes: Record<string, number> = {}
    const attacker = async (w: number) => {
        for (let i = 0; !stop; i++) {
            // 1,000 fresh session locks per request: unrevoked, 8 pooled connections exhaust the shared lock table
            const base = (w * 1_000_000 + i * 1_000) | 0
            const r = await postSql(s.api, s.key, 'SELECT count(pg_try_advisory_lock(g::bigint)) FROM generate_series($1::int, $1::int + 999) g', [base])
            const k = `${r.status} ${r.body?.error?.code}`
            codes[k] = (codes[k] ?? 0) + 1
        }
    }
    let commits = 0
    let slowest = 0
    const writer = async () => {
        while (!stop) {
            const t0 = Date.now()
            await s.admin.query(`UPDATE squid_processor.status SET height = height + 1 WHERE id = 0`)
            slowest = Math.max(slowest, Date.now() - t0)
            commits++
            await sleep(20)
        }
    }
    const all = [attacker(1), attacker(2), attacker(3), attacker(4), writer()]
    await sleep(5_000)
    stop = true
    await Promise.all(all)
    const h = await health.stop()
    expect(Object.keys(codes)).toEqual(['400 FORBIDDEN'])
    const height = (await s.admin.query(`SELECT height FROM squid_processor.status WHERE id = 0`)).rows[0].height
    expect({ advanced: height === commits && commits > 20, slowestUnder1s: slowest < 1_000 }).toEqual({ advanced: true, slowestUnder1s: true })
    expect(h.statuses.filter((x) => x !== 200)).toEqual([])
    expect(h.slowest).toBeLessThan(1_000)
    expectAlive(s.api)
})

test('the sql role holds EXECUTE on none of the session-effect functions (checked as that role)', async () => {
    const u = new URL(s.dbUrl)
    const password = readonlyPassword(decodeURIComponent(u.password), 'squid')
    u.username = READONLY_ROLE
    u.password = encodeURIComponent(password)
    const c = new Client({ connectionString: u.toString() })
    c.on('error', () => undefined)
    await c.connect()
    try {
        const total = await c.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname ~ $1`, [SESSION_EFFECT_FUNCTIONS])
        expect(total.rows[0].n).toBeGreaterThan(50) // the pattern matches the real catalog
        const left = await c.query(`SELECT oid::regprocedure::text AS f FROM pg_proc WHERE proname ~ $1 AND has_function_privilege(oid, 'EXECUTE')`, [SESSION_EFFECT_FUNCTIONS])
        expect(left.rows).toEqual([])
        const member = await c.query(`SELECT pg_has_role('pg_signal_backend', 'MEMBER') OR pg_has_role('pg_read_all_stats', 'MEMBER') AS m`)
        expect(member.rows[0].m).toBe(false)
    } finally {
        await c.end()
    }
    // the server's own (superuser) role keeps them: the processor and the API are unaffected
    const admin = await s.admin.query(`SELECT pg_try_advisory_lock(42) AS got, pg_advisory_unlock(42) AS released`)
    expect(admin.rows[0]).toEqual({ got: true, released: true })
})

test('one caller cannot see another caller’s query text', async () => {
    const marker = `marker_${Date.now()}`
    const slow = postSql(s.api, s.key, `SELECT pg_sleep(1.5), '${marker}' AS m`)
    await sleep(300)
    const peek = await postSql(s.api, s.key, `SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%${marker}%'`)
    expect(`${peek.status} ${peek.body?.error?.code}`).toBe('400 FORBIDDEN')
    expect((await slow).status).toBe(200)
})

test('connections go back to the pool clean: a session lock that got through is released', async () => {
    // as if a privilege had been left behind: the lock is taken, then DISCARD ALL after the request drops it
    await s.admin.query(`GRANT EXECUTE ON FUNCTION pg_catalog.pg_advisory_lock(bigint) TO ${READONLY_ROLE}`)
    try {
        for (let i = 0; i < 20; i++) {
            const r = await postSql(s.api, s.key, `SELECT pg_advisory_lock(${1000 + i}) IS NULL AS locked`)
            expect(r.status).toBe(200)
        }
        const held = await s.admin.query(ADVISORY_LOCKS_OF_SQL_ROLE)
        expect(held.rows[0].n).toBe(0)
    } finally {
        await s.admin.query(`REVOKE EXECUTE ON FUNCTION pg_catalog.pg_advisory_lock(bigint) FROM ${READONLY_ROLE}`)
    }
})

test('normal analytics SELECTs still work', async () => {
    const queries = [
        'SELECT status, count(*) AS n, sum(total_amount) AS total FROM batch GROUP BY status ORDER BY status',
        "SELECT date_trunc('hour', now()) AS h, extract(epoch FROM now())::bigint > 0 AS ok",
        'WITH g AS (SELECT x FROM generate_series(1, 100) x) SELECT sum(x) AS s, avg(x)::numeric(10,2) AS a, percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS med FROM g',
        'SELECT x, sum(x) OVER (ORDER BY x) AS running FROM generate_series(1, 5) x',
        "SELECT json_agg(t) AS j FROM (SELECT id, symbol FROM token LIMIT 5) t",
        'SELECT b.id, t.symbol FROM batch b JOIN token t ON t.id = b.token_id LIMIT 10',
        "SELECT current_setting('statement_timeout') AS timeout, current_user AS who",
        'SELECT pg_sleep(0.01) IS NULL AS slept',
    ]
    for (const sql of queries) {
        const r = await postSql(s.api, s.key, sql)
        expect({ sql, status: r.status, error: r.body?.error }).toEqual({ sql, status: 200, error: undefined })
    }
    const who = await postSql(s.api, s.key, "SELECT current_user AS who, current_setting('transaction_read_only') AS ro")
    expect(who.body.rows).toEqual([[READONLY_ROLE, 'on']])
    expectAlive(s.api)
})
