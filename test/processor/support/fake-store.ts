/**
 * In-memory stand-in for @subsquid/typeorm-store's Store, enough for the mappings: find by
 * `id = ANY(:ids)` (see loadByIds), upsert, insert (fails on duplicates, like a primary key).
 */
import type { Store } from '@subsquid/typeorm-store'

type Row = { id: string } & Record<string, any>

function clone<T extends object>(row: T): T {
    return Object.assign(Object.create(Object.getPrototypeOf(row)), row)
}

export class FakeStore {
    readonly tables = new Map<string, Map<string, Row>>()
    readonly queries: { op: string; entity: string; count: number }[] = []

    private table(name: string): Map<string, Row> {
        let t = this.tables.get(name)
        if (!t) this.tables.set(name, (t = new Map()))
        return t
    }

    async find(cls: { name: string }, opts: { where: any }): Promise<Row[]> {
        const ids: string[] = opts.where?.id?.objectLiteralParameters?.ids
        if (!Array.isArray(ids)) throw new Error('FakeStore.find supports only loadByIds queries')
        this.queries.push({ op: 'find', entity: cls.name, count: ids.length })
        const t = this.table(cls.name)
        return ids.filter((id) => t.has(id)).map((id) => clone(t.get(id)!))
    }

    async upsert(rows: Row[]): Promise<void> {
        if (rows.length === 0) return
        const name = rows[0].constructor.name
        this.queries.push({ op: 'upsert', entity: name, count: rows.length })
        const t = this.table(name)
        for (const r of rows) {
            const prev = t.get(r.id)
            const next = clone(r)
            // like typeorm upsert: undefined columns keep their stored value
            if (prev) for (const [k, v] of Object.entries(next)) if (v === undefined) next[k] = prev[k]
            t.set(r.id, next)
        }
    }

    async insert(rows: Row[]): Promise<void> {
        if (rows.length === 0) return
        const name = rows[0].constructor.name
        this.queries.push({ op: 'insert', entity: name, count: rows.length })
        const t = this.table(name)
        for (const r of rows) {
            if (t.has(r.id)) throw new Error(`duplicate key ${name}.${r.id}`)
            t.set(r.id, clone(r))
        }
    }

    asStore(): Store {
        return this as unknown as Store
    }

    /** Plain comparable snapshot: relations reduced to ids, dates to ISO, bigints to strings. */
    dump(): Record<string, Record<string, Record<string, unknown>>> {
        const out: Record<string, Record<string, Record<string, unknown>>> = {}
        for (const [name, t] of [...this.tables].sort(([a], [b]) => a.localeCompare(b))) {
            const rows: Record<string, Record<string, unknown>> = {}
            for (const id of [...t.keys()].sort()) {
                const r = t.get(id)!
                const flat: Record<string, unknown> = {}
                for (const k of Object.keys(r).sort()) {
                    const v = r[k]
                    flat[k] =
                        v instanceof Date
                            ? v.toISOString()
                            : typeof v === 'bigint'
                              ? v.toString()
                              : v && typeof v === 'object' && 'id' in v && Object.getPrototypeOf(v) !== Object.prototype
                                ? { id: v.id }
                                : v === undefined
                                  ? null
                                  : v
                }
                rows[id] = flat
            }
            out[name] = rows
        }
        return out
    }
}
