/**
 * The custom queries that take `block` (batchLifecycle, claimableBalance, escrowUtilisation) send one SQL text for
 * every block, the block a statement parameter (as the generated queries do: named statements and the plan cache
 * serve them), and their statements carry the in-statement guard. The resolvers run against a pool that records
 * what it is sent and answers the head/horizon checks (head 100, nothing pruned).
 */
import 'reflect-metadata'
import type { Pool } from 'pg'
import { AnalyticsResolver } from '../../src/server/resolvers/analytics.resolver'
import { SettlementResolver } from '../../src/server/resolvers/settlement.resolver'
import { asOfStatement } from '../../src/server/time-travel'

const PAYEE = '0x' + '11'.repeat(20)
const TOKEN = '0x' + '22'.repeat(20)
const BATCH = '0x' + '33'.repeat(32)

/** A pool that records the statements reading the indexed tables and answers the checks around them. */
function recordingPool(state = { head: 100 as number | null, pruned: null as number | null, failGuard: false }) {
    const sent: { text: string; values: unknown[] }[] = []
    const query = async (q: any, values?: unknown[]) => {
        const text: string = typeof q === 'string' ? q : q.text
        const vals: unknown[] = (typeof q === 'string' ? values : q.values) ?? []
        if (/^SELECT greatest\(\(SELECT height FROM squid_processor\.status/.test(text.trim())) return { rows: [[state.head, state.pruned]], rowCount: 1 }
        if (/^SELECT pruned_below FROM/.test(text.trim())) return { rows: [[state.pruned]], rowCount: 1 }
        sent.push({ text, values: vals })
        // what Postgres answers when the statement's guard fails (the head it saw is 95)
        if (state.failGuard) throw new Error('invalid input syntax for type boolean: "time travel: block not servable 95 0"')
        return { rows: [], rowCount: 0 }
    }
    return { db: { query } as unknown as Pool, sent, state }
}

const ctxOf = (db: Pool) => ({ db, requestId: 't', openreader: null, services: { db } }) as any

async function sentFor(block: number) {
    const { db, sent } = recordingPool()
    const ctx = ctxOf(db)
    await new SettlementResolver().batchLifecycle(BATCH, ctx, { number: block })
    await new SettlementResolver().claimableBalance(PAYEE, TOKEN, 10, ctx, { number: block })
    await new AnalyticsResolver().escrowUtilisation(TOKEN, PAYEE, ctx, { number: block })
    await new AnalyticsResolver().escrowUtilisation(null, null, ctx, { number: block })
    return sent
}

test('one SQL text for every block: the block is a bound parameter, guarded in the statement', async () => {
    const at40 = await sentFor(40)
    const at87 = await sentFor(87)
    expect(at40.length).toBe(4)
    expect(at87.map((s) => s.text)).toEqual(at40.map((s) => s.text))
    for (const [i, s] of at87.entries()) {
        expect(s.text).not.toMatch(/\b87\b/)
        expect(s.text).toMatch(/_history" WHERE block_range @> \$\d+::int4 AND \(SELECT CASE/)
        const param = Number(/block_range @> \$(\d+)::int4/.exec(s.text)![1])
        expect(s.values[param - 1]).toBe(87)
        expect(at40[i].values[param - 1]).toBe(40)
    }
    // lifecycle and claimable already took the block (claims up to it): the same parameter, not another one
    expect(at87[0].values).toEqual([BATCH, 87])
    expect(at87[1].values).toEqual([PAYEE, TOKEN, 87])
    expect(at87[2].values).toEqual([PAYEE, TOKEN, 87])
    expect(at87[3].values).toEqual([null, 87])
})

test('without block: the current tables, no block parameter', async () => {
    const { db, sent } = recordingPool()
    await new AnalyticsResolver().escrowUtilisation(TOKEN, null, ctxOf(db), null)
    expect(sent[0].text).not.toMatch(/_history/)
    expect(sent[0].values).toEqual([TOKEN])
    expect(asOfStatement('SELECT 1 FROM "batch" b', [], null)).toEqual(['SELECT 1 FROM "batch" b', []])
})

test('the guard failing inside the statement maps to the coded error; the checks around it still refuse', async () => {
    const code = async (p: Promise<unknown>) => p.then(() => undefined, (e: any) => e?.extensions?.code ?? String(e))
    const failing = recordingPool({ head: 100, pruned: null, failGuard: true })
    // a reorg onto a shorter branch between the check before and the statement: the statement's own snapshot decides
    expect(await code(new SettlementResolver().batchLifecycle(BATCH, ctxOf(failing.db), { number: 99 }))).toBe('BLOCK_NOT_INDEXED')
    const above = recordingPool({ head: 100, pruned: null, failGuard: false })
    expect(await code(new AnalyticsResolver().escrowUtilisation(null, null, ctxOf(above.db), { number: 101 }))).toBe('BLOCK_NOT_INDEXED')
    expect(above.sent.length).toBe(0)
    const pruned = recordingPool({ head: 100, pruned: 50, failGuard: false })
    expect(await code(new SettlementResolver().claimableBalance(PAYEE, null, 10, ctxOf(pruned.db), { number: 49 }))).toBe('BLOCK_PRUNED')
})

test('a statement that already takes the block must hold it at the named parameter', () => {
    expect(() => asOfStatement('SELECT 1 FROM "batch" b WHERE $1::int4 > 0', [5], 6, 1)).toThrow(/must be the block 6/)
})
