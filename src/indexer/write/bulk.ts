/**
 * Bulk writes for the handler's one-write-per-entity-class: `INSERT ... SELECT FROM unnest($1::type[], ...)`
 * (one array parameter per column, whatever the number of rows) instead of typeorm's multi-row VALUES, whose
 * query building (one placeholder per value, parameter lookups, escaping) costs more CPU than Postgres spends
 * on the rows, and which typeorm-store cuts into statements of 1,000 rows. Plain inserts of finalized blocks go
 * further: `COPY ... FROM STDIN` in text format (see prepareInsert).
 *
 * Same rows, same values as `store.insert` / `store.upsert`:
 * - values follow the columns' transformers (bigint/float → decimal string); relations are written as their
 *   id, dates as ISO timestamps, JSON as its text;
 * - upsert is `ON CONFLICT (id) DO UPDATE SET <every written column> = EXCLUDED.<column>`, and a column that
 *   is undefined in every row is left out (kept as stored, like typeorm's upsert); rows that leave different
 *   columns undefined are written in separate statements (typeorm-store does the same for relations).
 * Rollups (`prepareRollupMerge`) are merged by Postgres instead of being loaded first: counters are added to
 * the stored row (`col = t.col + EXCLUDED.col`), snapshot fields set in this call overwrite, everything else
 * keeps the stored value — what RollupBuffer.merge does in memory.
 *
 * Pipelining (BulkSession): statements are prepared (encoded to array literals) in JS and queued on the
 * transaction's connection without waiting for the previous one, so the database executes statement k while
 * statement k+1 is being encoded; they run in the order they were queued (one connection, FIFO), so foreign
 * keys see the rows written before them, as with awaited writes. `drain()` waits for all of them.
 *
 * Hot blocks: typeorm-store's change tracker (rollback log) is called before each write with the same rows, as
 * its own insert / upsert do.
 *
 * The bulk path is used only where it is plainly equivalent; otherwise the caller goes to the store:
 * - stores without an EntityManager (the tests' in-memory store), or whose internals are not as expected;
 * - entity classes with a column type not listed in table-plan.ts PG_TYPES (bytea, arrays other than integer arrays, which go
 *   through COPY only: inserts of finalized blocks), or an undefined value in a
 *   column with a database default.
 */
import { Store } from '@subsquid/typeorm-store'
import type { EntityManager } from 'typeorm'
import { ChangeTracker, PgClient, storeInternals } from '../sdk-internals'
import { copyFrom } from './pg-copy'
import { Cls, NUMERIC_TYPES, Row, Statement, TablePlan, chunks, copySql, encodeRows, insertSql, planFor, sameClass } from './table-plan'

export type { Statement } from './table-plan'

/**
 * The handler call's bulk writer: the transaction's EntityManager and connection (private API of
 * typeorm-store 1.5 / typeorm, reached and checked in ../sdk-internals.ts). For a hot block the store's change tracker is called
 * before each write, exactly as typeorm-store's own insert / upsert do (`tracked`); statements are then not
 * pipelined across entity classes (each write waits for the tracker, which reads the rows' prior state).
 */
export class BulkSession {
    private pending: Promise<unknown>[] = []

    private constructor(
        private em: EntityManager,
        private client: PgClient | undefined,
        readonly tracker: ChangeTracker | undefined,
    ) {}

    static of(store: Store): BulkSession | undefined {
        const s = storeInternals(store)
        return s && new BulkSession(s.em, s.client, s.tracker)
    }

    /** Record `rows` with the hot-block change tracker (no-op for finalized blocks), after everything sent. */
    async track(kind: 'insert' | 'upsert', rows: Row[]): Promise<void> {
        if (!this.tracker || rows.length === 0) return
        await this.drain()
        const cls = rows[0].constructor as Cls
        if (kind === 'insert') await this.tracker.trackInsert(cls, rows)
        else await this.tracker.trackUpsert(cls, rows)
    }

