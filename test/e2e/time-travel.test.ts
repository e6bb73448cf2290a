/**
 * Time travel on the real stack (anvil + embedded Postgres + the compiled processor and API server): while the
 * simulator deposits, commits, disputes, finalises and claims, the current state of escrow accounts and batches is
 * captured together with the indexed head in one snapshot; afterwards the API is asked for those heights with
 * `block: { number }` and must answer exactly what was current then (lists with filter, order and paging, and
 * by-id). Then a reorg inside the hot range: the history must equal a fresh index of the final chain, and the
 * captured heights below the fork still answer the same. Blocks above the head are refused with a code.
 */
import { Contract, JsonRpcProvider } from 'ethers'
import { Pool } from 'pg'
import { contract } from '../../src/contracts'
import { BATCH_STATUS_NAMES } from '../../src/mappings/util'
import { rpcCall } from '../../src/stack/anvil'
import { fundPayer } from '../../bench/support/chain'
import { expectSameAsFreshIndex, FaultStack, freezeChain, gql, simulate, startApiServer, startFaultStack, stopProcessor, waitCaughtUp, ApiServer } from '../faults/support/stack'

jest.setTimeout(300_000)

let s: FaultStack
let api: ApiServer

beforeAll(async () => {
    s = await startFaultStack('timetravel')
    // one client asks many heights in a row: no rate limit
    api = await startApiServer(s, 'api', { GQL_ANON_RATE_LIMIT_RPS: '0', GQL_RATE_LIMIT_RPS: '0', SQL_ALLOW_ANONYMOUS: 'true' })
})

afterAll(async () => {
    await s?.close()
})

const ACCOUNT_FIELDS = 'id available locked totalDeposited totalLocked movementCount updatedAtBlock'
const BATCH_FIELDS = 'id status disputed claimedAmount claimCount finalizedAtBlock updatedAtBlock'
const TOKEN_FIELDS = 'id escrowHeld escrowLocked batchCount updatedAtBlock'

interface Capture {
    height: number
    accounts: Record<string, unknown>[]
    batches: Record<string, unknown>[]
    tokens: Record<string, unknown>[]
}

/** Current accounts and batches and the indexed head, read in one snapshot (what "the state at N" is). */
async function capture(pool: Pool): Promise<Capture> {
    const c = await pool.connect()
    try {
        await c.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
        const head = await c.query(`SELECT greatest((SELECT height FROM squid_processor.status WHERE id = 0), (SELECT max(height) FROM squid_processor.hot_block)) AS h`)
        const accounts = await c.query(
            `SELECT id, available::text, locked::text, total_deposited::text AS "totalDeposited", total_locked::text AS "totalLocked",
                    movement_count AS "movementCount", updated_at_block AS "updatedAtBlock" FROM escrow_account ORDER BY id`,
        )
        const batches = await c.query(
            `SELECT id, status, disputed, claimed_amount::text AS "claimedAmount", claim_count AS "claimCount",
                    finalized_at_block AS "finalizedAtBlock", updated_at_block AS "updatedAtBlock" FROM batch ORDER BY id`,
        )
        const tokens = await c.query(
            `SELECT id, escrow_held::text AS "escrowHeld", escrow_locked::text AS "escrowLocked", batch_count AS "batchCount",
                    updated_at_block AS "updatedAtBlock" FROM token ORDER BY id`,
        )
        await c.query('COMMIT')
        c.release()
        return { height: Number(head.rows[0].h), accounts: accounts.rows, batches: batches.rows, tokens: tokens.rows }
    } catch (e) {
        c.release(e as Error) // (before the processor created its status tables) not back to the pool mid-transaction
        throw e
    }
}

async function asOf(n: number): Promise<{ accounts: any[]; batches: any[]; tokens: any[] }> {
    const r = await gql(
        api.url,
        `query($n: Int!) { escrowAccounts(block: { number: $n }, orderBy: id_ASC) { ${ACCOUNT_FIELDS} } batches(block: { number: $n }, orderBy: id_ASC) { ${BATCH_FIELDS} }
            tokens(block: { number: $n }, orderBy: id_ASC) { ${TOKEN_FIELDS} } }`,
        { n },
    )
    expect(r.body.errors).toBeUndefined()
    return { accounts: r.body.data.escrowAccounts, batches: r.body.data.batches, tokens: r.body.data.tokens }
}

