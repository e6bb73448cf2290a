/**
 * One dedicated Postgres connection that LISTENs on the processor's channel. It reconnects forever with
 * exponential backoff (250 ms doubling to 10 s, with jitter) and calls `onReconnect` after every
 * re-established LISTEN so the consumer can catch up on what it missed while disconnected.
 */
import { Client, ClientConfig, Notification } from 'pg'

export interface ListenerOptions {
    connection: ClientConfig
    channel: string
    onNotify: (payload: string | undefined) => void
    /** after a reconnect (not after the first connect) */
    onReconnect?: () => void | Promise<void>
    log?: (msg: string, fields?: Record<string, unknown>) => void
    minBackoffMs?: number
    maxBackoffMs?: number
}

export class NotifyListener {
    private client: Client | undefined
    private stopped = false
    private attempts = 0
    private everConnected = false
    private timer: NodeJS.Timeout | undefined
    private connecting: Promise<void> | undefined
    connected = false
    reconnects = 0
    /** when the LISTEN connection was last lost or first failed (undefined while connected) */
    downSince: number | undefined

    constructor(private options: ListenerOptions) {}

    /** Resolves after the first LISTEN succeeded or failed (it keeps retrying in the background). */
    start(): Promise<void> {
        return this.connect()
    }

    private connect(): Promise<void> {
        if (this.connecting) return this.connecting
        this.connecting = this.doConnect().finally(() => (this.connecting = undefined))
        return this.connecting
    }

    private async doConnect(): Promise<void> {
        if (this.stopped) return
        const client = new Client({ ...this.options.connection, keepAlive: true, statement_timeout: undefined })
        this.client = client
        let failed = false
        const onGone = (err?: Error) => {
            if (failed) return
            failed = true
            if (this.client === client) this.client = undefined
            const wasConnected = this.connected
            this.connected = false
            this.downSince ??= Date.now()
            client.removeAllListeners('notification')
            client.end().catch(() => {})
            if (this.stopped) return
            if (wasConnected) this.options.log?.('LISTEN connection lost; reconnecting', { error: err?.message })
            this.schedule()
        }
        client.on('error', (e) => onGone(e))
        client.on('end', () => onGone())
        client.on('notification', (msg: Notification) => {
            if (msg.channel === this.options.channel) this.options.onNotify(msg.payload)
        })
        try {
            await client.connect()
            await client.query(`LISTEN "${this.options.channel.replace(/"/g, '""')}"`)
        } catch (e: any) {
            if (this.attempts === 0 || this.attempts % 10 === 0) this.options.log?.('cannot LISTEN (will retry)', { error: e?.message, attempt: this.attempts + 1 })
            onGone(e)
            return
        }
        if (this.stopped) {
            await client.end().catch(() => {})
            return
        }
        this.connected = true
        this.downSince = undefined
        this.attempts = 0
        if (this.everConnected) {
            this.reconnects++
            this.options.log?.('LISTEN connection re-established')
            try {
                await this.options.onReconnect?.()
            } catch (e: any) {
                this.options.log?.('catch-up after reconnect failed', { error: e?.message })
            }
        }
        this.everConnected = true
    }

    private schedule() {
        if (this.stopped || this.timer) return
        const min = this.options.minBackoffMs ?? 250
        const max = this.options.maxBackoffMs ?? 10_000
        const base = Math.min(max, min * 2 ** Math.min(this.attempts, 16))
        this.attempts++
        const delay = Math.round(base / 2 + Math.random() * (base / 2))
        this.timer = setTimeout(() => {
            this.timer = undefined
            void this.connect()
        }, delay)
        this.timer.unref()
    }

    /** For tests: drop the connection as if the network failed. */
    async simulateDisconnect(): Promise<void> {
        const c = this.client
        if (!c) return
        ;(c as any).connection?.stream?.destroy()
    }

    async stop(): Promise<void> {
        this.stopped = true
        if (this.timer) clearTimeout(this.timer)
        this.timer = undefined
        if (this.connecting) await this.connecting.catch(() => {})
        const c = this.client
        this.client = undefined
        this.connected = false
        if (c) {
            c.removeAllListeners('notification')
            await c.end().catch(() => {})
        }
    }
}
