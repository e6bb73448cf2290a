/**
 * The query API against a real Postgres: the generated OpenReader queries, and each custom query over
 * fixture rows inserted into the model tables.
 */
import * as http from 'http'
import type { AddressInfo } from 'net'
import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { Pool } from 'pg'
import { buildBatch, LEAF_ENCODING } from '../../src/settlement/batch-builder'
import { saveLeaves } from '../../src/settlement/leaf-store'
import { RunningServer, startServer } from '../../src/server'
import {
    addr,
    bid,
    data,
    firstError,
    gql,
    insertClaim,
    insertPayout,
    insertToken,
    PAYER,
    PgStack,
    setIndexerHead,
    startPgStack,
    TOKEN,
    upsertBatch,
    upsertEscrowAccount,
} from './support/stack'

jest.setTimeout(120_000)

let stack: PgStack
let server: RunningServer
let rpc: http.Server
let rpcHeight = 150
const logs: string[] = []

const D = '2024-03-10'
const at = (hhmm: string, day = D) => new Date(`${day}T${hhmm}:00.000Z`)
const P1 = addr(0x101)
const P2 = addr(0x102)
const P3 = addr(0x103)

async function insertStat(pool: Pool, table: string, row: Record<string, unknown>) {
    const base: Record<string, unknown> = {
        deposit_count: 0,
        deposit_amount: 0,
        withdrawal_count: 0,
        withdrawal_amount: 0,
        batch_count: 0,
        committed_amount: 0,
        record_count: 0,
        finalized_batch_count: 0,
        finalized_amount: 0,
        rejected_batch_count: 0,
        rejected_amount: 0,
        dispute_count: 0,
        claim_count: 0,
        claimed_amount: 0,
        fees_amount: 0,
        net_claimed_amount: 0,
        escrow_held_end: 0,
        escrow_locked_end: 0,
        token_id: TOKEN,
    }
    const r = { ...base, ...row }
    const cols = Object.keys(r)
    await pool.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(r))
}

