/**
 * Scale-out: two API server processes (`node lib/server/index.js`) on the one database, with the real processor
 * on anvil. Each replica LISTENs on its own connection and pushes to its own clients: a live query and a classic
 * subscription opened on each replica must both push after one processor commit. Limits are per replica: one at
 * its connection cap still leaves the other open.
 */
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import type { Client } from 'graphql-ws'
import WebSocket from 'ws'
import { fundPayer, minedReceipt } from '../../bench/support/chain'
import { contract } from '../../src/contracts'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../../src/deploy/local-accounts'
import { batchIdFromKey, buildBatch } from '../../src/settlement/batch-builder'
import { rpcCall } from '../../src/stack/anvil'
import { until } from './support/stack'
import { WsClients } from './support/ws-client'
import { ApiServer, FaultStack, freezeChain, startApiServer, startFaultStack, waitCaughtUp } from '../faults/support/stack'

jest.setTimeout(300_000)

const USDC = 1_000_000n
let s: FaultStack
let provider: JsonRpcProvider
const clients = new WsClients()
const client = (api: ApiServer) => clients.client({ url: api.wsUrl })

const sub = (c: Client, query: string) => clients.subscribe(query, undefined, c).events

/** the replica's own count of open subscriptions (its /metrics) */
async function openSubscriptions(api: ApiServer): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text()
    return Number(/^api_ws_subscriptions (\d+)/m.exec(text)?.[1] ?? NaN)
}

beforeAll(async () => {
    s = await startFaultStack('replicas')
    provider = new JsonRpcProvider(s.anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 })
})

afterAll(async () => {
    await clients.disposeAll()
    provider?.destroy()
    await s?.close()
})

test('two API replicas on one database: each pushes a processor commit to its own live and classic subscribers', async () => {
    await freezeChain(s)
    const p = await s.launch('p-replicas')
    const payer = await fundPayer(s.anvil.url, s.deployment, 40, 100n * USDC)
    await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)
    const env = { LIVE_MIN_INTERVAL_MS: '100', GQL_MAX_WS_CONNECTIONS: '2' }
    const [a, b] = await Promise.all([startApiServer(s, 'api-a', env), startApiServer(s, 'api-b', env)])

    const LIVE = `subscription { batches(orderBy: id_ASC) { id status } }`
    const CLASSIC = `subscription { batchUpdated { id status } }`
    const on = [a, b].map((api) => {
        const c = client(api)
        return { api, live: sub(c, LIVE), classic: sub(c, CLASSIC) }
    })
    for (const r of on) {
        await until(() => r.live.length === 1, 20_000, `the first live result of ${r.api.port}`)
        await until(async () => (await openSubscriptions(r.api)) === 2, 20_000, `both subscriptions open on ${r.api.port}`, 100)
        expect(r.live[0]).toEqual({ data: { batches: [] } })
    }

    // one processor commit: a batch committed on chain
    const operator = new Wallet(anvilKey(LOCAL_ROLES.operator), provider)
    const ledger = contract('BatchLedger', s.deployment.contracts.BatchLedger, operator) as Contract
    const built = buildBatch([{ payee: new Wallet(anvilKey(FIRST_PARTICIPANT + 4)).address, amount: 5n * USDC }])
    const id = batchIdFromKey(`replicas-${Date.now()}`)
    const nonce = Number(await rpcCall(s.anvil.url, 'eth_getTransactionCount', [operator.address, 'latest']))
    await minedReceipt(provider, (await ledger.commitBatch(id, payer, s.deployment.contracts.MockUSDC, built.root, built.totalAmount, 1, 'ipfs://replicas', { gasLimit: 1_000_000n, nonce })).hash)
    await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)

    const batch = { id: id.toLowerCase(), status: 'COMMITTED' }
    for (const r of on) {
        await until(() => r.live.length === 2 && r.classic.length === 1, 20_000, `both pushes on ${r.api.port}`)
        expect(r.live[1]).toEqual({ data: { batches: [batch] } })
        expect(r.classic[0]).toEqual({ data: { batchUpdated: batch } })
    }

    // limits are per replica: a full at its 2 connections, b still takes one
    const second = sub(client(a), LIVE)
    await until(() => second.length === 1, 20_000, 'the second connection to a')
    const third = await new Promise<number>((resolve) => {
        const ws = new WebSocket(a.wsUrl, 'graphql-transport-ws')
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.once('open', () => (ws.close(), resolve(101)))
        ws.once('error', () => resolve(-1))
    })
    expect(third).toBe(503)
    const onB = sub(client(b), LIVE)
    await until(() => onB.length === 1, 20_000, 'a second connection to b')
    expect(onB[0]).toEqual({ data: { batches: [batch] } })
})
