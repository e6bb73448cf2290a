/** The Node http server: its timeouts, a plain 400 for unparseable requests, listening, and closing with its sockets. */
import * as http from 'http'
import type { AddressInfo } from 'net'
import type { Cleanups } from './cleanups'

export function createHttpServer(listener: http.RequestListener): http.Server {
    const server = http.createServer(listener)
    server.requestTimeout = 60_000
    server.headersTimeout = 20_000
    server.keepAliveTimeout = 5_000
    server.on('clientError', (_err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
        else socket.destroy()
    })
    return server
}

/** Listens on host:port (0: a free port); on close, stops accepting and drops open connections. Resolves the port. */
export async function listen(server: http.Server, port: number, host: string, cleanups: Cleanups): Promise<number> {
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
            server.off('error', reject)
            resolve()
        })
    })
    cleanups.push(
        () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve())
                server.closeAllConnections()
            }),
    )
    return (server.address() as AddressInfo).port
}