    /**
     * `store.insert(rows)` as statements, or null when not on the bulk path. With the raw connection and no
     * change tracker (finalized blocks) they are `COPY ... FROM STDIN`: Postgres takes rows through COPY about
     * twice as fast as through INSERT ... SELECT FROM unnest (batched heap inserts, no array parsing), and an
     * insert has nothing COPY cannot do (no ON CONFLICT). A hot block keeps INSERT, as the tracker expects.
     */
    prepareInsert(rows: Row[]): Statement[] | null {
        const plan = this.plan(rows)
        if (!plan) return null
        const asCopy = this.client !== undefined && this.tracker === undefined
        if (plan.copyOnly && !asCopy) return null
        const out: Statement[] = []
        for (const part of chunks(rows)) {
            const groups = encodeRows(plan, part, false, asCopy)
            if (!groups || groups.some((g) => !g.columns.some((c) => c.prop === 'id'))) return null
            for (const g of groups) {
                out.push(asCopy ? { sql: copySql(plan, g.columns), params: [], copyData: g.copyData } : { sql: insertSql(plan, g.columns), params: g.params })
            }
        }
        return out
    }

    /** `store.upsert(rows)` as statements, or null when not on the bulk path. */
    prepareUpsert(rows: Row[]): Statement[] | null {
        const plan = this.plan(rows)
        if (!plan || plan.copyOnly) return null
        const out: Statement[] = []
        for (const part of chunks(rows)) {
            const groups = encodeRows(plan, part, true)
            if (!groups || groups.some((g) => !g.columns.some((c) => c.prop === 'id'))) return null
            for (const g of groups) {
                const set = g.columns.filter((c) => c.prop !== 'id').map((c) => `${c.q} = EXCLUDED.${c.q}`)
                const conflict = set.length ? ` ON CONFLICT ("id") DO UPDATE SET ${set.join(', ')}` : ` ON CONFLICT ("id") DO NOTHING`
                out.push({ sql: insertSql(plan, g.columns) + conflict, params: g.params })
            }
        }
        return out
    }

    /**
     * Rollup deltas merged into the stored rows by Postgres (see the header), or null where that is not
     * plainly equivalent to RollupBuffer.merge + upsert (the caller then does that).
     */
    prepareRollupMerge(deltas: Row[], snapshotFields: readonly string[], snapshotsOf: (id: string) => ReadonlySet<string> | undefined): Statement[] | null {
        const plan = this.plan(deltas)
        if (!plan || plan.copyOnly) return null
        const snap = new Set(snapshotFields)
        const counters = plan.columns.filter((c) => c.prop !== 'id' && !snap.has(c.prop) && NUMERIC_TYPES.has(c.type))
        // RollupBuffer.merge adds exactly the fields holding a number or bigint: those must be the counter columns
        for (const c of plan.columns) {
            if (c.prop === 'id' || snap.has(c.prop)) continue
            const counter = counters.includes(c)
            for (const r of deltas) {
                const v = (r as any)[c.prop]
                if ((typeof v === 'number' || typeof v === 'bigint') !== counter) return null
            }
        }
        const snapCols = plan.columns.filter((c) => snap.has(c.prop))
        // rows that set different snapshot fields go to different statements
        const bySig = new Map<string, Row[]>()
        for (const r of deltas) {
            const set = snapshotsOf(r.id)
            const sig = snapCols.map((c) => (set?.has(c.prop) ? '1' : '0')).join('')
            let list = bySig.get(sig)
            if (!list) bySig.set(sig, (list = []))
            list.push(r)
        }
        const out: Statement[] = []
        for (const [sig, rows] of bySig) {
            for (const part of chunks(rows)) {
                const groups = encodeRows(plan, part, true)
                // every column written for every row (the merge adds to each counter)
                if (!groups || groups.length !== 1 || groups[0].columns.length !== plan.columns.length) return null
                const set = [
                    ...counters.map((c) => `${c.q} = t.${c.q} + EXCLUDED.${c.q}`),
                    ...snapCols.filter((_, k) => sig[k] === '1').map((c) => `${c.q} = EXCLUDED.${c.q}`),
                ]
                const conflict = set.length ? ` ON CONFLICT ("id") DO UPDATE SET ${set.join(', ')}` : ` ON CONFLICT ("id") DO NOTHING`
                out.push({ sql: insertSql(plan, groups[0].columns) + conflict, params: groups[0].params })
            }
        }
        return out
    }

    /**
     * Queue statements on the connection without waiting (FIFO with everything queued before). Without a raw
     * connection they are run one after the other through the EntityManager (still in order).
     */
    send(stmts: Statement[]): void {
        for (const s of stmts) {
            let p: Promise<unknown>
            if (this.client) {
                p = s.copyData !== undefined ? copyFrom(this.client as any, s.sql, [Buffer.from(s.copyData)]) : this.client.query(s.sql, s.params)
            } else {
                const prev = this.pending.length ? this.pending[this.pending.length - 1] : Promise.resolve()
                p = prev.then(() => this.em.query(s.sql, s.params))
            }
            p.catch(() => {}) // observed in drain()
            this.pending.push(p)
        }
    }

