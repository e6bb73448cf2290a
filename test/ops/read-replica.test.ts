/**
 * DATABASE_READ_URL against a real streaming replica (support/replica.ts): queries and /sql read from the standby,
 * mutations, API keys and idempotency stay on the primary, a mutation's own result is read from the primary while
 * the standby is behind (WAL replay paused), the caller's next reads follow it there, and a standby that goes away
 * falls back to the primary with one log line.
 */
import { createApiKey } from '../../src/server/api-keys'
import { isReplicaFailure } from '../../src/server/db-routing'
import { requestHash } from '../../src/server/idempotency'
import { readUrlsFromEnv, RunningServer, serverOptionsFromEnv, startServer } from '../../src/server'
import { bid, insertToken, post, setIndexerHead, until, upsertBatch } from '../server/support/stack'
import { ReplicaPair, startReplicaPair } from './support/replica'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { encodePayload } from '../../src/indexer/write/notify'

jest.setTimeout(180_000)

let pair: ReplicaPair
let server: RunningServer
/** the same, but skipping a replica more than 300 ms behind */
let guarded: RunningServer
const logs: string[] = []
let operatorKey: string

const BATCH = `query($id: String!) { batchById(id: $id) { id status } }`

async function query(id: string, headers: Record<string, string> = {}) {
    const r = await post(server.url, { query: BATCH, variables: { id } }, headers)
    expect(r.status).toBe(200)
    expect(r.body.errors).toBeUndefined()
    return r.body.data.batchById
}

async function sql(text: string, key: string) {
    const r = await post(new URL('/sql', server.url).toString(), { sql: text }, { authorization: `Bearer ${key}` })
    expect(r.status).toBe(200)
    return r.body.rows as unknown[][]
}

const served = (target: string) => server.reads!.router.served.get(target) ?? 0

beforeAll(async () => {
    pair = await startReplicaPair()
    await insertToken(pair.pool)
    await setIndexerHead(pair.pool, 5)
    await upsertBatch(pair.pool, { id: bid(1), committedAt: new Date('2024-01-01T00:00:00Z'), committedAtBlock: 1 })
    server = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: pair.primary.url,
        readDatabaseUrls: [pair.standby.url],
        readAfterWriteMs: 1_500,
        rpcUrl: null,
        resultCacheMs: 0,
        log: (level, message) => logs.push(`${level} ${message}`),
        rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 }, key: { burst: 10_000, perSecond: 10_000 } },
    })
    expect(server.sqlUnavailable).toBeUndefined()
    guarded = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: pair.primary.url,
        readDatabaseUrls: [pair.standby.url],
        readMaxLagMs: 300,
        rpcUrl: null,
        resultCacheMs: 0,
        log: () => undefined,
        rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } },
    })
    operatorKey = (await createApiKey(pair.pool, 'operator', 'ops test')).key
    // the read-only role and the key the server created on the primary reach the standby
    await pair.caughtUp()
})

afterAll(async () => {
    await guarded?.close()
    await server?.close()
    await pair?.close()
})

/** The first result of a live query (a subscription on a generated query field) over graphql-ws. */
async function liveFirst(query: string, variables: Record<string, unknown>): Promise<unknown> {
    const c = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })
    try {
        return await new Promise((resolve, reject) => {
            c.subscribe({ query, variables }, { next: (v) => (v.errors ? reject(new Error(JSON.stringify(v.errors))) : resolve(v.data)), error: reject, complete: () => undefined })
        })
    } finally {
        await c.dispose()
    }
}

test('the standby streams the primary and refuses writes of its own', async () => {
    await expect(pair.standbyPool.query(`INSERT INTO api.mutations (idempotency_key, kind, request_hash, status) VALUES ('x', 'k', 'h', 'DONE')`)).rejects.toMatchObject({
        code: '25006',
    })
    expect((await pair.standbyPool.query(`SELECT pg_is_in_recovery() AS r`)).rows[0].r).toBe(true)
    expect((await pair.standbyPool.query(`SELECT id FROM batch`)).rows.map((r) => r.id)).toEqual([bid(1)])
})

test('GraphQL queries and /sql are served by the replica', async () => {
    const before = served(server.reads!.router.pools[0].name)
    expect(await query(bid(1))).toMatchObject({ id: bid(1), status: 'COMMITTED' })
    expect(served(server.reads!.router.pools[0].name)).toBeGreaterThan(before)
    expect(served('primary')).toBe(0)
    // /sql runs as the read-only role on the standby
    expect(await sql('SELECT pg_is_in_recovery(), current_user', operatorKey)).toEqual([[true, 'squid_readonly']])
})

