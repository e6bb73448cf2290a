/**
 * Read replicas (DATABASE_READ_URL): queries, /sql and live queries read from a streaming replica;
 * mutations, API keys, idempotency, LISTEN and the change feed stay on the primary.
 *
 * - Which pool: `routeContext` (route-context.ts) runs before every GraphQL operation (HTTP and graphql-ws). A mutation keeps the
 *   primary for everything it reads, including the fields of its own result (read-your-own-write); a caller that
 *   ran a mutation in this process reads from the primary for `readAfterWriteMs` afterwards, so its next query
 *   sees the write even when the replica is behind.
 * - The change feed (pubsub/feed.ts) reads the rows a notice names right after the primary committed them: on a
 *   lagging replica they would be missing and the events lost, so it stays on the primary (one query per topic
 *   per notice, shared by all subscribers: little load).
 * - Live queries re-run right after a commit notice too, but there are many of them: they read a replica that has
 *   replayed the primary's WAL past the notice (live/replica-reads.ts, `replayedUpTo`), else the primary.
 * - Among replicas: the least busy (waiting clients, then checked-out connections), round-robin on ties.
 * - A replica further behind than `maxLagMs` (replica-lag.ts; DATABASE_READ_MAX_LAG_MS) is skipped while it is.
 * - A replica that cannot be reached (connection refused/reset, shutting down, a recovery conflict) is skipped for
 *   `retryMs` and the statement runs on the primary instead; logged once per outage, and once when it is back.
 */
import type { Pool, PoolClient, PoolConfig, QueryConfig, QueryResult } from 'pg'
import type { LiveReplicaReads } from './live/replica-reads'
import type { ReplicaLag } from './replica-lag'

type Log = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void

/** SQLSTATEs after which the same read may succeed on another server (connection class, shutdown, recovery conflict). */
const RETRYABLE_SQLSTATE = /^(08...|57P01|57P02|57P03|40001)$/
const RETRYABLE_NODE = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/

/** Did `e` come from the server being unreachable (retry elsewhere), not from the statement itself? */
export function isReplicaFailure(e: any): boolean {
    const code = typeof e?.code === 'string' ? e.code : ''
    if (RETRYABLE_SQLSTATE.test(code) || RETRYABLE_NODE.test(code)) return true
    return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(String(e?.message ?? ''))
}

interface Replica {
    name: string
    pool: Pool
    downUntil: number
}

/**
 * The pool-shaped reader (`query` and `connect`, what the resolvers, OpenReader's context and /sql use):
 * every call goes to a healthy replica, or the primary.
 */
export class ReplicaRouter {
    private readonly replicas: Replica[]
    private next = 0
    /** statements served per target (replica name or "primary"), for /metrics and tests */
    readonly served = new Map<string, number>()
    /** the latest WAL position each replica was seen to have replayed (replayedUpTo) */
    private replayed = new Map<string, string>()
    readonly fallbacks = { count: 0 }

    constructor(
        replicas: { name: string; pool: Pool }[],
        readonly primary: Pool,
        private readonly options: { retryMs?: number; log?: Log; tooFarBehind?: (name: string) => boolean } = {},
    ) {
        this.replicas = replicas.map((r) => ({ ...r, downUntil: 0 }))
    }

    get pools(): { name: string; pool: Pool }[] {
        return this.replicas.map(({ name, pool }) => ({ name, pool }))
    }

    private pick(now = Date.now()): Replica | undefined {
        let best: Replica | undefined
        let bestLoad = Infinity
        const n = this.replicas.length
        for (let i = 0; i < n; i++) {
            const r = this.replicas[(this.next + i) % n]
            if (r.downUntil > now || this.options.tooFarBehind?.(r.name)) continue
            const load = r.pool.waitingCount * 1_000 + (r.pool.totalCount - r.pool.idleCount)
            if (load < bestLoad) {
                best = r
                bestLoad = load
            }
        }
        this.next = (this.next + 1) % Math.max(1, n)
        return best
    }

    private count(target: string) {
        this.served.set(target, (this.served.get(target) ?? 0) + 1)
    }

    private failed(r: Replica, e: any) {
        const wasUp = r.downUntil === 0
        r.downUntil = Date.now() + (this.options.retryMs ?? 5_000)
        this.fallbacks.count++
        if (wasUp) this.options.log?.('warn', `read replica ${r.name} unavailable: reading from the primary until it is back`, { error: e?.message, code: e?.code })
    }

    private ok(r: Replica) {
        if (r.downUntil !== 0) {
            r.downUntil = 0
            this.options.log?.('info', `read replica ${r.name} is back`)
        }
    }

    query(config: string | QueryConfig, values?: unknown[]): Promise<QueryResult<any>> {
        return this.run((pool) => pool.query(config as any, values as any))
    }

