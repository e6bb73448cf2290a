/**
 * Issue 16 finding 13: on the local chain the API server's signers are not the simulator's accounts (no shared
 * nonces while both run), and the leaves commitBatch stored for a batch that failed before broadcast are removed.
 */
import { Contract, id, Wallet } from 'ethers'
import { abiOf } from '../../src/contracts'
import { anvilKey, LOCAL_ROLES } from '../../src/deploy/local-accounts'
import { signerKeysFromEnv } from '../../src/server/chain/settlement-chain'
import { batchIdFromKey } from '../../src/settlement/batch-builder'
import { Simulator } from '../../src/simulator/simulator'
import { dataOf, errorOf, gql, payee, pendingNonce } from '../mutations/harness'
import { COMMIT, MutationStack, startMutationStack } from './support/auth-chain'

jest.setTimeout(240_000)

let s: MutationStack
beforeAll(async () => {
    // payer 59: the simulator's participants are accounts 10..59 with these options it uses 10..13
    s = await startMutationStack(59)
})
afterAll(async () => {
    await s?.close()
})

const input = (key: string, records: { payee: string; amount: string }[]) => ({
    input: { payer: s.payer.address, token: s.token, records, idempotencyKey: key },
})

const addressOf = (key: string) => new Wallet(key).address.toLowerCase()

test("the API's operator and relayer are not the simulator's, and the local deployment grants both their roles", async () => {
    const api = signerKeysFromEnv(31337, {})
    const sim = { operator: addressOf(anvilKey(LOCAL_ROLES.simOperator)), relayer: addressOf(anvilKey(LOCAL_ROLES.simRelayer)) }
    expect(addressOf(api.operator!)).not.toBe(sim.operator)
    expect(addressOf(api.relayer!)).not.toBe(sim.relayer)
    const c = s.chain.deployment.contracts
    const ledger = new Contract(c.BatchLedger, abiOf('BatchLedger'), s.chain.provider)
    const distributor = new Contract(c.Distributor, abiOf('Distributor'), s.chain.provider)
    const OPERATOR = id('OPERATOR_ROLE')
    const RELAYER = id('RELAYER_ROLE')
    for (const a of [addressOf(api.operator!), sim.operator]) expect(await ledger.hasRole(OPERATOR, a)).toBe(true)
    for (const a of [addressOf(api.relayer!), sim.relayer]) expect(await distributor.hasRole(RELAYER, a)).toBe(true)
})

test('API commits while the simulator commits: every API commit confirmed, the simulator never fails', async () => {
    const logs: string[] = []
    const sim = new Simulator({ rpcUrl: s.chain.rpcUrl, deployment: s.chain.deployment, db: s.pg.pool, seed: 7, payers: 2, publishers: 2, advertisers: 0, recordsPerBatch: [5, 20], tickMs: 150, log: (m) => logs.push(m) })
    await sim.setup()
    expect(logs.join('\n')).not.toMatch(/no OPERATOR role|no RELAYER role/)
    sim.start()
    try {
        const operator = s.chain.deployment.roles.operator
        const nonce = await pendingNonce(s.chain.provider, operator)
        const results = await Promise.all(
            Array.from({ length: 6 }, (_, i) => gql(s.pg.pool, COMMIT, input(`signers-${i}`, [{ payee: payee(700 + i), amount: '100' }]), 'operator')),
        )
        for (const r of results) expect(dataOf(r, 'commitBatch').status).toBe('CONFIRMED')
        expect(await pendingNonce(s.chain.provider, operator)).toBe(nonce + 6)
        const until = Date.now() + 20_000
        while (sim.stats.committed < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 200))
    } finally {
        await sim.stop()
    }
    expect(sim.stats.committed).toBeGreaterThanOrEqual(2)
    expect(sim.stats.failures).toBe(0)
})

test('a commit refused by the simulation (ledger paused) leaves no stored leaves behind', async () => {
    const pauser = new Wallet(anvilKey(LOCAL_ROLES.pauser), s.chain.provider)
    const ledger = new Contract(s.chain.deployment.contracts.BatchLedger, abiOf('BatchLedger'), pauser)
    // only governance (the timelock) may unpause: undo the pause with a chain snapshot instead
    const snapshot = await s.chain.provider.send('evm_snapshot', [])
    await (await ledger.pause()).wait()
    try {
        const e = errorOf(await gql(s.pg.pool, COMMIT, input('signers-paused', [{ payee: payee(720), amount: '100' }]), 'operator'))
        expect(e.code).toBe('CONTRACT_REVERT')
        expect(e.ext.stage).toBe('simulation')
        const left = await s.pg.pool.query(`SELECT count(*)::int AS n FROM api.batch_leaves WHERE batch_id = $1`, [batchIdFromKey('signers-paused').toLowerCase()])
        expect(left.rows[0].n).toBe(0)
    } finally {
        await s.chain.provider.send('evm_revert', [snapshot])
    }
    // the key was released with its leaves: the retry commits and stores them
    const ok = dataOf(await gql(s.pg.pool, COMMIT, input('signers-paused', [{ payee: payee(720), amount: '100' }]), 'operator'), 'commitBatch')
    expect(ok.status).toBe('CONFIRMED')
    const stored = await s.pg.pool.query(`SELECT root FROM api.batch_leaves WHERE batch_id = $1`, [ok.batchId])
    expect(stored.rows[0].root).toBe(ok.root)
})
