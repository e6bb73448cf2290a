import { Contract, Interface, Transaction, Wallet } from 'ethers'
import { abiOf } from '../../src/contracts'
import { anvilKey } from '../../src/deploy/local-accounts'
import { batchIdFromKey, buildBatch } from '../../src/settlement/batch-builder'
import { proofFor } from '../../src/settlement/leaf-store'
import { SettlementChain, signerKeysFromEnv } from '../../src/server/chain/settlement-chain'
import { requestHash } from '../../src/server/idempotency'
import { closeMutations, configureMutations } from '../../src/server/resolvers/mutation.resolver'
import { advanceTime, ChainHarness, dataOf, errorOf, fundPayer, gql, mined, payee, pendingNonce, PgHarness, startChain, startPg } from './harness'

jest.setTimeout(120_000)

let pg: PgHarness
let chain: ChainHarness
let settlement: SettlementChain
let payer: Wallet
let token: string
let operator: string
let relayer: string

const COMMIT = `mutation($input: CommitBatchInput!) {
  commitBatch(input: $input) { batchId payer token root totalAmount recordCount leafCount dataURI txHash status blockNumber replayed }
}`
const FINALIZE = `mutation($id: String!, $key: String) { finalizeBatch(id: $id, idempotencyKey: $key) { batchId txHash status blockNumber replayed } }`
const DISPUTE = `mutation($id: String!, $reason: String!) { disputeBatch(id: $id, reason: $reason) { batchId disputant byPayer reason txHash status blockNumber replayed } }`
const CLAIM = `mutation($batchId: String!, $payees: [String!]!, $key: String) {
  claimPayouts(batchId: $batchId, payees: $payees, idempotencyKey: $key) { batchId claimed { payee amount } alreadyClaimed txHash status blockNumber replayed }
}`

function newChain(keys: Partial<Record<'operator' | 'relayer' | 'disputer', string>> = signerKeysFromEnv(31337, {})): SettlementChain {
    return new SettlementChain({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, keys, pollMs: 100 })
}

function input(key: string, records: { payee: string; amount: string }[], extra: Record<string, unknown> = {}) {
    return { input: { payer: payer.address, token, records, idempotencyKey: key, dataURI: `ipfs://records/${key}`, ...extra } }
}

async function countMutations(key?: string): Promise<number> {
    const r = key
        ? await pg.pool.query(`SELECT count(*)::int AS n FROM api.mutations WHERE idempotency_key = $1`, [key])
        : await pg.pool.query(`SELECT count(*)::int AS n FROM api.mutations`)
    return r.rows[0].n
}

function batchCommittedEvents(receipt: { logs: readonly { address: string; topics: readonly string[]; data: string }[] }) {
    const iface = new Interface(abiOf('BatchLedger'))
    return receipt.logs
        .filter((l) => l.address.toLowerCase() === chain.deployment.contracts.BatchLedger.toLowerCase())
        .map((l) => iface.parseLog({ topics: [...l.topics], data: l.data }))
        .filter((e) => e?.name === 'BatchCommitted')
}

beforeAll(async () => {
    ;[pg, chain] = await Promise.all([startPg(), startChain({ blockTime: 1 })])
    settlement = newChain()
    configureMutations({ chain: settlement, confirmTimeoutMs: 20_000, log: () => undefined })
    payer = await fundPayer(chain, 10, 1_000_000_000n) // 1,000 USDC
    token = chain.deployment.contracts.MockUSDC
    operator = chain.deployment.roles.operator
    relayer = chain.deployment.roles.relayer
})

afterAll(async () => {
    await closeMutations()
    settlement?.destroy()
    await chain?.close()
    await pg?.close()
})

