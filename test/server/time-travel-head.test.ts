/**
 * The as-of checks of the generated queries (src/server/time-travel.ts) with the head last seen as a hint: a block
 * at or below it skips the check before the statements, the check after them (head and horizon) still decides;
 * a block above it is checked against the database first. The statements are a scripted FirstRow (what the
 * database answers for head and horizon at each call).
 */
import { asOfSql, confirmIndexed, guardFailure, KnownHead, resolveBlock } from '../../src/server/time-travel'

/** A FirstRow that answers the head/horizon statement from `state` and counts the statements. */
function fakeDb(state: { head: number | null; prunedBelow: number | null }) {
    const calls: string[] = []
    const first = async (sql: string) => {
        calls.push(sql)
        if (!/squid_processor\.status/.test(sql)) throw new Error(`unexpected statement: ${sql}`)
        return [state.head, state.prunedBelow]
    }
    return { first, calls, state }
}

const codeOf = async (p: Promise<unknown>) => {
    try {
        await p
        return undefined
    } catch (e: any) {
        return e?.extensions?.code ?? String(e)
    }
}

test('a block above the head last seen is checked first; at or below it, only after', async () => {
    const db = fakeDb({ head: 100, prunedBelow: null })
    const head = new KnownHead()
    expect(await resolveBlock(db.first, { number: 90 }, head)).toBe(90)
    expect(db.calls.length).toBe(1)
    await confirmIndexed(db.first, 90, head)
    expect(db.calls.length).toBe(2)
    // the hint covers 100: no statement before
    expect(await resolveBlock(db.first, { number: 100 }, head)).toBe(100)
    expect(db.calls.length).toBe(2)
    // just indexed: above the hint, so the database is asked and answers it
    db.state.head = 105
    expect(await resolveBlock(db.first, { number: 105 }, head)).toBe(105)
    expect(db.calls.length).toBe(3)
    expect(await codeOf(resolveBlock(db.first, { number: 106 }, head))).toBe('BLOCK_NOT_INDEXED')
})

test('a reorg onto a shorter branch: the check after the statements refuses a block the hint still covered', async () => {
    const db = fakeDb({ head: 100, prunedBelow: null })
    const head = new KnownHead()
    await resolveBlock(db.first, { number: 100 }, head)
    db.state.head = 97
    expect(await resolveBlock(db.first, { number: 99 }, head)).toBe(99)
    expect(await codeOf(confirmIndexed(db.first, 99, head))).toBe('BLOCK_NOT_INDEXED')
    // the hint followed the database down: the next request asks before its statements
    expect(await codeOf(resolveBlock(db.first, { number: 99 }, head))).toBe('BLOCK_NOT_INDEXED')
})

test('pruning: a block the hint covers is refused by the check after the statements', async () => {
    const db = fakeDb({ head: 100, prunedBelow: null })
    const head = new KnownHead()
    await resolveBlock(db.first, { number: 50 }, head)
    db.state.prunedBelow = 60
    expect(await resolveBlock(db.first, { number: 50 }, head)).toBe(50)
    expect(await codeOf(confirmIndexed(db.first, 50, head))).toBe('BLOCK_PRUNED')
    expect(await codeOf(resolveBlock(db.first, { number: 50 }))).toBe('BLOCK_PRUNED')
})

test('malformed numbers are refused without a statement, hint or not', async () => {
    const db = fakeDb({ head: 100, prunedBelow: null })
    const head = new KnownHead()
    await resolveBlock(db.first, { number: 10 }, head)
    const n = db.calls.length
    expect(await codeOf(resolveBlock(db.first, { number: -1 }, head))).toBe('BAD_USER_INPUT')
    expect(await codeOf(resolveBlock(db.first, { number: 1.5 }, head))).toBe('BAD_USER_INPUT')
    expect(db.calls.length).toBe(n)
})

test('no head yet (nothing indexed): every block is refused', async () => {
    const db = fakeDb({ head: null, prunedBelow: null })
    const head = new KnownHead()
    expect(await codeOf(resolveBlock(db.first, { number: 0 }, head))).toBe('BLOCK_NOT_INDEXED')
    expect(await codeOf(resolveBlock(db.first, { number: 0 }, head))).toBe('BLOCK_NOT_INDEXED')
})

test('the guarded rewrite checks head and horizon inside each statement; its failure maps to the coded errors', () => {
    const sql = asOfSql('SELECT "batch".id FROM "batch" "batch" JOIN "payout" "p" ON true', 42, true)
    expect(sql.match(/block_range @> 42 AND \(SELECT CASE/g)?.length).toBe(2)
    expect(asOfSql('SELECT 1 FROM "batch" "batch"', 42)).not.toMatch(/CASE/)
    // as a parameter: one statement text for every block (named statements, plan cache)
    const p = asOfSql('SELECT "batch".id FROM "batch" "batch" WHERE "batch".id = $1', 42, true, 2)
    expect(p).not.toMatch(/42/)
    expect(p.match(/block_range @> \$2::int4 AND \(SELECT CASE WHEN coalesce\(g.head, -1\) >= \$2::int4/g)?.length).toBe(1)
    expect(asOfSql('SELECT 1 FROM "batch" "batch"', 7, true, 1)).toBe(asOfSql('SELECT 1 FROM "batch" "batch"', 9, true, 1))
    const pgError = (head: number, pruned: number) => new Error(`invalid input syntax for type boolean: "time travel: block not servable ${head} ${pruned}"`)
    const head = new KnownHead()
    expect((guardFailure(pgError(40, 0), 42, head) as any)?.extensions).toEqual({ code: 'BLOCK_NOT_INDEXED', block: 42, head: 40 })
    expect(head.covers(41)).toBe(false)
    expect(head.covers(40)).toBe(true)
    expect((guardFailure(pgError(-1, 0), 0) as any)?.extensions).toEqual({ code: 'BLOCK_NOT_INDEXED', block: 0, head: null })
    expect((guardFailure(pgError(100, 50), 42) as any)?.extensions).toEqual({ code: 'BLOCK_PRUNED', block: 42, prunedBelow: 50 })
    expect(guardFailure(new Error('statement timeout'), 42)).toBeUndefined()
})
