/**
 * Hardening (issue 16, finding 1): a database connection dying while the API holds it checked out must not crash
 * the API. The attack: multi-root GraphQL operations (each holds one pooled connection for a REPEATABLE READ
 * transaction across its statements) and slow /sql queries run continuously while a superuser terminates every API
 * backend every 100 ms (what a failover, a pooler restart or idle_in_transaction_session_timeout does).
 *
 * Proved: the API process is the same process throughout, /health answers within 1 s during the attack, every
 * request gets an HTTP answer (success or a coded error), backends were really terminated mid-checkout, and once
 * the attack stops GraphQL and /sql answer normally again (broken clients were not handed out again).
 */
import { DbStack, expectAlive, postGql, postSql, sleep, startDbStack, watchHealth } from './support/db-stack'

jest.setTimeout(180_000)

let s: DbStack

beforeAll(async () => {
    s = await startDbStack('crash')
})

afterAll(async () => {
    await s?.close()
})

const MULTI_ROOT = '{ a: batches(limit: 2) { id } b: tokens(limit: 2) { id } c: claims(limit: 2) { id } }'

test('terminating checked-out backends does not crash the API', async () => {
    const health = watchHealth(s.api)
    let stop = false
    const outcomes: Record<string, number> = {}
    const note = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1)
    const gqlWorker = async () => {
        while (!stop) {
            const r = await postGql(s.api, MULTI_ROOT).catch((e) => ({ status: 0, body: String(e) }))
            note(r.status === 200 && !r.body?.errors ? 'gql ok' : `gql ${r.status} ${r.body?.errors?.[0]?.extensions?.code ?? 'no code'}`)
        }
    }
    const sqlWorker = async () => {
        while (!stop) {
            const r = await postSql(s.api, s.key, 'SELECT pg_sleep(0.3), count(*) FROM batch').catch((e) => ({ status: 0, body: String(e) }))
            note(r.status === 200 ? 'sql ok' : `sql ${r.status} ${r.body?.error?.code ?? 'no code'}`)
        }
    }
    let terminated = 0
    const attacker = async () => {
        while (!stop) {
            const r = await s.admin.query(
                `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
                  WHERE application_name IN ('settlement-api', 'settlement-api-sql') AND pid <> pg_backend_pid() AND state <> 'idle'`,
            )
            terminated += r.rows[0].n
            await sleep(100)
        }
    }
    const workers = [gqlWorker(), gqlWorker(), gqlWorker(), sqlWorker(), sqlWorker(), attacker()]
    await sleep(8_000)
    stop = true
    await Promise.all(workers)
    const h = await health.stop()

    expectAlive(s.api)
    expect(terminated).toBeGreaterThan(5)
    // every request got an answer: a success or a coded error (never a dropped connection, 0)
    expect(Object.keys(outcomes).filter((k) => / 0 |no code/.test(k))).toEqual([])
    expect(h.statuses.filter((x) => x === 0)).toEqual([])
    expect(h.slowest).toBeLessThan(1_000)

    // afterwards: normal answers again, on fresh connections
    await sleep(500)
    for (let i = 0; i < 10; i++) {
        const g = await postGql(s.api, MULTI_ROOT)
        expect({ status: g.status, errors: g.body?.errors }).toEqual({ status: 200, errors: undefined })
        const q = await postSql(s.api, s.key, 'SELECT 1 AS one')
        expect({ status: q.status, rows: q.body?.rows }).toEqual({ status: 200, rows: [[1]] })
    }
    expectAlive(s.api)
})