describe('commitBatch', () => {
    let committed: any

    test('funded payer: aggregates records, stores leaves, commits on chain (BatchCommitted)', async () => {
        const records = [
            { payee: payee(1), amount: '1000000' },
            { payee: payee(2).toUpperCase().replace('0X', '0x'), amount: '2500000' },
            { payee: payee(1), amount: '500000' },
        ]
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const res = dataOf(await gql(pg.pool, COMMIT, input('commit-1', records), 'operator'), 'commitBatch')
        const built = buildBatch(records)
        expect(res).toMatchObject({
            batchId: batchIdFromKey('commit-1').toLowerCase(),
            payer: payer.address.toLowerCase(),
            token: token.toLowerCase(),
            root: built.root.toLowerCase(),
            totalAmount: '4000000',
            recordCount: 3,
            leafCount: 2,
            dataURI: 'ipfs://records/commit-1',
            status: 'CONFIRMED',
            replayed: false,
        })
        expect(res.txHash).toMatch(/^0x[0-9a-f]{64}$/)
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore + 1)

        const receipt = await mined(chain.provider, res.txHash)
        expect(receipt.status).toBe(1)
        expect(receipt.blockNumber).toBe(res.blockNumber)
        const events = batchCommittedEvents(receipt)
        expect(events).toHaveLength(1)
        expect(events[0]!.args.batchId).toBe(res.batchId)
        expect(events[0]!.args.payer).toBe(payer.address)
        expect(events[0]!.args.totalAmount).toBe(4_000_000n)
        expect(events[0]!.args.recordCount).toBe(3n)
        expect(events[0]!.args.root).toBe(res.root)
        expect(events[0]!.args.operator).toBe(operator)

        const account = await settlement.escrowAccount(payer.address, token)
        expect(account.locked).toBe(4_000_000n)
        const leaf = await proofFor(pg.pool, res.batchId, payee(1))
        expect(leaf?.amount).toBe(1_500_000n)
        const stored = await pg.pool.query(`SELECT status, tx_hash FROM api.mutations WHERE idempotency_key = 'commit-1'`)
        expect(stored.rows).toEqual([{ status: 'DONE', tx_hash: res.txHash }])
        committed = res
    })

    test('the same idempotencyKey again returns the first result and sends nothing', async () => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const records = [
            { payee: payee(1), amount: '1000000' },
            { payee: payee(2), amount: '2500000' },
            { payee: payee(1), amount: '500000' },
        ]
        const again = dataOf(await gql(pg.pool, COMMIT, input('commit-1', records), 'operator'), 'commitBatch')
        expect(again).toEqual({ ...committed, replayed: true })
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
    })

    test('the same idempotencyKey with a different request → IDEMPOTENCY_CONFLICT, nothing sent', async () => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const e = errorOf(await gql(pg.pool, COMMIT, input('commit-1', [{ payee: payee(1), amount: '7' }]), 'operator'))
        expect(e.code).toBe('IDEMPOTENCY_CONFLICT')
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
    })

    test('5 concurrent requests with one idempotencyKey → one transaction, five identical answers', async () => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const records = [{ payee: payee(3), amount: '1000' }]
        const results = await Promise.all(
            Array.from({ length: 5 }, () => gql(pg.pool, COMMIT, input('concurrent-1', records), 'operator').then((r) => dataOf(r, 'commitBatch'))),
        )
        const hashes = new Set(results.map((r) => r.txHash))
        expect(hashes.size).toBe(1)
        expect(results.filter((r) => !r.replayed)).toHaveLength(1)
        expect(results.every((r) => r.status === 'CONFIRMED')).toBe(true)
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore + 1)
        expect(await countMutations('concurrent-1')).toBe(1)
    })

    test('5 concurrent commits with different keys get consecutive nonces and all land', async () => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const results = await Promise.all(
            Array.from({ length: 5 }, (_, i) =>
                gql(pg.pool, COMMIT, input(`parallel-${i}`, [{ payee: payee(10 + i), amount: String(1000 + i) }]), 'operator').then((r) => dataOf(r, 'commitBatch')),
            ),
        )
        expect(results.every((r) => r.status === 'CONFIRMED')).toBe(true)
        const nonces = await Promise.all(results.map(async (r) => (await chain.provider.getTransaction(r.txHash))!.nonce))
        expect([...nonces].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4].map((i) => nonceBefore + i))
        for (const r of results) expect(batchCommittedEvents(await mined(chain.provider, r.txHash))).toHaveLength(1)
    })

    test('short escrow balance → INSUFFICIENT_ESCROW with available/required, no transaction, key released', async () => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const account = await settlement.escrowAccount(payer.address, token)
        const required = account.available + 1n
        const res = await gql(pg.pool, COMMIT, input('too-big', [{ payee: payee(4), amount: required.toString() }]), 'operator')
        const e = errorOf(res)
        expect(e.code).toBe('INSUFFICIENT_ESCROW')
        expect(e.ext.available).toBe(account.available.toString())
        expect(e.ext.required).toBe(required.toString())
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
        expect(await countMutations('too-big')).toBe(0)
        const leaves = await pg.pool.query(`SELECT 1 FROM api.batch_leaves WHERE batch_id = $1`, [batchIdFromKey('too-big').toLowerCase()])
        expect(leaves.rowCount).toBe(0)
    })

    test('no key → UNAUTHENTICATED, read-only / relayer key → FORBIDDEN; nothing sent or stored', async () => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const rowsBefore = await countMutations()
        const vars = input('auth-1', [{ payee: payee(5), amount: '10' }])
        expect(errorOf(await gql(pg.pool, COMMIT, vars, undefined)).code).toBe('UNAUTHENTICATED')
        expect(errorOf(await gql(pg.pool, COMMIT, vars, 'read-only')).code).toBe('FORBIDDEN')
        expect(errorOf(await gql(pg.pool, COMMIT, vars, 'relayer')).code).toBe('FORBIDDEN')
        expect(errorOf(await gql(pg.pool, FINALIZE, { id: committed.batchId }, 'read-only')).code).toBe('FORBIDDEN')
        expect(errorOf(await gql(pg.pool, DISPUTE, { id: committed.batchId, reason: 'x' }, undefined)).code).toBe('UNAUTHENTICATED')
        expect(errorOf(await gql(pg.pool, CLAIM, { batchId: committed.batchId, payees: [payee(1)] }, 'operator')).code).toBe('FORBIDDEN')
        expect(errorOf(await gql(pg.pool, CLAIM, { batchId: committed.batchId, payees: [payee(1)] }, 'read-only')).code).toBe('FORBIDDEN')
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
        expect(await pendingNonce(chain.provider, relayer)).toBe(0)
        expect(await countMutations()).toBe(rowsBefore)
        // queries stay open without a key
        expect((await gql(pg.pool, '{ ping }')).data).toEqual({ ping: 'pong' })
    })

    test.each([
        ['payer not an address', { payer: '0x1234' }, undefined, 'payer'],
        ['token not an address', { token: 'usdc' }, undefined, 'token'],
        ['payee not an address', {}, [{ payee: payee(1), amount: '1' }, { payee: '0xZZ' + '0'.repeat(38), amount: '1' }], 'records[1].payee'],
        ['negative amount', {}, [{ payee: payee(1), amount: '-5' }], 'records[0].amount'],
        ['fractional amount', {}, [{ payee: payee(1), amount: '1.5' }], 'records[0].amount'],
        ['amount overflows uint256', {}, [{ payee: payee(1), amount: (1n << 256n).toString() }], 'records[0].amount'],
        ['total overflows uint256', {}, [{ payee: payee(1), amount: ((1n << 256n) - 1n).toString() }, { payee: payee(2), amount: '1' }], 'records'],
        ['empty records', {}, [], 'records'],
        ['all amounts zero', {}, [{ payee: payee(1), amount: '0' }], 'records'],
        ['empty idempotencyKey', { idempotencyKey: ' ' }, undefined, 'idempotencyKey'],
        ['over-long dataURI', { dataURI: 'x'.repeat(3000) }, undefined, 'dataURI'],
    ])('BAD_USER_INPUT before anything is sent: %s', async (_name, patch, records, field) => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const rowsBefore = await countMutations()
        const vars = input('bad-input', records ?? [{ payee: payee(1), amount: '1' }], patch)
        const e = errorOf(await gql(pg.pool, COMMIT, vars, 'operator'))
        expect(e.code).toBe('BAD_USER_INPUT')
        expect(e.ext.field).toBe(field)
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
        expect(await countMutations()).toBe(rowsBefore)
    })

    test('an amount given as a JSON number is refused by GraphQL (amounts are decimal strings)', async () => {
        const res = await gql(pg.pool, COMMIT, input('bad-type', [{ payee: payee(1), amount: 5 as any }]), 'operator')
        expect(res.errors?.length).toBeGreaterThan(0)
    })

    test('payer that is not a registered AI platform → CONTRACT_REVERT InvalidPayer from the simulation, nothing sent', async () => {
        // fund an account in escrow without registering it
        const w = new Wallet(anvilKey(11), chain.provider)
        const d = chain.deployment
        const usdc = new Contract(d.contracts.MockUSDC, abiOf('MockUSDC'), w)
        const escrow = new Contract(d.contracts.Escrow, abiOf('Escrow'), w)
        await (await usdc.faucet(w.address, 5_000_000n)).wait()
        await (await usdc.approve(d.contracts.Escrow, 5_000_000n)).wait()
        await mined(chain.provider, (await escrow.deposit(d.contracts.MockUSDC, 5_000_000n, { gasLimit: 300_000n })).hash)
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const e = errorOf(await gql(pg.pool, COMMIT, { input: { payer: w.address, token, records: [{ payee: payee(1), amount: '1' }], idempotencyKey: 'unregistered' } }, 'operator'))
        expect(e.code).toBe('CONTRACT_REVERT')
        expect(e.ext.revert.name).toBe('InvalidPayer')
        expect(e.ext.revert.args.payer).toBe(w.address)
        expect(e.ext.stage).toBe('simulation')
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
        expect(await countMutations('unregistered')).toBe(0)
    })

    test('the operator account used outside the server: the stale local nonce is refreshed and the commit lands', async () => {
        const op = new Wallet(anvilKey(1), chain.provider)
        const tx = await op.sendTransaction({ to: op.address, value: 0n, nonce: await pendingNonce(chain.provider, op.address) })
        await mined(chain.provider, tx.hash)
        const res = dataOf(await gql(pg.pool, COMMIT, input('after-foreign-tx', [{ payee: payee(6), amount: '100' }]), 'operator'), 'commitBatch')
        expect(res.status).toBe('CONFIRMED')
        expect((await chain.provider.getTransaction(res.txHash))!.nonce).toBe(tx.nonce + 1)
    })

    test('across a restart (new pool, new chain connection): same key → first result, no transaction', async () => {
        const { Pool } = require('pg')
        const pool2 = new Pool({ connectionString: pg.pg.url })
        const chain2 = newChain()
        configureMutations({ chain: chain2, confirmTimeoutMs: 20_000, log: () => undefined })
        try {
            const nonceBefore = await pendingNonce(chain.provider, operator)
            const records = [
                { payee: payee(1), amount: '1000000' },
                { payee: payee(2), amount: '2500000' },
                { payee: payee(1), amount: '500000' },
            ]
            const again = dataOf(await gql(pool2, COMMIT, input('commit-1', records), 'operator'), 'commitBatch')
            expect(again).toEqual({ ...committed, replayed: true })
            expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
            expect(chain2.sender('operator').sentCount).toBe(0)
        } finally {
            configureMutations({ chain: settlement, confirmTimeoutMs: 20_000, log: () => undefined })
            chain2.destroy()
            await pool2.end()
        }
    })

    test('not waiting for the receipt → SUBMITTED; a retry with the same key later reports CONFIRMED', async () => {
        configureMutations({ chain: settlement, confirmTimeoutMs: 0, log: () => undefined })
        try {
            const first = dataOf(await gql(pg.pool, COMMIT, input('submitted-1', [{ payee: payee(7), amount: '100' }]), 'operator'), 'commitBatch')
            expect(first.status).toBe('SUBMITTED')
            expect(first.blockNumber).toBeNull()
            const receipt = await mined(chain.provider, first.txHash)
            const later = dataOf(await gql(pg.pool, COMMIT, input('submitted-1', [{ payee: payee(7), amount: '100' }]), 'operator'), 'commitBatch')
            expect(later).toEqual({ ...first, status: 'CONFIRMED', blockNumber: receipt.blockNumber, replayed: true })
        } finally {
            configureMutations({ chain: settlement, confirmTimeoutMs: 20_000, log: () => undefined })
        }
    })
})

