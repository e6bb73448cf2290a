/**
 * Hardening (issue 16, finding 11): /sql must stop reading at its byte cap instead of loading the whole result.
 * The attack: queries whose result is ~500 MB (10,000 rows of 50 KB, under the 10,000-row cap), two at a time,
 * five rounds, against the compiled API with its default 16 MB response cap.
 *
 * Bound (stated): the server's peak RSS, sampled every 50 ms from /proc, stays within 250 MB of its RSS before
 * the attack (the server runs with a full GC every 500 ms, so RSS follows live memory). Loading each result
 * whole, as /sql did before its cursor, peaked at ~1,250 MB here (baseline ~115 MB); through the cursor ~270 MB. Each answer is
 * `truncated: true` and at most 16 MB; /health answers within 1 s throughout; the process is never replaced.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { DbStack, expectAlive, postSql, rssMb, sleep, startDbStack, watchHealth } from './support/db-stack'

jest.setTimeout(240_000)

const BOUND_MB = 250
const MAX_RESPONSE = 16 * 1024 * 1024

let s: DbStack

beforeAll(async () => {
    // a full GC every 500 ms in the server, so its RSS follows live memory instead of V8's lazy heap growth
    const gcPreload = path.join(os.tmpdir(), `sec-gc-often-${process.pid}.js`)
    fs.writeFileSync(gcPreload, 'setInterval(() => global.gc && global.gc(), 500).unref()\n')
    s = await startDbStack('sqlmem', { NODE_OPTIONS: `--expose-gc --require ${gcPreload}` })
})

afterAll(async () => {
    await s?.close()
})

test('a 500 MB result is cut at the byte cap without loading it', async () => {
    // warm up (type cache, pools, JIT) before the baseline
    for (let i = 0; i < 3; i++) expect((await postSql(s.api, s.key, 'SELECT x FROM generate_series(1, 1000) x')).status).toBe(200)
    await sleep(500)
    const baseline = rssMb(s.api.pid)
    let peak = baseline
    let sampling = true
    const sampler = (async () => {
        while (sampling) {
            peak = Math.max(peak, rssMb(s.api.pid))
            await sleep(50)
        }
    })()
    const health = watchHealth(s.api)
    const answers: { status: number; rows: number; truncated: boolean; bytes: number }[] = []
    const big = `SELECT g, repeat(md5(g::text), 1600) AS payload FROM generate_series(1, 10000) g`
    for (let round = 0; round < 5; round++) {
        const rs = await Promise.all([0, 1].map(() => postSql(s.api, s.key, big, [], 60_000)))
        for (const r of rs) answers.push({ status: r.status, rows: r.body?.rows?.length, truncated: r.body?.truncated, bytes: JSON.stringify(r.body).length })
    }
    sampling = false
    await sampler
    const h = await health.stop()

    for (const a of answers) {
        expect({ status: a.status, truncated: a.truncated }).toEqual({ status: 200, truncated: true })
        expect(a.bytes).toBeLessThanOrEqual(MAX_RESPONSE)
        // cut at the byte cap (each row is ~51 KB), not at a handful of rows
        expect(a.rows).toBeGreaterThan(250)
    }
    expect({ baseline: Math.round(baseline), peak: Math.round(peak), growth: Math.round(peak - baseline) <= BOUND_MB }).toEqual({
        baseline: Math.round(baseline),
        peak: Math.round(peak),
        growth: true,
    })
    expect(h.statuses.filter((x) => x !== 200)).toEqual([])
    expect(h.slowest).toBeLessThan(1_000)
    expectAlive(s.api)
})

test('the row cap and the column types are kept when read through the cursor', async () => {
    const r = await postSql(s.api, s.key, 'SELECT g::int8 AS n, now() AS t, $1::text AS p FROM generate_series(1, 20000) g', ['x'])
    expect(r.status).toBe(200)
    expect(r.body.rows.length).toBe(10_000)
    expect(r.body.truncated).toBe(true)
    expect(r.body.columns).toEqual([
        { name: 'n', type: 'int8' },
        { name: 't', type: 'timestamptz' },
        { name: 'p', type: 'text' },
    ])
    expect(r.body.rows[9_999][0]).toBe('10000')
    const empty = await postSql(s.api, s.key, 'SELECT 1 AS one WHERE false')
    expect(empty.body).toEqual({ columns: [{ name: 'one', type: 'int4' }], rows: [], rowCount: 0, truncated: false })
    const exact = await postSql(s.api, s.key, 'SELECT g FROM generate_series(1, 10000) g')
    expect({ n: exact.body.rows.length, truncated: exact.body.truncated }).toEqual({ n: 10_000, truncated: false })
})
