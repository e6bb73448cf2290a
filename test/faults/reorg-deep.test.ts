/**
 * Fault: reorgs deeper than one block inside the hot range (FINALITY_CONFIRMATIONS=20), made with anvil's
 * evm_snapshot / evm_revert and different transactions on the new branch:
 *
 *   branch A (7 blocks): a payer funded, a batch committed, finalised after its window, a payout claimed
 *   → indexed → revert to the fork point →
 *   branch B (9 blocks): another payer funded, another batch committed, empty blocks
 *   → indexed → revert to the SAME fork point again (B orphaned: 9 blocks deep) →
 *   branch C (12 blocks): a withdrawal-free deposit series by a third payer
 *
 * Proved: after each reorg the rows of the orphaned branch are gone (batches, claims, escrow movements, rollups),
 * the state reconciles with the chain at 0 mismatches, and at the end the index equals a fresh index of the final
 * chain table by table.
 */
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { contract } from '../../src/contracts'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../../src/deploy/local-accounts'
import { batchIdFromKey, buildBatch, proofsOf } from '../../src/settlement/batch-builder'
import { rpcCall } from '../../src/stack/anvil'
import { fundPayer, minedReceipt } from '../../bench/support/chain'
import { expectReconciled, expectSameAsFreshIndex, FaultStack, freezeChain, simulate, startFaultStack, stopProcessor, waitCaughtUp, withClient } from './support/stack'

jest.setTimeout(300_000)

const USDC = 1_000_000n
let s: FaultStack
let provider: JsonRpcProvider

beforeAll(async () => {
    s = await startFaultStack('reorg')
    provider = new JsonRpcProvider(s.anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 })
})

afterAll(async () => {
    provider?.destroy()
    await s?.close()
})

async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn()
    } catch (e: any) {
        throw new Error(`${label}: ${e?.shortMessage ?? e?.message ?? e}`)
    }
}

async function mine(n: number) {
    await rpcCall(s.anvil.url, 'anvil_mine', ['0x' + n.toString(16)])
}

async function head(): Promise<number> {
    return Number(await rpcCall(s.anvil.url, 'eth_blockNumber'))
}

/** Send `method(args)` of contract `name` from anvil account `account` with an explicit pending nonce; wait for the receipt. */
async function send(label: string, account: number, name: string, method: string, args: unknown[]): Promise<void> {
    const wallet = new Wallet(anvilKey(account), provider)
    const c = contract(name, name === 'MockUSDC' ? s.deployment.contracts.MockUSDC : (s.deployment.contracts as any)[name], wallet) as Contract
    const nonce = Number(await rpcCall(s.anvil.url, 'eth_getTransactionCount', [wallet.address, 'pending']))
    try {
        const tx = await c[method](...args, { nonce, gasLimit: 1_000_000n })
        await minedReceipt(provider, tx.hash)
    } catch (e: any) {
        throw new Error(`${label}: ${e?.shortMessage ?? e?.message ?? e}`)
    }
}

/** commitBatch by the operator paying `payee` `amount`; returns the batch id and the payee's proof. */
async function commit(payer: string, payee: string, amount: bigint, key: string) {
    const built = buildBatch([{ payee, amount }])
    const id = batchIdFromKey(`${key}-${Date.now()}`)
    await send(`commit ${key}`, LOCAL_ROLES.operator, 'BatchLedger', 'commitBatch', [id, payer, s.deployment.contracts.MockUSDC, built.root, built.totalAmount, 1, `ipfs://${key}`])
    return { id: id.toLowerCase(), proof: proofsOf(built).get(payee.toLowerCase())!, amount }
}

async function rows(): Promise<{ batches: string[]; claims: number; movements: number; accounts: number }> {
    return withClient(s.dbUrl, async (c) => ({
        batches: (await c.query(`SELECT id FROM batch ORDER BY id`)).rows.map((r) => r.id),
        claims: Number((await c.query(`SELECT count(*) AS n FROM claim`)).rows[0].n),
        movements: Number((await c.query(`SELECT count(*) AS n FROM escrow_movement`)).rows[0].n),
        accounts: Number((await c.query(`SELECT count(*) AS n FROM escrow_account`)).rows[0].n),
    }))
}