    /** Resolves when everything sent so far has completed, failed or not (failures are drain()'s to throw). */
    drainMark(): Promise<void> {
        const last = this.pending[this.pending.length - 1]
        return last ? last.then(
              () => {},
              () => {},
          )
            : Promise.resolve()
    }

    /** `rows` written now by `stmts`: recorded with the change tracker (hot blocks), sent, and waited for. */
    async write(kind: 'insert' | 'upsert', rows: Row[], stmts: Statement[]): Promise<void> {
        await this.track(kind, rows)
        this.send(stmts)
        await this.drain()
    }

    /** Wait for everything sent; throws the first failure. */
    async drain(): Promise<void> {
        const pending = this.pending
        this.pending = []
        for (const p of pending) await p
    }

    /**
     * The rows (of one class) as one array literal per column, for statements of other modules (history.ts):
     * the table, the written columns (a column undefined in every row is left out; undefined in some is NULL)
     * and their literals; null when not on the bulk path.
     */
    encodeColumns(rows: Row[]): { table: string; columns: { q: string; type: string; isRelation: boolean }[]; params: string[] } | null {
        const plan = this.plan(rows)
        if (!plan || plan.copyOnly) return null
        const groups = encodeRows(plan, rows, false)
        if (!groups || groups.length !== 1) return null
        return { table: plan.table, columns: groups[0].columns, params: groups[0].params }
    }

    /**
     * The rows (of one class) as COPY text lines, every column of the table written (`columns`), for statements
     * of other modules (history.ts); null when COPY is not the path (no raw connection, a hot block, no plan) or
     * when a column is undefined in every row, or a relation is null or undefined in some row (the caller then
     * reads those from the current row).
     */
    encodeCopyLines(rows: Row[]): { columns: string[]; lines: string[] } | null {
        if (this.client === undefined || this.tracker !== undefined) return null
        const plan = this.plan(rows)
        if (!plan) return null
        for (const c of plan.columns) if (c.isRelation && rows.some((r) => c.get(r) == null)) return null
        const groups = encodeRows(plan, rows, false, true)
        if (!groups || groups.length !== 1 || groups[0].columns.length !== plan.columns.length) return null
        const lines = groups[0].copyData!.split('\n')
        lines.pop() // after the last newline
        return { columns: plan.columns.map((c) => c.q), lines }
    }

    /** Every column of `row`'s table as the bulk path writes it, or null when not on the bulk path. */
    tableColumns(row: Row): { q: string; isRelation: boolean }[] | null {
        return this.plan([row])?.columns ?? null
    }

    private plan(rows: Row[]): TablePlan | null {
        if (rows.length === 0 || !sameClass(rows)) return null
        return planFor(this.em, rows[0].constructor as Cls)
    }
}

/** `store.insert(rows)` (rows of one class), in bulk where equivalent. */
export async function bulkInsert(store: Store, rows: Row[]): Promise<void> {
    if (rows.length === 0) return
    const session = BulkSession.of(store)
    const stmts = session?.prepareInsert(rows)
    if (!session || !stmts) return store.insert(rows)
    await session.write('insert', rows, stmts)
}

/** `store.upsert(rows)` (rows of one class), in bulk where equivalent. */
export async function bulkUpsert(store: Store, rows: Row[]): Promise<void> {
    if (rows.length === 0) return
    const session = BulkSession.of(store)
    const stmts = session?.prepareUpsert(rows)
    if (!session || !stmts) return store.upsert(rows)
    await session.write('upsert', rows, stmts)
}

/** Rollup deltas merged by Postgres; false (nothing written) when the caller must load, merge and upsert. */
export async function bulkMergeRollup(
    store: Store,
    deltas: Row[],
    snapshotFields: readonly string[],
    snapshotsOf: (id: string) => ReadonlySet<string> | undefined,
): Promise<boolean> {
    if (deltas.length === 0) return true
    const session = BulkSession.of(store)
    const stmts = session?.prepareRollupMerge(deltas, snapshotFields, snapshotsOf)
    if (!session || !stmts) return false
    // the tracker records the prior state of the rows by id, like typeorm-store's upsert of the merged rows
    await session.write('upsert', deltas, stmts)
    return true
}