async function expectAsOf(cap: Capture) {
    const got = await asOf(cap.height)
    expect({ height: cap.height, ...got }).toEqual({ height: cap.height, accounts: cap.accounts, batches: cap.batches, tokens: cap.tokens })
    // filter, order and paging as usual, over the state of that block
    const expected = cap.accounts
        .filter((a) => BigInt(a.available as string) > 0n)
        .sort((a, b) => Number(BigInt(b.available as string) - BigInt(a.available as string)) || (a.id < b.id ? -1 : 1))
        .slice(1, 3)
        .map((a) => a.id)
    const page = await gql(
        api.url,
        `query($n: Int!) { escrowAccounts(block: { number: $n }, where: { available_gt: "0" }, orderBy: [available_DESC, id_ASC], offset: 1, limit: 2) { id } }`,
        { n: cap.height },
    )
    expect(page.body.errors).toBeUndefined()
    expect(page.body.data.escrowAccounts.map((a: any) => a.id)).toEqual(expected)
    // Relay connection: the same rows, totalCount as of that block
    const conn = await gql(
        api.url,
        `query($n: Int!) { batchesConnection(block: { number: $n }, orderBy: id_ASC, first: 1000) { totalCount edges { node { ${BATCH_FIELDS} } } } }`,
        { n: cap.height },
    )
    expect(conn.body.errors).toBeUndefined()
    expect(conn.body.data.batchesConnection.totalCount).toBe(cap.batches.length)
    expect(conn.body.data.batchesConnection.edges.map((e: any) => e.node)).toEqual(cap.batches)
    const b = cap.batches[cap.batches.length - 1]
    if (b) {
        const one = await gql(api.url, `query($n: Int!, $id: String!) { batchById(id: $id, block: { number: $n }) { ${BATCH_FIELDS} } }`, { n: cap.height, id: b.id })
        expect(one.body.data.batchById).toEqual(b)
    }
}

/** The as-of answers at `n` equal the contracts' own view functions called at block `n` (eth_call with a block tag). */
async function expectChainAgrees(n: number): Promise<number> {
    const r = await gql(
        api.url,
        `query($n: Int!) { escrowAccounts(block: { number: $n }) { id payer token { id } available locked } batches(block: { number: $n }) { id status } tokens(block: { number: $n }) { id escrowHeld } }`,
        { n },
    )
    expect(r.body.errors).toBeUndefined()
    const provider = new JsonRpcProvider(s.anvil.url, 31337, { staticNetwork: true })
    try {
        const escrow = contract('Escrow', s.deployment.contracts.Escrow, provider) as Contract
        const ledger = contract('BatchLedger', s.deployment.contracts.BatchLedger, provider) as Contract
        const accounts = await Promise.all(
            r.body.data.escrowAccounts.map(async (a: any) => {
                const c = await escrow.accountOf(a.payer, a.token.id, { blockTag: n })
                return { id: a.id, available: String(c.available), locked: String(c.locked) }
            }),
        )
        expect(r.body.data.escrowAccounts.map((a: any) => ({ id: a.id, available: a.available, locked: a.locked }))).toEqual(accounts)
        const batches = await Promise.all(
            r.body.data.batches.map(async (b: any) => ({ id: b.id, status: BATCH_STATUS_NAMES[Number((await ledger.getBatch(b.id, { blockTag: n })).status)] })),
        )
        expect(r.body.data.batches).toEqual(batches)
        const tokens = await Promise.all(r.body.data.tokens.map(async (t: any) => ({ id: t.id, escrowHeld: String(await escrow.totalHeld(t.id, { blockTag: n })) })))
        expect(r.body.data.tokens).toEqual(tokens)
        return accounts.length + batches.length + tokens.length
    } finally {
        provider.destroy()
    }
}

