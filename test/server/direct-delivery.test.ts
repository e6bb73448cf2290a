/**
 * Direct delivery (pubsub/direct.ts) without sockets: a fake socket records frames and completes writes only when
 * told, so we can check the frames against what graphql-ws would send, the order around the first pull, the
 * slow-consumer bound and the end of the stream.
 */
import { ExecutionResult, GraphQLError, parse } from 'graphql'
import { ResultFrames, socketSink, textFrame } from '../../src/server/pubsub/direct'
import { FeedLost } from '../../src/server/pubsub/queue'
import { Member, SharedSubscriptions } from '../../src/server/pubsub/shared'
import { Hub } from '../../src/server/pubsub/hub'
import { buildApiSchema } from '../../src/server/schema'

/** a WebSocket message as a client reads it (unmasked, FIN, text) */
function unframe(f: Buffer): string {
    expect(f[0]).toBe(0x81)
    const len7 = f[1] & 0x7f
    expect(f[1] & 0x80).toBe(0)
    const [head, n] = len7 < 126 ? [2, len7] : len7 === 126 ? [4, f.readUInt16BE(2)] : [10, Number(f.readBigUInt64BE(2))]
    expect(f.length).toBe(head + n)
    return f.subarray(head).toString()
}

/** what the sink uses of a `ws` WebSocket; bytes stay unwritten until flush() */
class FakeSocket {
    readonly OPEN = 1
    readyState = 1
    extensions = ''
    frames: string[] = []
    unwritten = 0
    sent: string[] = []
    _socket = {
        write: (b: Buffer) => {
            this.frames.push(unframe(b))
            this.unwritten += b.length
            return true
        },
    }
    get bufferedAmount() {
        return this.unwritten
    }
    send(data: Buffer, opts: { binary: boolean }) {
        expect(opts.binary).toBe(false)
        this.sent.push(data.toString())
    }
    flush() {
        this.unwritten = 0
    }
}

function member(capacity = 3) {
    const left: Member[] = []
    const m = new Member(capacity, (x) => left.push(x))
    return { m, left }
}

const encodes: ExecutionResult[] = []
const counted: (string | undefined)[] = []
const frames = new ResultFrames(
    (r) => {
        encodes.push(r)
        return { json: JSON.stringify(r), codes: (r.errors ?? []).map((e) => e.extensions?.code as string | undefined) }
    },
    (codes) => counted.push(...codes),
)

test('frames are what graphql-ws would send, serialised once per result; what came before the first pull goes first', async () => {
    const a = member()
    const b = member()
    const sa = new FakeSocket()
    const sb = new FakeSocket()
    a.m.deliverTo(socketSink(frames, { socket: sa as any, id: '1', requestId: 'r' }, 3))
    b.m.deliverTo(socketSink(frames, { socket: sb as any, id: 'a-"uuid"', requestId: 'r' }, 3))
    const r0: ExecutionResult = { data: { n: 0 } }
    a.m.queue.push(r0) // before graphql-ws iterates: queued
    expect(sa.frames).toHaveLength(0)
    const endA = a.m.next()
    const endB = b.m.next()
    expect(sa.frames).toEqual([JSON.stringify({ id: '1', type: 'next', payload: r0 })])
    const r1: ExecutionResult = { data: { n: 1 }, errors: [{ message: 'boom', extensions: { code: 'X' } } as unknown as GraphQLError] }
    encodes.length = 0
    for (const x of [a, b]) x.m.queue.push(r1)
    expect(encodes).toEqual([r1])
    expect(counted).toEqual(['X', 'X']) // counted per member sent to, serialised once
    expect(sa.frames[1]).toBe(JSON.stringify({ id: '1', type: 'next', payload: r1 }))
    expect(sb.frames).toEqual([JSON.stringify({ id: 'a-"uuid"', type: 'next', payload: r1 })])
    expect(JSON.parse(sb.frames[0]).payload.errors[0]).toMatchObject({ message: 'boom', extensions: { code: 'X' } })
    // the iterator carries only the end
    a.m.queue.end()
    expect(await endA).toEqual({ value: undefined, done: true })
    b.m.queue.terminate(new FeedLost(21_000))
    const lost = (await endB).value as ExecutionResult
    expect(lost.errors?.[0].extensions).toMatchObject({ code: 'UNAVAILABLE', reason: 'FEED_LOST' })
    expect((await b.m.next()).done).toBe(true)
})