describe('crash recovery of an idempotent commit', () => {
    /** Simulate an owner that recorded a signed commitBatch and died (stale lease). */
    async function crashedOwner(key: string, records: { payee: string; amount: string }[], nonce: number, status = 'SENT') {
        const built = buildBatch(records)
        const batchId = batchIdFromKey(key).toLowerCase()
        const dataURI = `ipfs://records/${key}`
        const p = payer.address.toLowerCase()
        const t = token.toLowerCase()
        const planned = { batchId, payer: p, token: t, root: built.root, totalAmount: built.totalAmount.toString(), recordCount: built.recordCount, leafCount: built.leaves.length, dataURI }
        const hash = requestHash('commitBatch', { payer: p, token: t, root: built.root, totalAmount: planned.totalAmount, recordCount: planned.recordCount, dataURI })
        const op = new Wallet(anvilKey(1), chain.provider)
        const data = new Interface(abiOf('BatchLedger')).encodeFunctionData('commitBatch', [batchId, p, t, built.root, built.totalAmount, built.recordCount, dataURI])
        const fees = await chain.provider.getFeeData()
        const raw = await op.signTransaction({
            type: 2,
            chainId: 31337n,
            nonce,
            to: chain.deployment.contracts.BatchLedger,
            data,
            gasLimit: 500_000n,
            maxFeePerGas: fees.maxFeePerGas! * 2n,
            maxPriorityFeePerGas: fees.maxPriorityFeePerGas!,
        })
        const txHash = Transaction.from(raw).hash!
        const { saveLeaves } = require('../../src/settlement/leaf-store')
        await saveLeaves(pg.pool, batchId, built.root, built.leaves)
        await pg.pool.query(
            `INSERT INTO api.mutations (idempotency_key, scope, kind, request_hash, status, result, tx_hash, updated_at)
             VALUES ($1, 'operator:commitBatch', 'commitBatch', $2, $3, $4::jsonb, $5, now() - interval '1 hour')`,
            [key, hash, status, JSON.stringify({ ...planned, txHash, status: 'SUBMITTED', blockNumber: null, __owner: 'dead', __raw: raw, __call: 'BatchLedger.commitBatch' }), status === 'PENDING' ? null : txHash],
        )
        return { txHash, records }
    }

    test('signed and recorded but never broadcast: the retry broadcasts that very transaction', async () => {
        const nonce = await pendingNonce(chain.provider, operator)
        const { txHash, records } = await crashedOwner('crash-sent', [{ payee: payee(20), amount: '100' }], nonce)
        const res = dataOf(await gql(pg.pool, COMMIT, input('crash-sent', records), 'operator'), 'commitBatch')
        expect(res.txHash).toBe(txHash)
        expect(res.status).toBe('CONFIRMED')
        expect(await pendingNonce(chain.provider, operator)).toBe(nonce + 1)
    })

    test('recorded transaction dropped (its nonce was used since): the retry starts over and commits once', async () => {
        const nonce = await pendingNonce(chain.provider, operator)
        const { txHash, records } = await crashedOwner('crash-dropped', [{ payee: payee(21), amount: '100' }], nonce - 1)
        const res = dataOf(await gql(pg.pool, COMMIT, input('crash-dropped', records), 'operator'), 'commitBatch')
        expect(res.txHash).not.toBe(txHash)
        expect(res.status).toBe('CONFIRMED')
        expect(await pendingNonce(chain.provider, operator)).toBe(nonce + 1)
    })

    test('crashed before signing (stale PENDING): the retry takes over and commits once', async () => {
        const nonce = await pendingNonce(chain.provider, operator)
        const { records } = await crashedOwner('crash-pending', [{ payee: payee(22), amount: '100' }], nonce, 'PENDING')
        await pg.pool.query(`UPDATE api.mutations SET result = '{"__owner":"dead"}' WHERE idempotency_key = 'crash-pending'`)
        const res = dataOf(await gql(pg.pool, COMMIT, input('crash-pending', records), 'operator'), 'commitBatch')
        expect(res.status).toBe('CONFIRMED')
        expect(await pendingNonce(chain.provider, operator)).toBe(nonce + 1)
    })
})

