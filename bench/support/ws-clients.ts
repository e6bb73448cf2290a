/**
 * Many lightweight graphql-ws clients (protocol `graphql-transport-ws`, over the `ws` package) in one process:
 * connection_init → connection_ack → subscribe, answer pings, record the arrival time of every `next`
 * message. Lighter than graphql-ws' createClient (no retry machinery, no per-client timers), so 10,000 fit in
 * one process; arrival times are taken first thing in the message handler.
 */
import WebSocket from 'ws'
import { sleep } from './common'

export interface WsClient {
    ws: WebSocket
    acked: boolean
    /** arrival time (ms, performance clock) and payload of every `next` */
    onNext?: (at: number, payload: any) => void
    errors: number
    closed: boolean
}

export interface ConnectOptions {
    url: string
    count: number
    query: string
    variables?: Record<string, unknown>
    connectionParams?: Record<string, unknown>
    /** connections opened at once */
    parallel?: number
    timeoutMs?: number
    onNext?: (client: number, at: number, payload: any) => void
}

/** Open `count` clients and subscribe each; resolves when every one got connection_ack and sent subscribe. */
export async function connectClients(opts: ConnectOptions): Promise<{ clients: WsClient[]; connectMs: number; failed: number; errors: string[] }> {
    const clients: WsClient[] = []
    const errors: string[] = []
    const parallel = opts.parallel ?? 200
    const timeoutMs = opts.timeoutMs ?? 120_000
    const t0 = performance.now()
    let failed = 0
    const open = (i: number) =>
        new Promise<void>((resolve) => {
            const ws = new WebSocket(opts.url, 'graphql-transport-ws', { perMessageDeflate: false, handshakeTimeout: 30_000 })
            const c: WsClient = { ws, acked: false, errors: 0, closed: false }
            clients[i] = c
            let settled = false
            const done = (ok: boolean, why?: string) => {
                if (settled) return
                settled = true
                if (!ok) {
                    failed++
                    if (errors.length < 10 && why) errors.push(why)
                }
                resolve()
            }
            ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: opts.connectionParams ?? {} })))
            ws.on('message', (data) => {
                const at = performance.now()
                const msg = JSON.parse(data.toString())
                switch (msg.type) {
                    case 'connection_ack':
                        c.acked = true
                        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: opts.query, variables: opts.variables ?? {} } }))
                        done(true)
                        break
                    case 'next':
                        if (msg.payload?.errors) c.errors++
                        opts.onNext?.(i, at, msg.payload)
                        break
                    case 'error':
                        c.errors++
                        if (errors.length < 10) errors.push(`client ${i}: ${JSON.stringify(msg.payload).slice(0, 200)}`)
                        break
                    case 'ping':
                        ws.send('{"type":"pong"}')
                        break
                }
            })
            ws.on('error', (e) => done(false, `client ${i}: ${e.message}`))
            ws.on('close', (code, reason) => {
                c.closed = true
                done(false, `client ${i}: closed ${code} ${reason}`)
            })
        })
    const deadline = Date.now() + timeoutMs
    for (let i = 0; i < opts.count; i += parallel) {
        if (Date.now() > deadline) throw new Error(`connecting ${opts.count} clients took longer than ${timeoutMs} ms`)
        await Promise.all(Array.from({ length: Math.min(parallel, opts.count - i) }, (_, k) => open(i + k)))
    }
    return { clients, connectMs: performance.now() - t0, failed, errors }
}

export async function closeClients(clients: WsClient[]): Promise<void> {
    for (const c of clients) {
        if (!c) continue
        try {
            c.ws.terminate()
        } catch {
            // already gone
        }
    }
    await sleep(200)
}
