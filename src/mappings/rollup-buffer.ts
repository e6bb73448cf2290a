/**
 * Additive rollups of one handler call (RollupBuffer): counters and sums accumulated as deltas and merged into the
 * stored rows when the call is written.
 */
import { Store } from '@subsquid/typeorm-store'
import { EntityClass, loadByIds } from './entity-buffer'

type NumericKeys<E> = { [K in keyof E]-?: E[K] extends number | bigint ? K : never }[keyof E] & string

/**
 * Additive rollup rows (counters and sums), accumulated as deltas during the pass and merged into
 * the stored rows afterwards: handlers never need the stored value, so rollups are loaded once,
 * after all events are applied. `snapshotFields` are "value at the last event" (overwrite, not add).
 */
export class RollupBuffer<E extends { id: string }> {
    private deltas = new Map<string, E>()
    private snapshots = new Map<string, Set<string>>()

    constructor(
        readonly cls: EntityClass<E>,
        readonly snapshotFields: readonly string[] = [],
    ) {}

    /** The delta rows (counters accumulated in this call; the stored values are not included). */
    deltaRows(): E[] {
        return [...this.deltas.values()]
    }

    /** The snapshot fields set for `id` in this call (the others keep their stored value). */
    snapshotsOf(id: string): ReadonlySet<string> | undefined {
        return this.snapshots.get(id)
    }

    /** The delta row for `id`, created with `init()` (all counters zero) on first use. */
    row(id: string, init: () => E): E {
        let d = this.deltas.get(id)
        if (!d) {
            d = init()
            this.deltas.set(id, d)
        }
        return d
    }

    add(id: string, init: () => E, field: NumericKeys<E>, amount: number | bigint): void {
        const d = this.row(id, init) as any
        d[field] = d[field] + amount
    }

    setSnapshot(id: string, init: () => E, values: Partial<E>): void {
        const d = this.row(id, init) as any
        let set = this.snapshots.get(id)
        if (!set) this.snapshots.set(id, (set = new Set()))
        for (const [k, v] of Object.entries(values)) {
            d[k] = v
            set.add(k)
        }
    }

    ids(): string[] {
        return [...this.deltas.keys()]
    }

    /** Stored rows + deltas → rows to upsert. */
    merge(stored: E[]): E[] {
        const byId = new Map(stored.map((r) => [r.id, r]))
        const out: E[] = []
        for (const [id, delta] of this.deltas) {
            const base = byId.get(id) as any
            if (!base) {
                out.push(delta)
                continue
            }
            const snap = this.snapshots.get(id)
            for (const [k, v] of Object.entries(delta)) {
                if (k === 'id') continue
                if (this.snapshotFields.includes(k)) {
                    if (snap?.has(k)) base[k] = v
                } else if (typeof v === 'bigint' || typeof v === 'number') {
                    base[k] = base[k] + v
                }
            }
            out.push(base)
        }
        return out
    }

    async loadAndMerge(store: Store): Promise<E[]> {
        if (this.deltas.size === 0) return []
        return this.merge(await loadByIds(store, this.cls, this.deltas.keys()))
    }
}
