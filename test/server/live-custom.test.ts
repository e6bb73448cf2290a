/**
 * Custom read queries as live queries (live/custom-queries.ts): the declared table list of each must cover every
 * table its resolver's SQL reads (found by EXPLAINing every statement the resolver runs, over argument sets that
 * take each SQL branch), and over graphql-ws each pushes its first result at once, nothing on a commit that wrote
 * none of its tables, and the new result after a commit that changed it.
 */
import { GraphQLSchema, parse, execute } from 'graphql'
import { encodePayload } from '../../src/indexer/write/notify'
import type { RunningServer } from '../../src/server'
import { CUSTOM_LIVE_QUERIES } from '../../src/server/live/custom-queries'
import { entitiesRead } from '../../src/server/live/tables-read'
import { buildApiSchema } from '../../src/server/schema'
import { saveLeaves } from '../../src/settlement/leaf-store'
import { addr, bid, insertToken, PgStack, setIndexerHead, startPgStack, TOKEN, until, upsertBatch } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'

jest.setTimeout(120_000)

let stack: PgStack
let schema: GraphQLSchema
let server: RunningServer
const clients = new WsClients(() => server.wsUrl)
const T0 = new Date('2024-05-01T00:00:00Z')
const PAYEE = addr(0x51)
let height = 100

beforeAll(async () => {
    stack = await startPgStack()
    schema = await buildApiSchema()
    await insertToken(stack.pool)
    await setIndexerHead(stack.pool, height)
    server = await startTestServer(stack.url, { subscriptions: { liveMinIntervalMs: 50 } })
})

