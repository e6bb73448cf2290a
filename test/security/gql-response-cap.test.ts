/**
 * Issue 16 #6, second half: the response byte cap is enforced while the answer is built, not after. Each row is
 * small enough for the pre-execution bound (cost.ts counts keys, not the length of values), but 19 aliases ×
 * 1,000 participants × a 5 KB metadataURI would be a ~95 MB answer: execution stops once the SQL results read so
 * far pass the 16 MB cap, answers QUERY_TOO_COMPLEX (limit: responseBytes) and never runs the statements queued
 * behind it, while `/health` keeps answering within a second and the server's memory stays bounded. An answer
 * under the cap (~10 MB) is still served whole. Run `npx tsc -p tsconfig.json` first (the server runs lib/).
 */
import { CappedOpenreaderContext, resultBytes } from '../../src/server/openreader-context'
import { ListQuery } from '../../src/server/openreader-internals'
import { GqlServerProcess, rssMb, startGqlServerProcess, timedPost, watchHealth } from './support/gql-server'

jest.setTimeout(240_000)

const ROWS = 1_000
const URI_BYTES = 5_000
/**
 * Measured: the server at rest ~140 MB, ~180 MB at peak with the cap enforced while building; ~670 MB when the
 * ~95 MB answer is built first and refused after JSON.stringify (the behaviour before).
 */
const MEMORY_BOUND_MB = 300

let api: GqlServerProcess

beforeAll(async () => {
    api = await startGqlServerProcess({ GQL_ANON_RATE_LIMIT_RPS: '100000', GQL_ANON_RATE_LIMIT_BURST: '100000' })
    await api.stack.pool.query(
        `INSERT INTO participant (id, kind, payout_address, metadata_uri, active, price_per_thousand, consent, registration_count,
            registered_by, registered_at, registered_at_block, updated_at, updated_at_block)
         SELECT '0x' || lpad(to_hex(i), 40, '0'), 'PUBLISHER', '0x00', repeat('u', $1), true, 0, true, 1, '0x00', now(), 1, now(), 1
         FROM generate_series(1, $2) AS i`,
        [URI_BYTES, ROWS],
    )
})

afterAll(async () => {
    await api?.close()
})

/** `n` aliases, each a page of every participant's metadataURI */
function aliased(n: number): string {
    const fields = Array.from({ length: n }, (_, i) => `a${i}: participants(limit: ${ROWS}, orderBy: id_ASC) { metadataURI }`)
    return `{ ${fields.join(' ')} }`
}

test('a ~95 MB answer stops at the cap while it is built: QUERY_TOO_COMPLEX, bounded memory, /health responsive', async () => {
    const pid = api.proc.pid!
    const health = watchHealth(api.base)
    let peakMb = 0
    const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 20)
    let answers
    try {
        answers = []
        for (let i = 0; i < 3; i++) answers.push(await timedPost(api.url, { query: aliased(19) }))
    } finally {
        clearInterval(sampler)
        const h = await health.stop()
        expect(h.probes).toBeGreaterThan(3)
        expect(h.slowestMs).toBeLessThan(1_000)
    }
    for (const a of answers) {
        expect(a.body.data ?? null).toBeNull()
        expect(new Set(a.codes)).toEqual(new Set(['QUERY_TOO_COMPLEX']))
        expect(a.limits).toContain('responseBytes')
    }
    peakMb = Math.max(peakMb, rssMb(pid))
    expect(peakMb).toBeLessThan(MEMORY_BOUND_MB)
    expect(api.proc.exitCode).toBeNull()
})

test('a large answer under the cap (~10 MB) is served whole', async () => {
    const a = await timedPost(api.url, { query: aliased(2) })
    expect(a.codes).toEqual([])
    expect(a.body.data.a0).toHaveLength(ROWS)
    expect(a.body.data.a1[ROWS - 1].metadataURI).toHaveLength(URI_BYTES)
})

describe('CappedOpenreaderContext', () => {
    /** a pool whose one connection answers every statement with `rows`, counting the statements run */
    function fakePool(rows: unknown[][]) {
        const sent: string[] = []
        const client = {
            query: async (q: any) => {
                sent.push(typeof q === 'string' ? q : q.text)
                return { rows: typeof q === 'string' ? [] : rows }
            },
            on: () => client,
            off: () => client,
            removeListener: () => client,
            release: () => undefined,
        }
        const pool = { connect: async () => client, query: client.query }
        return { pool: pool as any, sent }
    }

    test('statements queued behind the one that passed the cap never reach the database', async () => {
        const rows = [['x'.repeat(1_000)]]
        const { pool, sent } = fakePool(rows)
        const ctx = new CappedOpenreaderContext(pool, 100, 3 * resultBytes(rows) - 1)
        // a list query as OpenReader builds it, reduced to what the context reads (sql, params, map)
        const list = (): ListQuery => Object.assign(Object.create(ListQuery.prototype), { sql: 'SELECT 1', params: [], map: (r: unknown[]) => r })
        const query = () => ctx.executeQuery(list())
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, query))
        await ctx.close()
        const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as any).extensions?.code))
        expect(codes).toEqual(['ok', 'ok', ...Array(8).fill('QUERY_TOO_COMPLEX')])
        // START TRANSACTION, three statements (the third passes the cap), COMMIT
        expect(sent.filter((s) => s.includes('_capped'))).toHaveLength(3)
    })

    test('the estimate counts values and key overhead', () => {
        expect(resultBytes([['abc', 12, null, true]])).toBe(2 + 2 + (4 + 5) + (4 + 2) + (4 + 4) + (4 + 5))
    })
})
