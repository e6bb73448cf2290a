/**
 * Time travel, pruning (HISTORY_BLOCKS): versions that stopped holding more than HISTORY_BLOCKS blocks below the
 * finalized head are deleted, in the handler's transaction, one set-based DELETE per history table (the btree on
 * upper(block_range) finds them), at most once per HISTORY_PRUNE_EVERY blocks. The horizon is recorded in the same
 * transaction in `history_pruned` (one row): the API refuses a `block` below it with BLOCK_PRUNED (time-travel.ts).
 *
 * Why the horizon is exact: a version [a, b) with b <= H only answered blocks below H; every block from H on is still
 * answered by the versions kept. H <= the finalized head (squid's status, as committed by the previous call), so
 * the versions deleted were closed by a finalized block: a reorg never needs them back, and the reorg cleanup of
 * history.ts (versions from the call's first block on) never meets the rows pruned.
 */
import type { EntityManager } from 'typeorm'
import type { HistoryPruneSettings } from '../../config'
import { PRUNE_TABLE, VERSIONED, historyTable } from '../../model/versioned'

export interface PruneResult {
    /** blocks below this are no longer answerable */
    prunedBelow: number
    /** versions deleted */
    deleted: number
}

/** The statements of one prune to horizon `below` (SQL and parameters, in order). */
export function pruneStatements(below: number): { sql: string; params: unknown[] }[] {
    const out = VERSIONED.map((v) => ({ sql: `DELETE FROM "${historyTable(v.table)}" WHERE upper(block_range) <= $1::int4`, params: [below] }))
    out.push({
        sql:
            `INSERT INTO "${PRUNE_TABLE}" (id, pruned_below, pruned_at) VALUES (0, $1::int4, now()) ` +
            `ON CONFLICT (id) DO UPDATE SET pruned_below = greatest("${PRUNE_TABLE}".pruned_below, EXCLUDED.pruned_below), pruned_at = EXCLUDED.pruned_at`,
        params: [below],
    })
    return out
}

/** One per processor: decides when to prune and does it in the handler's transaction. */
export class HistoryPruner {
    /** height of the last call that checked (in memory: after a restart the first call checks) */
    private lastCheck = -Infinity

    constructor(readonly settings: HistoryPruneSettings) {}

    /** After the call's writes, at `height` (its last block): prune if due and the horizon moved. */
    async afterBatch(em: EntityManager, height: number): Promise<PruneResult | undefined> {
        if (height - this.lastCheck < this.settings.everyBlocks) return undefined
        this.lastCheck = height
        const [row] = await em.query(
            `SELECT (SELECT height FROM squid_processor.status WHERE id = 0) AS finalized, (SELECT pruned_below FROM "${PRUNE_TABLE}" WHERE id = 0) AS pruned`,
        )
        if (row?.finalized == null) return undefined
        const below = Number(row.finalized) - this.settings.keepBlocks
        if (below <= 0 || (row.pruned != null && below <= Number(row.pruned))) return undefined
        let deleted = 0
        for (const s of pruneStatements(below)) {
            const r = await em.query(s.sql, s.params)
            // typeorm's postgres driver answers a DELETE with [rows, rowCount]
            if (s.sql.startsWith('DELETE') && Array.isArray(r) && typeof r[1] === 'number') deleted += r[1]
        }
        return { prunedBelow: below, deleted }
    }
}