afterEach(async () => {
    await clients.disposeAll()
    await until(() => server.live.stats.members === 0)
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

/** Every relation a statement's plan reads (`api.x` outside the public schema). */
function relations(plan: any, out: Set<string>): Set<string> {
    if (plan && typeof plan === 'object') {
        if (typeof plan['Relation Name'] === 'string') out.add(plan.Schema && plan.Schema !== 'public' ? `${plan.Schema}.${plan['Relation Name']}` : plan['Relation Name'])
        for (const v of Object.values(plan)) relations(v, out)
    }
    return out
}

/** The tables read by the statements the resolver runs for `query` (each statement EXPLAINed with its parameters). */
async function tablesReadBySql(query: string): Promise<Set<string>> {
    const statements: { sql: string; params: unknown[] }[] = []
    const db = { query: (sql: string, params: unknown[]) => (statements.push({ sql, params }), stack.pool.query(sql, params)) }
    const res = await execute({ schema, document: parse(query), contextValue: { services: { db } } })
    expect(res.errors).toBeUndefined()
    expect(statements.length).toBeGreaterThan(0)
    const out = new Set<string>()
    for (const s of statements) {
        const plan = await stack.pool.query(`EXPLAIN (FORMAT JSON, VERBOSE) ${s.sql}`, s.params as any[])
        relations(plan.rows[0]['QUERY PLAN'], out)
    }
    return out
}

// argument sets that take every branch of each resolver's SQL
const RUNS: Record<string, string[]> = {
    batchLifecycle: [`{ batchLifecycle(id: "${bid(1)}") { id } }`],
    claimableBalance: [`{ claimableBalance(payee: "${PAYEE}") { payee } }`, `{ claimableBalance(payee: "${PAYEE}", token: "${TOKEN}") { payee } }`],
    validatorRankings: [`{ validatorRankings { rank } }`, `{ validatorRankings(epoch: 3) { rank } }`],
    mevFeed: [
        `{ mevFeed { id } }`,
        `{ mevFeed(kinds: [SWAP, ARBITRAGE, SANDWICH, COINBASE_TRANSFER, LIQUIDATION, JIT_LIQUIDITY, NFT_TRADE], validator: "${addr(1)}", pool: "${addr(2)}", fromBlock: 1, toBlock: 9) { id } }`,
    ],
}

test('every custom live query declares every table its SQL reads', async () => {
    expect(Object.keys(RUNS).sort()).toEqual(Object.keys(CUSTOM_LIVE_QUERIES).sort())
    for (const [field, queries] of Object.entries(RUNS)) {
        const read = new Set<string>()
        for (const q of queries) for (const t of await tablesReadBySql(q)) read.add(t)
        const declared = new Set(CUSTOM_LIVE_QUERIES[field].tables)
        expect({ field, missing: [...read].filter((t) => !declared.has(t)) }).toEqual({ field, missing: [] })
        // and nothing declared that is never read (it would wake the query for nothing)
        expect({ field, unread: [...declared].filter((t) => !read.has(t)) }).toEqual({ field, unread: [] })
    }
})

test('a custom live field: same arguments as the query (mevFeed without cursor), entities from the declared tables', () => {
    const query = schema.getQueryType()!.getFields()
    const sub = schema.getSubscriptionType()!.getFields()
    for (const name of Object.keys(CUSTOM_LIVE_QUERIES)) {
        const omit = CUSTOM_LIVE_QUERIES[name].omitArgs ?? []
        expect(sub[name].args.map((a) => `${a.name}: ${a.type}`)).toEqual(query[name].args.filter((a) => !omit.includes(a.name)).map((a) => `${a.name}: ${a.type}`))
        expect(String(sub[name].type)).toBe(String(query[name].type))
    }
    const read = (q: string) => [...entitiesRead(schema, parse(q), undefined)].sort()
    expect(read(`query { batchLifecycle(id: "x") { id } }`)).toEqual(['Batch', 'Claim', 'Dispute', 'Payout'])
    expect(read(`query { claimableBalance(payee: "x") { payee } }`)).toEqual(['Batch', 'Claim'])
    expect(read(`query { validatorRankings { rank } }`)).toEqual(['Validator', 'ValidatorEpochStat', 'ValidatorScore'])
    expect(read(`query { mevFeed { id } }`)).toEqual(['Arbitrage', 'JitLiquidity', 'Liquidation', 'MevEvent', 'NftTrade', 'Sandwich', 'Swap'])
})

const live = (query: string) => clients.subscribe(query)

async function commit(tables: string[], changed: Record<string, string[]> = {}) {
    height++
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [encodePayload({ height, hash: `0x${height.toString(16)}`, head: true, changed, tables })])
}

const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('live batchLifecycle and claimableBalance: first result at once, re-run only for their tables, pushed when changed', async () => {
    const id = bid(0x77)
    await upsertBatch(stack.pool, { id, totalAmount: 10n, committedAt: T0, committedAtBlock: height })
    await saveLeaves(stack.pool, id, '0x' + '1'.repeat(64), [{ payee: PAYEE, amount: 10n }])
    const lifecycle = live(`subscription { batchLifecycle(id: "${id}") { id status events { kind } } }`)
    const claimable = live(`subscription { claimableBalance(payee: "${PAYEE}") { tokens { claimable pending } } }`)
    expect((await lifecycle.next()).data!.batchLifecycle).toEqual({ id, status: 'COMMITTED', events: [{ kind: 'COMMITTED' }] })
    expect((await claimable.next()).data!.claimableBalance.tokens).toEqual([{ claimable: '0', pending: '10' }])

    // a commit that wrote none of their tables: no execution at all
    const before = server.live.stats.executions
    await commit(['ContractUpgrade', 'Token'])
    await quiet(400)
    expect(server.live.stats.executions).toBe(before)

    // the batch is finalised: both push the new result, once
    await upsertBatch(stack.pool, { id, status: 'FINALIZED', totalAmount: 10n, committedAt: T0, committedAtBlock: 100, finalizedAt: new Date(T0.getTime() + 3600_000), finalizedAtBlock: height + 1, updatedAtBlock: height + 1 })
    await commit(['Batch'], { batches: [id] })
    expect((await lifecycle.next()).data!.batchLifecycle.events).toEqual([{ kind: 'COMMITTED' }, { kind: 'FINALIZED' }])
    expect((await claimable.next()).data!.claimableBalance.tokens).toEqual([{ claimable: '10', pending: '0' }])
    expect(server.live.stats.executions).toBe(before + 2)

    // a commit that wrote Batch without changing what they show: executed, not pushed
    const unchanged = server.live.stats.unchanged
    await commit(['Batch'])
    await until(() => server.live.stats.unchanged >= unchanged + 2)
    await quiet(200)
    expect(lifecycle.events).toHaveLength(2)
    expect(claimable.events).toHaveLength(2)
})

test('live validatorRankings and mevFeed: first result at once; mevFeed live is the first page (no cursor)', async () => {
    const rankings = live(`subscription { validatorRankings(limit: 5) { rank } }`)
    const mev = live(`subscription { mevFeed(limit: 5) { id } }`)
    expect((await rankings.next()).data).toEqual({ validatorRankings: [] })
    expect((await mev.next()).data).toEqual({ mevFeed: [] })
    const before = server.live.stats.executions
    await commit(['Batch', 'Claim'])
    await quiet(400)
    expect(server.live.stats.executions).toBe(before)
    await commit(['MevEvent'])
    await until(() => server.live.stats.executions === before + 1)

    const paged = live(`subscription { mevFeed(limit: 5, cursor: "MTox") { id } }`)
    const refused = await paged.next()
    expect(refused.errors?.[0]?.message).toMatch(/cursor/)
    // same limits as the query; wrong arguments end the live query after their error
    const members = server.live.stats.members
    const big = live(`subscription { validatorRankings(limit: 5000) { rank } }`)
    expect((await big.next()).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } })
    await until(() => big.completed)
    await until(() => server.live.stats.members === members)
})