test('frames of every length class; with a negotiated extension, ws frames the message itself', () => {
    for (const n of [0, 125, 126, 65_535, 65_536, 70_000]) expect(unframe(textFrame('é'.repeat(n / 2) + 'x'.repeat(n % 2)))).toBe('é'.repeat(n / 2) + 'x'.repeat(n % 2))
    const s = new FakeSocket()
    s.extensions = 'permessage-deflate'
    const { m } = member()
    m.deliverTo(socketSink(frames, { socket: s as any, id: '1', requestId: 'r' }, 3))
    void m.next()
    m.queue.push({ data: { x: 1 } })
    expect(s.frames).toEqual([])
    expect(s.sent).toEqual([JSON.stringify({ id: '1', type: 'next', payload: { data: { x: 1 } } })])
})

test('a socket with `capacity` unwritten frames is dropped with SLOW_CONSUMER; a writing one keeps going', async () => {
    const slow = member(2)
    const fast = member(2)
    const ss = new FakeSocket()
    const fs = new FakeSocket()
    slow.m.deliverTo(socketSink(frames, { socket: ss as any, id: '1', requestId: 'r' }, 2))
    fast.m.deliverTo(socketSink(frames, { socket: fs as any, id: '1', requestId: 'r' }, 2))
    const endSlow = slow.m.next()
    const endFast = fast.m.next()
    for (let i = 0; i < 5; i++) {
        const r = { data: { i } }
        expect(fast.m.queue.push(r)).toBe(true)
        fs.flush()
        expect(slow.m.queue.push(r)).toBe(i < 2)
    }
    expect(ss.frames).toHaveLength(2)
    expect(fs.frames).toHaveLength(5)
    const dropped = (await endSlow).value as ExecutionResult
    expect(dropped.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'SLOW_CONSUMER' })
    expect((await slow.m.next()).done).toBe(true)
    expect(slow.left).toEqual([slow.m])
    expect(fast.left).toEqual([])
    // a closing socket takes nothing and drops nobody: graphql-ws ends the operation on close
    fs.readyState = 3
    expect(fast.m.queue.push({ data: { i: 9 } })).toBe(true)
    expect(fs.frames).toHaveLength(5)
    await fast.m.return()
    expect((await endFast).done).toBe(true)
})

test('a shared group fans one execution out to direct and pulled members alike', async () => {
    const schema = await buildApiSchema()
    const hub = new Hub({ queueCapacity: 100, maxSubscribers: 10 })
    const shared = new SharedSubscriptions(schema, 10)
    const args = () => ({ schema, document: parse(`subscription { indexerHead { height } }`), contextValue: { services: { hub } } })
    const direct = (await shared.subscribe(args())) as Member
    const pulled = (await shared.subscribe(args())) as Member
    const socket = new FakeSocket()
    direct.deliverTo(socketSink(frames, { socket: socket as any, id: '7', requestId: 'r' }, 10))
    const end = direct.next()
    expect(hub.count('indexerHead')).toBe(1)
    for (let h = 1; h <= 3; h++) {
        hub.publish('indexerHead', undefined, { height: h, hash: '0x', head: true, reorg: false })
        expect(((await pulled.next()).value as any).data.indexerHead.height).toBe(h)
    }
    expect(socket.frames.map((f) => JSON.parse(f))).toEqual([1, 2, 3].map((h) => ({ id: '7', type: 'next', payload: { data: { indexerHead: { height: h } } } })))
    await direct.return()
    expect((await end).done).toBe(true)
    expect(shared.stats).toEqual({ groups: 1, members: 1 })
    await pulled.return()
    expect(shared.stats).toEqual({ groups: 0, members: 0 })
})
