/**
 * /health and /ready.
 *
 *   /health  200 while the database answers and the LISTEN connection (the change feed) is up, else 503:
 *            { ok, db, listening, feedLost, subscribers }.
 *   /ready   /health's checks plus "every migration in db/migrations is applied": 200 or 503, same body + migrated.
 *
 * Cheap and fast whatever the load: the database check is one `SELECT 1` on a pool of its own (one connection;
 * a saturated API pool cannot make a healthy database look down), bounded by a 500 ms timeout, single-flight, and
 * its answer is reused for 1 s, so any rate of probes costs at most one query a second.
 */
import * as fs from 'fs'
import * as path from 'path'
import { Pool } from 'pg'
import { projectRoot } from '../../paths'

export interface HealthDeps {
    databaseUrl: string
    listening: () => boolean
    feedLost: () => boolean
    subscribers: () => number
    /** ms a result is reused (default 1,000) */
    cacheMs?: number
    /** ms the database may take to answer (default 500) */
    timeoutMs?: number
}

export interface HealthState {
    ok: boolean
    db: boolean
    listening: boolean
    feedLost: boolean
    subscribers: number
    migrated?: boolean
}

interface DbState {
    db: boolean
    migrated: boolean
    error?: string
}

/** Timestamps of the migrations shipped in db/migrations (TypeORM stores them in public.migrations). */
function shippedMigrations(): string[] {
    try {
        return fs
            .readdirSync(path.join(projectRoot(), 'db', 'migrations'))
            .map((f) => /^(\d+)-.*\.js$/.exec(f)?.[1])
            .filter((t): t is string => !!t)
    } catch {
        return []
    }
}

export class HealthCheck {
    private readonly pool: Pool
    private readonly migrations = shippedMigrations()
    private cached: { at: number; state: DbState } | undefined
    private inflight: Promise<DbState> | undefined

    constructor(private deps: HealthDeps) {
        const timeout = deps.timeoutMs ?? 500
        this.pool = new Pool({
            connectionString: deps.databaseUrl,
            max: 1,
            connectionTimeoutMillis: timeout,
            query_timeout: timeout,
            idleTimeoutMillis: 60_000,
            application_name: 'settlement-api-health',
        })
        this.pool.on('error', () => undefined) // an idle health connection dying is what the next check reports
    }

    private probe(): Promise<DbState> {
        const timeout = this.deps.timeoutMs ?? 500
        let timer: NodeJS.Timeout | undefined
        const expired = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout)
        })
        const query = this.pool.query(
            `SELECT (SELECT count(*) FROM public.migrations WHERE timestamp::text = ANY($1::text[]))::int AS applied`,
            [this.migrations],
        )
        return Promise.race([query, expired])
            .then((r) => ({ db: true, migrated: r.rows[0].applied >= this.migrations.length }))
            .catch((e: any) => {
                // the table is missing: the database answers, nothing is migrated
                if (e?.code === '42P01') return { db: true, migrated: false }
                return { db: false, migrated: false, error: String(e?.message ?? e).slice(0, 200) }
            })
            .finally(() => clearTimeout(timer))
    }

    private async dbState(): Promise<DbState> {
        const now = Date.now()
        if (this.cached && now - this.cached.at < (this.deps.cacheMs ?? 1_000)) return this.cached.state
        this.inflight ??= this.probe().then((state) => {
            this.cached = { at: Date.now(), state }
            this.inflight = undefined
            return state
        })
        return this.inflight
    }

    /** /health (ready = false) or /ready (ready = true) */
    async state(ready: boolean): Promise<HealthState> {
        const d = await this.dbState()
        const listening = this.deps.listening()
        const feedLost = this.deps.feedLost()
        const ok = d.db && listening && (!ready || d.migrated)
        const out: HealthState = { ok, db: d.db, listening, feedLost, subscribers: this.deps.subscribers() }
        if (ready) out.migrated = d.migrated
        return out
    }

    async close(): Promise<void> {
        await this.pool.end().catch(() => undefined)
    }
}
