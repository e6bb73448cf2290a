/**
 * Push subscriptions over graphql-ws: the server LISTENs on squid_batch; we play the processor (update
 * rows, then NOTIFY) and check what each client receives, how fast, and that one notice costs one query
 * per topic whatever the number of subscribers.
 */
import { ExecutionResult, parse, subscribe } from 'graphql'
import type { Client } from 'graphql-ws'
import { createApiKey } from '../../src/server/api-keys'
import type { RunningServer } from '../../src/server'
import { Hub } from '../../src/server/pubsub/hub'
import { SlowConsumer } from '../../src/server/pubsub/queue'
import { SharedSubscriptions } from '../../src/server/pubsub/shared'
import { buildApiSchema } from '../../src/server/schema'
import { addr, bid, insertClaim, insertPayout, insertToken, PAYER, PgStack, setIndexerHead, startPgStack, until, upsertBatch, upsertEscrowAccount } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'

jest.setTimeout(180_000)

let stack: PgStack
let server: RunningServer
const clients = new WsClients(() => server.wsUrl)

const T0 = new Date('2024-05-01T00:00:00Z')

async function notify(payload: unknown) {
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [typeof payload === 'string' ? payload : JSON.stringify(payload)])
}

const client = (connectionParams?: Record<string, unknown>) => clients.client({ connectionParams })
const sub = (c: Client, query: string, variables?: Record<string, unknown>) => clients.subscribe(query, variables, c)

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, 10)
    server = await startTestServer(stack.url)
})

