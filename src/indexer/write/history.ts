/**
 * Time travel, write side: for each versioned entity (src/model/versioned.ts) every version of a row is kept in
 * `<table>_history` with `block_range = [block it was written at, block of the next version)`, written in the
 * handler's transaction right after the current-state upsert, set-based (two statements per entity class and
 * call, whatever the number of rows):
 *   1. the open version of each changed id is closed at the block of its first new version;
 *   2. the new versions (one per id and block: EntityBuffer.versions) are inserted from unnest arrays. A column
 *      the handler did not load (a relation of a row loaded without it) is taken from the current row, which the
 *      upsert just wrote: relations of versioned entities never change.
 * Entities the bulk writer has no plan for (Payout and Dispute: their `batch` is one-to-one) are encoded as one
 * JSON array parameter instead, read back by Postgres with jsonb_populate_record on the table's own row type.
 * Reorgs: typeorm-store's hot-block rollback does not know these rows, so every call first removes what a
 * replaced branch left (`clearFrom`): squid hands a block to the handler only once per branch, so any version
 * written at or after the call's first block is from a branch that was rolled back, and any version closed there
 * was closed by it. Stateless: it also holds after a restart, when squid rolls back on its own at startup.
 */
import type { EntityManager } from 'typeorm'
import { VERSIONED, historyTable } from '../../model/versioned'
import { MappingState } from '../../mappings/state'
import { BulkSession, Statement } from './bulk'

type Version = { row: any; block: number; next: number | null }

