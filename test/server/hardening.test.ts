/**
 * Limits and failure behaviour over real HTTP: depth / complexity / alias limits, body and response
 * size caps, list row cap, statement timeout, rate limits, error masking, auth of mutations. After
 * each abuse the server must still answer.
 */
import * as http from 'http'
import { createApiKey } from '../../src/server/api-keys'
import { RunningServer, ServerOptions, startServer } from '../../src/server'
import { bid, data, firstError, gql, insertToken, post, PgStack, setIndexerHead, startPgStack, upsertBatch } from './support/stack'

jest.setTimeout(120_000)

let stack: PgStack
let server: RunningServer
const servers: RunningServer[] = []
const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = []

async function extraServer(opts: Partial<ServerOptions>): Promise<RunningServer> {
    const s = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: stack.url, rpcUrl: null, log: (level, message, fields) => logs.push({ level, message, fields }), ...opts })
    servers.push(s)
    return s
}

async function alive(s: RunningServer) {
    expect(data(await gql(s.url, `{ __typename }`))).toEqual({ __typename: 'Query' })
}

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, 5)
    for (let i = 1; i <= 5; i++) await upsertBatch(stack.pool, { id: bid(i), committedAt: new Date('2024-01-01T00:00:00Z'), committedAtBlock: i })
    server = await extraServer({ rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } } })
})

afterAll(async () => {
    for (const s of servers) await s.close()
    await stack?.close()
})

