/**
 * The checks of the versioned entities (src/model/versioned.ts) against the contracts' view functions. The same
 * definition serves `reconcile` (rows of the current-state table, views at the indexed head) and `reconcile --at N`
 * (rows of `<table>_history` whose block_range holds N, views at block N): adding a versioned entity to the
 * reconciliation, now and as of any block, is one entry in VIEW_CHECKS (in the file of its area).
 */
import { historyTable } from '../model/versioned'
import { GOVERNANCE_CHECKS } from './governance-checks'
import { Views } from './connect'
import { SETTLEMENT_CHECKS } from './settlement-checks'
import { Checker } from './types'
import { VALIDATOR_CHECKS } from './validators'
import { IndexedRows, Row, ViewCheck } from './view-check'

export type { IndexedRows, ViewCheck } from './view-check'

// (order matters only for reading: Token sums the accounts, Delegation reads the validators; all rows are read first)
export const VIEW_CHECKS: readonly ViewCheck[] = [...SETTLEMENT_CHECKS, ...GOVERNANCE_CHECKS, ...VALIDATOR_CHECKS]

/** The rows of each VIEW_CHECKS entity: current state, or (with `at`) the versions whose block range holds `at`. */
export async function readVersionedRows(q: (sql: string, params?: unknown[]) => Promise<Row[]>, at?: number): Promise<IndexedRows> {
    const out: IndexedRows = {}
    for (const c of VIEW_CHECKS) {
        const cols = c.columns.join(', ')
        out[c.entity] = at === undefined ? await q(`SELECT ${cols} FROM ${c.table}`) : await q(`SELECT ${cols} FROM ${historyTable(c.table)} WHERE block_range @> $1::int4`, [at])
    }
    return out
}

/** Runs every check; answers the rows compared per entity. */
export async function checkVersioned(rows: IndexedRows, v: Views, ck: Checker): Promise<Record<string, number>> {
    const compared: Record<string, number> = {}
    for (const c of VIEW_CHECKS) {
        const r = rows[c.entity] ?? []
        await c.check(r, v, ck, rows)
        compared[c.entity] = r.length
    }
    return compared
}
