/**
 * One client thread of bench/support/ws-clients.ts: opens its share of the graphql-ws clients (protocol
 * `graphql-transport-ws`) and reports each `next` with its arrival time on the absolute clock
 * (performance.timeOrigin + performance.now(), comparable across threads), taken first thing when its bytes arrive.
 *
 * Every `next` is parsed (JSON.parse) and checked: its operation id, and — with `check` — the value at
 * `data.<path>`: an array gives (its length, the sum of `field` over its elements), an object (1, its `field`); the
 * main thread compares both with what that client's subscription must show in that round. Payloads with `errors`
 * are counted. Arrivals go to the main thread in one transferred Float64Array every few ms (no per-arrival
 * structured clone).
 *
 * A client is a plain TCP socket speaking RFC 6455 itself: the upgrade request (its Sec-WebSocket-Accept checked),
 * masked text frames for connection_init / subscribe / pong, and the server's frames cut from the data (unmasked,
 * unfragmented: the server sends no other kind). Reads go through the socket's `onread` into one buffer per thread,
 * not through a Readable stream (ws' per-socket Receiver and stream machinery cost more CPU per message than the
 * server spends sending it, and these clients share the machine with the server).
 */
import { createHash, randomBytes } from 'crypto'
import * as net from 'net'
import { parentPort, workerData } from 'worker_threads'

/** What a `next` payload is checked against (see the file comment). */
export interface PayloadCheck {
    path: string[]
    field: string
}

export interface ClientWorkerData {
    url: string
    /** global index of this thread's first client */
    first: number
    count: number
    query: string
    /** one set for all, or one per client of this thread */
    variables?: Record<string, unknown> | Record<string, unknown>[]
    connectionParams?: Record<string, unknown>
    parallel: number
    /** send each `next` payload to the main thread (else only who, when and the checked values) */
    payloads: boolean
    check?: PayloadCheck
}

export type ClientWorkerMessage =
    | { t: 'ready'; failed: number; errors: string[] }
    | { t: 'next'; /** per arrival: client index, arrival time, checked count, checked sum (NaN: not checked) */ arrivals: Float64Array; payloads?: unknown[]; clientErrors: number }
    | { t: 'closed'; clientErrors: number }

const d = workerData as ClientWorkerData
const port = parentPort!
const now = () => performance.timeOrigin + performance.now()
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const sockets: net.Socket[] = []
const errorSamples: string[] = []
let clientErrors = 0
let failed = 0
let settled = 0
let arrivals: number[] = []
let payloads: unknown[] = []
// every socket of this thread reads into this buffer; what a callback keeps (a partial frame) is copied out
const readBuffer = Buffer.allocUnsafe(256 * 1024)

/**
 * Arrivals go to the main thread at most every FLUSH_MS: a postMessage per event-loop turn cost more than the reads
 * (a few arrivals per turn); the main thread counts them a little later, their stamps are unchanged.
 */
const FLUSH_MS = 5

function flush() {
    const a = Float64Array.from(arrivals)
    const p = d.payloads ? payloads : undefined
    arrivals = []
    payloads = []
    port.postMessage({ t: 'next', arrivals: a, payloads: p, clientErrors } satisfies ClientWorkerMessage, [a.buffer])
}

/** A masked client frame (RFC 6455 §5.3). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
    const n = payload.length
    const head = n < 126 ? 2 : n < 65_536 ? 4 : 10
    const f = Buffer.allocUnsafe(head + 4 + n)
    f[0] = 0x80 | opcode
    if (n < 126) f[1] = 0x80 | n
    else if (n < 65_536) {
        f[1] = 0x80 | 126
        f.writeUInt16BE(n, 2)
    } else {
        f[1] = 0x80 | 127
        f.writeBigUInt64BE(BigInt(n), 2)
    }
    const mask = randomBytes(4)
    mask.copy(f, head)
    for (let k = 0; k < n; k++) f[head + 4 + k] = payload[k] ^ mask[k & 3]
    return f
}

const sendText = (s: net.Socket, msg: unknown) => s.write(clientFrame(1, Buffer.from(JSON.stringify(msg))))

/** (count, sum) of the checked field at `check.path` of `data`; count −1 when the path is missing. */
function checked(data: any): [number, number] {
    if (!d.check) return [NaN, NaN]
    let node = data
    for (const k of d.check.path) node = node?.[k]
    if (Array.isArray(node)) {
        let sum = 0
        for (const el of node) sum += Number(el?.[d.check.field])
        return [node.length, sum]
    }
    if (node && typeof node === 'object') return [1, Number(node[d.check.field])]
    return [-1, NaN]
}

