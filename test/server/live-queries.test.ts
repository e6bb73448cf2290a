/**
 * Live queries over graphql-ws on real Postgres and the real server: we play the processor (write rows, then
 * NOTIFY the payload its own encoder builds, with the entity names it wrote) and check what live subscribers
 * receive, when they receive nothing, and how many executions the server ran (its `live.stats`).
 */
import { encodePayload, NotifyPayload } from '../../src/indexer/write/notify'
import type { RunningServer } from '../../src/server'
import { bid, insertToken, PgStack, setIndexerHead, startPgStack, until, upsertBatch } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'

jest.setTimeout(120_000)

let stack: PgStack
let server: RunningServer
const clients = new WsClients(() => server.wsUrl)
const T0 = new Date('2024-05-01T00:00:00Z')
let height = 100

async function commit(changed: NotifyPayload['changed'], tables: string[] | undefined, extra: Partial<NotifyPayload> = {}) {
    height = extra.height ?? height + 1
    const payload = encodePayload({ height, hash: `0x${height.toString(16)}`, head: true, changed, ...(tables ? { tables } : {}), ...extra })
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [payload])
}

const live = (query: string, variables?: Record<string, unknown>) => clients.subscribe(query, variables)

const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, height)
    server = await startTestServer(stack.url, { subscriptions: { liveMinIntervalMs: 100 } })
})

