/**
 * One client thread of bench/support/ws-clients.ts: opens its share of the graphql-ws clients and reports each
 * `next` with its arrival time on the absolute clock (performance.timeOrigin + performance.now(), comparable across
 * threads), taken first thing in the message handler. Arrivals go to the main thread in one batch per event-loop
 * turn. A `next` is recognised by its envelope (`{"id":…,"type":"next",…`) and its payload parsed only when asked
 * for or when it carries `"errors"`: a live-query result is kilobytes, and 10,000 clients parsing every one of them
 * on the benchmark's two cores would slow the server they share the machine with (remote clients parse on their
 * own machines).
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
    ws.on('message', (data: Buffer) => {
        const at = now()
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
    })
    ws.on('error', (e) => settle(e.message))
    ws.on('close', (code, reason) => settle(`closed ${code} ${reason}`))
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