test('with replay paused, queries read the stale replica; a mutation reads its own write on the primary, and so do its caller\'s next reads', async () => {
    await pair.standbyPool.query(`SELECT pg_wal_replay_pause()`)
    try {
        // written on the primary only (the standby is not replaying)
        await upsertBatch(pair.pool, { id: bid(2), committedAt: new Date('2024-01-02T00:00:00Z'), committedAtBlock: 2 })
        const relayerKey = (await createApiKey(pair.pool, 'read-only', 'made while the replica is behind')).key
        const key = 'ops-replica-finalize-1'
        const txHash = '0x' + 'ab'.repeat(32)
        await pair.pool.query(
            `INSERT INTO api.mutations (idempotency_key, scope, kind, request_hash, status, result, tx_hash) VALUES ($1, 'operator:finalizeBatch', 'finalizeBatch', $2, 'DONE', $3, $4)`,
            [key, requestHash('finalizeBatch', { batchId: bid(2) }), JSON.stringify({ batchId: bid(2), txHash, status: 'CONFIRMED', blockNumber: 7 }), txHash],
        )

        // anonymous reads: the replica, which does not have batch 2 yet
        expect(await query(bid(2))).toBeNull()
        // a live query reads the primary (it re-runs right after commit notices; a lagging replica would answer
        // the old result and never push the new one): its first result already has batch 2
        expect(await liveFirst(`subscription($id: String!) { batchById(id: $id) { id status } }`, { id: bid(2) })).toEqual({ batchById: { id: bid(2), status: 'COMMITTED' } })
        // a key created on the primary a moment ago authenticates (keys are looked up on the primary)
        expect(await sql('SELECT pg_is_in_recovery()', relayerKey)).toEqual([[true]])

        // the mutation finds its stored result (written on the primary, absent on the replica) and replays it
        const m = await post(
            server.url,
            { query: `mutation($id: String!, $k: String) { finalizeBatch(id: $id, idempotencyKey: $k) { batchId txHash status blockNumber replayed } }`, variables: { id: bid(2), k: key } },
            { authorization: `Bearer ${operatorKey}` },
        )
        expect(m.body.errors).toBeUndefined()
        expect(m.body.data.finalizeBatch).toEqual({ batchId: bid(2), txHash, status: 'CONFIRMED', blockNumber: 7, replayed: true })

        // right after its mutation, the operator's queries go to the primary (read-your-writes window)...
        expect(await query(bid(2), { authorization: `Bearer ${operatorKey}` })).toMatchObject({ id: bid(2) })
        // ...everyone else's still to the lagging replica
        expect(await query(bid(2))).toBeNull()
        // after the window, the operator reads the replica again
        await new Promise((r) => setTimeout(r, 1_600))
        expect(await query(bid(2), { authorization: `Bearer ${operatorKey}` })).toBeNull()

        // DATABASE_READ_MAX_LAG_MS: once the probe sees the replica more than 300 ms behind, reads skip it
        const name = guarded.reads!.router.pools[0].name
        await until(() => (guarded.reads!.lag.seconds.get(name) ?? 0) > 0.3, 10_000)
        const viaGuarded = await post(guarded.url, { query: BATCH, variables: { id: bid(2) } })
        expect(viaGuarded.body.data.batchById).toMatchObject({ id: bid(2) })
        expect(guarded.reads!.router.served.get('primary')).toBeGreaterThanOrEqual(1)
        const metrics = await (await fetch(new URL('/metrics', guarded.url))).text()
        const lagLine = metrics.split('\n').find((l) => l.startsWith(`api_db_replica_lag_seconds{replica="${name}"}`))
        expect(Number(lagLine?.split(' ')[1])).toBeGreaterThan(0.3)
    } finally {
        await pair.standbyPool.query(`SELECT pg_wal_replay_resume()`)
    }
    await pair.caughtUp()
    expect(await query(bid(2))).toMatchObject({ id: bid(2), status: 'COMMITTED' })
    // caught up: the guarded server reads the replica again
    await until(() => guarded.reads!.lag.seconds.get(guarded.reads!.router.pools[0].name) === 0, 10_000)
    const before = guarded.reads!.router.served.get(guarded.reads!.router.pools[0].name) ?? 0
    await post(guarded.url, { query: BATCH, variables: { id: bid(2) } })
    expect(guarded.reads!.router.served.get(guarded.reads!.router.pools[0].name)).toBe(before + 1)
})

