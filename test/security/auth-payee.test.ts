/**
 * Issue 16 finding 8: commitBatch refuses payees that can never claim (zero address, precompiles, the protocol's
 * own contracts and the token) and malformed ones with BAD_USER_INPUT naming the record; nothing is stored or sent.
 */
import { dataOf, errorOf, gql, payee, pendingNonce } from '../mutations/harness'
import { COMMIT, MutationStack, startMutationStack } from './support/auth-chain'

jest.setTimeout(180_000)

let s: MutationStack
beforeAll(async () => {
    s = await startMutationStack(11)
})
afterAll(async () => {
    await s?.close()
})

const input = (key: string, records: { payee: string; amount: string }[]) => ({
    input: { payer: s.payer.address, token: s.token, records, idempotencyKey: key },
})

async function stored(key: string) {
    const m = await s.pg.pool.query(`SELECT count(*)::int AS n FROM api.mutations WHERE idempotency_key = $1`, [key])
    const l = await s.pg.pool.query(`SELECT count(*)::int AS n FROM api.batch_leaves`)
    return { mutations: m.rows[0].n, leaves: l.rows[0].n }
}

test('unclaimable or malformed payees → BAD_USER_INPUT with the record as field; nothing stored or sent', async () => {
    const operator = s.chain.deployment.roles.operator
    const nonce = await pendingNonce(s.chain.provider, operator)
    const leavesBefore = (await stored('none')).leaves
    const c = s.chain.deployment.contracts
    const cases: [string, RegExp][] = [
        ['0x0000000000000000000000000000000000000000', /zero address/],
        ['0x0000000000000000000000000000000000000001', /precompile/],
        [c.Distributor, /Distributor contract/],
        [c.Escrow.toLowerCase(), /Escrow contract/],
        [c.BatchLedger, /BatchLedger contract/],
        [s.token, /token contract|MockUSDC contract/],
        ['0x12345', /not a 0x-prefixed 20-byte address/],
    ]
    for (const [bad, why] of cases) {
        const key = `payee-${bad}`
        const records = [
            { payee: payee(601), amount: '10' },
            { payee: payee(602), amount: '10' },
            { payee: payee(601), amount: '5' },
            { payee: bad, amount: '7' },
        ]
        const e = errorOf(await gql(s.pg.pool, COMMIT, input(key, records), 'operator'))
        expect(e.code).toBe('BAD_USER_INPUT')
        expect(e.ext.field).toBe('records[3].payee')
        expect(e.message).toMatch(why)
        expect(await stored(key)).toEqual({ mutations: 0, leaves: leavesBefore })
    }
    expect(await pendingNonce(s.chain.provider, operator)).toBe(nonce)
    // the same batch without the bad record commits
    const ok = dataOf(await gql(s.pg.pool, COMMIT, input('payee-ok', [{ payee: payee(601), amount: '10' }, { payee: payee(602), amount: '10' }]), 'operator'), 'commitBatch')
    expect(ok.status).toBe('CONFIRMED')
})