describe('finalize, claim, dispute', () => {
    let batchId: string

    beforeAll(async () => {
        const res = dataOf(
            await gql(pg.pool, COMMIT, input('lifecycle-1', [
                { payee: payee(30), amount: '1000000' },
                { payee: payee(31), amount: '3000000' },
                { payee: payee(32), amount: '500000' },
            ]), 'operator'),
            'commitBatch',
        )
        batchId = res.batchId
    })

    test('finalize inside the dispute window → CONTRACT_REVERT DisputeWindowOpen (decoded), nothing sent', async () => {
        const nonceBefore = await pendingNonce(chain.provider, operator)
        const batch = await settlement.getBatch(batchId)
        const e = errorOf(await gql(pg.pool, FINALIZE, { id: batchId }, 'operator'))
        expect(e.code).toBe('CONTRACT_REVERT')
        expect(e.ext.revert).toMatchObject({
            name: 'DisputeWindowOpen',
            signature: 'DisputeWindowOpen(bytes32,uint64)',
            args: { batchId, disputeDeadline: batch.disputeDeadline.toString() },
        })
        expect(e.ext.stage).toBe('simulation')
        expect(e.message).toContain('DisputeWindowOpen')
        expect(await pendingNonce(chain.provider, operator)).toBe(nonceBefore)
    })

    test('finalize of an unknown batch → NOT_FOUND; malformed id → BAD_USER_INPUT', async () => {
        expect(errorOf(await gql(pg.pool, FINALIZE, { id: '0x' + 'ab'.repeat(32) }, 'operator')).code).toBe('NOT_FOUND')
        const e = errorOf(await gql(pg.pool, FINALIZE, { id: '0x1234' }, 'operator'))
        expect(e.code).toBe('BAD_USER_INPUT')
        expect(e.ext.field).toBe('id')
    })

    test('a mined revert is decoded too (replay of a reverted transaction)', async () => {
        const op = new Wallet(anvilKey(1), chain.provider)
        const data = new Interface(abiOf('BatchLedger')).encodeFunctionData('finalize', [batchId])
        // bypass the simulation: fixed gas limit, explicit nonce
        const tx = await op.sendTransaction({ to: chain.deployment.contracts.BatchLedger, data, gasLimit: 200_000n, nonce: await pendingNonce(chain.provider, op.address) })
        const r = await mined(chain.provider, tx.hash)
        expect(r.status).toBe(0)
        const receipt = (await settlement.receipt(tx.hash))!
        const info = await settlement.revertOfMined(tx.hash, receipt)
        expect(info.name).toBe('DisputeWindowOpen')
        expect(info.args.batchId).toBe(batchId)
    })

    test('after the window: finalize (idempotent) → CONFIRMED; claimPayouts by the relayer; repeated claims are skipped', async () => {
        await advanceTime(chain.provider, 25)
        const fin = dataOf(await gql(pg.pool, FINALIZE, { id: batchId, key: 'finalize-1' }, 'operator'), 'finalizeBatch')
        expect(fin).toMatchObject({ batchId, status: 'CONFIRMED', replayed: false })
        const again = dataOf(await gql(pg.pool, FINALIZE, { id: batchId, key: 'finalize-1' }, 'operator'), 'finalizeBatch')
        expect(again).toEqual({ ...fin, replayed: true })
        // without a key a second finalize is refused by the simulation
        const e = errorOf(await gql(pg.pool, FINALIZE, { id: batchId }, 'operator'))
        expect(e.ext.revert?.name).toBe('InvalidBatchStatus')

        const usdc = new Contract(token, abiOf('MockUSDC'), chain.provider)
        const relayerNonce = await pendingNonce(chain.provider, relayer)
        const claim = dataOf(await gql(pg.pool, CLAIM, { batchId, payees: [payee(30), payee(31)] }, 'relayer'), 'claimPayouts')
        expect(claim).toMatchObject({
            batchId,
            claimed: [
                { payee: payee(30), amount: '1000000' },
                { payee: payee(31), amount: '3000000' },
            ],
            alreadyClaimed: [],
            status: 'CONFIRMED',
        })
        expect(await pendingNonce(chain.provider, relayer)).toBe(relayerNonce + 1)
        // fee 250 bps
        expect(await usdc.balanceOf(payee(30))).toBe(975_000n)
        expect(await usdc.balanceOf(payee(31))).toBe(2_925_000n)

        const second = dataOf(await gql(pg.pool, CLAIM, { batchId, payees: [payee(31), payee(32), payee(30)] }, 'relayer'), 'claimPayouts')
        expect(second.claimed).toEqual([{ payee: payee(32), amount: '500000' }])
        expect(second.alreadyClaimed).toEqual([payee(31), payee(30)])
        expect(second.status).toBe('CONFIRMED')

        const third = dataOf(await gql(pg.pool, CLAIM, { batchId, payees: [payee(32)] }, 'relayer'), 'claimPayouts')
        expect(third).toMatchObject({ claimed: [], alreadyClaimed: [payee(32)], txHash: null, status: 'SKIPPED' })
        expect(await pendingNonce(chain.provider, relayer)).toBe(relayerNonce + 2)
    })

    test('a claim that reverts once mined (raced by the payee) → decoded CONTRACT_REVERT stored; the retry gets it, no second tx', async () => {
        const self = new Wallet(anvilKey(12), chain.provider)
        const res = dataOf(await gql(pg.pool, COMMIT, input('race-1', [{ payee: self.address, amount: '2000' }, { payee: payee(50), amount: '1000' }]), 'operator'), 'commitBatch')
        await advanceTime(chain.provider, 25)
        dataOf(await gql(pg.pool, FINALIZE, { id: res.batchId }, 'operator'), 'finalizeBatch')
        const leaf = (await proofFor(pg.pool, res.batchId, self.address))!

        const relayerNonce = await pendingNonce(chain.provider, relayer)
        await chain.provider.send('evm_setIntervalMining', [0])
        await chain.provider.send('evm_setAutomine', [false])
        try {
            const claiming = gql(pg.pool, CLAIM, { batchId: res.batchId, payees: [self.address], key: 'race-claim' }, 'relayer')
            // once the relayer's claimMany is in the pool, the payee claims itself with a higher tip and wins the block
            while ((await pendingNonce(chain.provider, relayer)) === relayerNonce) await new Promise((r) => setTimeout(r, 20))
            const distributor = new Contract(chain.deployment.contracts.Distributor, abiOf('Distributor'), self)
            const fees = await chain.provider.getFeeData()
            await distributor.claim(res.batchId, leaf.amount, leaf.proof, {
                gasLimit: 300_000n,
                maxPriorityFeePerGas: fees.maxPriorityFeePerGas! * 10n,
                maxFeePerGas: fees.maxFeePerGas! * 10n,
                nonce: await pendingNonce(chain.provider, self.address),
            })
            await chain.provider.send('evm_mine', [])
            const e = errorOf(await claiming)
            expect(e.code).toBe('CONTRACT_REVERT')
            expect(e.ext.stage).toBe('mined')
            expect(e.ext.revert).toMatchObject({ name: 'AlreadyClaimed', args: { batchId: res.batchId, payee: self.address } })
            expect(e.ext.txHash).toMatch(/^0x[0-9a-f]{64}$/)

            const again = errorOf(await gql(pg.pool, CLAIM, { batchId: res.batchId, payees: [self.address], key: 'race-claim' }, 'relayer'))
            expect(again).toMatchObject({ code: 'CONTRACT_REVERT', ext: { stage: 'mined', txHash: e.ext.txHash, idempotentReplay: true } })
            expect(await pendingNonce(chain.provider, relayer)).toBe(relayerNonce + 1)
        } finally {
            await chain.provider.send('evm_setIntervalMining', [1])
        }
    })

    test('claimPayouts input errors: unknown payee → NOT_FOUND, bad address → BAD_USER_INPUT, unknown batch → NOT_FOUND', async () => {
        let e = errorOf(await gql(pg.pool, CLAIM, { batchId, payees: [payee(30), payee(99)] }, 'relayer'))
        expect(e.code).toBe('NOT_FOUND')
        expect(e.ext.field).toBe('payees[1]')
        e = errorOf(await gql(pg.pool, CLAIM, { batchId, payees: ['nope'] }, 'relayer'))
        expect(e).toMatchObject({ code: 'BAD_USER_INPUT', ext: { field: 'payees[0]' } })
        e = errorOf(await gql(pg.pool, CLAIM, { batchId, payees: [] }, 'relayer'))
        expect(e).toMatchObject({ code: 'BAD_USER_INPUT', ext: { field: 'payees' } })
        e = errorOf(await gql(pg.pool, CLAIM, { batchId: '0x' + 'cd'.repeat(32), payees: [payee(30)] }, 'relayer'))
        expect(e.code).toBe('NOT_FOUND')
    })

    test('disputeBatch without DISPUTER_KEY → CHAIN_UNAVAILABLE; with the payer as disputer → BatchDisputed', async () => {
        const res = dataOf(await gql(pg.pool, COMMIT, input('dispute-1', [{ payee: payee(40), amount: '1000' }]), 'operator'), 'commitBatch')
        let e = errorOf(await gql(pg.pool, DISPUTE, { id: res.batchId, reason: 'wrong counts' }, 'operator'))
        expect(e.code).toBe('CHAIN_UNAVAILABLE')
        expect(e.message).toContain('DISPUTER_KEY')

        const withDisputer = newChain({ ...signerKeysFromEnv(31337, {}), disputer: anvilKey(10) })
        configureMutations({ chain: withDisputer, confirmTimeoutMs: 20_000, log: () => undefined })
        try {
            const d = dataOf(await gql(pg.pool, DISPUTE, { id: res.batchId, reason: 'wrong counts' }, 'operator'), 'disputeBatch')
            expect(d).toMatchObject({ batchId: res.batchId, disputant: payer.address.toLowerCase(), byPayer: true, reason: 'wrong counts', status: 'CONFIRMED' })
            const receipt = await mined(chain.provider, d.txHash)
            const iface = new Interface(abiOf('BatchLedger'))
            const ev = receipt.logs.map((l) => iface.parseLog({ topics: [...l.topics], data: l.data })).find((x) => x?.name === 'BatchDisputed')
            expect(ev?.args.disputant).toBe(payer.address)
            expect(ev?.args.reason).toBe('wrong counts')
            e = errorOf(await gql(pg.pool, DISPUTE, { id: res.batchId, reason: 'again' }, 'operator'))
            expect(e.code).toBe('CONTRACT_REVERT')
            expect(e.ext.revert.name).toBe('InvalidBatchStatus')
            expect(e.ext.revert.args.status).toBe('2')
        } finally {
            configureMutations({ chain: settlement, confirmTimeoutMs: 20_000, log: () => undefined })
            withDisputer.destroy()
        }
    })
})
