/**
 * How far behind each read replica is, probed once a second on the replica itself (no primary round trip):
 * 0 when it has replayed everything it received, else the age of the last transaction it replayed. That is the
 * usual standby lag estimate; its one flaw: after a long idle period, the first new commit shows the whole idle
 * time as lag until it is replayed (milliseconds), so a probe landing in that window may skip a healthy replica for
 * one interval: reads then go to another replica or the primary, never to stale data.
 *
 * With `maxLagMs` > 0 the router (db-routing.ts) skips a replica whose last probe says it is further behind.
 */
import type { Pool } from 'pg'

const LAG_SQL = `SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())), 0)
END::float8 AS lag`

export class ReplicaLag {
    /** seconds behind, per replica name; absent: never probed or the last probe failed */
    readonly seconds = new Map<string, number>()
    private timer?: NodeJS.Timeout
    private running = false

    constructor(
        private readonly replicas: { name: string; pool: Pool }[],
        readonly maxLagMs: number,
        private readonly intervalMs = 1_000,
    ) {}

    start(): this {
        if (this.replicas.length === 0 || this.timer) return this
        void this.probe()
        this.timer = setInterval(() => void this.probe(), this.intervalMs)
        this.timer.unref()
        return this
    }

    /** is `name` further behind than allowed (false when unknown or no limit) */
    tooFarBehind(name: string): boolean {
        if (this.maxLagMs <= 0) return false
        const s = this.seconds.get(name)
        return s !== undefined && s * 1000 > this.maxLagMs
    }

    async probe(): Promise<void> {
        if (this.running) return
        this.running = true
        try {
            await Promise.all(
                this.replicas.map(async (r) => {
                    try {
                        const res = await r.pool.query(LAG_SQL)
                        this.seconds.set(r.name, Number(res.rows[0].lag))
                    } catch {
                        // unreachable: the router finds out by itself and falls back
                        this.seconds.delete(r.name)
                    }
                }),
            )
        } finally {
            this.running = false
        }
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer)
        this.timer = undefined
    }
}