describe('query limits (validation rules)', () => {
    test('a deep query is refused with QUERY_TOO_COMPLEX before running', async () => {
        let nested = 'id'
        for (let i = 0; i < 6; i++) nested = `batch { claims(limit: 1) { ${nested} } }`
        const res = await gql(server.url, `{ claims(limit: 1) { ${nested} } }`)
        expect(res.status).toBe(400) // application/graphql-response+json: validation error → 400
        const e = firstError(res)
        expect(e.code).toBe('QUERY_TOO_COMPLEX')
        expect(e.extensions).toMatchObject({ limit: 'depth', max: 10 })
        // the same with fragments (they are inlined for the depth)
        const frag = await gql(server.url, `query { batches(limit: 1) { ...A } } fragment A on Batch { claims(limit: 1) { batch { claims(limit: 1) { batch { claims(limit: 1) { batch { claims(limit: 1) { batch { claims(limit: 1) { id } } } } } } } } } }`)
        expect(firstError(frag).code).toBe('QUERY_TOO_COMPLEX')
        await alive(server)
    })

    test('the full introspection query (GraphiQL) is not limited', async () => {
        const { getIntrospectionQuery } = await import('graphql')
        const d = data(await gql(server.url, getIntrospectionQuery()))
        expect(d.__schema.queryType.name).toBe('Query')
        expect(d.__schema.subscriptionType.name).toBe('Subscription')
    })

    test('complexity: page sizes multiply', async () => {
        const e = firstError(await gql(server.url, `{ batches(limit: 1000) { id claims(limit: 1000) { id payee } } }`))
        expect(e.code).toBe('QUERY_TOO_COMPLEX')
        expect(e.extensions.limit).toBe('complexity')
        // also with the page size in a variable
        const v = firstError(await gql(server.url, `query($n: Int) { batches(limit: $n) { id claims(limit: $n) { id } } }`, { n: 500 }))
        expect(v.extensions.limit).toBe('complexity')
        // a connection is sized by `first`
        const c = firstError(await gql(server.url, `{ batchesConnection(orderBy: id_ASC, first: 5000) { edges { node { id claims(limit: 100) { id } } } } }`))
        expect(c.extensions.limit).toBe('complexity')
        expect(data(await gql(server.url, `{ batches(limit: 100) { id claims(limit: 10) { id } } }`)).batches).toHaveLength(5)
    })

    test('aliases and root fields are capped', async () => {
        const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: batchById(id: "${bid(1)}") { id }`).join(' ')
        const e = firstError(await gql(server.url, `{ ${aliases} }`))
        expect(e.code).toBe('QUERY_TOO_COMPLEX')
        expect(e.extensions.limit).toBe('aliases')
    })

    test('generated lists without limit are capped in rows', async () => {
        const s = await extraServer({ limits: { maxListRows: 3 } })
        const e = firstError(await gql(s.url, `{ batches { id } }`))
        expect(e.code).toBe('QUERY_TOO_COMPLEX')
        expect(e.extensions.limit).toBe('listRows')
        expect(data(await gql(s.url, `{ batches(limit: 3, orderBy: id_ASC) { id } }`)).batches).toHaveLength(3)
    })

    test('the response size is capped', async () => {
        const s = await extraServer({ limits: { maxResponseBytes: 300 } })
        const res = await gql(s.url, `{ batches(limit: 5) { id root payer operator } }`)
        const e = firstError(res)
        expect(e.code).toBe('QUERY_TOO_COMPLEX')
        expect(e.extensions.limit).toBe('responseBytes')
        await alive(s)
    })
})

describe('request size', () => {
    test('a body over the limit is refused with 413 (declared or streamed)', async () => {
        const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1_100_000) } })
        const res = await post(server.url, big)
        expect(res.status).toBe(413)
        expect(firstError(res).code).toBe('BAD_USER_INPUT')

        // chunked, no Content-Length
        const u = new URL(server.url)
        const status = await new Promise<number>((resolve, reject) => {
            const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
                r.resume()
                resolve(r.statusCode!)
            })
            req.on('error', (e: any) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)))
            const chunk = 'x'.repeat(64 * 1024)
            let sent = 0
            const write = () => {
                while (sent < 40) {
                    sent++
                    if (!req.write(chunk)) return req.once('drain', write)
                }
                req.end()
            }
            write()
        })
        expect(status).toBe(413)
        await alive(server)
    })

    test('malformed bodies get 4xx, not a crash', async () => {
        expect((await post(server.url, '{"query": ')).status).toBe(400)
        expect((await post(server.url, '[1,2,3]')).status).toBe(400)
        expect((await post(server.url, { query: 42 })).status).toBe(400)
        expect((await post(server.url, { query: '{ batches(limit: "x") { id } }' })).status).toBe(400)
        await alive(server)
    })

    test('request errors carry a code: syntax, validation, variables, graphql-http refusals', async () => {
        const cases: [string, Promise<any>, string][] = [
            ['syntax', gql(server.url, '{ batches(limit: 1) { id '), 'GRAPHQL_PARSE_FAILED'],
            ['unknown field', gql(server.url, '{ batches(limit: 1) { nope } }'), 'GRAPHQL_VALIDATION_FAILED'],
            ['argument type', gql(server.url, '{ batches(limit: "x") { id } }'), 'GRAPHQL_VALIDATION_FAILED'],
            ['variable type', gql(server.url, 'query ($n: Int) { batches(limit: $n) { id } }', { n: 'ten' }), 'BAD_USER_INPUT'],
            ['missing variable', gql(server.url, 'query ($id: String!) { batchById(id: $id) { id } }', {}), 'BAD_USER_INPUT'],
            ['unknown operation', post(server.url, { query: 'query A { __typename }', operationName: 'B' }), 'BAD_USER_INPUT'],
            ['no query', post(server.url, { variables: {} }), 'BAD_USER_INPUT'],
        ]
        for (const [name, pending, code] of cases) {
            const res = await pending
            expect([name, res.status]).toEqual([name, 400])
            for (const e of res.body.errors) expect([name, e.extensions?.code]).toEqual([name, code])
        }
        // the same codes over graphql-ws come from the same document cache (ws.ts); the server still answers
        await alive(server)
    })
})

describe('statement timeout and error masking', () => {
    test('a query blocked past the statement timeout answers TIMEOUT', async () => {
        const s = await extraServer({ limits: { statementTimeoutMs: 300 } })
        const locker = await stack.pool.connect()
        try {
            await locker.query('BEGIN')
            await locker.query('LOCK TABLE batch IN ACCESS EXCLUSIVE MODE')
            const t0 = Date.now()
            const gen = firstError(await gql(s.url, `{ batches(limit: 1) { id } }`))
            expect(gen.code).toBe('TIMEOUT')
            const custom = firstError(await gql(s.url, `{ batchLifecycle(id: "${bid(1)}") { id } }`))
            expect(custom.code).toBe('TIMEOUT')
            expect(Date.now() - t0).toBeLessThan(5_000)
        } finally {
            await locker.query('ROLLBACK')
            locker.release()
        }
        await alive(s)
    })

    test('unexpected errors are INTERNAL with a request id; the details only go to the log', async () => {
        await stack.pool.query('ALTER TABLE participant_day_stat RENAME TO participant_day_stat_gone')
        try {
            const res = await gql(server.url, `{ topPayers(from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z") { account } }`)
            const e = firstError(res)
            expect(e.code).toBe('INTERNAL')
            expect(e.extensions.requestId).toEqual(res.headers.get('x-request-id'))
            expect(e.message).not.toMatch(/participant_day_stat|relation|SELECT/)
            expect(JSON.stringify(res.body)).not.toMatch(/stack|participant_day_stat/)
            const logged = logs.find((l) => l.fields?.requestId === e.extensions.requestId)
            expect(String(logged?.fields?.message)).toMatch(/participant_day_stat/)
        } finally {
            await stack.pool.query('ALTER TABLE participant_day_stat_gone RENAME TO participant_day_stat')
        }
        await alive(server)
    })
})

describe('auth and rate limits', () => {
    test('an invalid key is 401 UNAUTHENTICATED; mutations need a key with the right role', async () => {
        const bad = await gql(server.url, `{ __typename }`, undefined, { authorization: 'Bearer sk_nope' })
        expect(bad.status).toBe(401)
        expect(firstError(bad).code).toBe('UNAUTHENTICATED')

        const m = `mutation { finalizeBatch(id: "${bid(1)}") { txHash } }`
        expect(firstError(await gql(server.url, m)).code).toBe('UNAUTHENTICATED')
        const { key } = await createApiKey(stack.pool, 'read-only', 'hardening')
        const ro = await gql(server.url, m, undefined, { authorization: `Bearer ${key}` })
        expect(firstError(ro).code).toBe('FORBIDDEN')
        // the read-only key does read
        expect(data(await gql(server.url, `{ batchById(id: "${bid(1)}") { id } }`, undefined, { authorization: `Bearer ${key}` })).batchById.id).toBe(bid(1))
    })

    test('token bucket per IP (anonymous) and per key → 429 RATE_LIMITED', async () => {
        const s = await extraServer({ rateLimit: { anonymous: { burst: 3, perSecond: 1 }, key: { burst: 5, perSecond: 1 } } })
        const statuses: number[] = []
        let limited: Awaited<ReturnType<typeof gql>> | undefined
        for (let i = 0; i < 6; i++) {
            const r = await gql(s.url, `{ __typename }`)
            statuses.push(r.status)
            if (r.status === 429) limited = r
        }
        expect(statuses.slice(0, 3)).toEqual([200, 200, 200])
        expect(statuses.slice(3)).toEqual([429, 429, 429])
        expect(firstError(limited!).code).toBe('RATE_LIMITED')
        expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        // a key has its own bucket
        const { key } = await createApiKey(stack.pool, 'read-only', 'rate')
        const keyed: number[] = []
        for (let i = 0; i < 7; i++) keyed.push((await gql(s.url, `{ __typename }`, undefined, { authorization: `Bearer ${key}` })).status)
        expect(keyed).toEqual([200, 200, 200, 200, 200, 429, 429])
        // refills
        await new Promise((r) => setTimeout(r, 1_100))
        expect((await gql(s.url, `{ __typename }`)).status).toBe(200)
    })
})

test('graphql-ws: subscribe messages are rate limited, operations per connection capped', async () => {
    const { createClient } = await import('graphql-ws')
    const WebSocket = (await import('ws')).default
    const s = await extraServer({ rateLimit: { anonymous: { burst: 3, perSecond: 0.01 } }, subscriptions: { maxPerConnection: 2 } })
    const c = createClient({ url: s.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 })
    const outcome = (query: string) =>
        new Promise<string>((resolve) => {
            c.subscribe({ query }, { next: () => resolve('next'), error: (e: any) => resolve(Array.isArray(e) ? e[0]?.extensions?.code : String(e)), complete: () => resolve('complete') })
            setTimeout(() => resolve('open'), 500)
        })
    try {
        const results = []
        results.push(await outcome(`subscription { indexerHead { height } }`))
        results.push(await outcome(`subscription { batchUpdated { id } }`))
        // third operation on the connection: over the per-connection cap
        results.push(await outcome(`subscription { payoutClaimed { id } }`))
        // fourth subscribe message: over the bucket
        results.push(await outcome(`subscription { escrowBalanceChanged { id } }`))
        expect(results).toEqual(['open', 'open', 'RATE_LIMITED', 'RATE_LIMITED'])
    } finally {
        await c.dispose()
    }
    await alive(s).catch(() => undefined)
})

test('unknown routes and methods', async () => {
    const base = new URL(server.url)
    expect((await fetch(new URL('/nope', base))).status).toBe(404)
    expect((await fetch(server.url, { method: 'PUT' })).status).toBe(405)
    const health = await (await fetch(new URL('/health', base))).json()
    expect(health).toMatchObject({ ok: true, listening: true })
    await alive(server)
})
