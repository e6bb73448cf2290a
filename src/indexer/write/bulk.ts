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
 * - entity classes with a column type not listed in PG_TYPES (bytea, arrays other than integer arrays, which go
 *   through COPY only: inserts of finalized blocks), or an undefined value in a
 *   column with a database default.
 */
import { Store } from '@subsquid/typeorm-store'
import type { EntityManager } from 'typeorm'
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata'
import { ChangeTracker, PgClient, storeInternals } from '../sdk-internals'
import { copyFrom } from './pg-copy'

type Row = { id: string }
type Cls = { new (...args: any[]): any; name: string }

/** A non-null property value as Postgres text, already quoted/escaped: an array-literal element (PG_TYPES) or a COPY field (COPY_TYPES). */
type ElementEncoder = (v: any) => string

/** A string as a quoted array element: `"..."` with `"` and `\` escaped. */
function quoted(s: string): string {
    return NEEDS_ESCAPE.test(s) ? '"' + s.replace(ESCAPE, '\\$&') + '"' : '"' + s + '"'
}
const NEEDS_ESCAPE = /["\\]/
const ESCAPE = /["\\]/g

/**
 * A string as a field of COPY's text format: backslash, tab, newline and carriage return escaped (everything
 * else, quotes included, is literal).
 */
function copyText(s: string): string {
    return COPY_NEEDS_ESCAPE.test(s) ? s.replace(COPY_ESCAPE, (c) => COPY_ESCAPES[c]) : s
}
const COPY_NEEDS_ESCAPE = /[\\\t\n\r]/
const COPY_ESCAPE = /[\\\t\n\r]/g
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/** Rows of a batch share few timestamps (one per block): the encoding of the last one is remembered. */
function timestampEncoder(wrap: (iso: string) => string): () => ElementEncoder {
    return () => {
        let last = NaN
        let encoded = ''
        return (v: Date) => {
            const t = v.getTime()
            if (t !== last) {
                encoded = wrap(v.toISOString())
                last = t
            }
            return encoded
        }
    }
}

/** The same types as COPY text fields (same textual values as the array elements, escaped for COPY instead). */
const COPY_TYPES: Record<string, () => ElementEncoder> = {
    'character varying': () => (v) => copyText(String(v)),
    text: () => (v) => copyText(String(v)),
    integer: () => (v) => String(v),
    smallint: () => (v) => String(v),
    bigint: () => (v) => String(v),
    numeric: () => (v) => v.toString(),
    'double precision': () => (v) => String(v),
    boolean: () => (v) => (v ? 't' : 'f'),
    'timestamp with time zone': timestampEncoder((iso) => iso),
    jsonb: () => (v) => copyText(JSON.stringify(v)),
}

/** Postgres types the bulk path writes, with how a (non-null) property value becomes an array element. */
const PG_TYPES: Record<string, () => ElementEncoder> = {
    'character varying': () => (v) => quoted(String(v)),
    text: () => (v) => quoted(String(v)),
    integer: () => (v) => String(v),
    smallint: () => (v) => String(v),
    bigint: () => (v) => String(v),
    numeric: () => (v) => v.toString(),
    'double precision': () => (v) => quoted(String(v)),
    boolean: () => (v) => (v ? 't' : 'f'),
    'timestamp with time zone': timestampEncoder((iso) => '"' + iso + '"'),
    jsonb: () => (v) => quoted(JSON.stringify(v)),
}

const NUMERIC_TYPES = new Set(['integer', 'smallint', 'bigint', 'numeric', 'double precision'])

interface ColumnPlan {
    /** quoted column name */
    q: string
    /** entity property (the relation's, for a foreign key) */
    prop: string
    type: string
    get: (row: any) => unknown
    encode: ElementEncoder
    /** the value as a COPY text field */
    copy: ElementEncoder
    hasDefault: boolean
    isRelation: boolean
}

interface TablePlan {
    table: string
    columns: ColumnPlan[]
    /** has a column only COPY can write (integer arrays): inserts of finalized blocks only, else the store */
    copyOnly: boolean
}

const plans = new WeakMap<object, Map<Cls, TablePlan | null>>()

function quote(name: string): string {
    return '"' + name.replace(/"/g, '""') + '"'
}

/** How to write `cls`, or null when some column is outside the bulk path's types. */
function planFor(em: EntityManager, cls: Cls): TablePlan | null {
    const conn = em.connection
    let byCls = plans.get(conn)
    if (!byCls) plans.set(conn, (byCls = new Map()))
    if (byCls.has(cls)) return byCls.get(cls)!
    let plan: TablePlan | null = null
    try {
        plan = buildPlan(em, cls)
    } catch {
        plan = null
    }
    byCls.set(cls, plan)
    return plan
}

function buildPlan(em: EntityManager, cls: Cls): TablePlan | null {
    const meta = em.connection.getMetadata(cls)
    if (meta.embeddeds.length) return null
    const columns: ColumnPlan[] = []
    let copyOnly = false
    for (const col of meta.columns as ColumnMetadata[]) {
        // (a relation's foreign key column is "virtual": no property of its own, read through the relation)
        if ((col.isVirtual && !col.relationMetadata) || col.isGenerated || col.embeddedMetadata) return null
        if (col.isArray) {
            // integer arrays (e.g. a trace address) only through COPY: unnest cannot take rows of arrays of different lengths
            const type = em.connection.driver.normalizeType(col)
            if (col.relationMetadata || !INT_TYPES.has(type)) return null
            columns.push({ q: quote(col.databaseName), prop: col.propertyName, type: type + '[]', get: (row) => row[col.propertyName], encode: noArrayElement, copy: intArrayCopy, hasDefault: col.default !== undefined, isRelation: false })
            copyOnly = true
            continue
        }
        let type: string
        let prop: string
        let get: (row: any) => unknown
        if (col.relationMetadata) {
            const ref = col.referencedColumn
            if (!ref || ref.propertyName !== 'id' || !col.relationMetadata.isManyToOne) return null
            prop = col.relationMetadata.propertyName
            type = em.connection.driver.normalizeType(ref)
            get = (row) => {
                const r = row[prop]
                return r == null ? r : r.id
            }
        } else {
            type = em.connection.driver.normalizeType(col)
            prop = col.propertyName
            get = (row) => row[prop]
        }
        const encoder = PG_TYPES[type]
        const copy = COPY_TYPES[type]
        if (!encoder || !copy) return null
        columns.push({ q: quote(col.databaseName), prop, type, get, encode: encoder(), copy: copy(), hasDefault: col.default !== undefined, isRelation: !!col.relationMetadata })
    }
    if (!columns.some((c) => c.prop === 'id')) return null
    return { table: (meta.schema ? quote(meta.schema) + '.' : '') + quote(meta.tableName), columns, copyOnly }
}

const INT_TYPES = new Set(['integer', 'smallint', 'bigint'])

/** An integer array as a COPY text field: `{1,2,3}` (numbers need no quoting). */
const intArrayCopy: ElementEncoder = (v: number[]) => {
    for (const x of v) if (!Number.isSafeInteger(x)) throw new Error(`not an integer array element: ${x}`)
    return '{' + v.join(',') + '}'
}

/** Array columns are never written as array-literal elements (plans with them are copyOnly). */
const noArrayElement: ElementEncoder = () => {
    throw new Error('an array column cannot be an unnest parameter')
}

/** A statement ready to be sent: SQL and its array-literal parameters, or a COPY statement and its text-format rows. */
export interface Statement {
    sql: string
    params: string[]
    /** set for `COPY ... FROM STDIN`: the rows in COPY's text format */
    copyData?: string
}

/** Rows per statement: bounds the size of one protocol message (arrays are sent as text). */
const MAX_ROWS_PER_STATEMENT = 25_000

interface Group {
    columns: ColumnPlan[]
    /** one array literal per column (empty when encoded for COPY) */
    params: string[]
    /** the rows in COPY text format (encoded for COPY only) */
    copyData?: string
}

/** Rows `idx` (or all) of the columns `cols` as COPY text: tab-separated fields, \N for NULL, one line per row. */
function copyRows(columns: ColumnPlan[], raw: unknown[][], cols: number[], n: number, idx: number[] | null): string {
    const m = idx ? idx.length : n
    const lines = new Array<string>(m)
    const fields = new Array<string>(cols.length)
    for (let k = 0; k < m; k++) {
        const i = idx ? idx[k] : k
        for (let j = 0; j < cols.length; j++) {
            const v = raw[cols[j]][i]
            fields[j] = v == null ? '\\N' : columns[cols[j]].copy(v)
        }
        lines[k] = fields.join('\t')
    }
    return lines.join('\n') + '\n'
}

/** Array literal of column `c` over `raw[c]` (restricted to rows `idx`). */
function literal(col: ColumnPlan, vs: unknown[], idx: number[] | null): string {
    const m = idx ? idx.length : vs.length
    const parts = new Array<string>(m)
    for (let k = 0; k < m; k++) {
        const v = vs[idx ? idx[k] : k]
        parts[k] = v == null ? 'NULL' : col.encode(v)
    }
    return '{' + parts.join(',') + '}'
}

/**
 * The rows' column literals, as typeorm-store + typeorm write them: a column undefined in every row of a
 * statement is left out (its default on insert, kept on conflict); a column defined in some rows is written
 * for all, undefined as NULL (typeorm's DEFAULT; null is returned — store path — if the column has a default).
 * Upserts are split by which relations are undefined, like typeorm-store's saveMany; inserts are not.
 */
function encodeRows(plan: TablePlan, rows: Row[], byRelations: boolean, asCopy = false): Group[] | null {
    const n = rows.length
    const raw: unknown[][] = []
    const undefCount: number[] = []
    let relationsUniform = true
    for (const col of plan.columns) {
        const vs = new Array<unknown>(n)
        let undef = 0
        for (let i = 0; i < n; i++) {
            const v = col.get(rows[i])
            if (v === undefined) undef++
            vs[i] = v
        }
        if (undef !== 0 && undef !== n && col.isRelation) relationsUniform = false
        if (undef !== 0 && col.hasDefault) return null
        raw.push(vs)
        undefCount.push(undef)
    }
    const group = (idx: number[] | null): Group => {
        const cols: number[] = []
        for (let c = 0; c < plan.columns.length; c++) {
            const vs = raw[c]
            const defined = idx ? idx.some((i) => vs[i] !== undefined) : undefCount[c] < n
            if (defined) cols.push(c)
        }
        if (asCopy) return { columns: cols.map((c) => plan.columns[c]), params: [], copyData: copyRows(plan.columns, raw, cols, n, idx) }
        return { columns: cols.map((c) => plan.columns[c]), params: cols.map((c) => literal(plan.columns[c], raw[c], idx)) }
    }
    if (!byRelations || relationsUniform) return [group(null)]
    const bySig = new Map<string, number[]>()
    for (let i = 0; i < n; i++) {
        let sig = ''
        for (let c = 0; c < plan.columns.length; c++) if (plan.columns[c].isRelation) sig += raw[c][i] === undefined ? '0' : '1'
        let idx = bySig.get(sig)
        if (!idx) bySig.set(sig, (idx = []))
        idx.push(i)
    }
    return [...bySig.values()].map(group)
}

function insertSql(plan: TablePlan, columns: ColumnPlan[]): string {
    const params = columns.map((c, i) => `$${i + 1}::${c.type}[]`)
    return `INSERT INTO ${plan.table} AS t (${columns.map((c) => c.q).join(', ')}) SELECT * FROM unnest(${params.join(', ')})`
}

function copySql(plan: TablePlan, columns: ColumnPlan[]): string {
    return `COPY ${plan.table} (${columns.map((c) => c.q).join(', ')}) FROM STDIN`
}

function chunks<T>(rows: T[]): T[][] {
    if (rows.length <= MAX_ROWS_PER_STATEMENT) return [rows]
    const out: T[][] = []
    for (let off = 0; off < rows.length; off += MAX_ROWS_PER_STATEMENT) out.push(rows.slice(off, off + MAX_ROWS_PER_STATEMENT))
    return out
}

function sameClass(rows: Row[]): boolean {
    const c = rows[0].constructor
    for (let i = 1; i < rows.length; i++) if (rows[i].constructor !== c) return false
    return true
}

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