async function insertParticipantDay(pool: Pool, account: string, date: string, row: Record<string, unknown>) {
    const base: Record<string, unknown> = {
        id: `${account}-${TOKEN}-${date}`,
        account,
        token_id: TOKEN,
        date,
        day: new Date(`${date}T00:00:00Z`),
        deposit_amount: 0,
        withdrawal_amount: 0,
        batch_count: 0,
        committed_amount: 0,
        record_count: 0,
        paid_amount: 0,
        received_amount: 0,
        fees_amount: 0,
        net_received_amount: 0,
        claim_count: 0,
        dispute_count: 0,
    }
    const r = { ...base, ...row }
    const cols = Object.keys(r)
    await pool.query(`INSERT INTO participant_day_stat (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(r))
}

beforeAll(async () => {
    stack = await startPgStack()
    const { pool } = stack
    await insertToken(pool, TOKEN, 1000n, 250n)
    // batch 1: committed 10:00 (block 100), finalised 11:00 (110), payout, P1 claims at 12:00 (120)
    const b1 = buildBatch([
        { payee: P1, amount: 100n },
        { payee: P2, amount: 200n },
    ])
    await upsertBatch(pool, {
        id: bid(1),
        status: 'FINALIZED',
        root: b1.root,
        totalAmount: 300n,
        recordCount: 2,
        committedAt: at('10:00'),
        committedAtBlock: 100,
        finalizedAt: at('11:00'),
        finalizedAtBlock: 110,
        claimedAmount: 100n,
        claimCount: 1,
        updatedAtBlock: 120,
    })
    await insertPayout(pool, bid(1), 300n, at('11:00'), 110)
    await insertClaim(pool, { batchId: bid(1), payee: P1, amount: 100n, fee: 1n, block: 120, at: at('12:00') })
    await saveLeaves(pool, bid(1), b1.root, b1.leaves)
    // batch 2: committed only
    const b2 = buildBatch([{ payee: P2, amount: 10n }])
    await upsertBatch(pool, { id: bid(2), root: b2.root, totalAmount: 10n, committedAt: at('10:30'), committedAtBlock: 105 })
    await saveLeaves(pool, bid(2), b2.root, b2.leaves)
    // batch 3: committed 09:00, finalised 09:30, no claims
    const b3 = buildBatch([
        { payee: P2, amount: 50n },
        { payee: P3, amount: 70n },
    ])
    await upsertBatch(pool, {
        id: bid(3),
        status: 'FINALIZED',
        root: b3.root,
        totalAmount: 120n,
        committedAt: at('09:00'),
        committedAtBlock: 90,
        finalizedAt: at('09:30'),
        finalizedAtBlock: 95,
    })
    await saveLeaves(pool, bid(3), b3.root, b3.leaves)
    // batch 4: indexed, but not built by this server (no leaves)
    await upsertBatch(pool, { id: bid(4), committedAt: at('08:00'), committedAtBlock: 80 })
    await upsertEscrowAccount(pool, PAYER, 750n, 250n, 120)

    // rollups: two days, two hours
    await insertStat(pool, 'token_day_stat', {
        id: `${TOKEN}-${D}`,
        date: D,
        day: new Date(`${D}T00:00:00Z`),
        batch_count: 3,
        committed_amount: 430,
        record_count: 4,
        finalized_batch_count: 2,
        finalized_amount: 420,
        dispute_count: 1,
        claim_count: 1,
        claimed_amount: 100,
        fees_amount: 1,
        net_claimed_amount: 99,
        escrow_held_end: 1000,
        escrow_locked_end: 250,
    })
    await insertStat(pool, 'token_day_stat', {
        id: `${TOKEN}-2024-03-11`,
        date: '2024-03-11',
        day: new Date('2024-03-11T00:00:00Z'),
        batch_count: 1,
        committed_amount: 5,
        record_count: 1,
        escrow_held_end: 1000,
        escrow_locked_end: 500,
    })
    await insertStat(pool, 'token_hour_stat', { id: `${TOKEN}-${D}T10`, hour: at('10:00'), batch_count: 2, committed_amount: 310, record_count: 3 })
    await insertStat(pool, 'token_hour_stat', { id: `${TOKEN}-${D}T12`, hour: at('12:00'), claim_count: 1, claimed_amount: 100, fees_amount: 1, net_claimed_amount: 99 })
    await insertParticipantDay(pool, P1, D, { received_amount: 100, fees_amount: 1, net_received_amount: 99, claim_count: 1 })
    await insertParticipantDay(pool, P2, D, { received_amount: 300, fees_amount: 3, net_received_amount: 297, claim_count: 2 })
    await insertParticipantDay(pool, P3, '2024-03-11', { received_amount: 900, net_received_amount: 900, claim_count: 1 })
    await insertParticipantDay(pool, PAYER, D, { batch_count: 3, committed_amount: 430, record_count: 4, paid_amount: 420, deposit_amount: 1000 })
    await setIndexerHead(pool, 120, [121, 122])

    rpc = http.createServer((req, res) => {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', () => {
            const { id } = JSON.parse(body)
            res.writeHead(200, { 'content-type': 'application/json' })
            res.end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x' + rpcHeight.toString(16) }))
        })
    })
    await new Promise<void>((r) => rpc.listen(0, '127.0.0.1', r))
    server = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: stack.url,
        rpcUrl: `http://127.0.0.1:${(rpc.address() as AddressInfo).port}`,
        log: (level, m, f) => logs.push(`${level} ${m} ${JSON.stringify(f ?? {})}`),
    })
})

afterAll(async () => {
    await server?.close()
    await new Promise((r) => rpc?.close(r))
    await stack?.close()
})

describe('generated OpenReader API', () => {
    test('list with where / orderBy / limit, nested relations', async () => {
        const d = data(
            await gql(
                server.url,
                `{ batches(where: { status_eq: FINALIZED }, orderBy: committedAtBlock_ASC, limit: 10) {
                    id status totalAmount committedAt token { id symbol escrowHeld } claims { payee amount } } }`,
            ),
        )
        expect(d.batches.map((b: any) => b.id)).toEqual([bid(3), bid(1)])
        expect(d.batches[1]).toMatchObject({ status: 'FINALIZED', totalAmount: '300' })
        expect(new Date(d.batches[1].committedAt).toISOString()).toBe('2024-03-10T10:00:00.000Z')
        expect(d.batches[1].token).toEqual({ id: TOKEN, symbol: 'USDC', escrowHeld: '1000' })
        expect(d.batches[1].claims).toEqual([{ payee: P1, amount: '100' }])
    })

    test('Relay connection with totalCount, byId, offset', async () => {
        const d = data(
            await gql(
                server.url,
                `{ batchesConnection(orderBy: id_ASC, first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } }
                   batchById(id: "${bid(2)}") { id status }
                   batches(orderBy: id_ASC, offset: 3) { id } }`,
            ),
        )
        expect(d.batchesConnection.totalCount).toBe(4)
        expect(d.batchesConnection.edges.map((e: any) => e.node.id)).toEqual([bid(1), bid(2)])
        expect(d.batchesConnection.pageInfo.hasNextPage).toBe(true)
        expect(d.batchById).toEqual({ id: bid(2), status: 'COMMITTED' })
        expect(d.batches).toEqual([{ id: bid(4) }])
    })

    test('GET with query string (GraphQL over HTTP)', async () => {
        const res = await fetch(`${server.url}?query=${encodeURIComponent('{ tokens { id } }')}`, { headers: { accept: 'application/json' } })
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ data: { tokens: [{ id: TOKEN }] } })
    })

    test('GraphiQL page for browsers', async () => {
        const res = await fetch(server.url, { headers: { accept: 'text/html' } })
        expect(res.status).toBe(200)
        const html = await res.text()
        expect(html).toContain('/console/static/')
        const js = /src="(\/console\/static\/js\/[^"]+\.js)"/.exec(html)?.[1]
        expect(js).toBeDefined()
        const asset = await fetch(new URL(js!, server.url))
        expect(asset.status).toBe(200)
        expect((await fetch(new URL('/console/../../package.json', server.url))).status).toBe(404)
    })
})

