/**
 * pubsub/fanout-writer.ts on real TCP sockets: the frames of a fan-out loop written by the writer threads arrive once
 * each and in order with what the socket was sent before and after (a second frame in the same loop too); sockets with bytes still queued in Node, or
 * whose kernel buffer is full, go through socket.write and keep their order too.
 */
import * as fs from 'fs'
import * as net from 'net'
import { FanOutWriter } from '../../src/server/pubsub/fanout-writer'

interface Pair {
    server: net.Socket
    client: net.Socket
    received: () => string
}

let listener: net.Server
const accepted: net.Socket[] = []
const clients: net.Socket[] = []

beforeAll(async () => {
    listener = net.createServer((s) => accepted.push(s))
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r))
})

afterAll(async () => {
    for (const s of [...accepted, ...clients]) s.destroy()
    await new Promise<void>((r) => listener.close(() => r()))
})

async function pairs(n: number): Promise<Pair[]> {
    const port = (listener.address() as net.AddressInfo).port
    const out: Pair[] = []
    for (let i = 0; i < n; i++) {
        const before = accepted.length
        const client = net.connect(port, '127.0.0.1')
        clients.push(client)
        const chunks: Buffer[] = []
        client.on('data', (c) => chunks.push(c))
        await new Promise<void>((r) => client.once('connect', () => r()))
        while (accepted.length === before) await new Promise((r) => setTimeout(r, 1))
        out.push({ server: accepted[accepted.length - 1], client, received: () => Buffer.concat(chunks).toString() })
    }
    return out
}

async function until(what: string, ok: () => boolean, ms = 10_000) {
    const end = Date.now() + ms
    while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 5))
    }
}

test('a fan-out loop goes out through the writer threads, each frame once and in order with the writes around it', async () => {
    const ps = await pairs(40)
    const writer = new FanOutWriter({ threads: 2, chunk: 8 })
    try {
        const a = Buffer.from('A|')
        const b = Buffer.from('B|')
        for (const p of ps) writer.write(p.server, Buffer.from('before|'))
        writer.fanOut(() => {
            for (const p of ps) writer.write(p.server, a)
            // a second frame for the same sockets in the same loop stays behind the first
            for (const p of ps) writer.write(p.server, b)
        })
        for (const p of ps) p.server.write('after|')
        await until('every socket got its four messages', () => ps.every((p) => p.received().endsWith('after|')))
        for (const p of ps) expect(p.received()).toBe('before|A|B|after|')
        expect(writer.stats).toEqual({ batches: 1, sockets: 40, fallbacks: 0 })
    } finally {
        writer.close()
    }
})

test('a socket with bytes queued in Node, the sockets after the last chunk and a loop below one chunk are written by socket.write', async () => {
    const ps = await pairs(10)
    const writer = new FanOutWriter({ threads: 1, chunk: 8 })
    try {
        ps[0].server.cork()
        ps[0].server.write('queued|')
        expect(ps[0].server.writableLength).toBeGreaterThan(0)
        writer.fanOut(() => {
            for (const p of ps) writer.write(p.server, Buffer.from('X|'))
        })
        ps[0].server.uncork()
        await until('every socket got X', () => ps.every((p) => p.received().endsWith('X|')))
        expect(ps[0].received()).toBe('queued|X|')
        // the first chunk of 8 holds 7 sockets (not the queued one); the 2 after it are written on this thread
        expect(writer.stats).toEqual({ batches: 1, sockets: 7, fallbacks: 0 })
        writer.fanOut(() => {
            for (const p of ps.slice(0, 3)) writer.write(p.server, Buffer.from('Y|'))
        })
        expect(writer.stats.batches).toBe(1)
        await until('the three got Y', () => ps.slice(0, 3).every((p) => p.received().endsWith('Y|')))
    } finally {
        writer.close()
    }
})

test('a full kernel buffer: the frame and the later ones go through socket.write, nothing lost or reordered', async () => {
    const ps = await pairs(8)
    const writer = new FanOutWriter({ threads: 2, chunk: 4 })
    try {
        const slow = ps[0]
        slow.client.pause()
        // fill the kernel's buffers past Node (nothing queued in Node: the writer may take this socket)
        const fd = (slow.server as unknown as { _handle: { fd: number } })._handle.fd
        const filler = Buffer.alloc(64 * 1024, '.')
        let filled = 0
        /** write filler until the kernel refuses; the bytes it took */
        const fill = () => {
            let took = 0
            for (;;) {
                try {
                    const n = fs.writeSync(fd, filler)
                    took += n
                    if (n < filler.length) return took
                } catch (e: any) {
                    if (e.code !== 'EAGAIN') throw e
                    return took
                }
            }
        }
        // the receiver's buffer grows (autotuning) while data flows: fill until it stays full
        for (let calm = 0, k = 0; calm < 3 && k < 100; k++) {
            const took = fill()
            filled += took
            calm = took === 0 ? calm + 1 : 0
            await new Promise((r) => setTimeout(r, 20))
        }
        expect(slow.server.writableLength).toBe(0)
        writer.fanOut(() => {
            for (const p of ps) writer.write(p.server, Buffer.from('F|'))
            for (const p of ps) writer.write(p.server, Buffer.from('G|'))
        })
        expect(writer.stats.fallbacks).toBe(1)
        expect(slow.server.writableLength).toBeGreaterThan(0)
        slow.client.resume()
        await until('the slow client read everything', () => slow.received().length === filled + 4)
        expect(slow.received().slice(filled)).toBe('F|G|')
        expect(slow.received().slice(0, filled)).toBe('.'.repeat(filled))
        await until('the others got F and G', () => ps.slice(1).every((p) => p.received() === 'F|G|'))
        expect(writer.stats).toEqual({ batches: 1, sockets: 7, fallbacks: 1 })
    } finally {
        writer.close()
    }
})

test('without threads every write is socket.write', async () => {
    const ps = await pairs(5)
    const writer = new FanOutWriter({ threads: 0, chunk: 1 })
    writer.fanOut(() => {
        for (const p of ps) writer.write(p.server, Buffer.from('Z|'))
    })
    await until('every socket got Z', () => ps.every((p) => p.received() === 'Z|'))
    expect(writer.stats.batches).toBe(0)
})

test('a writer thread that exits: the next loops are written by the main thread', async () => {
    const ps = await pairs(12)
    const writer = new FanOutWriter({ threads: 2, chunk: 4 })
    const threads = (writer as unknown as { workers: import('worker_threads').Worker[] }).workers
    const exited = new Promise((r) => threads[0].once('exit', r))
    await threads[0].terminate()
    await exited
    writer.fanOut(() => {
        for (const p of ps) writer.write(p.server, Buffer.from('W|'))
    })
    await until('every socket got W', () => ps.every((p) => p.received() === 'W|'))
    expect(writer.stats.batches).toBe(0)
    writer.close()
})
