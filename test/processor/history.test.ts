/**
 * Time travel, the pure parts: the versions an entity buffer hands to the history writer (one per entity and block,
 * the row as it was at the end of that block), and the API's rewrite of OpenReader's SQL to the history tables.
 */
import { Batch, BatchStatus, TimelockOperation, Token } from '../../src/model'
import { EntityBuffer } from '../../src/mappings/entity-buffer'
import { asOfSql } from '../../src/server/time-travel'
import { historyPruneFromEnv } from '../../src/config'
import { VERSIONED } from '../../src/model/versioned'
import { pruneStatements } from '../../src/indexer/write/history-prune'

function batch(id: string, block: number): Batch {
    return new Batch({ id, status: BatchStatus.COMMITTED, token: new Token({ id: 't' }), claimedAmount: 0n, claimCount: 0, updatedAtBlock: block })
}

test('versions: one per block, each the state at the end of its block, linked to the next', () => {
    const buf = new EntityBuffer(Batch)
    expect(buf.versioned).toBe(true)
    const b = buf.add(batch('b1', 10))
    b.claimCount = 1
    buf.touch(b) // still block 10: replaces the version of block 10
    b.status = BatchStatus.FINALIZED
    b.updatedAtBlock = 12
    buf.touch(b)
    b.claimCount = 2
    b.claimedAmount = 5n
    b.updatedAtBlock = 15
    buf.touch(b)
    const other = buf.add(batch('b2', 12))
    const v = buf.versions().map((x) => ({ id: x.row.id, block: x.block, next: x.next, status: x.row.status, claimCount: x.row.claimCount }))
    expect(v).toEqual([
        { id: 'b1', block: 10, next: 12, status: BatchStatus.COMMITTED, claimCount: 1 },
        { id: 'b1', block: 12, next: 15, status: BatchStatus.FINALIZED, claimCount: 1 },
        { id: 'b1', block: 15, next: null, status: BatchStatus.FINALIZED, claimCount: 2 },
        { id: 'b2', block: 12, next: null, status: BatchStatus.COMMITTED, claimCount: 0 },
    ])
    // the copies keep the entity class (the bulk writer plans by class)
    expect(buf.versions()[0].row).toBeInstanceOf(Batch)
    expect(buf.versions()[3].row).toBe(other)
})

test('entities that are not versioned keep no copies', () => {
    const buf = new EntityBuffer(TimelockOperation)
    expect(buf.versioned).toBe(false)
})

test('asOfSql reads the versioned tables from their history, and only them', () => {
    const sql = `SELECT "b"."id" FROM "batch" AS "b" LEFT OUTER JOIN "dispute" "d" ON "d"."id" = "b"."id" LEFT OUTER JOIN "claim" "c" ON "c"."batch_id" = "b"."id"`
    expect(asOfSql(sql, 42)).toBe(
        `SELECT "b"."id" FROM (SELECT * FROM "batch_history" WHERE block_range @> 42) AS "b" ` +
            `LEFT OUTER JOIN (SELECT * FROM "dispute_history" WHERE block_range @> 42) "d" ON "d"."id" = "b"."id" LEFT OUTER JOIN "claim" "c" ON "c"."batch_id" = "b"."id"`,
    )
    // "validator" is versioned, "validator_score" is not
    expect(asOfSql(`SELECT 1 FROM "validator_score" "s" JOIN "validator" "v" ON true`, 7)).toBe(
        `SELECT 1 FROM "validator_score" "s" JOIN (SELECT * FROM "validator_history" WHERE block_range @> 7) "v" ON true`,
    )
    // a column or table merely named like one is untouched
    expect(asOfSql(`SELECT "batch" FROM "batch_history" AS x`, 1)).toBe(`SELECT "batch" FROM "batch_history" AS x`)
    expect(() => asOfSql('SELECT 1', 1.5)).toThrow(/block number/)
})

test('HISTORY_BLOCKS: unset keeps all history; a whole number of blocks prunes, every HISTORY_PRUNE_EVERY blocks', () => {
    expect(historyPruneFromEnv({})).toBeUndefined()
    expect(historyPruneFromEnv({ HISTORY_BLOCKS: '5000' })).toEqual({ keepBlocks: 5000, everyBlocks: 1000 })
    expect(historyPruneFromEnv({ HISTORY_BLOCKS: '0', HISTORY_PRUNE_EVERY: '10' })).toEqual({ keepBlocks: 0, everyBlocks: 10 })
    expect(() => historyPruneFromEnv({ HISTORY_BLOCKS: '-1' })).toThrow(/HISTORY_BLOCKS/)
    expect(() => historyPruneFromEnv({ HISTORY_BLOCKS: '10', HISTORY_PRUNE_EVERY: '0' })).toThrow(/HISTORY_PRUNE_EVERY/)
})

test('pruning: one DELETE per history table of the versions that ended at or below the horizon, then the horizon (never lowered)', () => {
    const stmts = pruneStatements(120)
    expect(stmts.filter((s) => s.sql.startsWith('DELETE')).map((s) => s.sql.match(/"(\w+)"/)![1])).toEqual(VERSIONED.map((v) => `${v.table}_history`))
    for (const s of stmts) expect(s.params).toEqual([120])
    expect(stmts[stmts.length - 1].sql).toMatch(/INSERT INTO "history_pruned".*greatest/)
})