describe('settlement queries', () => {
    test('batchLifecycle: transitions, payout, claims summary, latencies', async () => {
        const d = data(
            await gql(
                server.url,
                `query($id: String!) { batchLifecycle(id: $id) {
                    id status totalAmount committedAt committedAtBlock finalizedAt finalizedAtBlock leafCount
                    events { kind at block tx }
                    dispute { reason }
                    payout { totalAmount remaining openedAtBlock }
                    claims { count amount fees net firstAt unclaimedPayees }
                    commitToFinalizeSeconds finalizeToFirstClaimSeconds } }`,
                { id: bid(1) },
            ),
        )
        const l = d.batchLifecycle
        expect(l).toMatchObject({ id: bid(1), status: 'FINALIZED', totalAmount: '300', committedAtBlock: 100, finalizedAtBlock: 110, leafCount: 2 })
        expect(l.events.map((e: any) => [e.kind, e.block])).toEqual([
            ['COMMITTED', 100],
            ['FINALIZED', 110],
            ['PAYOUT_OPENED', 110],
            ['FIRST_CLAIM', 120],
        ])
        expect(l.dispute).toBeNull()
        expect(l.payout).toEqual({ totalAmount: '300', remaining: '300', openedAtBlock: 110 })
        expect(l.claims).toEqual({ count: 1, amount: '100', fees: '1', net: '99', firstAt: '2024-03-10T12:00:00.000Z', unclaimedPayees: 1 })
        expect(l.commitToFinalizeSeconds).toBe(3600)
        expect(l.finalizeToFirstClaimSeconds).toBe(3600)
    })

    test('batchLifecycle: unknown batch is null, malformed id is BAD_USER_INPUT', async () => {
        expect(data(await gql(server.url, `{ batchLifecycle(id: "${bid(99)}") { id } }`)).batchLifecycle).toBeNull()
        expect(firstError(await gql(server.url, `{ batchLifecycle(id: "0x12") { id } }`)).code).toBe('BAD_USER_INPUT')
    })

    test('payoutProof: amount + proof that verifies against the root', async () => {
        const d = data(
            await gql(server.url, `query($b: String!, $p: String!) { payoutProof(batchId: $b, payee: $p) { batchId payee amount proof root claimed claimable batchStatus } }`, {
                b: bid(1),
                p: P2.toUpperCase().replace('0X', '0x'),
            }),
        )
        const p = d.payoutProof
        expect(p).toMatchObject({ batchId: bid(1), payee: P2, amount: '200', claimed: false, claimable: true, batchStatus: 'FINALIZED' })
        expect(StandardMerkleTree.verify(p.root, LEAF_ENCODING, [P2, 200n], p.proof)).toBe(true)
        const claimed = data(await gql(server.url, `{ payoutProof(batchId: "${bid(1)}", payee: "${P1}") { claimed claimable } }`)).payoutProof
        expect(claimed).toEqual({ claimed: true, claimable: false })
    })

    test('payoutProof: NOT_FOUND for an unknown batch, a batch not built here, a payee without leaf', async () => {
        for (const [b, p] of [
            [bid(99), P1],
            [bid(4), P1],
            [bid(1), P3],
        ]) {
            const e = firstError(await gql(server.url, `{ payoutProof(batchId: "${b}", payee: "${p}") { amount } }`))
            expect(e.code).toBe('NOT_FOUND')
        }
        expect(firstError(await gql(server.url, `{ payoutProof(batchId: "${bid(1)}", payee: "nope") { amount } }`)).code).toBe('BAD_USER_INPUT')
    })

    test('claimableBalance: finalised unclaimed leaves per token, pending and claimed apart', async () => {
        const q = `query($p: String!) { claimableBalance(payee: $p) { payee truncated
            tokens { token claimable claimableBatches pending pendingBatches claimed } batches { batchId amount finalizedAt } } }`
        const p2 = data(await gql(server.url, q, { p: P2 })).claimableBalance
        expect(p2.tokens).toEqual([{ token: TOKEN, claimable: '250', claimableBatches: 2, pending: '10', pendingBatches: 1, claimed: '0' }])
        expect(p2.batches).toEqual([
            { batchId: bid(3), amount: '50', finalizedAt: '2024-03-10T09:30:00.000Z' },
            { batchId: bid(1), amount: '200', finalizedAt: '2024-03-10T11:00:00.000Z' },
        ])
        expect(p2.truncated).toBe(false)
        const p1 = data(await gql(server.url, q, { p: P1 })).claimableBalance
        expect(p1.tokens).toEqual([{ token: TOKEN, claimable: '0', claimableBatches: 0, pending: '0', pendingBatches: 0, claimed: '100' }])
        const nobody = data(await gql(server.url, q, { p: addr(0x999) })).claimableBalance
        expect(nobody).toEqual({ payee: addr(0x999), truncated: false, tokens: [], batches: [] })
        const limited = data(await gql(server.url, `{ claimableBalance(payee: "${P2}", limit: 1) { truncated batches { batchId } } }`)).claimableBalance
        expect(limited).toEqual({ truncated: true, batches: [{ batchId: bid(3) }] })
    })
})

