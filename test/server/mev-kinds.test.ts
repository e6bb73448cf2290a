/**
 * Liquidations through the whole path: the processor's rows for a synthetic block with a liquidation
 * (test/processor/support/mev-scenario.ts, processBatch into the in-memory store) are written to Postgres as they
 * are, with a JIT liquidity and an NFT trade from addBlockMev, then read by mevFeed and pushed by mevDetected with
 * their details.
 */
import { Pool } from 'pg'
// typeorm-store's naming strategy is typeorm's snake case
import { snakeCase as snake } from 'typeorm/util/StringUtils'
import type { RunningServer } from '../../src/server'
import { FakeStore } from '../processor/support/fake-store'
import { A, LIQ_GAS, LIQ_PRICE, TIP, bot, borrower, cUni, jitAndNftState, runLiquidationScenario } from '../processor/support/mev-scenario'
import { addr, txHash } from '../mev/builders'
import { data, gql, PgStack, setIndexerHead, startPgStack, until } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'

jest.setTimeout(180_000)

let stack: PgStack
let server: RunningServer
const clients = new WsClients(() => server.wsUrl)
const LIQ_ID = '0000000101-00000-l0'
const EVENT_ID = '0000000101-liquidation-00000-l0'


/** One dumped row (relations as {id}) into its table, column names as typeorm-store names them. */
async function insertRow(pool: Pool, entity: string, row: Record<string, unknown>): Promise<void> {
    const cols: string[] = []
    const vals: unknown[] = []
    for (const [k, v] of Object.entries(row)) {
        if (v === null || v === undefined) continue
        const rel = typeof v === 'object' && !Array.isArray(v) && 'id' in (v as object)
        cols.push(`"${snake(k)}${rel ? '_id' : ''}"`)
        vals.push(rel ? (v as { id: string }).id : v)
    }
    await pool.query(`INSERT INTO ${snake(entity)} (${cols.join(', ')}) VALUES (${vals.map((_, i) => `$${i + 1}`).join(', ')})`, vals)
}

beforeAll(async () => {
    const store = await runLiquidationScenario()
    // a JIT liquidity and an NFT trade in the same block 101 (rows as addBlockMev makes them)
    const other = jitAndNftState(101)
    for (const rows of [other.swaps, other.jitLiquidity, other.nftTrades, other.mevEvents] as any[][]) await store.insert(rows)
    const db = store.dump()
    stack = await startPgStack()
    // referenced tables first
    for (const entity of ['Validator', 'Block', 'Swap', 'Liquidation', 'JitLiquidity', 'NftTrade', 'MinerPayment', 'MevEvent']) {
        for (const row of Object.values(db[entity] ?? {})) await insertRow(stack.pool, entity, row)
    }
    await setIndexerHead(stack.pool, 101)
    server = await startTestServer(stack.url)
})

afterAll(async () => {
    await clients.disposeAll()
    await server?.close()
    await stack?.close()
})

const q = async (query: string) => data(await gql(server.url, query))
const ITEM = `id kind blockNumber transactionHash validator account token amount arbitrage { id } jitLiquidity { id } nftTrade { id }
    liquidation { id protocol traceAddress liquidatedUser liquidator debtToken debtPurchaseAmount receivedToken receivedAmount gasCost netProfit }`
const EXPECTED = {
    id: EVENT_ID,
    kind: 'LIQUIDATION',
    blockNumber: 101,
    transactionHash: txHash(0),
    validator: A,
    account: bot,
    token: cUni,
    amount: '321',
    arbitrage: null,
    jitLiquidity: null,
    nftTrade: null,
    liquidation: {
        id: LIQ_ID,
        protocol: 'compound_v2',
        traceAddress: [0],
        liquidatedUser: borrower,
        liquidator: bot,
        debtToken: '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
        debtPurchaseAmount: '4000',
        receivedToken: cUni,
        receivedAmount: '321',
        gasCost: (LIQ_GAS * LIQ_PRICE + TIP).toString(),
        netProfit: null,
    },
}

