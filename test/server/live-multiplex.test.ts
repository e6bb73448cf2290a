/**
 * Live-query multiplexing on real Postgres and the real server: subscribers of one document with different
 * variables are re-run as one batch per commit whose statements are combined (live/multiplex.ts). We play the
 * processor (write rows, NOTIFY with the entity names written) and check that every subscriber ends on exactly
 * what the same document answers over HTTP (not multiplexed), and what it cost (live.stats, /metrics).
 */
import { isDeepStrictEqual } from 'util'
import type { Client } from 'graphql-ws'
import { encodePayload } from '../../src/indexer/write/notify'
import type { RunningServer } from '../../src/server'
import { addr, bid, data, gql, insertClaim, insertPayout, insertToken, PgStack, setIndexerHead, startPgStack, until, upsertBatch, upsertEscrowAccount } from './support/stack'
import { startTestServer } from './support/server'
import { Subscription, WsClients } from './support/ws-client'

jest.setTimeout(180_000)

let stack: PgStack
let server: RunningServer
const ws = new WsClients(() => server.wsUrl)
let clients: Client[] = []
let height = 100
const T0 = Date.parse('2024-05-01T00:00:00Z')
const PAYERS = Array.from({ length: 100 }, (_, i) => addr(0x1000 + i))

async function commit(tables: string[]) {
    height++
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [encodePayload({ height, hash: `0x${height.toString(16)}`, head: true, changed: {}, tables })])
}

/** a subscription on `client` (one of this test's 5 when not given) */
function open(query: string, variables?: Record<string, unknown>, client = clients[Math.floor(Math.random() * clients.length)]): Subscription {
    return ws.subscribe(query, variables, client)
}

const asQuery = (subscription: string) => subscription.replace(/^\s*subscription/, 'query')
const last = (s: Subscription) => s.events[s.events.length - 1]

/** Wait until every subscriber's last result is what HTTP answers for its document and variables now. */
async function matchHttp(subs: Subscription[], timeoutMs = 15_000): Promise<void> {
    const expected = await Promise.all(subs.map(async (s) => ({ data: data(await gql(server.url, asQuery(s.query), s.variables)) })))
    try {
        await until(() => subs.every((s, i) => isDeepStrictEqual(last(s), expected[i])), timeoutMs)
    } catch {
        const bad = subs.findIndex((s, i) => !isDeepStrictEqual(last(s), expected[i]))
        throw new Error(`live result differs from HTTP for ${JSON.stringify(subs[bad].variables)}:\n${JSON.stringify(last(subs[bad]))}\n${JSON.stringify(expected[bad])}`)
    }
}

const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function metric(name: string): Promise<number> {
    const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text()
    const m = text.match(new RegExp(`^${name} (\\d+)`, 'm'))
    if (!m) throw new Error(`no ${name} in /metrics`)
    return Number(m[1])
}

beforeAll(async () => {
    stack = await startPgStack()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, height)
    for (let i = 0; i < PAYERS.length; i++) await upsertEscrowAccount(stack.pool, PAYERS[i], BigInt(10 * i), BigInt(i), height)
    // batches of the first 6 payers: 0..5 batches each, various statuses, amounts and times
    let n = 1
    for (let p = 0; p < 6; p++) {
        for (let k = 0; k < p; k++, n++) {
            const status = (['COMMITTED', 'FINALIZED', 'DISPUTED'] as const)[(n + k) % 3]
            await upsertBatch(stack.pool, {
                id: bid(n),
                payer: PAYERS[p],
                status,
                totalAmount: BigInt(1000 * ((n * 7) % 11) + n),
                committedAt: new Date(T0 + n * 3_600_000),
                committedAtBlock: 50 + ((n * 5) % 13),
                disputedAt: status === 'DISPUTED' ? new Date(T0 + n * 3_600_000 + 60_000) : null,
                disputedAtBlock: status === 'DISPUTED' ? 60 : null,
            })
            if (status === 'DISPUTED') await stack.pool.query(`UPDATE batch SET disputed = true WHERE id = $1`, [bid(n)])
            if (k > 0) await insertPayout(stack.pool, bid(n), 1000n, new Date(T0), 70)
            for (let c = 0; c < k; c++) await insertClaim(stack.pool, { batchId: bid(n), payee: addr(0x2000 + c), amount: BigInt(5 + c), block: 70, at: new Date(T0), logIndex: c })
        }
    }
    server = await startTestServer(stack.url, { resultCacheMs: 0, subscriptions: { liveMinIntervalMs: 100 } })
})