test('live queries read a replica only once it has replayed the notified commits, else the primary', async () => {
    const replica = server.reads!.router.pools[0].name
    const c = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })
    const events: any[] = []
    c.subscribe({ query: `subscription { batches(orderBy: id_ASC) { id } }` }, { next: (v) => void events.push(v), error: (e) => void events.push({ errors: [e] }), complete: () => undefined })
    let height = 10
    const notice = () => pair.pool.query(`SELECT pg_notify('squid_batch', $1)`, [encodePayload({ height: ++height, hash: '0x' + height.toString(16), head: true, changed: { batches: [bid(9)] }, tables: ['Batch'] })])
    const ids = (e: any) => e.data.batches.map((b: { id: string }) => b.id)
    try {
        await until(() => events.length === 1)
        // a commit notice once the replica holds it: the re-run is served there (same result: nothing pushed)
        await notice()
        await pair.caughtUp()
        const before = served(replica)
        await upsertBatch(pair.pool, { id: bid(8), committedAt: new Date('2024-01-08T00:00:00Z'), committedAtBlock: 8 })
        await pair.caughtUp()
        await notice()
        await until(() => events.length === 2)
        expect(ids(events[1])).toContain(bid(8))
        expect(served(replica)).toBeGreaterThan(before)

        // the replica stops replaying: a commit notified now is read from the primary, and pushed at once
        await pair.standbyPool.query(`SELECT pg_wal_replay_pause()`)
        try {
            await upsertBatch(pair.pool, { id: bid(9), committedAt: new Date('2024-01-09T00:00:00Z'), committedAtBlock: 9 })
            const atPause = served(replica)
            await notice()
            await until(() => events.length === 3, 5_000)
            expect(ids(events[2])).toContain(bid(9))
            expect(served(replica)).toBe(atPause)
        } finally {
            await pair.standbyPool.query(`SELECT pg_wal_replay_resume()`)
        }
    } finally {
        await c.dispose()
    }
})

test('a replica that goes away: reads fall back to the primary, logged once', async () => {
    const warnings = () => logs.filter((l) => /read replica .* unavailable/.test(l)).length
    expect(warnings()).toBe(0)
    await pair.standby.stop()
    for (let i = 0; i < 5; i++) expect(await query(bid(1))).toMatchObject({ id: bid(1) })
    expect(await sql('SELECT pg_is_in_recovery()', operatorKey)).toEqual([[false]])
    expect(served('primary')).toBeGreaterThanOrEqual(5)
    // one line for the GraphQL pool, one for the /sql pool: not one per request
    expect(warnings()).toBe(2)
    expect(server.reads!.router.fallbacks.count).toBeGreaterThanOrEqual(1)
})

test('a replica unreachable from the start: the server starts and reads from the primary', async () => {
    const lines: string[] = []
    const s = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: pair.primary.url,
        readDatabaseUrls: ['postgres://postgres:postgres@127.0.0.1:1/squid'],
        rpcUrl: null,
        resultCacheMs: 0,
        log: (level, message) => lines.push(`${level} ${message}`),
    })
    try {
        for (let i = 0; i < 3; i++) {
            const r = await post(s.url, { query: BATCH, variables: { id: bid(1) } })
            expect(r.body.data.batchById).toMatchObject({ id: bid(1) })
        }
        expect(s.reads!.router.served.get('primary')).toBe(3)
        expect(lines.filter((l) => /read replica 127\.0\.0\.1:1 unavailable/.test(l))).toHaveLength(1)
    } finally {
        await s.close()
    }
})

test('configuration: DATABASE_READ_URL takes one or several URLs; failures of the server vs of the statement', () => {
    expect(readUrlsFromEnv('postgres://a@h1/db, postgresql://b@h2:5433/db')).toEqual(['postgres://a@h1/db', 'postgresql://b@h2:5433/db'])
    expect(readUrlsFromEnv('')).toBeUndefined()
    expect(() => readUrlsFromEnv('mysql://u:secret@h/db')).toThrow(/u:\*\*\*@h/)
    expect(serverOptionsFromEnv({ DATABASE_READ_URL: 'postgres://r@replica/db', DATABASE_READ_AFTER_WRITE_MS: '500' })).toMatchObject({
        readDatabaseUrls: ['postgres://r@replica/db'],
        readAfterWriteMs: 500,
    })
    expect(isReplicaFailure({ code: 'ECONNREFUSED' })).toBe(true)
    expect(isReplicaFailure({ code: '57P01' })).toBe(true)
    expect(isReplicaFailure({ code: '40001' })).toBe(true)
    expect(isReplicaFailure({ code: '42P01', message: 'relation does not exist' })).toBe(false)
    expect(isReplicaFailure({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(false)
})
