/**
 * Where live queries read when there are read replicas. A live query re-runs right after a commit notice; a replica
 * that has not replayed that commit would answer the old result, and the query would not push again until the next
 * commit. So on each notice the primary's WAL position is read once (NOTIFY is delivered after the commit, so the
 * position is past it), and a live query runs on a replica only if that replica has replayed up to it
 * (db-routing.ts `replayedUpTo`); otherwise on the primary. Before the first notice, and when the position cannot be
 * read, live queries read the primary.
 */
import type { Pool } from 'pg'

/** What this needs of db-routing.ts's ReplicaRouter. */
interface ReplayedReplicas {
    replayedUpTo(lsn: string): Promise<{ pool: Pool } | undefined>
}

export class LiveReplicaReads {
    private lsn: string | undefined
    private chain: Promise<void> = Promise.resolve()

    constructor(
        private readonly primary: Pool,
        private readonly router: ReplayedReplicas,
    ) {}

    /** A commit notice arrived: learn the primary's WAL position, then run `then` (in the order notices came). */
    noticed(then: () => void): void {
        this.chain = this.chain.then(async () => {
            try {
                this.lsn = (await this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0].lsn
            } catch {
                this.lsn = undefined
            }
            then()
        })
    }

    /** A replica that holds every notified commit, or undefined: read the primary. */
    async pool(): Promise<Pool | undefined> {
        if (this.lsn === undefined) return undefined
        return (await this.router.replayedUpTo(this.lsn))?.pool
    }
}