test('mevFeed(kinds: [LIQUIDATION]) returns the stored liquidation with its detail and proposer', async () => {
    expect((await q(`{ mevFeed(kinds: [LIQUIDATION]) { ${ITEM} } }`)).mevFeed).toEqual([EXPECTED])
})

test('the default feed and the validator filter include it, next to the coinbase transfer', async () => {
    const all = (await q(`{ mevFeed { id kind } }`)).mevFeed
    expect(all.map((i: any) => i.kind).sort()).toEqual(['COINBASE_TRANSFER', 'JIT_LIQUIDITY', 'LIQUIDATION', 'NFT_TRADE'])
    expect((await q(`{ mevFeed(validator: "${A}", kinds: [LIQUIDATION]) { id } }`)).mevFeed).toEqual([{ id: EVENT_ID }])
    expect((await q(`{ mevFeed(validator: "${addr('nobody')}", kinds: [LIQUIDATION, NFT_TRADE, JIT_LIQUIDITY]) { id } }`)).mevFeed).toEqual([])
})

test('JIT liquidity and NFT trades come with their details (the JIT swaps included)', async () => {
    const items = (
        await q(`{ mevFeed(kinds: [NFT_TRADE, JIT_LIQUIDITY]) { kind pool account amount liquidation { id }
            jitLiquidity { id bot pool mintAmount0 burnAmount0 swapVolume0 swapCount swaps(limit: 5) { id amountIn } }
            nftTrade { id seller buyer collection tokenId paymentToken paymentAmount } } }`)
    ).mevFeed
    expect(items).toEqual([
        {
            kind: 'NFT_TRADE',
            pool: addr('collection'),
            account: addr('buyer'),
            amount: '97500',
            liquidation: null,
            jitLiquidity: null,
            nftTrade: {
                id: '0000000101-00003-n',
                seller: addr('seller'),
                buyer: addr('buyer'),
                collection: addr('collection'),
                tokenId: (2n ** 70n).toString(),
                paymentToken: '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
                paymentAmount: '97500',
            },
        },
        {
            kind: 'JIT_LIQUIDITY',
            pool: addr('v3pool'),
            account: addr('jit'),
            amount: null,
            liquidation: null,
            jitLiquidity: {
                id: '0000000101-j0',
                bot: addr('jit'),
                pool: addr('v3pool'),
                mintAmount0: '1000',
                burnAmount0: '1450',
                swapVolume0: '500',
                swapCount: 1,
                swaps: [{ id: '0000000101-00001-t0', amountIn: '500' }],
            },
            nftTrade: null,
        },
    ])
})

test('the miner payment is queryable through the generated API', async () => {
    const rows = (await q(`{ minerPayments { id transactionHash coinbaseTransfer gasUsed gasPrice validator { id } } }`)).minerPayments
    expect(rows).toEqual([{ id: '0000000101-00000', transactionHash: txHash(0), coinbaseTransfer: TIP.toString(), gasUsed: LIQ_GAS.toString(), gasPrice: LIQ_PRICE.toString(), validator: { id: A } }])
})

test('mevDetected(kinds: [LIQUIDATION]) pushes it after the NOTIFY that names it', async () => {
    const { events } = clients.subscribe(`subscription { mevDetected(kinds: [LIQUIDATION]) { ${ITEM} } }`)
    await until(() => server.hub.count('mevDetected') === 1)
    const changed = { mev: ['0000000101-coinbase-00000-0', EVENT_ID], mevBlocks: ['101'], validators: [A] }
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [JSON.stringify({ height: 101, hash: '0x101', fromHeight: 101, head: true, changed })])
    await until(() => events.length > 0)
    await new Promise((r) => setTimeout(r, 200))
    expect(events).toEqual([{ data: { mevDetected: EXPECTED } }])
})