afterEach(async () => {
    await clients.disposeAll()
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

test('batchUpdated(id) arrives right after the NOTIFY; other ids are filtered out', async () => {
    const c = client()
    const mine = sub(c, `subscription($id: String) { batchUpdated(id: $id) { id status totalAmount committedAt updatedAtBlock } }`, { id: bid(1) })
    const other = sub(c, `subscription { batchUpdated(id: "${bid(2)}") { id } }`)
    const all = sub(c, `subscription { batchUpdated { id status } }`)
    await until(() => server.hub.count('batchUpdated') === 3)

    await upsertBatch(stack.pool, { id: bid(1), totalAmount: 500n, committedAt: T0, committedAtBlock: 11 })
    const queriesBefore = server.feed.stats.queries
    const t0 = performance.now()
    await notify({ height: 11, hash: '0x11', head: true, changed: { batches: [bid(1)] } })
    const ev = await mine.next(2_000)
    const latency = performance.now() - t0
    expect(ev).toEqual({ data: { batchUpdated: { id: bid(1), status: 'COMMITTED', totalAmount: '500', committedAt: T0.toISOString(), updatedAtBlock: 11 } } })
    expect(await all.next()).toEqual({ data: { batchUpdated: { id: bid(1), status: 'COMMITTED' } } })
    console.log(`batchUpdated: NOTIFY → client ${latency.toFixed(1)} ms`)
    // one query for the topic, not one per subscriber
    expect(server.feed.stats.queries - queriesBefore).toBe(1)

    await upsertBatch(stack.pool, { id: bid(1), status: 'FINALIZED', committedAt: T0, committedAtBlock: 11, finalizedAt: new Date(T0.getTime() + 3600_000), finalizedAtBlock: 20 })
    await notify({ height: 20, hash: '0x20', head: true, changed: { batches: [bid(1)], payouts: [bid(1)] } })
    expect((await mine.next()).data!.batchUpdated).toMatchObject({ status: 'FINALIZED', updatedAtBlock: 20 })
    await all.next()
    await new Promise((r) => setTimeout(r, 200))
    expect(other.events).toHaveLength(0)
})

test('payoutClaimed(payee), escrowBalanceChanged(payer), indexerHead', async () => {
    const c = client()
    const payee = addr(0x501)
    const claims = sub(c, `subscription { payoutClaimed(payee: "${payee}") { id batchId payee amount fee net relayed blockNumber } }`)
    const otherPayee = sub(c, `subscription { payoutClaimed(payee: "${addr(0x502)}") { id } }`)
    const escrow = sub(c, `subscription { escrowBalanceChanged(payer: "${PAYER}") { payer token available locked updatedAtBlock } }`)
    const head = sub(c, `subscription { indexerHead { height hash head reorg } }`)
    await until(() => server.hub.subscriberCount >= 4)

    await upsertBatch(stack.pool, { id: bid(5), status: 'FINALIZED', committedAt: T0, committedAtBlock: 21, finalizedAt: T0, finalizedAtBlock: 22 })
    await insertPayout(stack.pool, bid(5), 100n, T0, 22)
    const claimId = await insertClaim(stack.pool, { batchId: bid(5), payee, amount: 100n, fee: 2n, block: 23, at: T0, relayed: true })
    const accountId = await upsertEscrowAccount(stack.pool, PAYER, 900n, 100n, 23)
    await notify({ height: 23, hash: '0x23', head: true, changed: { batches: [bid(5)], claims: [claimId], escrowAccounts: [accountId] } })

    expect(await claims.next()).toEqual({
        data: { payoutClaimed: { id: claimId, batchId: bid(5), payee, amount: '100', fee: '2', net: '98', relayed: true, blockNumber: 23 } },
    })
    expect(await escrow.next()).toEqual({ data: { escrowBalanceChanged: { payer: PAYER, token: expect.any(String), available: '900', locked: '100', updatedAtBlock: 23 } } })
    expect(await head.next()).toEqual({ data: { indexerHead: { height: 23, hash: '0x23', head: true, reorg: false } } })
    await new Promise((r) => setTimeout(r, 100))
    expect(otherPayee.events).toHaveLength(0)
})

test('a truncated notice (or garbage) is refetched by block range', async () => {
    const c = client()
    const all = sub(c, `subscription { batchUpdated { id updatedAtBlock } }`)
    await until(() => server.hub.count('batchUpdated') === 1)
    const last = server.feed.lastHeight!
    await upsertBatch(stack.pool, { id: bid(6), committedAt: T0, committedAtBlock: last + 1 })
    await upsertBatch(stack.pool, { id: bid(7), committedAt: T0, committedAtBlock: last + 2 })
    await notify({ height: last + 2, hash: '0xaa', head: true, changed: {}, truncated: true })
    expect((await all.next()).data!.batchUpdated).toEqual({ id: bid(6), updatedAtBlock: last + 1 })
    expect((await all.next()).data!.batchUpdated).toEqual({ id: bid(7), updatedAtBlock: last + 2 })

    // not JSON at all: still no crash, refetch by range from the last height
    await upsertBatch(stack.pool, { id: bid(8), committedAt: T0, committedAtBlock: last + 3 })
    await setIndexerHead(stack.pool, last + 3)
    await notify('garbage{')
    expect((await all.next()).data!.batchUpdated).toEqual({ id: bid(8), updatedAtBlock: last + 3 })
})

test('the LISTEN connection comes back after being killed, and catches up on what it missed', async () => {
    const c = client()
    const all = sub(c, `subscription { batchUpdated { id updatedAtBlock } }`)
    await until(() => server.hub.count('batchUpdated') === 1)
    const reconnects = server.listener.reconnects
    await stack.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'settlement-api-listen'`)
    // meanwhile the processor commits a batch and notifies (nobody hears it)
    const h = server.feed.lastHeight! + 5
    await upsertBatch(stack.pool, { id: bid(9), committedAt: T0, committedAtBlock: h })
    await setIndexerHead(stack.pool, h)
    await notify({ height: h, hash: '0xbb', changed: { batches: [bid(9)] } })
    await until(() => server.listener.reconnects > reconnects, 15_000)
    expect((await all.next(5_000)).data!.batchUpdated).toEqual({ id: bid(9), updatedAtBlock: h })
    // and live notices flow again
    await upsertBatch(stack.pool, { id: bid(10), committedAt: T0, committedAtBlock: h + 1 })
    await notify({ height: h + 1, hash: '0xcc', changed: { batches: [bid(10)] } })
    expect((await all.next()).data!.batchUpdated).toEqual({ id: bid(10), updatedAtBlock: h + 1 })
})

test('graphql-ws auth via connectionParams: anonymous and valid keys connect, an invalid key is refused', async () => {
    const { key } = await createApiKey(stack.pool, 'read-only', 'ws-test')
    for (const params of [undefined, { authorization: `Bearer ${key}` }, { Authorization: `Bearer ${key}` }]) {
        const s = sub(client(params), `subscription { indexerHead { height } }`)
        await until(() => server.hub.count('indexerHead') === 1)
        s.dispose()
        await until(() => server.hub.count('indexerHead') === 0)
    }
    const bad = sub(client({ authorization: 'Bearer sk_' + 'x'.repeat(43) }), `subscription { indexerHead { height } }`)
    await bad.ended
    expect((bad.error as any)?.code).toBe(4403)
    // a mutation over the socket without a key: UNAUTHENTICATED, nothing runs
    const m = sub(client(), `mutation { finalizeBatch(id: "${bid(1)}") { txHash } }`)
    const res = await m.next()
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
})

test('queries over the socket work too, and deep ones are refused with QUERY_TOO_COMPLEX', async () => {
    const c = client()
    const q = sub(c, `{ batchById(id: "${bid(1)}") { id status } }`)
    expect(await q.next()).toEqual({ data: { batchById: { id: bid(1), status: 'FINALIZED' } } })
    let nested = 'id'
    for (let i = 0; i < 8; i++) nested = `batch { claims(limit: 1) { ${nested} } }`
    const deep = sub(c, `{ claims(limit: 1) { ${nested} } }`)
    await deep.ended
    expect((deep.error as any)?.[0]?.extensions?.code ?? (deep.error as any)?.[0]?.message).toBe('QUERY_TOO_COMPLEX')
})

test('a subscriber that does not keep up is dropped with an error (bounded queue)', async () => {
    const hub = new Hub({ queueCapacity: 3, maxSubscribers: 10 })
    const q = hub.subscribe<number>('batchUpdated')
    for (let i = 0; i < 3; i++) expect(q.push(i)).toBe(true)
    expect(q.push(3)).toBe(false) // overflow: detached, backlog dropped
    expect(hub.count('batchUpdated')).toBe(0)
    expect(hub.droppedSlow).toBe(1)
    const first = await q.next()
    expect(first.value).toBeInstanceOf(SlowConsumer)
    expect(await q.next()).toEqual({ value: undefined, done: true })

    // through the real resolver: the client gets one RATE_LIMITED/SLOW_CONSUMER error, then the end
    const schema = await buildApiSchema()
    const small = new Hub({ queueCapacity: 2, maxSubscribers: 10 })
    const ctx = { db: stack.pool, openreader: undefined, requestId: 't', services: { db: stack.pool, hub: small, listening: () => true } }
    const it = (await subscribe({ schema, document: parse(`subscription { indexerHead { height } }`), contextValue: ctx })) as AsyncIterableIterator<ExecutionResult>
    for (let h = 1; h <= 3; h++) small.publish('indexerHead', undefined, { height: h, hash: '0x', head: true, reorg: false })
    const r1 = await it.next()
    expect(r1.value.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'SLOW_CONSUMER' })
    expect((await it.next()).done).toBe(true)
})

test('identical subscriptions share one execution; a slow member is dropped alone', async () => {
    const schema = await buildApiSchema()
    const hub = new Hub({ queueCapacity: 100, maxSubscribers: 10 })
    const shared = new SharedSubscriptions(schema, 2)
    const args = () => ({ schema, document: parse(`subscription { indexerHead { height } }`), contextValue: { services: { hub } } })
    const fast = (await shared.subscribe(args())) as AsyncIterableIterator<ExecutionResult>
    const slow = (await shared.subscribe(args())) as AsyncIterableIterator<ExecutionResult>
    expect(shared.stats).toEqual({ groups: 1, members: 2 })
    expect(hub.count('indexerHead')).toBe(1)
    const got: number[] = []
    for (let h = 1; h <= 4; h++) {
        hub.publish('indexerHead', undefined, { height: h, hash: '0x', head: true, reorg: false })
        got.push(((await fast.next()).value as any).data.indexerHead.height)
    }
    expect(got).toEqual([1, 2, 3, 4])
    // `slow` never pulled: 2 queued, the 3rd overflowed → one error, then the end
    const r = await slow.next()
    expect(r.value.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'SLOW_CONSUMER' })
    expect((await slow.next()).done).toBe(true)
    expect(shared.stats).toEqual({ groups: 1, members: 1 })
    await fast.return!()
    expect(shared.stats).toEqual({ groups: 0, members: 0 })
    await new Promise((r) => setTimeout(r, 10))
    expect(hub.count('indexerHead')).toBe(0)
    // an argument error is returned to the caller and leaves no group behind
    const bad = await shared.subscribe({ schema, document: parse(`subscription { batchUpdated(id: "nope") { id } }`), contextValue: { services: { hub } } })
    expect((bad as ExecutionResult).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(shared.stats.groups).toBe(0)
})

/**
 * The clients run in a worker thread (own event loop and heap, like real remote clients), so the
 * numbers measure the server: NOTIFY sent → message handled by the client, absolute clocks on both sides.
 */
const CLIENT_WORKER = `
const { parentPort, workerData } = require('worker_threads')
const { createClient } = require('graphql-ws')
const WebSocket = require('ws')
const { url, n, perConn, queries } = workerData
const now = () => performance.timeOrigin + performance.now()
const arrivals = Array.from({ length: n }, () => [])
const conns = []
for (let i = 0; i < n / perConn; i++) conns.push(createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true }))
let round = 0
function check() {
    if (arrivals.every((a) => a.length > round)) {
        parentPort.postMessage({ type: 'round', round })
        round++
    }
}
for (let i = 0; i < n; i++) {
    conns[i % conns.length].subscribe({ query: queries[i % queries.length] }, {
        next: () => { arrivals[i].push(now()); check() },
        error: (e) => parentPort.postMessage({ type: 'error', message: String(e && (e.message || e.reason || e)) }),
        complete: () => {},
    })
}
parentPort.on('message', async (m) => {
    if (m === 'report') parentPort.postMessage({ type: 'report', arrivals })
    if (m === 'close') { for (const c of conns) await c.dispose(); parentPort.postMessage({ type: 'closed' }) }
})
parentPort.postMessage({ type: 'started' })
`

test('1,000 graphql-ws clients: one query per notice, every client gets every event (latency printed; its goal is the subscriptions benchmark)', async () => {
    const { Worker } = await import('worker_threads')
    const N = 1_000
    const ROUNDS = 20
    const queries = [`subscription { batchUpdated(id: "${bid(100)}") { id updatedAtBlock } }`, `subscription { batchUpdated { id updatedAtBlock } }`]
    const worker = new Worker(CLIENT_WORKER, { eval: true, workerData: { url: server.wsUrl, n: N, perConn: 10, queries } })
    const messages: any[] = []
    let wake: (() => void) | undefined
    worker.on('message', (m) => {
        messages.push(m)
        wake?.()
    })
    const waitFor = async (pred: (m: any) => boolean, timeoutMs = 20_000) => {
        const deadline = Date.now() + timeoutMs
        for (;;) {
            const i = messages.findIndex(pred)
            if (i >= 0) return messages.splice(i, 1)[0]
            const err = messages.find((m) => m.type === 'error')
            if (err) throw new Error(`client error: ${err.message}`)
            if (Date.now() > deadline) throw new Error('timeout waiting for the client worker')
            await new Promise<void>((r) => {
                wake = r
                setTimeout(r, 50)
            })
        }
    }
    try {
        await until(() => server.shared.stats.members === N, 30_000)
        // identical subscriptions share one execution: 2 distinct documents → 2 hub subscribers
        expect(server.shared.stats.groups).toBe(2)
        expect(server.hub.count('batchUpdated')).toBe(2)
        const t0s: number[] = []
        let h = server.feed.lastHeight! + 10
        for (let round = 0; round < ROUNDS; round++) {
            h++
            await upsertBatch(stack.pool, { id: bid(100), committedAt: T0, committedAtBlock: h })
            const q0 = server.feed.stats.queries
            t0s.push(performance.timeOrigin + performance.now())
            await notify({ height: h, hash: '0x' + h.toString(16), changed: { batches: [bid(100)] } })
            await waitFor((m) => m.type === 'round' && m.round === round)
            expect(server.feed.stats.queries - q0).toBe(1)
        }
        worker.postMessage('report')
        const { arrivals } = await waitFor((m) => m.type === 'report')
        const latencies: number[] = []
        for (const a of arrivals as number[][]) for (let r = 0; r < ROUNDS; r++) latencies.push(a[r] - t0s[r])
        latencies.sort((a, b) => a - b)
        const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
        console.log(`${N} subscribers × ${ROUNDS} notices: p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`)
        expect(latencies).toHaveLength(N * ROUNDS)
    } finally {
        worker.postMessage('close')
        await waitFor((m) => m.type === 'closed', 10_000).catch(() => undefined)
        await worker.terminate()
    }
})
