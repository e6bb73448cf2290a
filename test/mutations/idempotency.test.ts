import { IdempotencyStore, publicResult, requestHash, stableJson } from '../../src/server/idempotency'
import { PgHarness, startPg } from './harness'

jest.setTimeout(60_000)

let pg: PgHarness
beforeAll(async () => {
    pg = await startPg()
})
afterAll(async () => {
    await pg?.close()
})

test('request hashes ignore key order and undefined fields, keep bigints exact', () => {
    expect(stableJson({ b: 1n << 200n, a: [1, { y: undefined, x: 'x' }] })).toBe(`{"a":[1,{"x":"x"}],"b":"${(1n << 200n).toString()}"}`)
    expect(requestHash('k', { a: 1, b: 2 })).toBe(requestHash('k', { b: 2, a: 1 }))
    expect(requestHash('k', { a: 1 })).not.toBe(requestHash('other', { a: 1 }))
})

test('first claim owns; duplicates wait for the result; another request or kind → IDEMPOTENCY_CONFLICT', async () => {
    const store = new IdempotencyStore(pg.pool, { pollMs: 20 })
    const first = await store.claim('k1', 'commitBatch', 'h1')
    expect(first.state).toBe('owner')
    await expect(store.claim('k1', 'commitBatch', 'h2')).rejects.toMatchObject({ extensions: { code: 'IDEMPOTENCY_CONFLICT' } })
    await expect(store.claim('k1', 'finalizeBatch', 'h1')).rejects.toMatchObject({ extensions: { code: 'IDEMPOTENCY_CONFLICT', firstKind: 'commitBatch' } })
    const waiting = store.claim('k1', 'commitBatch', 'h1')
    await new Promise((r) => setTimeout(r, 100))
    if (first.state !== 'owner') throw new Error()
    await first.lease.complete({ txHash: '0xabc', status: 'CONFIRMED', __owner: 'x', __raw: '0x00', __call: 'A.b' })
    const dup = await waiting
    expect(dup.state).toBe('done')
    if (dup.state !== 'done') throw new Error()
    expect(dup.row.result).toEqual({ txHash: '0xabc', status: 'CONFIRMED', __call: 'A.b' })
    expect(publicResult(dup.row.result)).toEqual({ txHash: '0xabc', status: 'CONFIRMED' })
})

test('released key (nothing sent) can be claimed again; failed key replays its error', async () => {
    const store = new IdempotencyStore(pg.pool)
    const a = await store.claim('k2', 'x', 'h')
    if (a.state !== 'owner') throw new Error()
    await a.lease.release()
    const b = await store.claim('k2', 'x', 'h')
    expect(b.state).toBe('owner')
    if (b.state !== 'owner') throw new Error()
    const { apiError } = require('../../src/server/errors')
    await b.lease.fail(apiError('CONTRACT_REVERT', 'boom', { revert: { name: 'X', args: {} } }))
    const c = await store.claim('k2', 'x', 'h')
    expect(c.state).toBe('failed')
    if (c.state !== 'failed') throw new Error()
    expect(c.error.message).toBe('boom')
    expect(c.error.extensions).toMatchObject({ code: 'CONTRACT_REVERT', revert: { name: 'X' }, idempotentReplay: true })
})

test('a live owner keeps its lease (heartbeat); a duplicate gives up after waitMs with in-flight', async () => {
    const store = new IdempotencyStore(pg.pool, { leaseMs: 300, pollMs: 20, waitMs: 900 })
    const a = await store.claim('k3', 'x', 'h')
    if (a.state !== 'owner') throw new Error()
    const t = Date.now()
    const dup = await store.claim('k3', 'x', 'h')
    expect(dup.state).toBe('in-flight')
    expect(Date.now() - t).toBeGreaterThanOrEqual(850)
    await a.lease.complete({ ok: true })
})

test('a dead owner (stale lease) is taken over by exactly one duplicate; the old owner is fenced off', async () => {
    const deadStore = new IdempotencyStore(pg.pool, { leaseMs: 200, heartbeatMs: 60_000 })
    const live = new IdempotencyStore(pg.pool, { leaseMs: 200, heartbeatMs: 40, pollMs: 20 })
    const dead = await deadStore.claim('k4', 'x', 'h')
    if (dead.state !== 'owner') throw new Error()
    await new Promise((r) => setTimeout(r, 300))
    const claims = [0, 1, 2].map(() => live.claim('k4', 'x', 'h'))
    const first = await Promise.race(claims)
    if (first.state !== 'owner') throw new Error(`expected a takeover, got ${first.state}`)
    expect(first.previous?.status).toBe('PENDING')
    await new Promise((r) => setTimeout(r, 400)) // longer than the lease: the new owner's heartbeat keeps it
    await dead.lease.complete({ who: 'dead' }) // fenced: no effect
    expect((await live.get('k4'))!.status).toBe('PENDING')
    await first.lease.complete({ who: 'new' })
    const all = await Promise.all(claims)
    expect(all.filter((c) => c.state === 'owner')).toHaveLength(1)
    expect(all.filter((c) => c.state === 'done')).toHaveLength(2)
    const row = (await live.get('k4'))!
    expect(row.status).toBe('DONE')
    expect(row.result).toEqual({ who: 'new' })
})
