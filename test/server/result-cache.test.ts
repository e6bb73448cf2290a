/**
 * The query result cache (src/server/result-cache.ts) over real HTTP: repeated queries are answered from it,
 * a processor notice (NOTIFY squid_batch) drops it at once, the TTL bounds it without one, and errors, other
 * callers and stale generations never share an answer.
 */
import { createApiKey } from '../../src/server/api-keys'
import { ResultCache } from '../../src/server/result-cache'
import { RunningServer, ServerOptions, startServer } from '../../src/server'
import { bid, data, firstError, gql, insertToken, PgStack, setIndexerHead, startPgStack, upsertBatch } from './support/stack'

jest.setTimeout(120_000)

let stack: PgStack
const servers: RunningServer[] = []
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function server(opts: Partial<ServerOptions>): Promise<RunningServer> {
    const s = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: stack.url, rpcUrl: null, log: () => {}, rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } }, ...opts })
    servers.push(s)
    return s
}

const BATCH_STATUS = `query($id: String!) { batchById(id: $id) { id status } }`

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

test('a repeated query is served from the cache until the processor notifies a commit', async () => {
    const s = await server({ resultCacheMs: 60_000 })
    const first = await gql(s.url, BATCH_STATUS, { id: bid(1) })
    expect(first.headers.get('x-cache')).toBeNull()
    expect(data(first).batchById.status).toBe('COMMITTED')
    const second = await gql(s.url, BATCH_STATUS, { id: bid(1) })
    expect(second.headers.get('x-cache')).toBe('hit')
    expect(second.body).toEqual(first.body)
    // other variables: another entry
    expect((await gql(s.url, BATCH_STATUS, { id: bid(2) })).headers.get('x-cache')).toBeNull()

    // the data changes without a notice (not how the processor writes): still the cached answer
    await upsertBatch(stack.pool, { id: bid(1), status: 'FINALIZED', committedAt: new Date('2024-01-01T00:00:00Z'), committedAtBlock: 1 })
    expect(data(await gql(s.url, BATCH_STATUS, { id: bid(1) })).batchById.status).toBe('COMMITTED')
    // the processor's notice after its commit: the next answer is fresh
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [JSON.stringify({ height: 6, hash: '0x' + '6'.repeat(64), head: true, changed: {} })])
    for (let i = 0; i < 50 && s.listener.connected && (await gql(s.url, BATCH_STATUS, { id: bid(1) })).headers.get('x-cache') === 'hit'; i++) await sleep(20)
    const fresh = await gql(s.url, BATCH_STATUS, { id: bid(1) })
    expect(data(fresh).batchById.status).toBe('FINALIZED')
})

test('without a notice an answer lives at most the TTL; 0 turns the cache off', async () => {
    const s = await server({ resultCacheMs: 300 })
    await gql(s.url, BATCH_STATUS, { id: bid(1) })
    expect((await gql(s.url, BATCH_STATUS, { id: bid(1) })).headers.get('x-cache')).toBe('hit')
    await sleep(400)
    expect((await gql(s.url, BATCH_STATUS, { id: bid(1) })).headers.get('x-cache')).toBeNull()

    const off = await server({ resultCacheMs: 0 })
    await gql(off.url, BATCH_STATUS, { id: bid(1) })
    expect((await gql(off.url, BATCH_STATUS, { id: bid(1) })).headers.get('x-cache')).toBeNull()
})

test('errors are never cached; each API key has its own entries', async () => {
    const s = await server({ resultCacheMs: 60_000 })
    const bad = `{ payoutProof(batchId: "${bid(99)}", payee: "0x${'1'.repeat(40)}") { amount } }`
    const e1 = await gql(s.url, bad)
    expect(firstError(e1).code).toBe('NOT_FOUND')
    const e2 = await gql(s.url, bad)
    expect(e2.headers.get('x-cache')).toBeNull()
    expect(firstError(e2).code).toBe('NOT_FOUND')

    const key = (await createApiKey(stack.pool, 'read-only')).key
    await gql(s.url, BATCH_STATUS, { id: bid(1) })
    expect((await gql(s.url, BATCH_STATUS, { id: bid(1) })).headers.get('x-cache')).toBe('hit')
    const withKey = await gql(s.url, BATCH_STATUS, { id: bid(1) }, { authorization: `Bearer ${key}` })
    expect(withKey.headers.get('x-cache')).toBeNull()
    expect((await gql(s.url, BATCH_STATUS, { id: bid(1) }, { authorization: `Bearer ${key}` })).headers.get('x-cache')).toBe('hit')
})

test('bounds: a read from before an invalidation is not kept; entries and bytes are capped', () => {
    const c = new ResultCache({ ttlMs: 60_000, maxEntries: 3, maxBytes: 10_000, maxEntryBytes: 1_000 })
    const gen = c.generation
    c.invalidate()
    c.set('a', gen, '{"data":1}', 'application/json')
    expect(c.get('a')).toBeUndefined()
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, c.generation, `{"data":"${k}"}`, 'application/json')
    expect(c.size).toBe(3)
    expect(c.get('a')).toBeUndefined()
    expect(c.get('d')?.body).toBe('{"data":"d"}')
    c.set('big', c.generation, 'x'.repeat(2_000), 'application/json')
    expect(c.get('big')).toBeUndefined()
})
