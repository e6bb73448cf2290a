/**
 * What the API's fast paths must not change: the document cache (parse + validation per query text), the
 * OpenReader context (one statement outside a transaction, several in one REPEATABLE READ snapshot, no leaked
 * connections), and the rankings that sum only the rows a claim/batch touched (same answers as summing every
 * row, and the partial indexes are usable by them).
 */
import 'reflect-metadata'
import { getIntrospectionQuery, GraphQLError, parse, specifiedRules, validate } from 'graphql'
import type { Pool, PoolClient } from 'pg'
import { DocumentCache, isSingleStatement } from '../../src/server/document-cache'
import { DEFAULT_QUERY_LIMITS, queryLimitsRule } from '../../src/server/limits/validation'
import { PreparedPool, StatementNames } from '../../src/server/sql/prepared'
import { BATCH_ROWS, CLAIM_ROWS, topPayersSql, topPublishersSql } from '../../src/server/resolvers/analytics.sql'
import { buildApiSchema } from '../../src/server/schema'
import { RunningServer, startServer } from '../../src/server'
import { addr, bid, data, firstError, gql, insertToken, PgStack, setIndexerHead, startPgStack, TOKEN, upsertBatch } from './support/stack'

jest.setTimeout(120_000)

const plain = (errors: readonly GraphQLError[]) => errors.map((e) => ({ message: e.message, locations: e.locations, extensions: e.extensions }))

