/**
 * GET /metrics of the API server: the values move under load (request histograms by operation, error codes,
 * result-cache hits/misses, graphql-ws connections and subscriptions, pool use, NOTIFY → push), operation-name
 * labels are capped, and the optional token guards the route.
 */
import * as fs from 'fs'
import * as path from 'path'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { createApiKey } from '../../src/server/api-keys'
import { LabelCap } from '../../src/server/metrics'
import { RunningServer, ServerOptions, startServer } from '../../src/server'
import { bid, gql, insertToken, PgStack, setIndexerHead, startPgStack, until, upsertBatch } from '../server/support/stack'
import { raw } from './support/raw-http'

jest.setTimeout(120_000)

let stack: PgStack
const servers: RunningServer[] = []

async function server(opts: Partial<ServerOptions> = {}): Promise<RunningServer> {
    const s = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: stack.url,
        rpcUrl: null,
        log: () => undefined,
        rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } },
        ...opts,
    })
    servers.push(s)
    return s
}

/** sample values of one scrape: `name{labels}` → value */
async function scrape(s: RunningServer, headers: Record<string, string> = {}): Promise<Map<string, number>> {
    const r = await raw(new URL('/metrics', s.url).toString(), { headers })
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toMatch(/^text\/plain/)
    const out = new Map<string, number>()
    for (const line of r.body.toString('utf8').split('\n')) {
        if (!line || line.startsWith('#')) continue
        const i = line.lastIndexOf(' ')
        out.set(line.slice(0, i), Number(line.slice(i + 1)))
    }
    return out
}

const v = (m: Map<string, number>, key: string) => m.get(key) ?? 0
const sum = (m: Map<string, number>, pattern: RegExp) => [...m].filter(([k]) => pattern.test(k)).reduce((a, [, n]) => a + n, 0)

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, 5)
    await upsertBatch(stack.pool, { id: bid(1), committedAt: new Date('2024-01-01T00:00:00Z'), committedAtBlock: 1 })
})

afterAll(async () => {
    for (const s of servers) await s.close()
    await stack?.close()
})

