/**
 * A forced reorg on the whole stack (anvil + the compiled processor with a 20-block hot range + embedded Postgres
 * + the API server): a batch committed on the main chain, then on a branch it is finalised and another batch is
 * committed (locking the payer's escrow); anvil reverts to before the branch (evm_snapshot / evm_revert) and mines
 * a longer empty branch. Hand-made subscribers (`batchUpdated`, `escrowBalanceChanged`) and live queries (a
 * generated one and a custom one) must all get the corrected state flagged reorg, and end on what the database
 * holds: no client keeps showing the abandoned blocks.
 */
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { fundPayer, minedReceipt } from '../../bench/support/chain'
import { contract } from '../../src/contracts'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../../src/deploy/local-accounts'
import type { RunningServer } from '../../src/server'
import { batchIdFromKey, buildBatch } from '../../src/settlement/batch-builder'
import { rpcCall } from '../../src/stack/anvil'
import { until } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'
import { FaultStack, freezeChain, startFaultStack, waitCaughtUp, withClient } from '../faults/support/stack'

jest.setTimeout(300_000)

const USDC = 1_000_000n
let s: FaultStack
let server: RunningServer
let provider: JsonRpcProvider
const clients = new WsClients(() => server.wsUrl)

const sub = (query: string) => clients.subscribe(query)

beforeAll(async () => {
    s = await startFaultStack('reorg-subs')
    provider = new JsonRpcProvider(s.anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 })
    server = await startTestServer(s.dbUrl, { subscriptions: { liveMinIntervalMs: 100 } })
})

afterAll(async () => {
    await clients.disposeAll()
    await server?.close()
    provider?.destroy()
    await s?.close()
})

test('a forced reorg: batchUpdated, escrowBalanceChanged and live queries all push the corrected state, flagged reorg', async () => {
    await freezeChain(s)
    const p = await s.launch('p-reorg-subs', { FINALITY_CONFIRMATIONS: '20' })
    const payer = await fundPayer(s.anvil.url, s.deployment, 40, 100n * USDC)
    const operator = new Wallet(anvilKey(LOCAL_ROLES.operator), provider)
    const ledger = contract('BatchLedger', s.deployment.contracts.BatchLedger, operator) as Contract
    // an explicit nonce: right after a receipt anvil may still answer the previous count
    const nonce = async () => Number(await rpcCall(s.anvil.url, 'eth_getTransactionCount', [operator.address, 'latest']))
    const payee = new Wallet(anvilKey(FIRST_PARTICIPANT + 4)).address
    const commit = async (key: string, amount: bigint) => {
        const built = buildBatch([{ payee, amount }])
        const id = batchIdFromKey(`${key}-${Date.now()}`)
        const tx = await ledger.commitBatch(id, payer, s.deployment.contracts.MockUSDC, built.root, built.totalAmount, 1, `ipfs://${key}`, { gasLimit: 1_000_000n, nonce: await nonce() })
        await minedReceipt(provider, tx.hash)
        return id.toLowerCase()
    }
    const kept = await commit('kept', 5n * USDC)
    await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)

    const batches = sub(`subscription { batchUpdated { id status reorg removed } }`)
    const escrow = sub(`subscription { escrowBalanceChanged(payer: "${payer}") { available locked reorg removed } }`)
    const committed = sub(`subscription { batches(where: {status_eq: COMMITTED}, orderBy: id_ASC) { id } }`)
    const lifecycle = sub(`subscription { batchLifecycle(id: "${kept}") { status events { kind } } }`)
    await until(() => server.hub.count('batchUpdated') === 1 && server.hub.count('escrowBalanceChanged') === 1, 10_000, 'hub subscribers')
    await until(() => committed.events.length > 0 && lifecycle.events.length > 0, 10_000, 'first live results')
    expect(lifecycle.last()!.data!.batchLifecycle.status).toBe('COMMITTED')

    // --- the branch: `kept` finalised, `gone` committed (escrow locked) ------------------------------------------
    const snapshot = await rpcCall<string>(s.anvil.url, 'evm_snapshot', [])
    const fork = Number(await rpcCall(s.anvil.url, 'eth_blockNumber'))
    await rpcCall(s.anvil.url, 'evm_increaseTime', [10])
    await minedReceipt(provider, (await ledger.finalize(kept, { gasLimit: 1_000_000n, nonce: await nonce() })).hash)
    const gone = await commit('gone', 3n * USDC)
    await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    await until(() => batches.events.some((e) => e.data?.batchUpdated.id === gone), 30_000, 'the branch batch pushed')
    await until(() => lifecycle.last()!.data!.batchLifecycle.status === 'FINALIZED', 30_000, 'the live lifecycle finalised')
    await until(() => (committed.last()!.data!.batches as any[]).some((b) => b.id === gone), 30_000, 'the live list with the branch batch')
    await until(() => escrow.events.length > 0, 30_000, 'the escrow lock pushed')
    const seen = { batches: batches.events.length, escrow: escrow.events.length, committed: committed.events.length, lifecycle: lifecycle.events.length }
    expect(batches.events.every((e) => e.data!.batchUpdated.reorg === false && !e.extensions)).toBe(true)

    // --- the reorg: back to the fork point, a longer branch without either transaction -----------------------------
    const tip = Number(await rpcCall(s.anvil.url, 'eth_blockNumber'))
    expect(await rpcCall(s.anvil.url, 'evm_revert', [snapshot])).toBe(true)
    await rpcCall(s.anvil.url, 'anvil_mine', ['0x' + (tip - fork + 2).toString(16)])
    await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    expect(p.output()).toMatch(/navigating a fork/)

    await until(() => batches.events.length >= seen.batches + 2, 15_000, 'the batch corrections')
    const fixes = batches.events.slice(seen.batches)
    expect(fixes).toEqual(
        expect.arrayContaining([
            { data: { batchUpdated: { id: kept, status: 'COMMITTED', reorg: true, removed: false } }, extensions: { reorg: true } },
            { data: { batchUpdated: { id: gone, status: 'COMMITTED', reorg: true, removed: true } }, extensions: { reorg: true, removed: true } },
        ]),
    )
    await until(() => escrow.events.length > seen.escrow, 15_000, 'the escrow correction')
    const account = await withClient(s.dbUrl, async (c) => (await c.query(`SELECT available::text, locked::text FROM escrow_account WHERE payer = $1`, [payer])).rows[0])
    expect(escrow.last()).toEqual({ data: { escrowBalanceChanged: { ...account, reorg: true, removed: false } }, extensions: { reorg: true } })
    await until(() => lifecycle.events.length > seen.lifecycle && committed.events.length > seen.committed, 15_000, 'the live corrections')
    expect(lifecycle.last()).toEqual({ data: { batchLifecycle: { status: 'COMMITTED', events: [{ kind: 'COMMITTED' }] } }, extensions: { reorg: true } })
    const dbCommitted = await withClient(s.dbUrl, async (c) => (await c.query(`SELECT id FROM batch WHERE status = 'COMMITTED' ORDER BY id`)).rows)
    expect(dbCommitted.map((r) => r.id)).not.toContain(gone)
    expect(committed.last()).toEqual({ data: { batches: dbCommitted }, extensions: { reorg: true } })
})