describe('analytics', () => {
    const from = '2024-03-10T00:00:00.000Z'
    const to = '2024-03-12T00:00:00.000Z'

    test('tokenActivity per day and per hour', async () => {
        const days = data(
            await gql(server.url, `{ tokenActivity(from: "${from}", to: "${to}", interval: DAY) { token bucket interval batchCount committedAmount recordCount claimedAmount feesAmount escrowUtilisation } }`),
        ).tokenActivity
        expect(days).toEqual([
            { token: TOKEN, bucket: '2024-03-10T00:00:00.000Z', interval: 'DAY', batchCount: 3, committedAmount: '430', recordCount: 4, claimedAmount: '100', feesAmount: '1', escrowUtilisation: 0.25 },
            { token: TOKEN, bucket: '2024-03-11T00:00:00.000Z', interval: 'DAY', batchCount: 1, committedAmount: '5', recordCount: 1, claimedAmount: '0', feesAmount: '0', escrowUtilisation: 0.5 },
        ])
        const hours = data(
            await gql(server.url, `{ tokenActivity(from: "2024-03-10T10:00:00Z", to: "2024-03-10T12:00:00Z", interval: HOUR, token: "${TOKEN}") { bucket batchCount } }`),
        ).tokenActivity
        expect(hours).toEqual([{ bucket: '2024-03-10T10:00:00.000Z', batchCount: 2 }])
        expect(firstError(await gql(server.url, `{ tokenActivity(from: "${to}", to: "${from}") { bucket } }`)).code).toBe('BAD_USER_INPUT')
    })

    test('tokenTotals reads days for midnight bounds, hours otherwise', async () => {
        const d = data(await gql(server.url, `{ tokenTotals(from: "${from}", to: "${to}") { token symbol source batchCount committedAmount recordCount claimedAmount } }`)).tokenTotals
        expect(d).toEqual([{ token: TOKEN, symbol: 'USDC', source: 'DAY', batchCount: 4, committedAmount: '435', recordCount: '5', claimedAmount: '100' }])
        const h = data(await gql(server.url, `{ tokenTotals(from: "2024-03-10T10:00:00Z", to: "2024-03-10T13:00:00Z") { source batchCount claimedAmount } }`)).tokenTotals
        expect(h).toEqual([{ source: 'HOUR', batchCount: 2, claimedAmount: '100' }])
    })

    test('participantActivity, topPublishers, topPayers', async () => {
        const pa = data(
            await gql(server.url, `{ participantActivity(account: "${P2}", from: "${from}", to: "${to}") { account kind totals { token receivedAmount claimCount } days { date receivedAmount } } }`),
        ).participantActivity
        expect(pa).toEqual({ account: P2, kind: null, totals: [{ token: TOKEN, receivedAmount: '300', claimCount: 2 }], days: [{ date: D, receivedAmount: '300' }] })

        const top = data(await gql(server.url, `{ topPublishers(from: "${from}", to: "${to}", token: "${TOKEN}", limit: 2) { rank account receivedAmount } }`)).topPublishers
        expect(top).toEqual([
            { rank: 1, account: P3, receivedAmount: '900' },
            { rank: 2, account: P2, receivedAmount: '300' },
        ])
        // the range excludes day 2
        const day1 = data(await gql(server.url, `{ topPublishers(from: "${from}", to: "2024-03-11T00:00:00Z") { account } }`)).topPublishers
        expect(day1.map((x: any) => x.account)).toEqual([P2, P1])

        const payers = data(await gql(server.url, `{ topPayers(from: "${from}", to: "${to}") { rank account paidAmount committedAmount batchCount recordCount } }`)).topPayers
        expect(payers).toEqual([{ rank: 1, account: PAYER, paidAmount: '420', committedAmount: '430', batchCount: 3, recordCount: '4' }])
    })

    test('disputeRate and escrowUtilisation', async () => {
        const dr = data(await gql(server.url, `{ disputeRate(from: "${from}", to: "${to}") { overall { batchCount disputeCount disputeRate rejectionRate } tokens { token disputeRate } } }`)).disputeRate
        expect(dr.overall).toEqual({ batchCount: 4, disputeCount: 1, disputeRate: 0.25, rejectionRate: 0 })
        expect(dr.tokens).toEqual([{ token: TOKEN, disputeRate: 0.25 }])

        const eu = data(await gql(server.url, `{ escrowUtilisation { token held locked available utilisation } }`)).escrowUtilisation
        expect(eu).toEqual([{ token: TOKEN, held: '1000', locked: '250', available: '750', utilisation: 0.25 }])
        const mine = data(await gql(server.url, `{ escrowUtilisation(payer: "${PAYER}") { payer utilisation } }`)).escrowUtilisation
        expect(mine).toEqual([{ payer: PAYER, utilisation: 0.25 }])
    })

    test('settlementLatency percentiles (percentile_cont over indexed timestamps)', async () => {
        const d = data(
            await gql(server.url, `{ settlementLatency(from: "${from}", to: "${to}") {
                commitToFinalize { count mean p50 p90 p99 max } finalizeToClaim { count p50 max } } }`),
        ).settlementLatency
        // batch 3: 1800 s, batch 1: 3600 s
        expect(d.commitToFinalize).toEqual({ count: 2, mean: 2700, p50: 2700, p90: 1800 + 0.9 * 1800, p99: 1800 + 0.99 * 1800, max: 3600 })
        expect(d.finalizeToClaim).toEqual({ count: 1, p50: 3600, max: 3600 })
        const empty = data(await gql(server.url, `{ settlementLatency(from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z") { commitToFinalize { count p50 } } }`))
        expect(empty.settlementLatency.commitToFinalize).toEqual({ count: 0, p50: null })
    })

    test('the latency queries use the timestamp indexes', async () => {
        await stack.pool.query('ANALYZE')
        // tiny tables may be seq-scanned; force index use to prove an index exists for the predicate
        const client = await stack.pool.connect()
        try {
            await client.query('SET enable_seqscan = off')
            const forced = (await client.query(`EXPLAIN SELECT 1 FROM batch WHERE finalized_at >= '2024-03-10' AND finalized_at < '2024-03-12'`)).rows.map((r) => r['QUERY PLAN']).join('\n')
            const forcedClaim = (await client.query(`EXPLAIN SELECT 1 FROM claim WHERE timestamp >= '2024-03-10' AND timestamp < '2024-03-12'`)).rows.map((r) => r['QUERY PLAN']).join('\n')
            expect(forced).toMatch(/Index/)
            expect(forcedClaim).toMatch(/Index/)
        } finally {
            client.release()
        }
    })
})

describe('indexerStatus', () => {
    test('head from hot blocks, finalized head, chain head and lag', async () => {
        const d = data(await gql(server.url, `{ indexerStatus { height hash finalizedHeight chainHead lagBlocks listening } }`)).indexerStatus
        expect(d).toEqual({ height: 122, hash: '0x' + (122).toString(16).padStart(64, 'a'), finalizedHeight: 120, chainHead: 150, lagBlocks: 28, listening: true })
    })

    test('unreachable RPC: chainHead and lag are null, the rest still answers', async () => {
        const s = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: stack.url, rpcUrl: 'http://127.0.0.1:1', log: () => undefined })
        try {
            const d = data(await gql(s.url, `{ indexerStatus { height chainHead lagBlocks } }`)).indexerStatus
            expect(d).toEqual({ height: 122, chainHead: null, lagBlocks: null })
        } finally {
            await s.close()
        }
    })
})
