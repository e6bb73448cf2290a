/**
 * The live-query engine without a database: executions come from a fake execute, so we can count them, change
 * the "database" between commits and drive notices (coalescing under LIVE_MIN_INTERVAL_MS, sharing, reorg flag,
 * feed loss, slow consumers).
 */
import { ExecutionResult, GraphQLSchema, parse } from 'graphql'
import { LiveQueries } from '../../src/server/live/engine'
import { FeedLost } from '../../src/server/pubsub/queue'
import { buildApiSchema } from '../../src/server/schema'

let schema: GraphQLSchema
beforeAll(async () => {
    schema = await buildApiSchema()
})

const doc = parse(`subscription { batches(limit: 5) { id status } }`)

function engine(opts: { minIntervalMs?: number; queueCapacity?: number } = {}) {
    const db = { rows: [{ id: '1', status: 'COMMITTED' }] as any[], executions: 0 }
    const live = new LiveQueries(
        schema,
        async () => {
            db.executions++
            return { data: { batches: db.rows.map((r) => ({ ...r })) } }
        },
        { minIntervalMs: opts.minIntervalMs ?? 50, queueCapacity: opts.queueCapacity ?? 10 },
    )
    return { db, live }
}

const notice = (height: number, extra: Record<string, unknown> = {}) => JSON.stringify({ height, hash: `0x${height}`, head: true, changed: {}, tables: ['Batch'], ...extra })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const args = { schema, document: doc } as any

test('a burst of commits within the interval costs one more execution, not one per commit', async () => {
    const { db, live } = engine({ minIntervalMs: 300 })
    expect(live.isLive(doc)).toBe(true)
    expect(live.isLive(parse(`subscription { batchUpdated { id } }`))).toBe(false)
    const it = live.subscribe(args, undefined)
    expect((await it.next()).value).toEqual({ data: { batches: [{ id: '1', status: 'COMMITTED' }] } })
    for (let h = 1; h <= 5; h++) {
        db.rows = [{ id: '1', status: h === 5 ? 'FINALIZED' : 'COMMITTED' }]
        live.push(notice(h))
        await sleep(5)
    }
    const next = (await it.next()).value as ExecutionResult<any>
    expect(next.data.batches[0].status).toBe('FINALIZED')
    await sleep(400)
    expect(db.executions).toBe(2)
    live.close()
})

test('identical subscribers share the entry; a late joiner gets the last result at once', async () => {
    const { db, live } = engine()
    const a = live.subscribe(args, undefined)
    await a.next()
    const b = live.subscribe(args, undefined)
    expect((await b.next()).value).toEqual({ data: { batches: [{ id: '1', status: 'COMMITTED' }] } })
    expect(live.stats).toMatchObject({ entries: 1, members: 2, executions: 1 })
    // another role: a separate entry
    live.subscribe(args, { role: 'operator', keyId: 'k' } as any)
    expect(live.stats.entries).toBe(2)
    expect(db.executions).toBeLessThanOrEqual(2)
    live.close()
})

test('reorg and a head going backwards flag the changed result; an unchanged one is not pushed', async () => {
    const { db, live } = engine()
    const it = live.subscribe(args, undefined)
    expect(((await it.next()).value as ExecutionResult).extensions).toBeUndefined()
    live.push(notice(10))
    await sleep(100)
    db.rows = []
    live.push(notice(11, { reorg: true, tables: [] }))
    expect((await it.next()).value).toEqual({ data: { batches: [] }, extensions: { reorg: true } })
    db.rows = [{ id: '2', status: 'COMMITTED' }]
    live.push(notice(9, { tables: ['Claim'] }))
    expect((await it.next()).value).toEqual({ data: { batches: [{ id: '2', status: 'COMMITTED' }] }, extensions: { reorg: true } })
    const pushes = live.stats.pushes
    live.push(notice(12, { reorg: true }))
    await sleep(150)
    expect(live.stats.pushes).toBe(pushes)
    expect(live.stats.unchanged).toBeGreaterThanOrEqual(2)
    live.close()
})

test('a lost change feed ends live queries with FEED_LOST; a slow consumer is dropped alone', async () => {
    const { db, live } = engine({ minIntervalMs: 1, queueCapacity: 2 })
    const slow = live.subscribe(args, undefined)
    const fast = live.subscribe(args, undefined)
    await fast.next()
    for (let h = 1; h <= 4; h++) {
        db.rows = [{ id: String(100 + h), status: 'COMMITTED' }]
        live.push(notice(h))
        await sleep(30)
        await fast.next()
    }
    // slow never read: 1 first result + 4 changes > capacity 2
    const results: any[] = []
    for (;;) {
        const r = await slow.next()
        if (r.done) break
        results.push(r.value)
    }
    expect(results[results.length - 1].errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'SLOW_CONSUMER' })
    expect(live.stats.members).toBe(1)
    expect(live.failAll(new FeedLost(21_000))).toBe(1)
    const lost = (await fast.next()).value as ExecutionResult
    expect(lost.errors![0].extensions).toMatchObject({ code: 'UNAVAILABLE', reason: 'FEED_LOST' })
    expect((await fast.next()).done).toBe(true)
    expect(live.stats.entries).toBe(0)
})

test('entries of one document with different variables run as one batch per commit, each with its own statement member', async () => {
    const members: unknown[] = []
    const live = new LiveQueries(
        schema,
        async (_d, variables, _o, _c, statements) => {
            members.push(statements)
            return { data: { batches: [{ id: String(variables?.n), status: 'COMMITTED' }] } }
        },
        { minIntervalMs: 50, queueCapacity: 10 },
    )
    const byVars = parse(`subscription($n: Int!) { batches(limit: $n) { id status } }`)
    const its = [1, 2, 3].map((n) => live.subscribe({ schema, document: byVars, variableValues: { n } } as any, undefined))
    for (const [i, it] of its.entries()) expect((await it.next()).value).toEqual({ data: { batches: [{ id: String(i + 1), status: 'COMMITTED' }] } })
    const before = live.stats
    expect(before).toMatchObject({ entries: 3, executions: 3 })
    live.push(notice(1))
    await sleep(150)
    expect(live.stats.executions - before.executions).toBe(3)
    expect(live.stats.batches - before.batches).toBe(1)
    // every execution got a member of the batch to send its SQL through
    expect(members.every((m) => m && typeof (m as any).query === 'function')).toBe(true)
    live.close()
})
