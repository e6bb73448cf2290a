/**
 * In-memory stand-in for @subsquid/typeorm-store's Store, enough for the mappings: find by
 * `id = ANY(:ids)` (see loadByIds) or by the simple conditions of `matches`, upsert, insert (fails on
 * duplicates, like a primary key).
 */
import type { Store } from '@subsquid/typeorm-store'

type Row = { id: string } & Record<string, any>

function clone<T extends object>(row: T): T {
    return Object.assign(Object.create(Object.getPrototypeOf(row)), row)
}

/**
 * The typeorm `where` shapes the mappings use: equality, Raw `= ANY(:param)` (one array parameter),
 * Between, In, nested relation conditions ({ validator: { id: ... } }), arrays of conditions (OR).
 */
function matches(row: any, where: any): boolean {
    if (where == null) return true
    if (Array.isArray(where)) return where.some((w) => matches(row, w))
    for (const [k, cond] of Object.entries(where)) {
        const value = row?.[k]
        if (cond && typeof cond === 'object' && '_type' in (cond as any)) {
            const op = cond as any
            switch (op._type) {
                case 'raw': {
                    const params = Object.values(op.objectLiteralParameters ?? {})
                    const list = params.find(Array.isArray) as unknown[] | undefined
                    if (!list) throw new Error('FakeStore: Raw conditions must be `= ANY(:array)`')
                    if (!list.includes(value)) return false
                    break
                }
                case 'between':
                    if (!(value >= op._value[0] && value <= op._value[1])) return false
                    break
                case 'in':
                    if (!op._value.includes(value)) return false
                    break
                case 'equal':
                    if (value !== op._value) return false
                    break
                default:
                    throw new Error(`FakeStore: unsupported operator ${op._type}`)
            }
        } else if (cond && typeof cond === 'object' && !(cond instanceof Date)) {
            if (!matches(value, cond)) return false
        } else if (value !== cond) {
            return false
        }
    }
    return true
}

export class FakeStore {
    readonly tables = new Map<string, Map<string, Row>>()
    readonly queries: { op: string; entity: string; count: number }[] = []

    private table(name: string): Map<string, Row> {
        let t = this.tables.get(name)
        if (!t) this.tables.set(name, (t = new Map()))
        return t
    }

    async find(cls: { name: string }, opts: { where?: any } = {}): Promise<Row[]> {
        const t = this.table(cls.name)
        const ids: string[] | undefined = opts.where?.id?.objectLiteralParameters?.ids
        if (Array.isArray(ids) && Object.keys(opts.where).length === 1) {
            // loadByIds: `id = ANY(:ids)`
            this.queries.push({ op: 'find', entity: cls.name, count: ids.length })
            return ids.filter((id) => t.has(id)).map((id) => clone(t.get(id)!))
        }
        const rows = [...t.values()].filter((r) => matches(r, opts.where)).map(clone)
        this.queries.push({ op: 'find', entity: cls.name, count: rows.length })
        return rows
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
