/**
 * Live queries on the whole stack: anvil + the compiled processor + embedded Postgres + the API server. The
 * simulator commits, disputes and finalises batches; live `batches(where: {status_eq: ...})` subscribers must end
 * on exactly what the database holds, having followed the commits along the way. Then a reorg (anvil
 * evm_snapshot / evm_revert inside the processor's hot range): the live query pushes the corrected list, flagged
 * `extensions.reorg`.
 */
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { ExecutionResult } from 'graphql'
import { Client as PgClient } from 'pg'
import { fundPayer, minedReceipt } from '../../bench/support/chain'
import { contract } from '../../src/contracts'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../../src/deploy/local-accounts'
import type { RunningServer } from '../../src/server'
import { batchIdFromKey, buildBatch } from '../../src/settlement/batch-builder'
import { rpcCall } from '../../src/stack/anvil'
import { until } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'
import { FaultStack, freezeChain, simulate, startFaultStack, waitCaughtUp, withClient } from '../faults/support/stack'

jest.setTimeout(300_000)

const USDC = 1_000_000n
let s: FaultStack
let server: RunningServer
let provider: JsonRpcProvider
const clients = new WsClients(() => server.wsUrl)

const live = (query: string) => clients.subscribe(query)

const idsWith = (status: string) => withClient(s.dbUrl, async (c) => (await c.query(`SELECT id FROM batch WHERE status = $1 ORDER BY id`, [status])).rows.map((r) => r.id as string))
const ids = (r: ExecutionResult<any> | undefined) => (r?.data?.batches ?? []).map((b: any) => b.id as string)

beforeAll(async () => {
    s = await startFaultStack('live')
    provider = new JsonRpcProvider(s.anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 })
    server = await startTestServer(s.dbUrl, { subscriptions: { liveMinIntervalMs: 100 } })
})

afterAll(async () => {
    await clients.disposeAll()
    await server?.close()
    provider?.destroy()
    await s?.close()
})

test('live batches follow the simulator through commits and finalisations, then a reorg', async () => {
    const p = await s.launch('p-live', { FINALITY_CONFIRMATIONS: '20' })
    await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)
    const committed = live(`subscription { batches(where: {status_eq: COMMITTED}, orderBy: id_ASC) { id status } }`)
    const finalized = live(`subscription { batches(where: {status_eq: FINALIZED}, orderBy: id_ASC) { id status } }`)
    const unrelated = live(`subscription { contractUpgrades(limit: 5) { id } }`)
    await until(() => committed.events.length > 0 && finalized.events.length > 0 && unrelated.events.length > 0, 10_000, 'first results')

    // what the processor tells the API: the entity names it wrote, next to the changed ids
    const notices: any[] = []
    const pg = new PgClient({ connectionString: s.dbUrl })
    await pg.connect()
    pg.on('notification', (n) => notices.push(JSON.parse(n.payload ?? '{}')))
    await pg.query('LISTEN squid_batch')
    const stats = await simulate(s, 12_000, 17)
    expect(stats.committed).toBeGreaterThan(0)
    await freezeChain(s)
    await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)
    await pg.end()
    expect(notices.some((n) => n.changed?.batches?.length && n.tables?.includes('Batch'))).toBe(true)
    expect(notices.some((n) => n.tables?.includes('EscrowMovement'))).toBe(true)
    expect(notices.every((n) => Array.isArray(n.tables) && !n.tables.includes('ContractUpgrade'))).toBe(true)
    // the last pushed results are what the database holds
    await until(async () => JSON.stringify(ids(committed.last())) === JSON.stringify(await idsWith('COMMITTED')), 10_000, 'live COMMITTED = database', 100)
    await until(async () => JSON.stringify(ids(finalized.last())) === JSON.stringify(await idsWith('FINALIZED')), 10_000, 'live FINALIZED = database', 100)
    expect(committed.events.length).toBeGreaterThan(2)
    if (stats.finalized > 0) expect(ids(finalized.last()).length).toBeGreaterThan(0)
    expect(committed.events.every((e) => !e.errors && !e.extensions)).toBe(true)
    // nothing the simulator does writes contract upgrades: one result only
    expect(unrelated.events).toHaveLength(1)

    // --- reorg: a batch committed on a branch that is then abandoned -------------------------------------------
    const before = ids(committed.last())
    const snapshot = await rpcCall<string>(s.anvil.url, 'evm_snapshot', [])
    const fork = Number(await rpcCall(s.anvil.url, 'eth_blockNumber'))
    const payer = await fundPayer(s.anvil.url, s.deployment, 40, 100n * USDC)
    const built = buildBatch([{ payee: new Wallet(anvilKey(FIRST_PARTICIPANT + 4)).address, amount: 5n * USDC }])
    const id = batchIdFromKey(`live-reorg-${Date.now()}`)
    const ledger = contract('BatchLedger', s.deployment.contracts.BatchLedger, new Wallet(anvilKey(LOCAL_ROLES.operator), provider)) as Contract
    await minedReceipt(provider, (await ledger.commitBatch(id, payer, s.deployment.contracts.MockUSDC, built.root, built.totalAmount, 1, 'ipfs://live-reorg', { gasLimit: 1_000_000n })).hash)
    await until(() => ids(committed.last()).includes(id.toLowerCase()), 30_000, 'the branch batch live')
    const pushedBeforeReorg = committed.events.length
    const tip = Number(await rpcCall(s.anvil.url, 'eth_blockNumber'))

    expect(await rpcCall(s.anvil.url, 'evm_revert', [snapshot])).toBe(true)
    // a longer branch without the batch
    await rpcCall(s.anvil.url, 'anvil_mine', ['0x' + (tip - fork + 2).toString(16)])
    await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    await until(() => committed.events.length > pushedBeforeReorg, 15_000, 'the corrected live result')
    const fixed = committed.last()!
    expect(ids(fixed)).toEqual(before)
    expect(fixed.extensions).toEqual({ reorg: true })
})
