/**
 * The multiplexing batch (live/multiplex.ts) against real Postgres, without the server: members send statements as
 * OpenReader contexts would, and each must get exactly the rows or the error its statement gets alone; plus the SQL
 * rewriting of multiplex-sql.ts.
 */
import { Pool } from 'pg'
import { MultiplexCounters, ParamTypeCache, StatementBatch, StatementSlots } from '../../src/server/live/multiplex'
import { combinedSql, literalsAsParams, replaceParams, splitRows } from '../../src/server/live/multiplex-sql'
import { setLogSink } from '../../src/stack/log'
import { startEmbeddedPostgres, EmbeddedPostgres } from '../../src/stack/postgres'
import { freePort } from '../../src/stack/util'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'

jest.setTimeout(120_000)

let pg: EmbeddedPostgres
let pool: Pool
let tmp: string

beforeAll(async () => {
    setLogSink(() => undefined)
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'live-mux-'))
    fs.chmodSync(tmp, 0o755)
    pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid' })
    pool = new Pool({ connectionString: pg.url, max: 4 })
    pool.on('error', () => undefined)
    await pool.query(`CREATE TABLE t (id int PRIMARY KEY, grp varchar(10) NOT NULL, amount numeric NOT NULL, at timestamptz NOT NULL, meta jsonb)`)
    await pool.query(
        `INSERT INTO t SELECT g, 'g' || (g % 4), g * 1.5, timestamptz '2024-01-01' + g * interval '1 hour', jsonb_build_object('k', g % 3) FROM generate_series(1, 40) g`,
    )
})

afterAll(async () => {
    await pool?.end().catch(() => undefined)
    await pg?.stop().catch(() => pg.kill())
    fs.rmSync(tmp, { recursive: true, force: true })
})

function batch(opts: { maxRows?: number } = {}) {
    const counters: MultiplexCounters = { statements: 0, multiplexed: 0, probes: 0 }
    return { counters, b: new StatementBatch(new ParamTypeCache(), counters, new StatementSlots(4), { maxTuples: 100, idleMs: 25, maxRows: opts.maxRows ?? 1_000 }) }
}

/** Each statement alone, as the unmultiplexed path sends it. */
const alone = async (text: string, values: unknown[]) => {
    try {
        return { rows: (await pool.query({ text, values, rowMode: 'array' })).rows }
    } catch (e: any) {
        return { error: e.code as string }
    }
}

/** Every statement through one batch at once (one member each, single-statement or transaction mode). */
async function together(statements: { text: string; values: unknown[] }[], single = true, maxRows?: number) {
    const { b, counters } = batch({ maxRows })
    const members = statements.map(() => b.member())
    const out = await Promise.all(
        statements.map(async (s, i) => {
            try {
                return { rows: await members[i].query(pool, s, single) }
            } catch (e: any) {
                return { error: e.code as string }
            } finally {
                members[i].done()
            }
        }),
    )
    await b.close()
    return { out, counters }
}

const LIST = `SELECT id, grp, amount, at, meta FROM t WHERE grp = $1 AND amount > $2 AND at >= $3 ORDER BY amount DESC, id LIMIT 4 OFFSET 1`

test.each([true, false])('different values of one text: one statement, each gets its own rows in order (single statement: %s)', async (single) => {
    const statements = [
        { text: LIST, values: ['g1', 3, new Date('2024-01-01T05:00:00Z')] },
        { text: LIST, values: ['g2', '10.5', '2024-01-01T00:00:00Z'] },
        { text: LIST, values: ['g3', 0, new Date('2024-01-02T00:00:00Z')] },
        { text: LIST, values: ['nope', 0, new Date(0)] },
        { text: LIST, values: ['g1', 3, new Date('2024-01-01T05:00:00Z')] },
    ]
    const { out, counters } = await together(statements, single)
    const expected = await Promise.all(statements.map((s) => alone(s.text, s.values)))
    expect(out).toEqual(expected)
    expect((expected[0] as any).rows.length).toBe(4)
    // the fifth is the first again: sent once
    expect(counters).toMatchObject({ statements: 1, multiplexed: 5, probes: 1 })
})