test('request histograms by operation, error codes and result-cache hits/misses move under load', async () => {
    const s = await server({ resultCacheMs: 60_000 })
    const before = await scrape(s)
    const count = `api_request_duration_seconds_count{transport="http",type="query",operation="BatchStatus"}`
    expect(v(before, count)).toBe(0)

    const q = `query BatchStatus($id: String!) { batchById(id: $id) { id status } }`
    await Promise.all(Array.from({ length: 30 }, (_, i) => gql(s.url, q, { id: bid(1 + (i % 3)) })))
    for (let i = 0; i < 10; i++) await gql(s.url, q, { id: bid(1) })
    await gql(s.url, `query Broken { nope }`) // validation error
    await gql(s.url, `{ __typename }`, undefined, { authorization: 'Bearer sk_not_a_key' }) // 401 UNAUTHENTICATED
    await raw(new URL('/sql', s.url).toString(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sql":"SELECT 1"}' }) // 401 on /sql

    const after = await scrape(s)
    expect(v(after, count)).toBe(40)
    expect(v(after, `api_request_duration_seconds_sum{transport="http",type="query",operation="BatchStatus"}`)).toBeGreaterThan(0)
    expect(v(after, `api_request_duration_seconds_bucket{le="+Inf",transport="http",type="query",operation="BatchStatus"}`)).toBe(40)
    expect(v(after, `api_request_duration_seconds_count{transport="http",type="unknown",operation="anonymous"}`)).toBeGreaterThanOrEqual(1)
    expect(v(after, `api_errors_total{code="GRAPHQL_VALIDATION_FAILED"}`) + v(after, `api_errors_total{code="BAD_USER_INPUT"}`)).toBeGreaterThanOrEqual(1)
    expect(v(after, `api_errors_total{code="UNAUTHENTICATED"}`)).toBe(2)
    // 3 distinct variables → at most 3 misses before they are cached; the rest hit
    const hits = v(after, 'api_result_cache_hits_total')
    const misses = v(after, 'api_result_cache_misses_total')
    expect(hits + misses).toBeGreaterThanOrEqual(40)
    expect(hits).toBeGreaterThanOrEqual(10)
    expect(misses).toBeGreaterThanOrEqual(3)
    expect(v(after, 'api_result_cache_entries')).toBeGreaterThanOrEqual(3)
    // the primary pool opened connections for the load
    expect(v(after, `api_db_pool_connections{pool="primary",state="total"}`)).toBeGreaterThan(0)
    expect(after.has(`api_db_pool_connections{pool="primary",state="waiting"}`)).toBe(true)
    expect(after.has(`api_db_pool_connections{pool="sql",state="idle"}`)).toBe(true)
    // process metrics
    expect(v(after, 'api_process_resident_memory_bytes')).toBeGreaterThan(0)
})

test('pool waiting clients show under a burst larger than the pool', async () => {
    const s = await server({ resultCacheMs: 0, limits: { poolSize: 2 } })
    const read = `query Read($id: String!) { batchById(id: $id) { id } }`
    // hold both connections with slow statements straight on the server's pool, then queue GraphQL behind them
    const holders = [s.pool.query('SELECT pg_sleep(0.6)'), s.pool.query('SELECT pg_sleep(0.6)')]
    const queued = Array.from({ length: 4 }, () => gql(s.url, read, { id: bid(1) }))
    await new Promise((r) => setTimeout(r, 200))
    const during = await scrape(s)
    expect(v(during, `api_db_pool_connections{pool="primary",state="total"}`)).toBe(2)
    expect(v(during, `api_db_pool_connections{pool="primary",state="waiting"}`)).toBeGreaterThanOrEqual(1)
    await Promise.all([...holders, ...queued])
    const afterwards = await scrape(s)
    expect(v(afterwards, `api_db_pool_connections{pool="primary",state="waiting"}`)).toBe(0)
})

test('graphql-ws connections, subscriptions and NOTIFY → push move with clients and notices', async () => {
    const s = await server()
    const base = await scrape(s)
    expect(v(base, 'api_ws_connections')).toBe(0)
    expect(v(base, 'api_ws_subscriptions')).toBe(0)
    const clients = [0, 1].map(() => createClient({ url: s.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true }))
    const received: unknown[] = []
    const disposers = clients.map((c) =>
        c.subscribe({ query: `subscription Heads { indexerHead { height } }` }, { next: (r) => received.push(r), error: () => undefined, complete: () => undefined }),
    )
    await until(() => s.shared.stats.members === 2)
    const open = await scrape(s)
    expect(v(open, 'api_ws_connections')).toBe(2)
    expect(v(open, 'api_ws_subscriptions')).toBe(2)
    expect(v(open, 'api_live_executions')).toBe(1) // identical subscriptions share one execution

    for (let h = 6; h <= 8; h++) {
        await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [JSON.stringify({ height: h, hash: '0x' + String(h).repeat(64), head: true, changed: {} })])
    }
    await until(() => received.length >= 2, 10_000)
    await s.feed.idle()
    const pushed = await scrape(s)
    expect(v(pushed, 'api_notify_push_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(v(pushed, 'api_notify_push_seconds_sum')).toBeGreaterThan(0)

    // a subscribe the server refuses before executing it is an error by code too
    const refused = await new Promise<unknown>((resolve) =>
        clients[0].subscribe({ query: `subscription { nope }` }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) }),
    )
    expect(refused).toBeDefined()
    expect(v(await scrape(s), `api_errors_total{code="GRAPHQL_VALIDATION_FAILED"}`)).toBe(v(pushed, `api_errors_total{code="GRAPHQL_VALIDATION_FAILED"}`) + 1)

    disposers.forEach((d) => d())
    await Promise.all(clients.map((c) => c.dispose()))
    await until(() => s.shared.stats.members === 0)
    for (let i = 0; i < 100; i++) {
        if (v(await scrape(s), 'api_ws_connections') === 0) break
        await new Promise((r) => setTimeout(r, 20))
    }
    const closed = await scrape(s)
    expect(v(closed, 'api_ws_connections')).toBe(0)
    expect(v(closed, 'api_ws_subscriptions')).toBe(0)
})

test('operation-name labels are capped: names beyond the first 50 count as "other"', async () => {
    const s = await server({ resultCacheMs: 0 })
    for (let i = 0; i < 60; i++) await gql(s.url, `query Op${i} { __typename }`)
    const m = await scrape(s)
    const names = new Set([...m.keys()].filter((k) => k.startsWith('api_request_duration_seconds_count{')).map((k) => /operation="([^"]*)"/.exec(k)![1]))
    expect(names.size).toBeLessThanOrEqual(51)
    expect(v(m, `api_request_duration_seconds_count{transport="http",type="query",operation="other"}`)).toBe(10)
    expect(sum(m, /^api_request_duration_seconds_count\{transport="http",type="query",operation="Op\d+"\}$/)).toBe(50)

    const cap = new LabelCap(2)
    expect([cap.get('a'), cap.get('b'), cap.get('c'), cap.get('a')]).toEqual(['a', 'b', 'other', 'a'])
})

test('API_METRICS_TOKEN guards /metrics; metrics: false removes the route', async () => {
    const guarded = await server({ metricsToken: 'scrape-secret' })
    expect((await raw(new URL('/metrics', guarded.url).toString())).status).toBe(401)
    expect((await raw(new URL('/metrics', guarded.url).toString(), { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    expect((await scrape(guarded, { authorization: 'Bearer scrape-secret' })).size).toBeGreaterThan(10)
    // an API key is no metrics token
    const { key } = await createApiKey(stack.pool, 'operator', 'not for metrics')
    expect((await raw(new URL('/metrics', guarded.url).toString(), { headers: { authorization: `Bearer ${key}` } })).status).toBe(401)

    const off = await server({ metrics: false })
    expect((await raw(new URL('/metrics', off.url).toString())).status).toBe(404)
})

test('every metric the sample Grafana dashboard (docs/grafana-api.json) charts is exported', async () => {
    // a "replica" that is the primary itself: enough to export the replica series
    const s = await server({ readDatabaseUrls: [stack.url] })
    await gql(s.url, `query Warm { __typename }`)
    const text = (await raw(new URL('/metrics', s.url).toString())).body.toString('utf8')
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]))
    const dashboard = JSON.parse(fs.readFileSync(path.join(__dirname, '../../docs/grafana-api.json'), 'utf8'))
    const used = new Set<string>()
    for (const p of dashboard.panels) for (const t of p.targets) for (const m of String(t.expr).matchAll(/\b(api_[a-z0-9_]+)/g)) used.add(m[1].replace(/_(bucket|count|sum)$/, ''))
    expect(used.size).toBeGreaterThan(8)
    for (const name of used) expect([name, exported.has(name)]).toEqual([name, true])
})