describe('document cache', () => {
    test('the same text gives the same document; entries, text size and long texts are bounded', async () => {
        const schema = await buildApiSchema()
        const cache = new DocumentCache(schema, { maxEntries: 3, maxQueryChars: 100, maxTotalChars: 150 })
        const q = (n: number) => `{ batches(limit: ${n}) { id } }`
        const d1 = cache.parse(q(1))
        expect(cache.parse(q(1))).toBe(d1)
        cache.parse(q(2))
        cache.parse(q(3))
        cache.parse(q(1)) // most recently used again
        cache.parse(q(4)) // evicts q(2), the least recently used
        expect(cache.size).toBe(3)
        expect(cache.parse(q(1))).toBe(d1)
        const misses = cache.misses
        cache.parse(q(2))
        expect(cache.misses).toBe(misses + 1)
        // the total text cap: 5 × 31 chars > 150
        for (let n = 10; n < 20; n++) cache.parse(q(n))
        expect(cache.size).toBeLessThanOrEqual(3)
        // longer than maxQueryChars: parsed every time, never kept
        const long = `{ batches(limit: 1) { id ${'status '.repeat(20)} } }`
        expect(cache.parse(long)).not.toBe(cache.parse(long))
        // syntax errors throw each time
        expect(() => cache.parse('{ batches(')).toThrow(GraphQLError)
        expect(() => cache.parse('{ batches(')).toThrow(GraphQLError)
    })

    test('validation answers as an uncached pass; the limits follow each request\'s variables', async () => {
        const schema = await buildApiSchema()
        const cache = new DocumentCache(schema)
        const limits = { ...DEFAULT_QUERY_LIMITS, maxComplexity: 1_000 }
        const rules = (variables?: Record<string, unknown>) => [...specifiedRules, queryLimitsRule(limits, variables)]
        const docs = [
            `query($n: Int) { batches(limit: $n) { id claims(limit: 50) { id } } }`,
            `{ batches(limit: "x") { id } nope }`,
            `query A { batches(limit: 1) { id } } query A { claims(limit: 1) { id } }`,
            `{ claims(limit: 1) { batch { claims(limit: 1) { batch { claims(limit: 1) { batch { claims(limit: 1) { batch { claims(limit: 1) { batch { id } } } } } } } } } } }`,
            `{ a: batches(limit: 1) { id } b: batches(limit: 1) { id } }`,
            getIntrospectionQuery(),
        ]
        for (const text of docs) {
            for (const variables of [undefined, { n: 1 }, { n: 500 }, { n: 1 }]) {
                const doc = cache.parse(text)
                // graphql's own validate, with the code the cache adds to the spec rules' errors
                const want = validate(schema, parse(text), rules(variables)).map((e) =>
                    e.extensions?.code ? e : new GraphQLError(e.message, e.nodes, e.source, e.positions, e.path, undefined, { code: 'GRAPHQL_VALIDATION_FAILED' }),
                )
                expect({ text, variables, errors: plain(cache.validate(schema, doc, rules(variables))) }).toEqual({ text, variables, errors: plain(want) })
            }
        }
        // the cached document with a small then a large page size: only the large one is refused
        const doc = cache.parse(docs[0])
        expect(cache.validate(schema, doc, rules({ n: 2 }))).toEqual([])
        expect(cache.validate(schema, doc, rules({ n: 100 })).map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX'])
        expect(cache.validate(schema, doc, rules({ n: 2 }))).toEqual([])
    })

    test('single-statement operations: one root field that is not a connection', async () => {
        const schema = await buildApiSchema()
        const single = (q: string, name?: string) => isSingleStatement(schema, parse(q), name)
        expect(single(`{ batches(limit: 1) { id claims(limit: 2) { id } } }`)).toBe(true)
        expect(single(`{ batchById(id: "x") { id } __typename }`)).toBe(true)
        expect(single(`{ __typename }`)).toBe(true)
        expect(single(`{ batchesConnection(orderBy: id_ASC) { totalCount } }`)).toBe(false)
        expect(single(`{ batches(limit: 1) { id } claims(limit: 1) { id } }`)).toBe(false)
        expect(single(`{ ...F } fragment F on Query { batches(limit: 1) { id } }`)).toBe(false)
        expect(single(`query($s: Boolean!) { batches(limit: 1) @include(if: $s) { id } }`)).toBe(false)
        expect(single(`query A { batches(limit: 1) { id } } query B { batches(limit: 1) { id } claims(limit: 1) { id } }`, 'A')).toBe(true)
        expect(single(`query A { batches(limit: 1) { id } } query B { batches(limit: 1) { id } claims(limit: 1) { id } }`, 'B')).toBe(false)
        expect(single(`{ __schema { queryType { name } } }`)).toBe(false)
        expect(single(`mutation { __typename }`)).toBe(false)
    })
})

test('statement names: after minUses, at most maxNames, stable per text, refused texts stay unnamed', () => {
    const names = new StatementNames({ maxNames: 2, minUses: 2, maxTextLength: 50 })
    expect(names.nameFor('SELECT 1')).toBeUndefined()
    const n1 = names.nameFor('SELECT 1')
    expect(n1).toMatch(/^api_[0-9a-f]{40}$/)
    expect(names.nameFor('SELECT 1')).toBe(n1)
    expect(names.nameFor('SELECT ' + 'x'.repeat(60))).toBeUndefined()
    expect(names.nameFor('SELECT ' + 'x'.repeat(60))).toBeUndefined()
    names.nameFor('SELECT 2')
    const n2 = names.nameFor('SELECT 2')
    expect(n2).toBeDefined()
    expect(n2).not.toBe(n1)
    // full: new texts stay unnamed
    names.nameFor('SELECT 3')
    expect(names.nameFor('SELECT 3')).toBeUndefined()
    names.refuse('SELECT 1')
    expect(names.nameFor('SELECT 1')).toBeUndefined()
    expect(names.nameFor('SELECT 1')).toBeUndefined()
    expect(names.size).toBe(1)
})

describe('over Postgres', () => {
    let stack: PgStack
    let server: RunningServer
    const statements: { via: 'pool' | 'client'; text: string }[] = []
    let checkouts = 0

    beforeAll(async () => {
        stack = await startPgStack()
        await insertToken(stack.pool)
        await setIndexerHead(stack.pool, 5)
        for (let i = 1; i <= 5; i++) await upsertBatch(stack.pool, { id: bid(i), committedAt: new Date(Date.UTC(2024, 0, i)), committedAtBlock: i })
        server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: stack.url, rpcUrl: null, log: () => undefined, rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } } })
        // record what the API's pool runs (OpenReader statements only: they are the ones wrapped in _capped or counting)
        const pool: Pool = server.pool
        const query = pool.query.bind(pool) as (...a: any[]) => any
        ;(pool as any).query = (...a: any[]) => {
            statements.push({ via: 'pool', text: typeof a[0] === 'string' ? a[0] : a[0].text })
            return query(...a)
        }
        const connect = pool.connect.bind(pool) as (cb?: unknown) => Promise<PoolClient>
        ;(pool as any).connect = async (cb?: unknown) => {
            // pool.query checks a client out with a callback: not a checkout of ours
            if (cb) return connect(cb)
            checkouts++
            const client = await connect()
            const cq = (client as any).__origQuery ?? client.query.bind(client)
            ;(client as any).__origQuery = cq
            ;(client as any).query = (...a: any[]) => {
                statements.push({ via: 'client', text: typeof a[0] === 'string' ? a[0] : a[0].text })
                return cq(...a)
            }
            return client
        }
    })

    afterAll(async () => {
        await server?.close()
        await stack?.close()
    })

    const reset = () => {
        statements.length = 0
        checkouts = 0
    }

    test('repeated texts run as named statements; a table changed under one falls back to unnamed', async () => {
        const pool = new PreparedPool({ connectionString: stack.url, max: 1 }, { minUses: 2 })
        try {
            await pool.query('CREATE TABLE prep_t (a int)')
            await pool.query('INSERT INTO prep_t VALUES (1)')
            const sql = 'SELECT * FROM prep_t WHERE a = $1'
            for (let i = 0; i < 3; i++) expect((await pool.query(sql, [1])).rows).toEqual([{ a: 1 }])
            // (the pool's only connection)
            const prepared = (await pool.query(`SELECT name, statement FROM pg_prepared_statements`)).rows
            expect(prepared.map((r: any) => r.statement)).toEqual([sql])
            // the same text as a config (rowMode) and with callbacks
            expect((await pool.query({ text: sql, values: [1], rowMode: 'array' })).rows).toEqual([[1]])
            await new Promise<void>((resolve, reject) => pool.query(sql, [1], (err: Error, r: any) => (err ? reject(err) : (expect(r.rows).toEqual([{ a: 1 }]), resolve()))))
            // a migration changes the result type: Postgres refuses the prepared statement, the pool runs it unnamed
            await pool.query('ALTER TABLE prep_t ADD COLUMN b text')
            expect((await pool.query(sql, [1])).rows).toEqual([{ a: 1, b: null }])
            expect((await pool.query(sql, [1])).rows).toEqual([{ a: 1, b: null }])
            expect(pool.statements.size).toBe(0)
        } finally {
            await pool.query('DROP TABLE IF EXISTS prep_t').catch(() => undefined)
            await pool.end()
        }
    })

    test('one generated list: one statement through the pool, no transaction', async () => {
        reset()
        const d = data(await gql(server.url, `{ batches(orderBy: id_ASC, limit: 2) { id } }`))
        expect(d.batches.map((b: any) => b.id)).toEqual([bid(1), bid(2)])
        expect(checkouts).toBe(0)
        expect(statements.filter((s) => /_capped/.test(s.text)).map((s) => s.via)).toEqual(['pool'])
        expect(statements.some((s) => /TRANSACTION|COMMIT/.test(s.text))).toBe(false)
    })

    test('a connection (page + count) and several root fields share one REPEATABLE READ READ ONLY transaction', async () => {
        reset()
        const d = data(await gql(server.url, `{ batchesConnection(orderBy: id_ASC, first: 2) { totalCount edges { node { id } } } }`))
        expect(d.batchesConnection.totalCount).toBe(5)
        expect(checkouts).toBe(1)
        const texts = statements.filter((s) => s.via === 'client').map((s) => s.text)
        expect(texts[0]).toBe('START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
        expect(texts[texts.length - 1]).toBe('COMMIT')
        expect(texts.length).toBe(4)

        reset()
        const two = data(await gql(server.url, `{ a: batches(orderBy: id_ASC, limit: 1) { id } b: batches(orderBy: id_DESC, limit: 1) { id } }`))
        expect([two.a[0].id, two.b[0].id]).toEqual([bid(1), bid(5)])
        expect(checkouts).toBe(1)
        expect(statements.filter((s) => /_capped/.test(s.text)).map((s) => s.via)).toEqual(['client', 'client'])
    })

    test('errors inside a transaction release its connection; the pool does not leak', async () => {
        const pool: Pool = server.pool
        for (let i = 0; i < 30; i++) {
            // the second root field fails in Postgres (OFFSET must not be negative): the transaction is aborted
            const res = await gql(server.url, `{ a: batches(limit: 1) { id } b: batches(offset: -1, limit: 1) { id } }`)
            expect(res.status).toBe(200)
            expect(firstError(res).code).toBe('BAD_USER_INPUT') // Postgres refused the value: error-mask.ts
            await gql(server.url, `{ batchesConnection(orderBy: id_ASC, first: 1) { totalCount } }`)
        }
        const e = firstError(await gql(server.url, `{ batches(limit: 20000) { id } }`))
        expect(e.code).toBe('QUERY_TOO_COMPLEX')
        await new Promise((r) => setTimeout(r, 50))
        expect(pool.waitingCount).toBe(0)
        expect(pool.idleCount).toBe(pool.totalCount)
    })

    test('graphql-ws queries take the same paths', async () => {
        const { createClient } = await import('graphql-ws')
        const WebSocket = (await import('ws')).default
        const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 })
        try {
            const run = (query: string) =>
                new Promise<any>((resolve, reject) => {
                    let out: any
                    client.subscribe({ query }, { next: (v) => (out = v), error: reject, complete: () => resolve(out) })
                })
            reset()
            expect((await run(`{ batches(orderBy: id_ASC, limit: 1) { id } }`)).data.batches).toEqual([{ id: bid(1) }])
            expect(checkouts).toBe(0)
            expect((await run(`{ batchesConnection(orderBy: id_ASC, first: 1) { totalCount } }`)).data.batchesConnection.totalCount).toBe(5)
            expect(checkouts).toBe(1)
            const tooDeep = await run(`{ batches(limit: 100) { claims(limit: 100) { batch { claims(limit: 100) { id } } } } }`).catch((e) => e)
            expect(JSON.stringify(tooDeep)).toMatch(/QUERY_TOO_COMPLEX/)
        } finally {
            await client.dispose()
        }
    })

    test('tokenActivity reads the selected columns only (fragments, inline fragments, aliases)', async () => {
        const cols = `token bucket interval depositCount depositAmount withdrawalCount withdrawalAmount batchCount committedAmount recordCount finalizedBatchCount
            finalizedAmount rejectedBatchCount rejectedAmount disputeCount claimCount claimedAmount feesAmount netClaimedAmount escrowHeldEnd escrowLockedEnd escrowUtilisation`
        for (let d = 1; d <= 3; d++) {
            await stack.pool.query(
                `INSERT INTO token_day_stat (id, token_id, day, date, deposit_count, deposit_amount, withdrawal_count, withdrawal_amount, batch_count, committed_amount, record_count,
                     finalized_batch_count, finalized_amount, rejected_batch_count, rejected_amount, dispute_count, claim_count, claimed_amount, fees_amount, net_claimed_amount,
                     escrow_held_end, escrow_locked_end)
                 VALUES ($1, $2, $3, to_char($3::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD'), $4::int, $5::int, $4 + 1, $5 + 1, $4 + 2, $5 + 2, $4 + 3, $4 + 4, $5 + 4, $4 + 5, $5 + 5, $4 + 6,
                         $4 + 7, $5 + 7, $4 + 8, $5 + 8, $5 * 10, $5)`,
                [`${TOKEN}-${d}`, TOKEN, new Date(Date.UTC(2024, 4, d)), d, 100 * d],
            )
        }
        const args = `from: "2024-05-01T00:00:00Z", to: "2024-05-10T00:00:00Z", token: "${TOKEN}"`
        const all = data(await gql(server.url, `{ tokenActivity(${args}) { ${cols} } }`)).tokenActivity
        expect(all).toHaveLength(3)
        expect(all[1]).toMatchObject({ interval: 'DAY', depositCount: 2, withdrawalAmount: '201', escrowHeldEnd: '2000', escrowUtilisation: 0.1 })
        const pick = (o: any, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]))
        const some = data(
            await gql(
                server.url,
                `query { tokenActivity(${args}) { ...A ... on TokenActivityPoint { feesAmount } c: claimCount } } fragment A on TokenActivityPoint { bucket escrowUtilisation ...B } fragment B on TokenActivityPoint { depositAmount }`,
            ),
        ).tokenActivity
        expect(some).toEqual(all.map((r: any) => ({ ...pick(r, ['bucket', 'escrowUtilisation', 'depositAmount', 'feesAmount']), c: r.claimCount })))
        // the same document again (cached field nodes) and a different selection
        expect(data(await gql(server.url, `{ tokenActivity(${args}) { ${cols} } }`)).tokenActivity).toEqual(all)
        expect(data(await gql(server.url, `{ tokenActivity(${args}) { __typename } }`)).tokenActivity).toEqual(all.map(() => ({ __typename: 'TokenActivityPoint' })))
    })

    test('rankings over claim/batch rows only: same answers as summing every row, partial indexes usable', async () => {
        const pool = stack.pool
        const tokens = [TOKEN, addr(0x7001)]
        await insertToken(pool, tokens[1])
        let rnd = 7
        const r = (n: number) => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) % n
        const rows: unknown[][] = []
        for (let i = 0; i < 600; i++) {
            const account = addr(0x9000 + r(40))
            const token = tokens[r(2)]
            const date = `2024-02-${String(1 + r(20)).padStart(2, '0')}`
            // most rows are deposits only (all ranking columns 0), some carry a claim, some a batch, some both
            const claim = r(4) === 0
            const batch = r(5) === 0
            const received = claim ? r(3) * 100 : 0 // zero-amount claims too
            const fee = claim ? Math.floor(received / 10) : 0
            const committed = batch ? r(4) * 50 : 0
            const paid = batch && r(2) ? committed : 0
            rows.push([`${account}-${token}-${date}-${i}`, account, token, date, new Date(`${date}T00:00:00Z`), r(1000), committed, batch ? 1 : 0, batch ? r(3) : 0, paid, received, fee, received - fee, claim ? 1 : 0])
        }
        for (const row of rows) {
            await pool.query(
                `INSERT INTO participant_day_stat (id, account, token_id, date, day, deposit_amount, committed_amount, batch_count, record_count, paid_amount,
                     received_amount, fees_amount, net_received_amount, claim_count, withdrawal_amount, dispute_count)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, 0)`,
                row,
            )
        }
        // some of the accounts are registered participants (their kind is joined)
        await pool.query(
            `INSERT INTO participant (id, kind, payout_address, metadata_uri, active, price_per_thousand, consent, registration_count, registered_by,
                 registered_at, registered_at_block, updated_at, updated_at_block)
             SELECT DISTINCT account, CASE WHEN right(account, 1) < '8' THEN 'PUBLISHER' ELSE 'ADVERTISER' END, account, '', true, 0, true, 1, account, now(), 1, now(), 1
             FROM participant_day_stat WHERE right(account, 1) IN ('1', '3', '5', '7', '9', 'b')`,
        )
        await pool.query('ANALYZE participant_day_stat')
        // the former statements: every row of the range
        const allPublishers = (limit: number) => `SELECT s.account, s.token_id AS token, p.kind,
                sum(s.received_amount)::text AS "receivedAmount", sum(s.net_received_amount)::text AS "netReceivedAmount",
                sum(s.fees_amount)::text AS "feesAmount", sum(s.claim_count)::int AS "claimCount"
            FROM participant_day_stat s LEFT JOIN participant p ON p.id = s.account
            WHERE s.date >= $1 AND s.date < $2 AND ($3::text IS NULL OR s.token_id = $3)
            GROUP BY s.account, s.token_id, p.kind HAVING sum(s.received_amount) > 0
            ORDER BY sum(s.received_amount) DESC, s.account, s.token_id LIMIT ${limit}`
        const allPayers = (limit: number) => `SELECT s.account, s.token_id AS token, p.kind,
                sum(s.paid_amount)::text AS "paidAmount", sum(s.committed_amount)::text AS "committedAmount",
                sum(s.batch_count)::int AS "batchCount", sum(s.record_count)::text AS "recordCount"
            FROM participant_day_stat s LEFT JOIN participant p ON p.id = s.account
            WHERE s.date >= $1 AND s.date < $2 AND ($3::text IS NULL OR s.token_id = $3)
            GROUP BY s.account, s.token_id, p.kind HAVING sum(s.paid_amount) > 0 OR sum(s.committed_amount) > 0
            ORDER BY sum(s.paid_amount) DESC, sum(s.committed_amount) DESC, s.account, s.token_id LIMIT ${limit}`
        for (const [from, to] of [
            ['2024-02-01', '2024-02-21'],
            ['2024-02-05', '2024-02-09'],
            ['2024-03-01', '2024-03-02'],
        ]) {
            for (const token of [TOKEN, tokens[1], null]) {
                for (const limit of [1, 10, 100]) {
                    const args = [from, to, token]
                    const a = (await pool.query(topPublishersSql(limit), args)).rows
                    expect({ from, token, limit, a }).toEqual({ from, token, limit, a: (await pool.query(allPublishers(limit), args)).rows })
                    const b = (await pool.query(topPayersSql(limit), args)).rows
                    expect({ from, token, limit, b }).toEqual({ from, token, limit, b: (await pool.query(allPayers(limit), args)).rows })
                }
            }
        }
        // the partial indexes' predicates are implied by the statements (the planner may pick them)
        const client = await pool.connect()
        try {
            await client.query('BEGIN')
            await client.query('SET LOCAL enable_seqscan = off')
            await client.query('SET LOCAL enable_bitmapscan = off')
            // only the partial indexes are left to choose from (rolled back below)
            for (const idx of ['IDX_e1b101e2d6c75ae4e7f9475f13', 'IDX_8cf08315934717ba4e9b5340be', 'IDX_9c1c2408b00478d74bb87d3708', 'IDX_05dd603d087537131859d5c12b']) {
                await client.query(`DROP INDEX IF EXISTS "${idx}"`)
            }
            const plan = async (sql: string) => (await client.query(`EXPLAIN ${sql}`, ['2024-02-01', '2024-02-21', TOKEN])).rows.map((x) => x['QUERY PLAN']).join('\n')
            expect(await plan(topPublishersSql(10))).toMatch(/participant_day_stat_claim_rows/)
            expect(await plan(topPayersSql(10))).toMatch(/participant_day_stat_batch_rows/)
            const movements = (await client.query(`EXPLAIN SELECT id FROM escrow_movement WHERE payer = $1 ORDER BY "timestamp" DESC LIMIT 20`, [addr(1)])).rows
            expect(movements.map((x) => x['QUERY PLAN']).join('\n')).toMatch(/escrow_movement_payer_timestamp/)
        } finally {
            await client.query('ROLLBACK')
            client.release()
        }
        expect(CLAIM_ROWS).toMatch(/claim_count/)
        expect(BATCH_ROWS).toMatch(/batch_count/)
    })
})
