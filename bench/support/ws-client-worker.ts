/**
 * One client thread of bench/support/ws-clients.ts: opens its share of the graphql-ws clients and reports each
 * `next` with its arrival time on the absolute clock (performance.timeOrigin + performance.now(), comparable across
 * threads), taken first thing in the message handler. Arrivals go to the main thread in one batch per event-loop
 * turn. A `next` is recognised by its envelope (`{"id":…,"type":"next",…`) and its payload parsed only when asked
 * for or when it carries `"errors"`: a live-query result is kilobytes, and 10,000 clients parsing every one of them
 * on the benchmark's two cores would slow the server they share the machine with (remote clients parse on their
 * own machines).
 *
 * `ws` does the handshake, connection_init and the acknowledgement; then the client reads the socket itself
 * (`readFrames`: the server's frames are unmasked and unfragmented) instead of through ws' Receiver, a Writable
 * stream per socket that cost more CPU per message than the server spends sending it. An arrival is stamped when
 * its bytes reach the client (first thing in the socket's data handler). Sending (subscribe, pong) stays with `ws`.
 */
import { parentPort, workerData } from 'worker_threads'
import WebSocket from 'ws'

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
    /** send each `next` payload to the main thread (else only who and when) */
    payloads: boolean
}

export type ClientWorkerMessage =
    | { t: 'ready'; failed: number; errors: string[] }
    | { t: 'next'; items: [number, number, unknown][]; clientErrors: number }
    | { t: 'closed'; clientErrors: number }

const d = workerData as ClientWorkerData
const port = parentPort!
const now = () => performance.timeOrigin + performance.now()
const sockets: WebSocket[] = []
const errorSamples: string[] = []
let clientErrors = 0
let failed = 0
let settled = 0
let batch: [number, number, unknown][] = []

function flush() {
    const items = batch
    batch = []
    port.postMessage({ t: 'next', items, clientErrors } satisfies ClientWorkerMessage)
}

function open(k: number, done: () => void) {
    const i = d.first + k
    const ws = new WebSocket(d.url, 'graphql-transport-ws', { perMessageDeflate: false, handshakeTimeout: 30_000, skipUTF8Validation: true })
    sockets.push(ws)
    let ok = false
    const settle = (why?: string) => {
        if (ok) return
        ok = true
        settled++
        if (why !== undefined) {
            failed++
            if (errorSamples.length < 10) errorSamples.push(`client ${i}: ${why}`)
        }
        done()
    }
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: d.connectionParams ?? {} })))
    const onText = (data: Buffer, at: number) => {
        if (!d.payloads && data.toString('latin1', 0, 64).includes('"type":"next"') && data.indexOf('"errors"') < 0) {
            if (batch.length === 0) setImmediate(flush)
            batch.push([i, at, undefined])
            return
        }
        const msg = JSON.parse(data.toString())
        switch (msg.type) {
            case 'next':
                if (msg.payload?.errors) clientErrors++
                if (batch.length === 0) setImmediate(flush)
                batch.push([i, at, d.payloads ? msg.payload : undefined])
                break
            case 'connection_ack':
                readFrames(ws, onText)
                ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: d.query, variables: (Array.isArray(d.variables) ? d.variables[k] : d.variables) ?? {} } }))
                settle()
                break
            case 'error':
                clientErrors++
                if (errorSamples.length < 10) errorSamples.push(`client ${i}: ${JSON.stringify(msg.payload).slice(0, 200)}`)
                break
            case 'ping':
                ws.send('{"type":"pong"}')
                break
        }
    }
    ws.on('message', (data: Buffer) => onText(data, now()))
    ws.on('error', (e) => settle(e.message))
    ws.on('close', (code, reason) => settle(`closed ${code} ${reason}`))
}

/**
 * Take the socket's reading over from ws: whole frames are cut from the data (a frame may span chunks), text ones
 * handed to `onText` with the time their last chunk arrived; ws-level pings answered; a close frame closes.
 */
function readFrames(ws: WebSocket, onText: (data: Buffer, at: number) => void) {
    const tcp = (ws as unknown as { _socket: import('net').Socket })._socket
    tcp.removeAllListeners('data')
    let pending: Buffer | undefined
    tcp.on('data', (chunk: Buffer) => {
        const at = now()
        const buf = pending ? Buffer.concat([pending, chunk]) : chunk
        let off = 0
        for (;;) {
            if (buf.length - off < 2) break
            let len = buf[off + 1] & 0x7f
            let head = 2
            if (len === 126) {
                if (buf.length - off < 4) break
                len = buf.readUInt16BE(off + 2)
                head = 4
            } else if (len === 127) {
                if (buf.length - off < 10) break
                len = Number(buf.readBigUInt64BE(off + 2))
                head = 10
            }
            if (buf.length - off < head + len) break
            const opcode = buf[off] & 0x0f
            const payload = buf.subarray(off + head, off + head + len)
            off += head + len
            if (opcode === 1) onText(payload, at)
            else if (opcode === 9) ws.pong(payload)
            else if (opcode === 8) ws.terminate()
        }
        pending = off < buf.length ? buf.subarray(off) : undefined
    })
    tcp.resume()
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
    for (const ws of sockets) ws.terminate()
    port.postMessage({ t: 'closed', clientErrors } satisfies ClientWorkerMessage)
})
