/**
 * The second core during a backfill: the append-only event tables (SIDE_TABLES: an escrow movement and a
 * ProtocolEventRow per other log) and the time-travel versions' COPY (persist.ts queueHistory) go through
 * a second connection, while the handler's own connection writes the rest (accounts, rollups, the closing of open
 * versions): two backends instead of one.
 *
 * When: finalized blocks only (no hot-block change tracker: nothing of it is ever rolled back) and only while the
 * deferred indexes are dropped (deferred-indexes.ts), so that no foreign key makes a side row wait for the
 * handler's uncommitted accounts or batches.
 *
 * Why nothing is lost or doubled: each COPY commits on its own, and the handler waits for all of them (persist())
 * before it returns, so squid's status row, which commits after the handler, never claims a block whose side rows
 * are not committed. The other way round, side rows committed for a call whose transaction then fails (kill,
 * crash, Postgres restart) are rows above the committed status: squid hands those blocks to the handler again,
 * and the first call of every process deletes the side tables' rows at or after its first block
 * (`clearSideFromStatements`, in that call's transaction) before anything is written; versions are cleared the
 * same way by history.ts (`clearFromStatements`, which also reopens what the failed call closed). Readers may see a call's side rows a moment before its status commits, during a backfill only.
 */
import type { EntityManager } from 'typeorm'
import { PgClient, sideConnection } from '../sdk-internals'
import { copyFrom } from './pg-copy'
import type { Statement } from './table-plan'

/** entity class → table whose rows go through the side connection (block column: block_number) */
export const SIDE_TABLES: Readonly<Record<string, string>> = { EscrowMovement: 'escrow_movement', ProtocolEventRow: 'protocol_event_row' }

/** Rows a failed call may have committed through the side connection: deleted at or after `height`. */
export function clearSideFromStatements(height: number): Statement[] {
    return Object.values(SIDE_TABLES).map((t) => ({ sql: `DELETE FROM "${t}" WHERE block_number >= $1::int4`, params: [String(height)] }))
}

const SIDE_LOCK_TIMEOUT = '30s'

/** COPY statements sent on a second connection (each commits on its own); one instance per handler call. */
export class SideWriter {
    private pending: Promise<unknown>[] = []

    private constructor(
        private client: PgClient,
        private releaseConnection: () => Promise<void>,
    ) {}

    /** A side writer on a second pooled connection, or undefined when none can be had (then all goes through the handler's). */
    static async open(em: EntityManager): Promise<SideWriter | undefined> {
        const c = await sideConnection(em)
        if (!c) return undefined
        // the handler's transaction waits for the side connection: a lock the side waited for behind that
        // transaction would never come, so such a wait fails (and ends the call) instead of hanging
        await c.client.query(`SET lock_timeout = '${SIDE_LOCK_TIMEOUT}'`, [])
        return new SideWriter(c.client, async () => {
            await c.client.query('RESET lock_timeout', []).catch(() => {})
            await c.release()
        })
    }

    /** Whether rows of entity class `name` go through this writer. */
    takes(name: string): boolean {
        return name in SIDE_TABLES
    }

    /** Queue COPY statements (FIFO on the side connection); anything else is refused. */
    send(stmts: Statement[]): void {
        for (const s of stmts) {
            if (s.copyData === undefined) throw new Error(`side writes are COPY only: ${s.sql.slice(0, 60)}`)
            const p = copyFrom(this.client as any, s.sql, [Buffer.from(s.copyData)])
            p.catch(() => {}) // observed in drain()
            this.pending.push(p)
        }
    }

    /** Resolves when everything sent so far has completed, failed or not. */
    drainMark(): Promise<void> {
        const last = this.pending[this.pending.length - 1]
        return last ? last.then(() => {}, () => {}) : Promise.resolve()
    }

    /** Wait for everything sent; throws the first failure. */
    async drain(): Promise<void> {
        const pending = this.pending
        this.pending = []
        for (const p of pending) await p
    }

    /** Wait for everything sent, then give the connection back; throws the first failure (after releasing). */
    async close(): Promise<void> {
        try {
            await this.drain()
        } finally {
            await this.releaseConnection()
        }
    }
}
