/**
 * Issue 16 finding 12: idempotency keys are scoped by caller role and mutation. A relayer that uses an operator's
 * future key first (and so the batch id derived from it) no longer blocks the operator; each side replays its own
 * result; concurrent operators with one key still send one transaction.
 */
import { batchIdFromKey } from '../../src/settlement/batch-builder'
import { advanceTime, dataOf, gql, payee, pendingNonce } from '../mutations/harness'
import { CLAIM, COMMIT, FINALIZE, MutationStack, startMutationStack } from './support/auth-chain'

jest.setTimeout(180_000)

let s: MutationStack
beforeAll(async () => {
    s = await startMutationStack()
})
afterAll(async () => {
    await s?.close()
})

const input = (key: string, records: { payee: string; amount: string }[]) => ({
    input: { payer: s.payer.address, token: s.token, records, idempotencyKey: key },
})

test("a relayer's use of a key does not squat the operator's commitBatch with the same key", async () => {
    // a finalised, fully claimed batch: the relayer's claimPayouts on it completes as SKIPPED (stored, DONE)
    const first = dataOf(await gql(s.pg.pool, COMMIT, input('scope-base', [{ payee: payee(501), amount: '1000' }]), 'operator'), 'commitBatch')
    await advanceTime(s.chain.provider, 25)
    expect(dataOf(await gql(s.pg.pool, FINALIZE, { id: first.batchId }, 'operator'), 'finalizeBatch').status).toBe('CONFIRMED')
    expect(dataOf(await gql(s.pg.pool, CLAIM, { batchId: first.batchId, payees: [payee(501)] }, 'relayer'), 'claimPayouts').status).toBe('CONFIRMED')

    const squat = dataOf(await gql(s.pg.pool, CLAIM, { batchId: first.batchId, payees: [payee(501)], key: 'platform-7/next' }, 'relayer'), 'claimPayouts')
    expect(squat).toMatchObject({ status: 'SKIPPED', replayed: false })

    // the operator's batch with that key goes through, under the batch id derived from the key
    const commit = dataOf(await gql(s.pg.pool, COMMIT, input('platform-7/next', [{ payee: payee(502), amount: '2000' }]), 'operator'), 'commitBatch')
    expect(commit).toMatchObject({ batchId: batchIdFromKey('platform-7/next').toLowerCase(), status: 'CONFIRMED', replayed: false })

    // each replays its own first result
    expect(dataOf(await gql(s.pg.pool, CLAIM, { batchId: first.batchId, payees: [payee(501)], key: 'platform-7/next' }, 'relayer'), 'claimPayouts')).toMatchObject({ status: 'SKIPPED', replayed: true })
    expect(dataOf(await gql(s.pg.pool, COMMIT, input('platform-7/next', [{ payee: payee(502), amount: '2000' }]), 'operator'), 'commitBatch')).toMatchObject({ txHash: commit.txHash, replayed: true })
    const rows = await s.pg.pool.query(`SELECT scope, kind FROM api.mutations WHERE idempotency_key = 'platform-7/next' ORDER BY scope`)
    expect(rows.rows).toEqual([
        { scope: 'operator:commitBatch', kind: 'commitBatch' },
        { scope: 'relayer:claimPayouts', kind: 'claimPayouts' },
    ])
})

test('operators share their namespace: concurrent commits with one key (two API keys) send one transaction', async () => {
    const operator = s.chain.deployment.roles.operator
    const nonce = await pendingNonce(s.chain.provider, operator)
    const records = [{ payee: payee(503), amount: '3000' }]
    const results = await Promise.all([
        gql(s.pg.pool, COMMIT, input('scope-concurrent', records), { keyId: 1, role: 'operator' }),
        gql(s.pg.pool, COMMIT, input('scope-concurrent', records), { keyId: 2, role: 'operator' }),
    ])
    const [a, b] = results.map((r) => dataOf(r, 'commitBatch'))
    expect(a.txHash).toBe(b.txHash)
    expect([a.replayed, b.replayed].sort()).toEqual([false, true])
    expect(await pendingNonce(s.chain.provider, operator)).toBe(nonce + 1)
})
