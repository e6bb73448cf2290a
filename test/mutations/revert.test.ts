import { AbiCoder, getAddress, Interface } from 'ethers'
import { abiOf } from '../../src/contracts'
import { decodeRevert, describeRevert, isRevertError, revertDataOf, revertError } from '../../src/server/chain/revert'

const ledger = new Interface(abiOf('BatchLedger'))
const escrow = new Interface(abiOf('Escrow'))
const BATCH = '0x' + '11'.repeat(32)

test('custom errors of every contract decode with named, JSON-safe args', () => {
    const data = ledger.encodeErrorResult('DisputeWindowOpen', [BATCH, 1_700_000_000n])
    expect(decodeRevert(data)).toEqual({
        name: 'DisputeWindowOpen',
        signature: 'DisputeWindowOpen(bytes32,uint64)',
        selector: data.slice(0, 10),
        args: { batchId: BATCH, disputeDeadline: '1700000000' },
        data,
    })
    const payer = '0x00000000000000000000000000000000000000aa'
    const e = decodeRevert(escrow.encodeErrorResult('InsufficientBalance', [payer, payer, 10n, 3n]))
    expect(e.name).toBe('InsufficientBalance')
    expect(e.args).toEqual({ payer: getAddress(payer), token: getAddress(payer), requested: '10', available: '3' })
    const oz = decodeRevert(ledger.encodeErrorResult('AccessControlUnauthorizedAccount', [payer, '0x' + '22'.repeat(32)]))
    expect(oz.name).toBe('AccessControlUnauthorizedAccount')
    const usdc = decodeRevert(new Interface(abiOf('MockUSDC')).encodeErrorResult('FaucetLimitExceeded', [5n, 1n]))
    expect(usdc.args).toEqual({ requested: '5', limit: '1' })
})

test('Error(string), Panic(uint256), unknown selectors and empty data', () => {
    const err = '0x08c379a0' + AbiCoder.defaultAbiCoder().encode(['string'], ['nope']).slice(2)
    expect(decodeRevert(err)).toMatchObject({ name: 'Error', args: { message: 'nope' } })
    const panic = '0x4e487b71' + AbiCoder.defaultAbiCoder().encode(['uint256'], [0x11]).slice(2)
    expect(decodeRevert(panic)).toMatchObject({ name: 'Panic', args: { code: '17' } })
    expect(decodeRevert('0xdeadbeef')).toMatchObject({ name: null, selector: '0xdeadbeef' })
    expect(decodeRevert('0x')).toMatchObject({ name: null, selector: null })
    expect(decodeRevert('garbage')).toMatchObject({ name: null, data: '0x' })
    expect(describeRevert(decodeRevert('0x'))).toBe('reverted without a reason')
})

test('revert data is found in nested ethers / JSON-RPC errors; network errors are not reverts', () => {
    const data = ledger.encodeErrorResult('EmptyBatch', [])
    expect(revertDataOf({ code: 'CALL_EXCEPTION', data })).toBe(data)
    expect(revertDataOf({ info: { error: { code: 3, message: 'execution reverted', data } } })).toBe(data)
    expect(revertDataOf({ error: { error: { data: { data } } } })).toBe(data)
    expect(revertDataOf(new Error('ECONNREFUSED'))).toBeUndefined()
    expect(isRevertError({ code: 'CALL_EXCEPTION' })).toBe(true)
    expect(isRevertError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false)
})

test('revertError → CONTRACT_REVERT with extensions.revert', () => {
    const e = revertError(decodeRevert(ledger.encodeErrorResult('BatchNotFound', [BATCH])), { contract: 'BatchLedger', method: 'finalize', stage: 'simulation' })
    expect(e.extensions).toMatchObject({ code: 'CONTRACT_REVERT', stage: 'simulation', revert: { name: 'BatchNotFound', args: { batchId: BATCH } } })
    expect(e.message).toBe(`BatchLedger.finalize would revert (simulated, no transaction sent): BatchNotFound(batchId=${BATCH})`)
})