afterEach(async () => {
    await clients.disposeAll()
    await until(() => server.live.stats.members === 0)
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

const COMMITTED = `subscription { batches(where: {status_eq: COMMITTED}, orderBy: id_ASC) { id status totalAmount } }`

test('a live batches(where: {status_eq: COMMITTED}) follows commits and finalisations', async () => {
    await upsertBatch(stack.pool, { id: bid(1), totalAmount: 100n, committedAt: T0, committedAtBlock: height })
    const s = live(COMMITTED)
    expect(await s.next()).toEqual({ data: { batches: [{ id: bid(1), status: 'COMMITTED', totalAmount: '100' }] } })

    await upsertBatch(stack.pool, { id: bid(2), totalAmount: 200n, committedAt: T0, committedAtBlock: height + 1 })
    await commit({ batches: [bid(2)] }, ['Batch', 'ProtocolEvent'])
    expect(await s.next()).toEqual({
        data: {
            batches: [
                { id: bid(1), status: 'COMMITTED', totalAmount: '100' },
                { id: bid(2), status: 'COMMITTED', totalAmount: '200' },
            ],
        },
    })

    await upsertBatch(stack.pool, { id: bid(1), status: 'FINALIZED', committedAt: T0, committedAtBlock: 100, finalizedAt: T0, finalizedAtBlock: height + 1 })
    await commit({ batches: [bid(1)], payouts: [bid(1)] }, ['Batch', 'Payout'])
    expect(await s.next()).toEqual({ data: { batches: [{ id: bid(2), status: 'COMMITTED', totalAmount: '200' }] } })
    // pushed once per change: nothing else queued
    await quiet(300)
    expect(s.events).toHaveLength(3)
})

test('a commit touching only unrelated tables costs nothing and pushes nothing; an unchanged result is not pushed', async () => {
    const s = live(`subscription { batchById(id: "${bid(2)}") { id status claimCount } }`)
    expect((await s.next()).data).toEqual({ batchById: { id: bid(2), status: 'COMMITTED', claimCount: 0 } })
    const before = server.live.stats
    await commit({ mev: ['m1'] }, ['MevEvent', 'Swap', 'Block'])
    await quiet(400)
    expect(server.live.stats.executions).toBe(before.executions)
    // a table it reads was written, but its result did not change: executed, not pushed
    await commit({ batches: [bid(1)] }, ['Batch'])
    await until(() => server.live.stats.executions === before.executions + 1)
    await quiet(300)
    expect(server.live.stats.unchanged).toBe(before.unchanged + 1)
    expect(s.events).toHaveLength(1)
    // a notice that does not say which tables changed wakes every live query
    await stack.pool.query(`UPDATE batch SET claim_count = 3 WHERE id = $1`, [bid(2)])
    await commit({ batches: [bid(2)] }, undefined)
    expect((await s.next()).data).toEqual({ batchById: { id: bid(2), status: 'COMMITTED', claimCount: 3 } })
})

test('identical subscribers share one execution per commit; different variables do not', async () => {
    const q = `subscription($id: String!) { batchById(id: $id) { id claimCount } }`
    const a = live(q, { id: bid(2) })
    const b = live(q, { id: bid(2) })
    const other = live(q, { id: bid(1) })
    await Promise.all([a.next(), b.next(), other.next()])
    expect(server.live.stats).toMatchObject({ entries: 2, members: 3 })
    const before = server.live.stats.executions
    await stack.pool.query(`UPDATE batch SET claim_count = 4 WHERE id = $1`, [bid(2)])
    await commit({ batches: [bid(2)] }, ['Batch'])
    expect((await a.next()).data).toEqual({ batchById: { id: bid(2), claimCount: 4 } })
    expect((await b.next()).data).toEqual({ batchById: { id: bid(2), claimCount: 4 } })
    await until(() => server.live.stats.executions === before + 2)
    await quiet(300)
    // one for the shared (a, b) entry, one for `other`
    expect(server.live.stats.executions).toBe(before + 2)
    expect(other.events).toHaveLength(1)
})

test('after a reorg every live query re-runs and pushes the corrected result flagged reorg', async () => {
    const s = live(COMMITTED)
    const first = await s.next()
    expect(first.data!.batches.map((b: any) => b.id)).toEqual([bid(2)])
    expect(first.extensions).toBeUndefined()
    // squid rolled back the hot block that committed bid(2); the new branch committed bid(3) instead
    await stack.pool.query(`DELETE FROM batch WHERE id = $1`, [bid(2)])
    await upsertBatch(stack.pool, { id: bid(3), totalAmount: 300n, committedAt: T0, committedAtBlock: height })
    await commit({ batches: [bid(3)] }, ['Batch'], { reorg: true, height })
    const fixed = await s.next()
    expect(fixed).toEqual({ data: { batches: [{ id: bid(3), status: 'COMMITTED', totalAmount: '300' }] }, extensions: { reorg: true } })

    // a head that goes backwards counts as a reorg even without the flag, and even if the notice names no table it reads
    await stack.pool.query(`DELETE FROM batch WHERE id = $1`, [bid(3)])
    await commit({}, [], { height: height - 5 })
    expect(await s.next()).toEqual({ data: { batches: [] }, extensions: { reorg: true } })
})

test('live queries keep the query limits: too complex or invalid documents are refused before any execution', async () => {
    const before = server.live.stats.executions
    const heavy = live(`subscription { batches(limit: 1000) { id claims(limit: 1000) { id } } }`)
    const res = await heavy.next()
    expect(JSON.stringify(res)).toMatch(/QUERY_TOO_COMPLEX/)
    const bad = live(`subscription { batches(nope: 1) { id } }`)
    expect(JSON.stringify(await bad.next())).toMatch(/nope/)
    expect(server.live.stats.entries).toBe(0)
    expect(server.live.stats.executions).toBe(before)
})

test('live queries count against the per-process subscription cap, together with the hand-made subscriptions', async () => {
    const small = await startTestServer(stack.url, { subscriptions: { maxSubscribers: 2 } })
    try {
        const open = (query: string) => clients.subscribe(query, undefined, clients.client({ url: small.wsUrl })).events
        open(`subscription { batchUpdated { id } }`)
        await until(() => small.hub.subscriberCount === 1)
        const first = open(COMMITTED)
        await until(() => first.length > 0)
        expect(first[0].data).toBeDefined()
        const refused = open(COMMITTED)
        await until(() => refused.length > 0)
        expect(JSON.stringify(refused[0])).toMatch(/RATE_LIMITED/)
        expect(small.live.stats.members).toBe(1)
    } finally {
        await clients.disposeAll()
        await small.close()
    }
})
