/**
 * The mutable entities of one handler call (EntityBuffer): loaded with one query per class, changed in memory by the
 * handlers, written back once; versioned classes also keep a copy per block for time travel.
 */
import { Store } from '@subsquid/typeorm-store'
import { FindOptionsRelations, Raw } from 'typeorm'
import { VERSIONED_ENTITIES } from '../model/versioned'

export type EntityClass<E> = { new (props?: Partial<E>): E; name: string }

/** Load rows by id with ONE query whatever the number of ids (`id = ANY($1)`, a single array parameter). */
export async function loadByIds<E extends { id: string }>(
    store: Store,
    cls: EntityClass<E>,
    ids: Iterable<string>,
    relations?: FindOptionsRelations<E>,
): Promise<E[]> {
    const list = [...new Set(ids)]
    if (list.length === 0) return []
    const where: any = { id: Raw((alias) => `${alias} = ANY(:ids)`, { ids: list }) }
    return store.find(cls, { where, relations })
}

/** Mutable entities of one class: loaded, created and changed during the handler call. */
export class EntityBuffer<E extends { id: string }> {
    private rows = new Map<string, E>()
    private dirty = new Set<string>()
    private wanted = new Set<string>()
    private loaded = new Set<string>()
    /**
     * Time travel (src/indexer/write/history.ts): per id, a copy of the row as it was at the end of each block it
     * was changed in (keyed by its updatedAtBlock, which every handler sets before add/touch), so that a call
     * over many blocks still writes one version per block.
     */
    private versionsById?: Map<string, Map<number, E>>

    constructor(
        readonly cls: EntityClass<E>,
        private relations?: FindOptionsRelations<E>,
    ) {
        if (VERSIONED_ENTITIES.has(cls.name)) this.versionsById = new Map()
    }

    get versioned(): boolean {
        return this.versionsById !== undefined
    }

    /** Ask for `id` to be prefetched. */
    want(id: string): void {
        if (!this.loaded.has(id)) this.wanted.add(id)
    }

    get wantedCount(): number {
        return this.wanted.size
    }

    /** Prefetch every wanted id with one query. */
    async load(store: Store): Promise<void> {
        if (this.wanted.size === 0) return
        const ids = [...this.wanted]
        this.wanted.clear()
        for (const id of ids) this.loaded.add(id)
        for (const row of await loadByIds(store, this.cls, ids, this.relations)) {
            if (!this.rows.has(row.id)) this.rows.set(row.id, row)
        }
    }

    /** The wanted ids, handed to a custom loader (they count as loaded from now on). */
    takeWanted(): string[] {
        const ids = [...this.wanted]
        this.wanted.clear()
        for (const id of ids) this.loaded.add(id)
        return ids
    }

    /** Seed rows without a query (tests, or rows known from elsewhere). */
    seed(rows: E[]): void {
        for (const r of rows) {
            this.loaded.add(r.id)
            this.rows.set(r.id, r)
        }
    }

    get(id: string): E | undefined {
        return this.rows.get(id)
    }

    has(id: string): boolean {
        return this.rows.has(id)
    }

    /** Add rows loaded by another query, keeping rows already present (they may have changed). */
    seedMissing(rows: E[]): void {
        for (const r of rows) {
            this.loaded.add(r.id)
            this.wanted.delete(r.id)
            if (!this.rows.has(r.id)) this.rows.set(r.id, r)
        }
    }

    /** Add a new row (marks it for writing). */
    add(row: E): E {
        this.rows.set(row.id, row)
        this.dirty.add(row.id)
        if (this.versionsById) this.snapshot(row)
        return row
    }

    /** Mark a row as changed. */
    touch(row: E): E {
        this.dirty.add(row.id)
        if (this.versionsById) this.snapshot(row)
        return row
    }

    private snapshot(row: E): void {
        const block = (row as any).updatedAtBlock
        if (typeof block !== 'number') return // not yet filled in (add before the fields are set): the touch follows
        let byBlock = this.versionsById!.get(row.id)
        if (!byBlock) this.versionsById!.set(row.id, (byBlock = new Map()))
        // touched again in the same block (a token: every event of it) → its copy refreshed, not a new one allocated
        const copy = byBlock.get(block)
        if (copy) Object.assign(copy, row)
        else byBlock.set(block, Object.assign(Object.create(Object.getPrototypeOf(row)), row))
    }

    /**
     * The versions written by this call, ascending by block per id: each changed row's state at the end of every
     * block it changed in (`next`: the block of its next version in this call, if any). Versioned buffers only.
     */
    versions(): { row: E; block: number; next: number | null }[] {
        const out: { row: E; block: number; next: number | null }[] = []
        for (const id of this.dirty) {
            const byBlock = this.versionsById?.get(id)
            const final = this.rows.get(id)!
            // the final state wins for its block (a change after the last add/touch is still written)
            const list: [number, E][] = byBlock ? [...byBlock.entries()].sort((a, b) => a[0] - b[0]) : []
            const last = (final as any).updatedAtBlock as number
            while (list.length && list[list.length - 1][0] >= last) list.pop()
            list.push([last, final])
            for (let i = 0; i < list.length; i++) out.push({ row: list[i][1], block: list[i][0], next: i + 1 < list.length ? list[i + 1][0] : null })
        }
        return out
    }

    changed(): E[] {
        return [...this.dirty].map((id) => this.rows.get(id)!)
    }

    changedIds(): string[] {
        return [...this.dirty]
    }

    all(): E[] {
        return [...this.rows.values()]
    }
}