function open(k: number, done: () => void) {
    const i = d.first + k
    const url = new URL(d.url)
    const key = randomBytes(16).toString('base64')
    const accept = createHash('sha1').update(key + GUID).digest('base64')
    let head: Buffer | undefined = Buffer.alloc(0)
    let pending: Buffer | undefined
    let ok = false
    const settle = (why?: string) => {
        if (ok) return
        ok = true
        settled++
        socket.setTimeout(0)
        if (why !== undefined) {
            failed++
            if (errorSamples.length < 10) errorSamples.push(`client ${i}: ${why}`)
        }
        done()
    }
    const onText = (text: string, at: number) => {
        const msg = JSON.parse(text)
        switch (msg.type) {
            case 'next': {
                const bad = msg.id !== '1' || !!msg.payload?.errors
                if (bad) clientErrors++
                if (bad && errorSamples.length < 10) errorSamples.push(`client ${i}: ${text.slice(0, 200)}`)
                const [count, sum] = bad ? [-1, NaN] : checked(msg.payload?.data)
                if (arrivals.length === 0) setTimeout(flush, FLUSH_MS)
                arrivals.push(i, at, count, sum)
                if (d.payloads) payloads.push(msg.payload)
                break
            }
            case 'connection_ack':
                sendText(socket, { id: '1', type: 'subscribe', payload: { query: d.query, variables: (Array.isArray(d.variables) ? d.variables[k] : d.variables) ?? {} } })
                settle()
                break
            case 'error':
                clientErrors++
                if (errorSamples.length < 10) errorSamples.push(`client ${i}: ${JSON.stringify(msg.payload).slice(0, 200)}`)
                break
            case 'ping':
                sendText(socket, { type: 'pong' })
                break
        }
    }
    /** whole frames cut from the data (a frame may span reads); the rest kept for the next read */
    const onFrames = (buf: Buffer, at: number) => {
        let off = 0
        for (;;) {
            if (buf.length - off < 2) break
            let len = buf[off + 1] & 0x7f
            let h = 2
            if (len === 126) {
                if (buf.length - off < 4) break
                len = buf.readUInt16BE(off + 2)
                h = 4
            } else if (len === 127) {
                if (buf.length - off < 10) break
                len = Number(buf.readBigUInt64BE(off + 2))
                h = 10
            }
            if (buf.length - off < h + len) break
            const opcode = buf[off] & 0x0f
            const payload = buf.subarray(off + h, off + h + len)
            off += h + len
            if (opcode === 1) onText(payload.toString('utf8'), at)
            else if (opcode === 9) socket.write(clientFrame(10, payload))
            else if (opcode === 8) socket.destroy()
        }
        pending = off < buf.length ? Buffer.from(buf.subarray(off)) : undefined
    }
    const onRead = (n: number, buf: Uint8Array): boolean => {
        read(n, buf as Buffer)
        return true
    }
    const read = (n: number, buf: Buffer) => {
        const at = now()
        let chunk = buf.subarray(0, n)
        if (head) {
            // the upgrade response: 101, the accept for our key, the protocol
            const all = Buffer.concat([head, chunk])
            const end = all.indexOf('\r\n\r\n')
            if (end < 0) {
                head = all
                return
            }
            head = undefined
            const text = all.toString('latin1', 0, end).toLowerCase()
            if (!text.startsWith('http/1.1 101') || !text.includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
                settle(`upgrade refused: ${text.split('\r\n')[0]}`)
                socket.destroy()
                return
            }
            sendText(socket, { type: 'connection_init', payload: d.connectionParams ?? {} })
            chunk = all.subarray(end + 4)
        }
        onFrames(pending ? Buffer.concat([pending, chunk]) : chunk, at)
    }
    const socket = net.connect({ host: url.hostname, port: Number(url.port), onread: { buffer: readBuffer, callback: onRead } })
    sockets.push(socket)
    socket.setNoDelay(true)
    socket.setTimeout(30_000, () => {
        if (!ok) (settle('timed out'), socket.destroy())
    })
    socket.on('connect', () => {
        socket.write(
            `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
                `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
        )
    })
    socket.on('error', (e) => settle(e.message))
    socket.on('close', () => settle('closed'))
}

// at most `parallel` handshakes in flight
let next = 0
const startOne = () => {
    if (next < d.count) open(next++, () => (settled === d.count ? port.postMessage({ t: 'ready', failed, errors: errorSamples } satisfies ClientWorkerMessage) : startOne()))
}
for (let k = 0; k < Math.min(d.parallel, d.count); k++) startOne()
if (d.count === 0) port.postMessage({ t: 'ready', failed: 0, errors: [] } satisfies ClientWorkerMessage)

port.on('message', (m: { t: 'close' }) => {
    if (m.t !== 'close') return
    for (const s of sockets) s.destroy()
    port.postMessage({ t: 'closed', clientErrors } satisfies ClientWorkerMessage)
})