    connect(): Promise<PoolClient> {
        return this.run((pool) => pool.connect())
    }

    private async run<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
        const r = this.pick()
        if (r) {
            try {
                const out = await fn(r.pool)
                this.ok(r)
                this.count(r.name)
                return out
            } catch (e) {
                if (!isReplicaFailure(e)) throw e
                this.failed(r, e)
            }
        }
        this.count('primary')
        return fn(this.primary)
    }

    /**
     * A replica that has replayed the primary's WAL up to `lsn` (so it holds every commit made before that point),
     * or undefined: read the primary. One round trip per replica and position; counted as one statement served.
     */
    async replayedUpTo(lsn: string): Promise<{ name: string; pool: Pool } | undefined> {
        const now = Date.now()
        for (let i = 0; i < this.replicas.length; i++) {
            const r = this.replicas[(this.next + i) % this.replicas.length]
            if (r.downUntil > now || this.options.tooFarBehind?.(r.name)) continue
            if (this.replayed.get(r.name) !== lsn) {
                try {
                    // NULL (not a standby) counts as not replayed
                    const res = await r.pool.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [lsn])
                    this.ok(r)
                    if (res.rows[0]?.ok !== true) continue
                    this.replayed.set(r.name, lsn)
                } catch (e) {
                    if (!isReplicaFailure(e)) throw e
                    this.failed(r, e)
                    continue
                }
            }
            this.next = (this.next + 1) % this.replicas.length
            this.count(r.name)
            return { name: r.name, pool: r.pool }
        }
        return undefined
    }

    /** a Pool-typed view for code that takes a pg Pool but only calls query/connect */
    asPool(): Pool {
        return this as unknown as Pool
    }

    async end(): Promise<void> {
        await Promise.all(this.replicas.map((r) => r.pool.end().catch(() => undefined)))
    }
}

/** Remembers callers that wrote recently: their reads go to the primary for `windowMs`. */
export class RecentWriters {
    private until = new Map<number, number>()

    constructor(readonly windowMs: number) {}

    wrote(keyId: number, now = Date.now()): void {
        if (this.windowMs <= 0) return
        this.until.set(keyId, now + this.windowMs)
        if (this.until.size > 10_000) for (const [k, t] of this.until) if (t <= now) this.until.delete(k)
    }

    recent(keyId: number | undefined, now = Date.now()): boolean {
        if (keyId === undefined) return false
        const t = this.until.get(keyId)
        if (t === undefined) return false
        if (t > now) return true
        this.until.delete(keyId)
        return false
    }
}

export interface ReadRouting {
    router: ReplicaRouter
    writers: RecentWriters
    /** replica lag probe (replica-lag.ts) */
    lag: ReplicaLag
    /** where live queries read (live/replica-reads.ts) */
    live: LiveReplicaReads
}

/** "host:port" of a database URL: the replica's name in logs and metrics (no credentials). */
export function replicaName(url: string): string {
    try {
        const u = new URL(url)
        return `${u.hostname}:${u.port || '5432'}`
    } catch {
        return 'replica'
    }
}

/** `url` with another user and password (the /sql read-only role on a replica). */
export function withCredentials(url: string, user: string, password: string): string {
    const u = new URL(url)
    u.username = user
    u.password = encodeURIComponent(password)
    return u.toString()
}

/**
 * A router over the replica `urls` whose pools copy the settings of `like` (size, timeouts, application name):
 * `sameCredentials` keeps like's user and password (the /sql read-only role) instead of the URL's.
 */
export function routerLike(
    like: Pool,
    urls: string[],
    create: (config: PoolConfig) => Pool,
    opts: { log?: Log; sameCredentials?: boolean; applicationName?: string; tooFarBehind?: (name: string) => boolean } = {},
): ReplicaRouter {
    const base = (like as unknown as { options: PoolConfig }).options
    const own = base.connectionString ? new URL(base.connectionString) : undefined
    const seen = new Map<string, number>()
    const replicas = urls.map((raw) => {
        let name = replicaName(raw)
        const n = (seen.get(name) ?? 0) + 1
        seen.set(name, n)
        if (n > 1) name = `${name}#${n}`
        const url = opts.sameCredentials && own ? withCredentials(raw, decodeURIComponent(own.username), decodeURIComponent(own.password)) : raw
        const pool = create({ ...base, connectionString: url, application_name: opts.applicationName ?? base.application_name })
        pool.on('error', (e) => opts.log?.('warn', `idle connection to read replica ${name} failed`, { message: e.message }))
        return { name, pool }
    })
    return new ReplicaRouter(replicas, like, { log: opts.log, tooFarBehind: opts.tooFarBehind })
}