test('reorgs 7 and 9 blocks deep inside the hot range: orphaned rows vanish, state = chain = fresh index', async () => {
    await simulate(s, 5_000, 41)
    await freezeChain(s)
    const p = await s.launch('p-reorg', { FINALITY_CONFIRMATIONS: '20' })
    await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)
    const base = await rows()
    const fork = await head()
    const snapshot = await rpcCall<string>(s.anvil.url, 'evm_snapshot', [])

    // --- branch A: fund, commit, finalise, claim (7 blocks) ------------------------------------------------------
    const payee = new Wallet(anvilKey(FIRST_PARTICIPANT + 4), provider) // a publisher registered by the simulator
    const payerA = await step('fund A', () => fundPayer(s.anvil.url, s.deployment, 40, 500n * USDC)) // registers, faucet, approve, deposit: 4 blocks
    const a = await commit(payerA, payee.address, 7n * USDC, 'branch-a')
    await rpcCall(s.anvil.url, 'evm_increaseTime', [10])
    await send('finalize A', LOCAL_ROLES.operator, 'BatchLedger', 'finalize', [a.id])
    await send('claim A', FIRST_PARTICIPANT + 4, 'Distributor', 'claim', [a.id, a.amount, a.proof])
    const headA = await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    const depthA = headA.height - fork
    const rowsA = await rows()
    expect(rowsA.batches).toContain(a.id)
    expect(rowsA.claims).toBe(base.claims + 1)
    await expectReconciled(s)

    // --- reorg 1 → branch B (9 blocks) ----------------------------------------------------------------------------
    expect(await rpcCall(s.anvil.url, 'evm_revert', [snapshot])).toBe(true)
    const snapshot2 = await rpcCall<string>(s.anvil.url, 'evm_snapshot', [])
    const payerB = await step('fund B', () => fundPayer(s.anvil.url, s.deployment, 41, 300n * USDC))
    const b = await commit(payerB, payee.address, 3n * USDC, 'branch-b')
    await mine(fork + 9 - (await head()))
    const headB = await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    expect(headB.height).toBe(fork + 9)
    const rowsB = await rows()
    expect(rowsB.batches).not.toContain(a.id)
    expect(rowsB.batches).toContain(b.id)
    expect(rowsB.claims).toBe(base.claims)
    await expectReconciled(s)

    // --- reorg 2 → branch C (12 blocks), B orphaned 9 blocks deep -------------------------------------------------
    expect(await rpcCall(s.anvil.url, 'evm_revert', [snapshot2])).toBe(true)
    const payerC = await step('fund C', () => fundPayer(s.anvil.url, s.deployment, 42, 200n * USDC))
    await send('faucet C', 42, 'MockUSDC', 'faucet', [payerC, 50n * USDC])
    await send('approve C', 42, 'MockUSDC', 'approve', [s.deployment.contracts.Escrow, 50n * USDC])
    for (let i = 0; i < 3; i++) await send(`deposit C${i}`, 42, 'Escrow', 'deposit', [s.deployment.contracts.MockUSDC, 10n * USDC])
    await mine(fork + 12 - (await head()))
    const headC = await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    expect(headC.height).toBe(fork + 12)
    const rowsC = await rows()
    expect(rowsC.batches).not.toContain(a.id)
    expect(rowsC.batches).not.toContain(b.id)
    expect(rowsC.batches).toEqual(base.batches)
    expect(rowsC.claims).toBe(base.claims)
    expect(rowsC.accounts).toBe(base.accounts + 1) // only payer C's account exists beyond the fork
    expect(p.output()).toMatch(/navigating a fork/)
    await stopProcessor(p)

    const r = await expectReconciled(s)
    const eq = await expectSameAsFreshIndex(s)
    console.log(
        `faults/reorg: fork at ${fork}; branch A ${depthA} blocks (commit, finalise, claim) → branch B 9 blocks → branch C 12 blocks; ` +
            `orphaned batches gone; reconcile ${r.checked} checked, 0 mismatches; equal to a fresh index (${eq.tables} tables, ${eq.rows} rows)`,
    )
})