function quote(name: string): string {
    return '"' + name.replace(/"/g, '""') + '"'
}

/** Remove what a rolled-back branch left: versions from `height` on deleted, versions closed at or after it reopened. */
export function clearFromStatements(height: number): Statement[] {
    const out: Statement[] = []
    for (const v of VERSIONED) {
        const h = quote(historyTable(v.table))
        out.push({ sql: `DELETE FROM ${h} WHERE lower(block_range) >= $1::int4`, params: [String(height)] })
        out.push({ sql: `UPDATE ${h} SET block_range = int4range(lower(block_range), NULL) WHERE upper(block_range) >= $1::int4`, params: [String(height)] })
    }
    return out
}

/**
 * The history statements of one handler call (after its upserts), or null when they cannot be encoded (not on
 * the bulk path, and no EntityManager for the JSON encoding).
 */
export function historyStatements(state: MappingState, session: BulkSession, em?: EntityManager): Statement[] | null {
    const out: Statement[] = []
    for (const buf of state.entityBuffersInWriteOrder()) {
        if (!buf.versioned) continue
        const versions: Version[] = buf.versions()
        if (versions.length === 0) continue
        const v = VERSIONED.find((e) => e.entity === buf.cls.name)!
        const h = quote(historyTable(v.table))
        const firsts = new Map<string, number>()
        for (const x of versions) if (!firsts.has(x.row.id)) firsts.set(x.row.id, x.block)
        // the open version is an id's latest (highest lower bound) below its first new version: one backward probe of
        // (id, lower) per id, not a scan of all its versions (which made a long backfill quadratic: ~1,000 versions
        // per account at 1M events); bounded by the new block, so that it holds whether this call's new versions,
        // which the side connection may insert (side-writes.ts), are already there or not
        out.push({
            sql:
                `UPDATE ${h} AS h SET block_range = int4range(lower(h.block_range), x.b) ` +
                `FROM (SELECT u.id, u.b, (SELECT max(lower(l.block_range)) FROM ${h} AS l WHERE l.id = u.id AND lower(l.block_range) < u.b) AS lo ` +
                `FROM unnest($1::text[], $2::int4[]) AS u(id, b)) AS x ` +
                `WHERE h.id = x.id AND lower(h.block_range) = x.lo AND upper_inf(h.block_range) AND x.lo < x.b`,
            params: [arrayLiteral([...firsts.keys()].map(quoteElement)), arrayLiteral([...firsts.values()].map(String))],
        })
        const insert = copyInsert(session, h, versions) ?? unnestInsert(session, h, versions) ?? (em ? jsonInsert(em, buf.cls, h, versions) : null)
        if (!insert) return null
        out.push(insert)
    }
    return out
}

/**
 * The versions' insert as COPY (finalized blocks, every column of every version known): Postgres takes COPY rows
 * at about half the cost of INSERT ... SELECT FROM unnest with the join, and no array parameter is parsed.
 */
function copyInsert(session: BulkSession, h: string, versions: Version[]): Statement | null {
    const enc = session.encodeCopyLines(versions.map((x) => x.row))
    if (!enc) return null
    const lines = enc.lines
    for (let i = 0; i < lines.length; i++) {
        const x = versions[i]
        lines[i] += x.next == null ? `\t[${x.block},)` : `\t[${x.block},${x.next})`
    }
    return { sql: `COPY ${h} (${enc.columns.join(', ')}, block_range) FROM STDIN`, params: [], copyData: lines.join('\n') + '\n' }
}

/** The versions' insert from unnest arrays (the bulk writer's encoding), or null when it has no plan for the class. */
function unnestInsert(session: BulkSession, h: string, versions: Version[]): Statement | null {
    const enc = session.encodeColumns(versions.map((x) => x.row))
    if (!enc) return null
    const n = enc.columns.length
    const written = new Map(enc.columns.map((c, i) => [c.q, i]))
    const all = session.tableColumns(versions[0].row)!
    const select = all.map((c) => {
        const i = written.get(c.q)
        if (i === undefined) return `e.${c.q}`
        return c.isRelation ? `coalesce(u.c${i}, e.${c.q})` : `u.c${i}`
    })
    const params = [...enc.params, arrayLiteral(versions.map((x) => String(x.block))), arrayLiteral(versions.map((x) => (x.next == null ? 'NULL' : String(x.next))))]
    const unnest = [...enc.columns.map((c, i) => `$${i + 1}::${c.type}[]`), `$${n + 1}::int4[]`, `$${n + 2}::int4[]`]
    const aliases = [...enc.columns.map((_, i) => `c${i}`), 'b0', 'b1']
    return {
        sql:
            `INSERT INTO ${h} (${all.map((c) => c.q).join(', ')}, block_range) ` +
            `SELECT ${select.join(', ')}, int4range(u.b0, u.b1) FROM unnest(${unnest.join(', ')}) AS u(${aliases.join(', ')}) ` +
            `LEFT JOIN ${enc.table} AS e ON e."id" = u.c${written.get('"id"')}`,
        params,
    }
}

/**
 * The versions' insert from one JSON array (column name → value per row), typed by Postgres from the table's row
 * type. Same rules as the unnest path: a relation not loaded, or a column undefined in every row, is read from the
 * current row.
 */
function jsonInsert(em: EntityManager, cls: Function, h: string, versions: Version[]): Statement | null {
    const meta = em.connection.getMetadata(cls)
    if (meta.embeddeds.length) return null
    const table = quote(meta.tableName)
    const cols = meta.columns.filter((c) => !c.isVirtual || c.relationMetadata)
    const defined = new Set<string>()
    const rows = versions.map((x) => {
        const o: Record<string, unknown> = {}
        for (const c of cols) {
            const raw = c.relationMetadata ? x.row[c.relationMetadata.propertyName] : x.row[c.propertyName]
            const val = c.relationMetadata && raw != null ? raw.id : raw
            if (val === undefined) continue
            defined.add(c.databaseName)
            o[c.databaseName] = typeof val === 'bigint' ? val.toString() : val
        }
        return { b0: x.block, b1: x.next, r: o }
    })
    const select = cols.map((c) => {
        const q = quote(c.databaseName)
        if (!defined.has(c.databaseName)) return `e.${q}`
        return c.relationMetadata ? `coalesce(r.${q}, e.${q})` : `r.${q}`
    })
    return {
        sql:
            `INSERT INTO ${h} (${cols.map((c) => quote(c.databaseName)).join(', ')}, block_range) ` +
            `SELECT ${select.join(', ')}, int4range(x.b0, x.b1) FROM jsonb_to_recordset($1::jsonb) AS x(b0 int4, b1 int4, r jsonb) ` +
            `CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, x.r) AS r LEFT JOIN ${table} AS e ON e."id" = r."id"`,
        params: [JSON.stringify(rows)],
    }
}

function quoteElement(s: string): string {
    return '"' + s.replace(/["\\]/g, '\\$&') + '"'
}

function arrayLiteral(elements: string[]): string {
    return '{' + elements.join(',') + '}'
}
