/**
 * Time travel, write side: for each versioned entity (src/model/versioned.ts) every version of a row is kept in
 * `<table>_history` with `block_range = [block it was written at, block of the next version)`, written in the
 * handler's transaction right after the current-state upsert, set-based (two statements per entity class and
 * call, whatever the number of rows):
 *   1. the open version of each changed id is closed at the block of its first new version;
 *   2. the new versions (one per id and block: EntityBuffer.versions) are inserted from unnest arrays. A column
 *      the handler did not load (a relation of a row loaded without it) is taken from the current row, which the
 *      upsert just wrote: relations of versioned entities never change.
 * Reorgs: typeorm-store's hot-block rollback does not know these rows, so every call first removes what a
 * replaced branch left (`clearFrom`): squid hands a block to the handler only once per branch, so any version
 * written at or after the call's first block is from a branch that was rolled back, and any version closed there
 * was closed by it. Stateless: it also holds after a restart, when squid rolls back on its own at startup.
 */
import { VERSIONED, historyTable } from '../../model/versioned'
import { MappingState } from '../../mappings/state'
import { BulkSession, Statement } from './bulk'

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

/** The history statements of one handler call (after its upserts), or null when not on the bulk path. */
export function historyStatements(state: MappingState, session: BulkSession): Statement[] | null {
    const out: Statement[] = []
    for (const buf of state.entityBuffersInWriteOrder()) {
        if (!buf.versioned) continue
        const versions = buf.versions()
        if (versions.length === 0) continue
        const v = VERSIONED.find((e) => e.entity === buf.cls.name)!
        const enc = session.encodeColumns(versions.map((x) => x.row))
        if (!enc) return null
        const h = quote(historyTable(v.table))
        const firsts = new Map<string, number>()
        for (const x of versions) if (!firsts.has(x.row.id)) firsts.set(x.row.id, x.block)
        // the open version is an id's latest (highest lower bound): one backward probe of (id, lower) per id, not a
        // scan of all its versions (which made a long backfill quadratic: ~1,000 versions per account at 1M events)
        out.push({
            sql:
                `UPDATE ${h} AS h SET block_range = int4range(lower(h.block_range), x.b) ` +
                `FROM (SELECT u.id, u.b, (SELECT max(lower(l.block_range)) FROM ${h} AS l WHERE l.id = u.id) AS lo ` +
                `FROM unnest($1::text[], $2::int4[]) AS u(id, b)) AS x ` +
                `WHERE h.id = x.id AND lower(h.block_range) = x.lo AND upper_inf(h.block_range) AND x.lo < x.b`,
            params: [arrayLiteral([...firsts.keys()].map(quoteElement)), arrayLiteral([...firsts.values()].map(String))],
        })
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
        out.push({
            sql:
                `INSERT INTO ${h} (${all.map((c) => c.q).join(', ')}, block_range) ` +
                `SELECT ${select.join(', ')}, int4range(u.b0, u.b1) FROM unnest(${unnest.join(', ')}) AS u(${aliases.join(', ')}) ` +
                `LEFT JOIN ${enc.table} AS e ON e."id" = u.c${written.get('"id"')}`,
            params,
        })
    }
    return out
}

function quoteElement(s: string): string {
    return '"' + s.replace(/["\\]/g, '\\$&') + '"'
}

function arrayLiteral(elements: string[]): string {
    return '{' + elements.join(',') + '}'
}
