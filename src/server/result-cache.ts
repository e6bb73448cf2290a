/**
 * Responses of GraphQL queries, cached for a short time and dropped whenever the indexed data changes.
 *
 * Dashboards poll the same few queries with the same arguments (many viewers, one query text each): between two
 * processor commits every such request would run the same SQL and serialize the same JSON. The processor NOTIFYs
 * `squid_batch` after each commit; on that notice (and on a LISTEN reconnect, when notices may have been missed)
 * the whole cache is dropped, so an answer never outlives the data it was read from by more than the notice's
 * delivery. `ttlMs` bounds everything else: values that change without a processor commit (the chain head and
 * lag in `squidStatus`), a notice lost with the LISTEN connection. graph-node caches query results per block in
 * the same spirit.
 *
 * Only successful query operations are stored (no errors; never mutations or subscriptions); the key is the raw
 * request body plus the caller (API key id, or anonymous) and the response media type. A request that started
 * before a notice stores nothing after it (generation check), so a read of the old data cannot land in the new
 * generation. Bounded in entries and bytes (oldest first out).
 */
export interface ResultCacheOptions {
    /** longest time an answer is served from the cache (0 disables the cache) */
    ttlMs: number
    /** entries kept (default 2,000) */
    maxEntries?: number
    /** total size of the kept responses (default 32 MiB) */
    maxBytes?: number
    /** larger responses are not kept (default 256 KiB) */
    maxEntryBytes?: number
}

interface Entry {
    body: string
    contentType: string
    /** Content-Length of `body` (UTF-8 bytes), computed once */
    contentLength: string
    expires: number
    bytes: number
    /** the operation's name (metrics label of a hit) */
    operation?: string
}

export class ResultCache {
    private entries = new Map<string, Entry>()
    private bytes = 0
    /** bumped by every invalidation */
    private gen = 0
    hits = 0
    misses = 0
    private readonly maxEntries: number
    private readonly maxBytes: number
    private readonly maxEntryBytes: number

    constructor(readonly options: ResultCacheOptions) {
        this.maxEntries = options.maxEntries ?? 2_000
        this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024
        this.maxEntryBytes = options.maxEntryBytes ?? 256 * 1024
    }

    get enabled(): boolean {
        return this.options.ttlMs > 0
    }

    get size(): number {
        return this.entries.size
    }

    get generation(): number {
        return this.gen
    }

    static key(body: string, callerKeyId: string | undefined, mediaType: string): string {
        return `${callerKeyId ?? '-'}\n${mediaType}\n${body}`
    }

    get(key: string, now = Date.now()): Entry | undefined {
        const e = this.entries.get(key)
        if (e && e.expires > now) {
            this.hits++
            return e
        }
        if (e) this.remove(key, e)
        this.misses++
        return undefined
    }

    /** Keep `body` unless the data changed since `generation` was read (the request's start). */
    set(key: string, generation: number, body: string, contentType: string, now = Date.now(), operation?: string): void {
        if (!this.enabled || generation !== this.gen) return
        const bytes = body.length * 2 + key.length * 2
        if (body.length > this.maxEntryBytes) return
        const old = this.entries.get(key)
        if (old) this.remove(key, old)
        while (this.entries.size > 0 && (this.entries.size >= this.maxEntries || this.bytes + bytes > this.maxBytes)) {
            const [k, e] = this.entries.entries().next().value as [string, Entry]
            this.remove(k, e)
        }
        this.entries.set(key, { body, contentType, contentLength: String(Buffer.byteLength(body)), expires: now + this.options.ttlMs, bytes, operation })
        this.bytes += bytes
    }

    /** The indexed data changed (or may have): nothing cached so far is served again. */
    invalidate(): void {
        this.gen++
        this.entries.clear()
        this.bytes = 0
    }

    private remove(key: string, e: Entry): void {
        this.entries.delete(key)
        this.bytes -= e.bytes
    }
}