beforeEach(() => {
    clients = Array.from({ length: 5 }, () => ws.client())
})

afterEach(async () => {
    clients = []
    await ws.disposeAll()
    await until(() => server.live.stats.members === 0)
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

test('100 subscribers with different payers cost one SQL statement per commit, each gets its own result', async () => {
    const q = `subscription($payer: String!) { escrowAccounts(where: {payer_eq: $payer}, orderBy: id_ASC) { id payer available locked token { id symbol } } }`
    const subs = PAYERS.map((payer, i) => open(q, { payer }, clients[i % clients.length]))
    await until(() => subs.every((s) => s.events.length === 1), 20_000)
    await matchHttp(subs)
    expect(subs[7].events[0].data.escrowAccounts).toEqual([{ id: `${PAYERS[7]}-0x${'7'.repeat(40)}`, payer: PAYERS[7], available: '70', locked: '7', token: { id: `0x${'7'.repeat(40)}`, symbol: 'USDC' } }])
    expect(server.live.stats).toMatchObject({ entries: 100, members: 100 })
    const before = server.live.stats
    const metricBefore = await metric('api_live_statements_total')

    await stack.pool.query(`UPDATE escrow_account SET available = available + 1`)
    await commit(['EscrowAccount', 'EscrowMovement'])
    await until(() => subs.every((s) => s.events.length === 2), 15_000)
    await matchHttp(subs)
    expect(subs[42].events[1].data.escrowAccounts[0].available).toBe('421')
    await quiet(300)
    const after = server.live.stats
    expect(after.executions - before.executions).toBe(100)
    expect(after.batches - before.batches).toBe(1)
    expect(after.statements - before.statements).toBe(1)
    expect(after.multiplexed - before.multiplexed).toBe(100)
    expect((await metric('api_live_statements_total')) - metricBefore).toBe(1)
})

test('two identical subscribers cost one execution and one statement per commit', async () => {
    const q = `subscription($payer: String!) { escrowAccounts(where: {payer_eq: $payer}) { id available } }`
    const a = open(q, { payer: PAYERS[3] }, clients[0])
    const b = open(q, { payer: PAYERS[3] }, clients[1])
    await until(() => a.events.length === 1 && b.events.length === 1)
    const before = server.live.stats
    expect(before).toMatchObject({ entries: 1, members: 2 })
    await stack.pool.query(`UPDATE escrow_account SET available = available + 1 WHERE payer = $1`, [PAYERS[3]])
    await commit(['EscrowAccount'])
    await until(() => a.events.length === 2 && b.events.length === 2)
    expect(a.events[1]).toEqual(b.events[1])
    await quiet(300)
    expect(server.live.stats.executions - before.executions).toBe(1)
    expect(server.live.stats.statements - before.statements).toBe(1)
})

// generated queries of several shapes, each with several variable sets: the multiplexed result must be exactly
// the query's own (HTTP, not multiplexed) after a commit that changes every one of them
const SHAPES: { name: string; query: string; vars: Record<string, unknown>[] }[] = [
    {
        name: 'list: filters, two-key ordering, limit, nested list and relation',
        query: `subscription($payer: String!) { batches(where: {payer_eq: $payer, status_in: [COMMITTED, FINALIZED]}, orderBy: [committedAtBlock_DESC, id_ASC], limit: 2) {
            id status totalAmount committedAt token { symbol } claims(orderBy: id_ASC) { id amount } } }`,
        vars: PAYERS.slice(0, 7).map((payer) => ({ payer })),
    },
    {
        name: 'connection: totalCount, cursors, page info (a count statement for some variable sets only)',
        query: `subscription($payer: String!) { batchesConnection(where: {payer_eq: $payer}, orderBy: id_ASC, first: 2) {
            totalCount edges { cursor node { id totalAmount } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        vars: PAYERS.slice(0, 7).map((payer) => ({ payer })),
    },
    {
        name: 'BigInt filter, descending order, offset',
        query: `subscription($min: BigInt!) { batches(where: {totalAmount_gt: $min}, orderBy: [totalAmount_DESC, id_ASC], limit: 3, offset: 1) { id totalAmount } }`,
        vars: ['0', '3000', '7000', '10000', '99999999'].map((min) => ({ min })),
    },
    {
        name: 'DateTime and Boolean filters, OR',
        query: `subscription($from: DateTime!, $d: Boolean!) { batches(where: {OR: [{committedAt_gte: $from, disputed_eq: $d}, {id_eq: "${bid(1)}"}]}, orderBy: id_ASC) { id disputed totalAmount } }`,
        vars: [0, 4, 9, 14].flatMap((h) => [true, false].map((d) => ({ from: new Date(T0 + h * 3_600_000).toISOString(), d }))),
    },
    {
        name: 'page size and offset from variables (literals in the SQL text)',
        query: `subscription($n: Int!, $skip: Int!) { batches(orderBy: id_ASC, limit: $n, offset: $skip) { id totalAmount } }`,
        vars: [1, 2, 3, 5, 8].flatMap((n) => [0, 2].map((skip) => ({ n, skip }))),
    },
    {
        name: 'by id, one of them missing',
        query: `subscription($id: String!) { batchById(id: $id) { id status payer totalAmount claims(orderBy: id_ASC) { id } } }`,
        vars: [1, 2, 5, 9, 14, 999].map((n) => ({ id: bid(n) })),
    },
]

test.each(SHAPES)('multiplexed results equal the unmultiplexed query: $name', async ({ query, vars }) => {
    const subs = vars.map((v) => open(query, v))
    await until(() => subs.every((s) => s.events.length >= 1), 15_000)
    await matchHttp(subs)
    const before = server.live.stats
    await stack.pool.query(`UPDATE batch SET total_amount = total_amount + 1`)
    await commit(['Batch'])
    await until(() => server.live.stats.executions - before.executions >= vars.length, 15_000)
    await matchHttp(subs)
    await quiet(300)
    const after = server.live.stats
    expect(after.executions - before.executions).toBe(vars.length)
    expect(after.batches - before.batches).toBe(1)
    // every execution's first statement came out of one combined statement; a connection adds a count round
    expect(after.multiplexed - before.multiplexed).toBeGreaterThanOrEqual(vars.length)
    expect(after.statements - before.statements).toBeLessThanOrEqual(2)
})

test('a commit that writes only tables a live query does not read costs it nothing', async () => {
    const q = `subscription($payer: String!) { escrowAccounts(where: {payer_eq: $payer}) { id available } }`
    const subs = PAYERS.slice(0, 10).map((payer) => open(q, { payer }))
    await until(() => subs.every((s) => s.events.length === 1))
    const before = server.live.stats
    await commit(['Batch', 'Claim', 'MevEvent'])
    await quiet(400)
    expect(server.live.stats).toMatchObject({ executions: before.executions, statements: before.statements })
    expect(subs.every((s) => s.events.length === 1)).toBe(true)
})

test('live queries count against the operations per connection', async () => {
    const small = await startTestServer(stack.url, { subscriptions: { maxPerConnection: 2 } })
    const c = ws.client({ url: small.wsUrl })
    try {
        const q = `subscription($payer: String!) { escrowAccounts(where: {payer_eq: $payer}) { id } }`
        const subs = [0, 1, 2].map((i) => open(q, { payer: PAYERS[i] }, c))
        await until(() => subs.every((s) => s.events.length >= 1))
        expect(subs[0].events[0].data).toBeDefined()
        expect(subs[1].events[0].data).toBeDefined()
        expect(subs[2].events[0].errors?.[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' } })
        expect(small.live.stats.members).toBe(2)
    } finally {
        await c.dispose()
        await small.close()
    }
})