test('texts that differ only in literal LIMIT/OFFSET combine too', async () => {
    const page = (limit: number, offset: number) => `SELECT * FROM (SELECT id, grp FROM t WHERE grp = $1 ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}) AS _capped LIMIT 10001`
    const statements = [
        { text: page(3, 0), values: ['g1'] },
        { text: page(1, 2), values: ['g1'] },
        { text: page(5, 1), values: ['g2'] },
        { text: page(3, 0), values: ['g2'] },
    ]
    const { out, counters } = await together(statements)
    expect(out).toEqual(await Promise.all(statements.map((s) => alone(s.text, s.values))))
    expect((out[2] as any).rows).toHaveLength(5)
    expect(counters).toMatchObject({ statements: 1, multiplexed: 4 })
})

test('a combined result over maxRows rows falls back to one statement per tuple', async () => {
    const text = `SELECT id FROM t WHERE id > $1 ORDER BY id`
    const statements = [0, 10, 20].map((n) => ({ text, values: [n] }))
    const { out, counters } = await together(statements, true, 50)
    expect(out).toEqual(await Promise.all(statements.map((s) => alone(s.text, s.values))))
    expect(counters).toMatchObject({ statements: 4, multiplexed: 0 })
})

test('a value that fails for one tuple falls back to one statement per tuple: the others still get their rows', async () => {
    const text = `SELECT id, 100 / $1::int AS q FROM t WHERE id <= $2 ORDER BY id`
    const statements = [
        { text, values: [5, 2] },
        { text, values: [0, 2] },
        { text, values: [20, 3] },
    ]
    for (const single of [true, false]) {
        const { out, counters } = await together(statements, single)
        expect(out).toEqual(await Promise.all(statements.map((s) => alone(s.text, s.values))))
        expect(out[1]).toEqual({ error: '22012' })
        expect(counters).toMatchObject({ statements: 4, multiplexed: 0 })
    }
})

test('array values, and different texts, are sent as they are', async () => {
    const byIds = `SELECT id FROM t WHERE id = ANY($1) ORDER BY id`
    const statements = [
        { text: byIds, values: [[1, 2]] },
        { text: byIds, values: [[3]] },
        { text: `SELECT count(*) FROM t WHERE grp = $1`, values: ['g0'] },
    ]
    const { out, counters } = await together(statements)
    expect(out).toEqual(await Promise.all(statements.map((s) => alone(s.text, s.values))))
    expect(counters).toMatchObject({ statements: 3, multiplexed: 0 })
})

test('rounds: a member that sends a second statement waits for the others; all read one snapshot in transaction mode', async () => {
    const { b, counters } = batch()
    const members = [b.member(), b.member(), b.member()]
    const text = `SELECT count(*) FROM t WHERE grp = $1`
    let firsts = 0
    let wrote: Promise<unknown> | undefined
    const results = await Promise.all(
        members.map(async (m, i) => {
            const first = await m.query(pool, { text, values: [`g${i}`] }, false)
            // a write between the rounds: the batch's snapshot must not see it
            if (++firsts === 3) wrote = pool.query(`INSERT INTO t VALUES (100, 'g1', 1, now(), null)`)
            await new Promise((r) => setTimeout(r, 5))
            await wrote
            const second = await m.query(pool, { text, values: [`g${(i + 1) % 3}`] }, false)
            m.done()
            return [first[0][0], second[0][0]]
        }),
    )
    await b.close()
    expect(results).toEqual([
        ['10', '10'],
        ['10', '10'],
        ['10', '10'],
    ])
    expect(counters.statements).toBe(2)
    await pool.query(`DELETE FROM t WHERE id = 100`)
})

test('placeholders are replaced outside quotes only; rows are split by tuple', () => {
    const sql = `SELECT '$1', "a$1", x$1, $1, $12 FROM "t" WHERE s = 'it''s $2' AND v = $2`
    expect(replaceParams(sql, (n) => `P${n}`)).toBe(`SELECT '$1', "a$1", x$1, P1, P12 FROM "t" WHERE s = 'it''s $2' AND v = P2`)
    expect(() => combinedSql(`SELECT $3`, ['int4'])).toThrow(/out of range/)
    expect(literalsAsParams(`SELECT "LIMIT 1", 'OFFSET 2' FROM t LIMIT 5 OFFSET 10) x LIMIT 3`, ['a'])).toEqual({
        text: `SELECT "LIMIT 1", 'OFFSET 2' FROM t LIMIT $2 OFFSET $3) x LIMIT $4`,
        values: ['a', 5, 10, 3],
    })
    expect(splitRows([['1', '1', 'a'], ['2', '1', 'b'], ['1', '2', 'c']], 3)).toEqual([[['a'], ['c']], [['b']], []])
})