test('as-of answers equal the state captured at each height, across a reorg; unindexed blocks refused', async () => {
    const p = await s.launch('p-tt', { FINALITY_CONFIRMATIONS: '20' })
    const pool = new Pool({ connectionString: s.dbUrl, max: 2 })
    const caps = new Map<number, Capture>()
    let simDone = false
    try {
        const poller = (async () => {
            while (!simDone) {
                const c = await capture(pool).catch(() => undefined)
                if (c && c.height > 0 && !caps.has(c.height)) caps.set(c.height, c)
                await new Promise((r) => setTimeout(r, 400))
            }
        })()
        const stats = await simulate(s, 15_000, 11).finally(() => undefined)
        await freezeChain(s)
        const head = await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)
        simDone = true
        await poller
        const last = await capture(pool)
        caps.set(last.height, last)
        const captured = [...caps.values()].filter((c) => c.batches.length > 0)
        expect(captured.length).toBeGreaterThanOrEqual(5)
        // the versions changed between the captured heights (otherwise the test proves nothing)
        expect(new Set(captured.map((c) => JSON.stringify(c.batches))).size).toBeGreaterThan(2)
        for (const cap of captured) await expectAsOf(cap)
        // the README's /sql example: balances at block N, from the history table
        for (const cap of captured.slice(-3)) {
            const res = await fetch(api.url.replace(/\/graphql$/, '/sql'), {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ sql: 'SELECT id, available, locked FROM escrow_account_history WHERE block_range @> $1::int4 ORDER BY id', params: [cap.height] }),
            })
            const body = await res.json()
            expect({ status: res.status, rows: body.rows }).toEqual({ status: 200, rows: cap.accounts.map((a) => [a.id, a.available, a.locked]) })
        }
        // the README's audit question: what the escrow held when each batch was committed, against accountOf at that block
        const sqlUrl = api.url.replace(/\/graphql$/, '/sql')
        const audit = await fetch(sqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
                sql: `SELECT b.id, b.payer, b.token_id, b.committed_at_block, a.available, a.locked FROM batch b
                        JOIN escrow_account_history a ON a.payer = b.payer AND a.token_id = b.token_id AND a.block_range @> b.committed_at_block
                       ORDER BY b.id`,
            }),
        }).then((r) => r.json())
        expect(audit.rows.length).toBe(last.batches.length)
        {
            const provider = new JsonRpcProvider(s.anvil.url, 31337, { staticNetwork: true })
            const escrow = contract('Escrow', s.deployment.contracts.Escrow, provider) as Contract
            for (const [id, payer, token, at, available, locked] of audit.rows) {
                const c = await escrow.accountOf(payer, token, { blockTag: Number(at) })
                expect({ id, available, locked }).toEqual({ id, available: String(c.available), locked: String(c.locked) })
            }
            provider.destroy()
        }
        let chainChecked = 0
        for (const cap of captured) chainChecked += await expectChainAgrees(cap.height)

        // by hash: a finalized block (found through the Block rows) and a hot one (squid's hot_block), same answers as by number
        expect(captured[0].height).toBeLessThanOrEqual(head.height - 20) // FINALITY_CONFIRMATIONS: finalized by now
        for (const cap of [captured[0], captured[captured.length - 1]]) {
            const hash = (await rpcCall<{ hash: string }>(s.anvil.url, 'eth_getBlockByNumber', ['0x' + cap.height.toString(16), false])).hash
            const byHash = await gql(api.url, `query($h: String!) { batches(block: { hash: $h }, orderBy: id_ASC) { ${BATCH_FIELDS} } }`, { h: hash })
            expect(byHash.body.errors).toBeUndefined()
            expect({ height: cap.height, batches: byHash.body.data.batches }).toEqual({ height: cap.height, batches: cap.batches })
        }
        const unknownHash = await gql(api.url, `{ batches(block: { hash: "0x${'ab'.repeat(32)}" }) { id } }`)
        expect(unknownHash.body.errors?.[0]?.extensions?.code).toBe('BLOCK_NOT_INDEXED')
        const badHash = await gql(api.url, `{ batches(block: { hash: "0x12" }) { id } }`)
        expect(badHash.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
        const both = await gql(api.url, `{ batches(block: { number: 1, hash: "0x${'ab'.repeat(32)}" }) { id } }`)
        expect(both.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')

        // errors: above the indexed head, negative
        const above = await gql(api.url, `{ batches(block: { number: ${head.height + 1000} }) { id } }`)
        expect(above.body.errors?.[0]?.extensions?.code).toBe('BLOCK_NOT_INDEXED')
        const negative = await gql(api.url, `{ escrowAccountById(id: "x", block: { number: -1 }) { id } }`)
        expect(negative.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')

        // reorg inside the hot range: a deposit series on branch A, replaced by empty blocks on branch B
        const fork = head.height
        const snap = await rpcCall<string>(s.anvil.url, 'evm_snapshot', [])
        await fundPayer(s.anvil.url, s.deployment, 40, 500_000_000n)
        const headA = await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
        const capA = await capture(pool)
        expect(capA.accounts.length).toBeGreaterThan(last.accounts.length)
        expect(await rpcCall(s.anvil.url, 'evm_revert', [snap])).toBe(true)
        await rpcCall(s.anvil.url, 'anvil_mine', ['0x' + (headA.height - fork + 2).toString(16)])
        await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
        const afterReorg = await asOf(headA.height)
        expect(afterReorg.accounts).toEqual(last.accounts) // branch A's account is gone from history too
        chainChecked += await expectChainAgrees(headA.height)
        for (const cap of captured) await expectAsOf(cap)
        await stopProcessor(p)
        const eq = await expectSameAsFreshIndex(s)
        console.log(
            `time travel: ${captured.length} captured heights (${stats.committed} batches committed, ${stats.finalized} finalised, ${stats.claims} claims) answered as of their block, ${chainChecked} values equal to eth_call at that block; ` +
                `reorg ${headA.height - fork} blocks deep; equal to a fresh index (${eq.tables} tables incl. history, ${eq.rows} rows)`,
        )
    } finally {
        simDone = true
        await pool.end()
    }
})
