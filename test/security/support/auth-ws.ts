/**
 * A raw graphql-transport-ws client for the security suites: it exposes what graphql-ws's client hides (close
 * codes, the moment a socket closes, upgrade refusals).
 */
import WebSocket from 'ws'

export interface RawWs {
    socket: WebSocket
    /** resolves with the close code and reason */
    closed: Promise<{ code: number; reason: string; at: number }>
    /** connection_init; resolves 'ack' or the close code */
    init(authorization?: string): Promise<'ack' | number>
    /** one subscribe; resolves with the first `next`/`error` message for it, or the close code */
    operation(query: string, variables?: Record<string, unknown>): Promise<any>
    close(): void
}

let seq = 0

/** Open a socket; rejects with the HTTP status when the upgrade is refused. */
export function openWs(url: string): Promise<RawWs> {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(url, 'graphql-transport-ws')
        const waiting = new Map<string, (m: any) => void>()
        let onAck: ((v: 'ack' | number) => void) | undefined
        const closed = new Promise<{ code: number; reason: string; at: number }>((res) =>
            socket.once('close', (code, reason) => {
                const info = { code, reason: String(reason), at: Date.now() }
                onAck?.(code)
                for (const w of waiting.values()) w({ closed: code })
                res(info)
            }),
        )
        socket.on('message', (raw) => {
            const m = JSON.parse(String(raw))
            if (m.type === 'connection_ack') onAck?.('ack')
            else if (m.id && waiting.has(m.id)) {
                waiting.get(m.id)!(m)
                waiting.delete(m.id)
            }
        })
        socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, headers: res.headers })))
        socket.once('error', (e) => reject(e))
        socket.once('open', () =>
            resolve({
                socket,
                closed,
                init(authorization) {
                    return new Promise((res) => {
                        onAck = res
                        socket.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} }))
                    })
                },
                operation(query, variables) {
                    const id = String(++seq)
                    return new Promise((res) => {
                        if (socket.readyState !== WebSocket.OPEN) return res({ closed: -1 })
                        waiting.set(id, res)
                        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }))
                    })
                },
                close() {
                    socket.close()
                },
            }),
        )
    })
}

/** A commitBatch with input the resolver refuses (BAD_USER_INPUT) once the caller passed the auth checker. */
export const PROBE_MUTATION = `mutation { commitBatch(input: { payer: "0x1", token: "0x2", records: [], idempotencyKey: "probe" }) { batchId } }`
