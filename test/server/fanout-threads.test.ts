/**
 * The fan-out writer threads on the real server (GQL_FANOUT_THREADS, pubsub/fanout-writer.ts): 300 graphql-ws
 * subscribers of one shared `batchUpdated` execution (more than a writer's chunk of 256, so threads write the
 * pushes), 100 of them on one API key. Every subscriber gets every push once, whole and in order; after a reorg
 * every one gets the new branch's row and the removal, flagged reorg; revoking the key closes its 100 sockets
 * (4403) and the next push reaches the other 200 only.
 */
import WebSocket from 'ws'
import { runApiKeyCli } from '../../src/cli/apikey'
import { createApiKey } from '../../src/server/api-keys'
import { RunningServer, startServer } from '../../src/server'
import { bid, insertToken, PgStack, setIndexerHead, startPgStack, until, upsertBatch } from './support/stack'

jest.setTimeout(120_000)

const N = 300
const KEYED = 100
const T0 = new Date('2024-05-01T00:00:00Z')

let stack: PgStack
let server: RunningServer

interface Subscriber {
    ws: WebSocket
    events: any[]
    closeCode?: number
}
const subscribers: Subscriber[] = []

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, 10)
    server = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: stack.url,
        rpcUrl: null,
        log: () => undefined,
        rateLimit: { anonymous: { burst: 5_000, perSecond: 5_000 }, key: { burst: 5_000, perSecond: 5_000 } },
        subscriptions: { maxPerIp: 0, fanOutThreads: 2 },
    })
})

afterAll(async () => {
    for (const s of subscribers) s.ws.terminate()
    await server?.close()
    await stack?.close()
})

async function subscribe(authorization?: string): Promise<Subscriber> {
    const ws = new WebSocket(server.wsUrl, 'graphql-transport-ws')
    const s: Subscriber = { ws, events: [] }
    let acked!: () => void
    const ack = new Promise<void>((r) => (acked = r))
    ws.on('message', (data) => {
        const msg = JSON.parse(String(data))
        if (msg.type === 'connection_ack') acked()
        else if (msg.type === 'next') s.events.push(msg.payload)
        else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }))
    })
    ws.on('close', (code) => (s.closeCode = code))
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)))
    ws.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} }))
    await ack
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { batchUpdated { id status reorg removed } }' } }))
    return s
}

async function notify(payload: unknown) {
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [JSON.stringify(payload)])
}

const event = (id: string, reorg = false, removed = false) => ({
    data: { batchUpdated: { id, status: 'COMMITTED', reorg, removed } },
    ...(reorg ? { extensions: { reorg: true, ...(removed ? { removed: true } : {}) } } : {}),
})

test('300 subscribers written by the threads: every push once and in order, reorg corrections, revocation cuts', async () => {
    const { key, info } = await createApiKey(stack.pool, 'read-only', 'fanout-threads')
    for (let i = 0; i < N; i++) subscribers.push(await subscribe(i < KEYED ? `Bearer ${key}` : undefined))
    await until(() => server.shared.stats.members === N, 10_000)
    expect(server.shared.stats.groups).toBe(1)
    const all = () => subscribers
    const everyHas = (list: Subscriber[], n: number) => () => list.every((s) => s.events.length >= n)

    // block 11, then block 12 (to be abandoned)
    const [b1, b2, b3, b4] = [bid(1), bid(2), bid(3), bid(4)]
    await upsertBatch(stack.pool, { id: b1, committedAt: T0, committedAtBlock: 11 })
    await notify({ height: 11, fromHeight: 11, changed: { batches: [b1] }, tables: ['Batch'] })
    await until(everyHas(all(), 1), 10_000)
    await upsertBatch(stack.pool, { id: b2, committedAt: T0, committedAtBlock: 12 })
    await notify({ height: 12, fromHeight: 12, changed: { batches: [b2] }, tables: ['Batch'] })
    await until(everyHas(all(), 2), 10_000)

    // the fork at 12: b2 undone, b3 on the new branch
    await stack.pool.query(`DELETE FROM batch WHERE id = $1`, [b2])
    await upsertBatch(stack.pool, { id: b3, committedAt: T0, committedAtBlock: 12 })
    await notify({ height: 13, fromHeight: 12, reorg: true, changed: { batches: [b3] }, tables: ['Batch'] })
    await until(everyHas(all(), 4), 10_000)
    for (const s of subscribers) expect(s.events).toEqual([event(b1), event(b2), event(b3, true), event(b2, true, true)])
    // each push reached more than a chunk: the threads wrote at least 256 of its 300 sockets, whole
    expect(server.fanOut.sockets).toBeGreaterThanOrEqual(4 * 256)
    expect(server.fanOut.fallbacks).toBe(0)

    // revoking the key closes its sockets; the next push goes to the 200 others only
    const io = { stdout: () => undefined, stderr: () => undefined }
    expect(await runApiKeyCli(['revoke', String(info.id)], io, { DATABASE_URL: stack.url })).toBe(0)
    const keyed = subscribers.slice(0, KEYED)
    const anonymous = subscribers.slice(KEYED)
    await until(() => keyed.every((s) => s.closeCode !== undefined), 10_000)
    expect(new Set(keyed.map((s) => s.closeCode))).toEqual(new Set([4403]))
    await until(() => server.shared.stats.members === N - KEYED, 10_000)
    await upsertBatch(stack.pool, { id: b4, committedAt: T0, committedAtBlock: 14 })
    await notify({ height: 14, fromHeight: 14, changed: { batches: [b4] }, tables: ['Batch'] })
    await until(everyHas(anonymous, 5), 10_000)
    for (const s of anonymous) expect(s.events.at(-1)).toEqual(event(b4))
    for (const s of keyed) expect(s.events).toHaveLength(4)
})
