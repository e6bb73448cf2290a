import { GraphQLError } from 'graphql'
import type { Pool } from 'pg'
import type { WebSocket } from 'ws'
import { resolveCaller } from './api-keys'
import type { Caller } from './context'
import type { LogFn } from './http-deps'

/** Close code for a socket whose API key was revoked (the code graphql-ws uses for a refused connection). */
export const WS_CLOSE_REVOKED = 4403

interface Tracked {
    header: string
    caller: Caller
}

/**
 * The API keys of open graphql-ws sockets, so that a key revoked after `connection_init` loses its rights: the key
 * is checked again at each operation (`recheck`), sockets are closed when a revocation notice arrives (`revoked`),
 * and every `revalidateMs` all keys are checked through the key cache, which covers missed notices.
 */
export class WsAuth {
    private readonly sockets = new Map<WebSocket, Tracked>()
    private readonly timer: NodeJS.Timeout
    private sweeping = false
    /** the last sweep failed (logged once until one succeeds) */
    private failing = false

    constructor(
        private readonly db: Pool,
        private readonly log: LogFn,
        revalidateMs: number,
    ) {
        this.timer = setInterval(() => void this.sweep(), revalidateMs)
        this.timer.unref()
    }

    track(socket: WebSocket, header: string, caller: Caller): void {
        this.sockets.set(socket, { header, caller })
        socket.once('close', () => this.sockets.delete(socket))
    }

    /** The socket's caller now; undefined (and the socket closed) when its key was revoked. Throws on DB errors. */
    async recheck(socket: WebSocket): Promise<Caller | undefined> {
        const t = this.sockets.get(socket)
        if (!t) return undefined
        try {
            t.caller = (await resolveCaller(this.db, t.header))!
            return t.caller
        } catch (e) {
            if (e instanceof GraphQLError && e.extensions?.code === 'UNAUTHENTICATED') {
                this.closeSocket(socket)
                return undefined
            }
            throw e
        }
    }

    /** Key `keyId` was revoked: close its sockets. Undefined: notices may have been missed, check every key. */
    revoked(keyId: number | undefined): void {
        if (keyId === undefined) return void this.sweep()
        for (const [socket, t] of this.sockets) if (t.caller.keyId === keyId) this.closeSocket(socket)
    }

    private closeSocket(socket: WebSocket) {
        this.sockets.delete(socket)
        socket.close(WS_CLOSE_REVOKED, 'Forbidden: API key revoked')
    }

    private async sweep() {
        if (this.sweeping) return
        this.sweeping = true
        try {
            // one lookup per distinct key, not per socket
            const byHeader = new Map<string, WebSocket[]>()
            for (const [socket, t] of this.sockets) byHeader.set(t.header, [...(byHeader.get(t.header) ?? []), socket])
            for (const sockets of byHeader.values()) {
                const ok = await this.recheck(sockets[0])
                if (!ok) for (const s of sockets.slice(1)) this.closeSocket(s)
            }
            if (this.failing) this.log('info', 'graphql-ws key re-check works again')
            this.failing = false
        } catch (e: any) {
            if (!this.failing) this.log('warn', 'graphql-ws key re-check failed (will retry)', { message: e?.message })
            this.failing = true
        } finally {
            this.sweeping = false
        }
    }

    close(): void {
        clearInterval(this.timer)
        this.sockets.clear()
    }
}
