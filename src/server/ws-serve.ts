/**
 * graphql-ws served on a `ws` WebSocketServer: graphql-ws's own adapter (`graphql-ws/lib/use/ws`, which invites
 * copying it), adapted so that one client cannot fill the log: a socket error (a frame over `maxPayload`, a bad
 * frame; `ws` closes such a socket itself, with 1009 / 1002) is logged as one line, not a stack trace, and a failing
 * message handler is logged once per socket.
 */
import type { IncomingMessage } from 'http'
import { CloseCode, handleProtocols, makeServer, ServerOptions } from 'graphql-ws'
import type { WebSocket, WebSocketServer } from 'ws'
import type { LogFn } from './http'

export interface WsExtra {
    readonly socket: WebSocket
    readonly request: IncomingMessage
}

function closeReason(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err)
    // a close reason is at most 123 bytes
    return Buffer.byteLength(text) > 120 ? 'Internal server error' : text
}

export function serveGraphqlWs<P extends Record<string, unknown> | undefined, E extends Record<PropertyKey, unknown>>(
    options: ServerOptions<P, WsExtra & Partial<E>>,
    wss: WebSocketServer,
    keepAliveMs: number,
    log: LogFn,
): { dispose(): Promise<void> } {
    const server = makeServer(options)
    wss.options.handleProtocols = handleProtocols
    wss.on('error', (err) => log('error', 'graphql-ws server error', { message: err.message }))
    wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
        socket.once('error', (err: Error & { code?: string }) => {
            log('warn', 'graphql-ws socket error; closed', { code: err.code, message: err.message, ip: request.socket.remoteAddress })
            // ws already started closing the socket (1009 for an oversized frame); this only covers other errors
            if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error')
        })
        let pongWait: NodeJS.Timeout | null = null
        const pingInterval =
            keepAliveMs > 0 && isFinite(keepAliveMs)
                ? setInterval(() => {
                      if (socket.readyState !== socket.OPEN) return
                      // an idle client that does not answer the ping within keepAliveMs is gone
                      pongWait = setTimeout(() => socket.terminate(), keepAliveMs)
                      socket.once('pong', () => {
                          if (pongWait) clearTimeout(pongWait)
                          pongWait = null
                      })
                      socket.ping()
                  }, keepAliveMs)
                : null
        let handlerFailed = false
        const closed = server.opened(
            {
                protocol: socket.protocol,
                send: (data) =>
                    new Promise<void>((resolve, reject) => {
                        if (socket.readyState !== socket.OPEN) return resolve()
                        socket.send(data, (err) => (err ? reject(err) : resolve()))
                    }),
                close: (code, reason) => socket.close(code, reason),
                onMessage: (cb) =>
                    socket.on('message', async (event) => {
                        try {
                            await cb(String(event))
                        } catch (err: any) {
                            if (!handlerFailed) log('error', 'graphql-ws message handling failed', { message: err?.message })
                            handlerFailed = true
                            socket.close(CloseCode.InternalServerError, closeReason(err))
                        }
                    }),
            },
            { socket, request } as WsExtra & Partial<E>,
        )
        socket.once('close', (code, reason) => {
            if (pongWait) clearTimeout(pongWait)
            if (pingInterval) clearInterval(pingInterval)
            void closed(code, String(reason))
        })
    })
    return {
        async dispose() {
            for (const client of wss.clients) client.close(1001, 'Going away')
            wss.removeAllListeners()
            await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())))
        },
    }
}
