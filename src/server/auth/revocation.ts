import { API_KEYS_CHANNEL, clearApiKeyCache, evictApiKey } from '../api-keys'
import { NotifyListener } from '../pubsub/listener'

/**
 * Revocations as they happen: `revokeApiKey` (the apikey CLI, any process) sends `NOTIFY squid_api_keys, '<id>'`.
 * This LISTENs on its own connection, evicts the key from the cache and tells the subscribers (ws.ts closes the
 * key's sockets). After a lost LISTEN connection the whole cache is dropped and subscribers re-check every key
 * (`keyId` undefined), since notices sent meanwhile are lost.
 */
export class RevocationFeed {
    private readonly listener: NotifyListener
    private readonly handlers = new Set<(keyId?: number) => void>()

    constructor(databaseUrl: string, log: (message: string, fields?: Record<string, unknown>) => void) {
        this.listener = new NotifyListener({
            connection: { connectionString: databaseUrl, application_name: 'settlement-api-keys' },
            channel: API_KEYS_CHANNEL,
            onNotify: (payload) => {
                const id = Number(payload)
                if (!Number.isSafeInteger(id)) return
                evictApiKey(id)
                this.emit(id)
            },
            onReconnect: () => {
                clearApiKeyCache()
                this.emit(undefined)
            },
            log,
        })
    }

    start(): Promise<void> {
        return this.listener.start()
    }

    get connected(): boolean {
        return this.listener.connected
    }

    /** `fn(id)` after key `id` was revoked; `fn(undefined)`: revocations may have been missed, re-check all. */
    onRevoked(fn: (keyId?: number) => void): () => void {
        this.handlers.add(fn)
        return () => this.handlers.delete(fn)
    }

    private emit(id: number | undefined) {
        for (const fn of this.handlers) fn(id)
    }

    stop(): Promise<void> {
        this.handlers.clear()
        return this.listener.stop()
    }
}
