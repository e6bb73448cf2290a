/**
 * Table plans and row encoding for the bulk write path (bulk.ts): how each entity class's columns are read from
 * its rows and encoded, as Postgres array literals for `INSERT ... SELECT FROM unnest($1::type[], ...)` or as
 * COPY's text format, and the SQL of those statements.
 *
 * Same values as `store.insert` / `store.upsert`: values follow the columns' transformers (bigint/float →
 * decimal string); relations are written as their id, dates as ISO timestamps, JSON as its text. A class with a
 * column type not listed in PG_TYPES (bytea, arrays other than integer arrays, which go through COPY only) has
 * no plan (null): the caller goes to the store.
 */
import type { EntityManager } from 'typeorm'
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata'

export type Row = { id: string }
export type Cls = { new (...args: any[]): any; name: string }

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

export const NUMERIC_TYPES = new Set(['integer', 'smallint', 'bigint', 'numeric', 'double precision'])

export interface ColumnPlan {
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

export interface TablePlan {
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
export function planFor(em: EntityManager, cls: Cls): TablePlan | null {
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

export interface Group {
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
export function encodeRows(plan: TablePlan, rows: Row[], byRelations: boolean, asCopy = false): Group[] | null {
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

export function insertSql(plan: TablePlan, columns: ColumnPlan[]): string {
    const params = columns.map((c, i) => `$${i + 1}::${c.type}[]`)
    return `INSERT INTO ${plan.table} AS t (${columns.map((c) => c.q).join(', ')}) SELECT * FROM unnest(${params.join(', ')})`
}

export function copySql(plan: TablePlan, columns: ColumnPlan[]): string {
    return `COPY ${plan.table} (${columns.map((c) => c.q).join(', ')}) FROM STDIN`
}

export function chunks<T>(rows: T[]): T[][] {
    if (rows.length <= MAX_ROWS_PER_STATEMENT) return [rows]
    const out: T[][] = []
    for (let off = 0; off < rows.length; off += MAX_ROWS_PER_STATEMENT) out.push(rows.slice(off, off + MAX_ROWS_PER_STATEMENT))
    return out
}

export function sameClass(rows: Row[]): boolean {
    const c = rows[0].constructor
    for (let i = 1; i < rows.length; i++) if (rows[i].constructor !== c) return false
    return true
}
