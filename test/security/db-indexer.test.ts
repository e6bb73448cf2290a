/**
 * Issue 16, "the indexer keeps advancing", with the real indexer (db-sql-privileges.test.ts uses a writer standing
 * in for it): anvil mining every 0.5 s, the compiled processor (`node lib/main.js`), the simulator's settlement
 * activity and the compiled API server, all on one Postgres. While a read-only key floods `/sql` with session
 * locks, signals (other backends and its own), NOTIFY and heavy queries, the processor's indexed height rises in
 * every window of the attack, the API process never exits, `/health` answers within 1 s, no advisory lock is left
 * held by the /sql role, and afterwards the index reconciles with the chain at 0 mismatches. Run `npx tsc -p tsconfig.json` first.
 */
import { Pool } from 'pg'
import { createApiKey } from '../../src/server/api-keys'
import { READONLY_ROLE } from '../../src/server/sql/readonly-role'
import { indexedHead } from '../processor/support/e2e'
import { ApiServer, expectReconciled, FaultStack, freezeChain, ProcessorHandle, simulate, sleep, startApiServer, startFaultStack, waitCaughtUp } from '../faults/support/stack'
import { watchHealth } from './support/gql-server'

jest.setTimeout(300_000)

const WINDOWS = 4
const WINDOW_MS = 6_000

/** What the attacker sends, round-robin: each must be refused or answered with a code, never crash anything. */
const ATTACKS: [string, (i: number) => unknown[]][] = [
    ['SELECT count(pg_try_advisory_lock(g::bigint)) FROM generate_series($1::int, $1::int + 999) g', (i) => [i * 1_000]],
    ['SELECT pg_advisory_lock($1::bigint)', (i) => [i]],
    ['SELECT pg_terminate_backend(pg_backend_pid())', () => []],
    ['SELECT pg_terminate_backend(pg_backend_pid() + 1)', () => []],
    ['SELECT pg_cancel_backend(pg_backend_pid() - 1)', () => []],
    ["SELECT pg_notify('squid_batch', '{\"forged\":true}')", () => []],
    ['SELECT U&"pg\\005fadvisory\\005flock"($1::bigint)', (i) => [i]],
    ["SELECT query_to_xml('select pg_try_advisory_lock(g) from generate_series(1, 200) g', true, false, '')", () => []],
    // heavy: CPU until the statement timeout, and a big sort over the indexed tables
    ["SELECT md5(string_agg(md5(g::text), '')) FROM generate_series(1, 20000000) g", () => []],
    ['SELECT count(*) FROM generate_series(1, 3000) a, generate_series(1, 3000) b, batch', () => []],
]

let s: FaultStack
let api: ApiServer
let key: string
let processor: ProcessorHandle

beforeAll(async () => {
    s = await startFaultStack('secidx')
    const pool = new Pool({ connectionString: s.dbUrl, max: 1 })
    key = (await createApiKey(pool, 'read-only', 'security-indexer')).key
    await pool.end()
    api = await startApiServer(s, 'api', { GQL_RATE_LIMIT_RPS: '0', GQL_ANON_RATE_LIMIT_RPS: '0', API_RESULT_CACHE_MS: '0' })
    processor = await s.launch('p0')
    await waitCaughtUp(s.dbUrl, s.anvil.url, 120_000, processor)
})

afterAll(async () => {
    await s?.close()
})

async function postSql(sql: string, params: unknown[]): Promise<string> {
    const res = await fetch(api.url.replace(/\/graphql$/, '/sql'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ sql, params }),
        signal: AbortSignal.timeout(30_000),
    })
    const text = await res.text()
    let code: string | undefined
    try {
        code = JSON.parse(text)?.error?.code
    } catch {
        code = 'not JSON'
    }
    return `${res.status} ${code ?? ''}`.trim()
}

test('a /sql flood of locks, signals, NOTIFY and heavy queries: the real processor keeps indexing, the API stays up', async () => {
    const base = api.url.replace(/\/graphql$/, '')
    const pid = api.handle.proc.pid
    let stop = false
    const codes: Record<string, number> = {}
    const attacker = async (w: number) => {
        for (let i = 0; !stop; i++) {
            const [sql, params] = ATTACKS[(w + i) % ATTACKS.length]
            const k = await postSql(sql, params(w * 1_000_000 + i)).catch((e) => `failed ${(e as Error).name}`)
            codes[k] = (codes[k] ?? 0) + 1
        }
    }
    const sim = simulate(s, WINDOWS * WINDOW_MS + 2_000, 16, { stop: () => stop })
    const health = watchHealth(base, 200)
    const attackers = [1, 2, 3, 4].map(attacker)
    const heights: number[] = [(await indexedHead(s.dbUrl))!.height]
    try {
        for (let w = 0; w < WINDOWS; w++) {
            await sleep(WINDOW_MS)
            heights.push((await indexedHead(s.dbUrl))?.height ?? -1)
        }
    } finally {
        stop = true
        await Promise.all(attackers)
    }
    const stats = await sim
    const h = await health.stop()

    // the processor rose in every window of the attack and is still running
    const why = JSON.stringify({ heights, codes })
    expect({ rising: heights.every((x, i) => i === 0 || x > heights[i - 1]), why }).toEqual({ rising: true, why })
    expect({ exitCode: processor.proc.exitCode, signal: processor.proc.signalCode }).toEqual({ exitCode: null, signal: null })
    // every attack got a coded answer: refused (FORBIDDEN / BAD_USER_INPUT), cut (TIMEOUT) or answered; never a 5xx
    for (const k of Object.keys(codes)) expect({ k, ok: /^(200|400 (FORBIDDEN|BAD_USER_INPUT|TIMEOUT)|429 RATE_LIMITED)$/.test(k), why }).toEqual({ k, ok: true, why })
    expect(codes['400 FORBIDDEN']).toBeGreaterThan(20)
    // the API: same process, /health within 1 s all along
    expect({ pid: api.handle.proc.pid, exitCode: api.handle.proc.exitCode }).toEqual({ pid, exitCode: null })
    expect(h.probes).toBeGreaterThan(10)
    expect(h.slowestMs).toBeLessThan(1_000)
    expect(stats.committed).toBeGreaterThan(0)

    const admin = new Pool({ connectionString: s.dbUrl, max: 1 })
    try {
        // the API's own leader election holds one; none belongs to the /sql role
        const locks = await admin.query(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.usename = $1`,
            [READONLY_ROLE],
        )
        expect(locks.rows[0].n).toBe(0)
    } finally {
        await admin.end()
    }
    await freezeChain(s)
    await waitCaughtUp(s.dbUrl, s.anvil.url, 120_000, processor)
    const r = await expectReconciled(s)
    expect(r.checked).toBeGreaterThan(10)
    console.log(`security/db-indexer: heights ${heights.join(' → ')}; /sql answers ${JSON.stringify(codes)}; /health slowest ${Math.round(h.slowestMs)} ms; reconcile ${r.checked} checked, 0 mismatches`)
})
