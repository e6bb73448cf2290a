/**
 * Mapping logic without a chain or a database: ABI-encoded logs → EventDecoder → processEvents against
 * an in-memory store. Checks entity state, rollups, one-query-per-entity loading and that splitting the
 * same events into different handler calls (as finalized vs hot blocks do) gives the same state.
 */
import { ZeroAddress, id as keccakId, keccak256, toUtf8Bytes } from 'ethers'
import { EventDecoder } from '../../src/mappings/decode'
import { processEvents } from '../../src/indexer/batch'
import { ADDR, BlockSpec, buildBlocks } from './support/logs'
import { FakeStore } from './support/fake-store'

const TOKEN = ADDR.MockUSDC.toLowerCase()
const P = '0x00000000000000000000000000000000000000a1' // AI platform (payer)
const A = '0x00000000000000000000000000000000000000b1' // publisher
const B = '0x00000000000000000000000000000000000000b2' // publisher (claimed by relayer)
const O = '0x00000000000000000000000000000000000000c1' // operator
const R = '0x00000000000000000000000000000000000000c2' // relayer
const T = '0x00000000000000000000000000000000000000d1' // treasury
const DEPLOYER = '0x00000000000000000000000000000000000000e1'
const TARGET = ADDR.BatchLedger
const b1 = keccak256(toUtf8Bytes('batch-1'))
const b2 = keccak256(toUtf8Bytes('batch-2'))
const root1 = keccak256(toUtf8Bytes('root-1'))
const root2 = keccak256(toUtf8Bytes('root-2'))
const op1 = keccak256(toUtf8Bytes('op-1'))
const op2 = keccak256(toUtf8Bytes('op-2'))
const salt = keccak256(toUtf8Bytes('salt'))
const ZERO32 = '0x' + '00'.repeat(32)
const GOVERNOR = keccakId('GOVERNOR_ROLE')

// 2026-01-01T23:59:00Z: the scenario crosses midnight between blocks 102 and 103
const T0 = Date.UTC(2026, 0, 1, 23, 59, 0) / 1000

const SCENARIO: BlockSpec[] = [
    {
        height: 100,
        timestamp: T0,
        events: [
            { contract: 'TokenRegistry', event: 'RoleGranted', args: [GOVERNOR, DEPLOYER, DEPLOYER] },
            { contract: 'TokenRegistry', event: 'TokenAllowed', args: [ADDR.MockUSDC, 6, 1_000_000n, 10_000_000_000_000n, 'mUSDC'] },
            { contract: 'ParticipantRegistry', event: 'ParticipantRegistered', args: [P, 0, P, 'ipfs://p', P] },
            { contract: 'ParticipantRegistry', event: 'ParticipantRegistered', args: [A, 1, A, 'ipfs://a', O] },
            { contract: 'ParticipantRegistry', event: 'PublisherTermsSet', args: [A, 500n, true] },
            { contract: 'Distributor', event: 'FeeUpdated', args: [0, 250] },
            { contract: 'Distributor', event: 'TreasuryUpdated', args: [ZeroAddress, T] },
            { contract: 'BatchLedger', event: 'DisputeWindowUpdated', args: [0n, 20n] },
            { contract: 'PlatformTimelock', event: 'MinDelayChange', args: [0n, 2n] },
        ],
    },
    {
        height: 101,
        timestamp: T0 + 30,
        events: [
            { contract: 'Escrow', event: 'Deposited', args: [P, ADDR.MockUSDC, 1_000_000_000n, 1_000_000_000n, 0n] },
            { contract: 'Escrow', event: 'Locked', args: [P, ADDR.MockUSDC, b1, 300n, 999_999_700n, 300n] },
            { contract: 'BatchLedger', event: 'BatchCommitted', args: [b1, P, ADDR.MockUSDC, root1, 300n, 10, 'ipfs://b1', BigInt(T0 + 50), O] },
        ],
    },
    {
        height: 102,
        timestamp: T0 + 40,
        events: [{ contract: 'BatchLedger', event: 'BatchDisputed', args: [b1, A, false, 'wrong amounts'] }],
    },
    {
        height: 103,
        timestamp: T0 + 70,
        events: [
            { contract: 'BatchLedger', event: 'DisputeResolved', args: [b1, false, 1, ADDR.PlatformTimelock] },
            { contract: 'Escrow', event: 'Locked', args: [P, ADDR.MockUSDC, b2, 200n, 999_999_500n, 500n] },
            { contract: 'BatchLedger', event: 'BatchCommitted', args: [b2, P, ADDR.MockUSDC, root2, 200n, 4, 'ipfs://b2', BigInt(T0 + 90), O] },
            { contract: 'BatchLedger', event: 'BatchDisputed', args: [b2, P, true, 'duplicate'] },
            { contract: 'Escrow', event: 'Unlocked', args: [P, ADDR.MockUSDC, b2, 200n, 999_999_700n, 300n] },
            { contract: 'BatchLedger', event: 'DisputeResolved', args: [b2, true, 3, ADDR.PlatformTimelock] },
        ],
    },
    {
        height: 104,
        timestamp: T0 + 100,
        events: [
            { contract: 'Escrow', event: 'Charged', args: [P, ADDR.MockUSDC, b1, 300n, ADDR.Distributor, 999_999_700n, 0n] },
            { contract: 'Distributor', event: 'PayoutOpened', args: [b1, ADDR.MockUSDC, root1, 300n] },
            { contract: 'BatchLedger', event: 'BatchFinalized', args: [b1, P, ADDR.MockUSDC, 300n, root1, O] },
        ],
    },
    {
        height: 105,
        timestamp: T0 + 110,
        events: [
            { contract: 'Distributor', event: 'Claimed', args: [b1, A, ADDR.MockUSDC, 200n, 5n, 195n, A, 200n] },
            { contract: 'Distributor', event: 'Claimed', args: [b1, B, ADDR.MockUSDC, 100n, 2n, 98n, R, 300n] },
            { contract: 'Escrow', event: 'Withdrawn', args: [P, ADDR.MockUSDC, 1000n, P, 999_998_700n, 0n] },
            { contract: 'Escrow', event: 'Paused', args: [O] },
            { contract: 'Escrow', event: 'Unpaused', args: [O] },
            { contract: 'Escrow', event: 'Upgraded', args: ['0x00000000000000000000000000000000000000f1'] },
            { contract: 'PlatformTimelock', event: 'CallScheduled', args: [op1, 0n, TARGET, 0n, '0x12345678aa', ZERO32, 2n] },
            { contract: 'PlatformTimelock', event: 'CallScheduled', args: [op1, 1n, TARGET, 0n, '0xabcdef01', ZERO32, 2n] },
            { contract: 'PlatformTimelock', event: 'CallSalt', args: [op1, salt] },
        ],
    },
    {
        height: 106,
        timestamp: T0 + 120,
        events: [
            { contract: 'PlatformTimelock', event: 'CallExecuted', args: [op1, 0n, TARGET, 0n, '0x12345678aa'] },
            { contract: 'PlatformTimelock', event: 'CallExecuted', args: [op1, 1n, TARGET, 0n, '0xabcdef01'] },
            { contract: 'PlatformTimelock', event: 'CallScheduled', args: [op2, 0n, TARGET, 5n, '0x', ZERO32, 3600n] },
            { contract: 'PlatformTimelock', event: 'Cancelled', args: [op2] },
            { contract: 'ParticipantRegistry', event: 'ParticipantDeactivated', args: [A, A] },
            { contract: 'TokenRegistry', event: 'RoleRevoked', args: [GOVERNOR, DEPLOYER, DEPLOYER] },
        ],
    },
]

const decoder = new EventDecoder(ADDR)

async function runInCalls(calls: BlockSpec[][]): Promise<FakeStore> {
    const store = new FakeStore()
    for (const blocks of calls) {
        const decoded = decoder.decodeBlocks(buildBlocks(blocks))
        await processEvents(decoded.all, store.asStore())
    }
    return store
}

describe('mappings on a full lifecycle', () => {
    let store: FakeStore
    let db: ReturnType<FakeStore['dump']>

    beforeAll(async () => {
        store = await runInCalls([SCENARIO])
        db = store.dump()
    })

    test('decodes every log', () => {
        // a ProtocolEvent row for every log, escrow movements as their EscrowMovement row (the view derives them)
        const total = SCENARIO.reduce((n, b) => n + b.events.length, 0)
        expect(Object.keys(db.ProtocolEventRow).length + Object.keys(db.EscrowMovement).length).toBe(total)
        expect(Object.values(db.ProtocolEventRow).some((e: any) => e.contract === 'ESCROW' && /^(Deposited|Withdrawn|Locked|Unlocked|Charged)$/.test(e.name))).toBe(false)
        expect(db.ProtocolEventRow[Object.keys(db.ProtocolEventRow)[1]]).toMatchObject({ name: 'TokenAllowed', contract: 'TOKEN_REGISTRY' })
    })

    test('escrow account and token totals', () => {
        expect(db.EscrowAccount[`${P}-${TOKEN}`]).toMatchObject({
            available: '999998700',
            locked: '0',
            totalDeposited: '1000000000',
            totalWithdrawn: '1000',
            totalLocked: '500',
            totalUnlocked: '200',
            totalCharged: '300',
            movementCount: 6,
        })
        expect(db.Token[TOKEN]).toMatchObject({
            symbol: 'mUSDC',
            decimals: 6,
            allowed: true,
            escrowHeld: '999998700',
            escrowLocked: '0',
            totalDeposited: '1000000000',
            totalWithdrawn: '1000',
            totalCommitted: '500',
            totalFinalized: '300',
            totalRejected: '200',
            totalClaimed: '300',
            totalFees: '7',
            batchCount: 2,
            claimCount: 2,
            depositCount: 1,
            withdrawalCount: 1,
        })
        const kinds = Object.values(db.EscrowMovement).map((m) => m.kind)
        expect(kinds).toEqual(['DEPOSIT', 'LOCK', 'LOCK', 'UNLOCK', 'CHARGE', 'WITHDRAWAL'])
        // Locked precedes BatchCommitted, the movement still links to the batch
        const lock = Object.values(db.EscrowMovement).find((m) => m.kind === 'LOCK')!
        expect(lock).toMatchObject({ batch: { id: b1 } })
    })

    test('batches, disputes, payouts, claims', () => {
        expect(db.Batch[b1]).toMatchObject({
            status: 'FINALIZED',
            disputed: true,
            payer: P,
            token: { id: TOKEN },
            totalAmount: '300',
            recordCount: 10,
            claimedAmount: '300',
            claimCount: 2,
            disputeDeadline: new Date((T0 + 50) * 1000).toISOString(),
            finalizedAt: new Date((T0 + 100) * 1000).toISOString(),
            finalizer: O,
        })
        expect(db.Batch[b2]).toMatchObject({ status: 'REJECTED', rejectedAtBlock: 103 })
        expect(db.Dispute[b1]).toMatchObject({ outcome: 'DISMISSED', resolvedStatus: 'COMMITTED', byPayer: false, disputant: A })
        expect(db.Dispute[b2]).toMatchObject({ outcome: 'UPHELD', resolvedStatus: 'REJECTED', byPayer: true })
        expect(db.Payout[b1]).toMatchObject({ totalAmount: '300', claimedAmount: '300', feesPaid: '7', remaining: '0', fullyClaimed: true, claimCount: 2 })
        expect(db.Claim[`${b1}-${A}`]).toMatchObject({ amount: '200', fee: '5', net: '195', relayed: false, claimer: A })
        expect(db.Claim[`${b1}-${B}`]).toMatchObject({ amount: '100', fee: '2', net: '98', relayed: true, claimer: R })
    })

    test('participants, roles, pause/upgrade, params, timelock', () => {
        expect(db.Participant[A]).toMatchObject({ kind: 'PUBLISHER', active: false, consent: true, pricePerThousand: '500', registeredBy: O, deactivatedBy: A })
        expect(db.Participant[P]).toMatchObject({ kind: 'AI_PLATFORM', active: true, consent: false, registrationCount: 1 })
        const ra = Object.values(db.RoleAssignment)
        expect(ra).toHaveLength(1)
        expect(ra[0]).toMatchObject({ roleName: 'GOVERNOR_ROLE', account: DEPLOYER, active: false, contract: 'TOKEN_REGISTRY' })
        expect(Object.values(db.RoleChange).map((r) => r.granted)).toEqual([true, false])
        expect(db.ContractState[ADDR.Escrow]).toMatchObject({ paused: false, upgradeCount: 1, implementation: '0x00000000000000000000000000000000000000f1' })
        expect(Object.values(db.PauseChange).map((p) => p.paused)).toEqual([true, false])
        expect(db.ProtocolParams.protocol).toMatchObject({ disputeWindow: '20', feeBps: 250, treasury: T, timelockMinDelay: '2' })
        expect(Object.values(db.ParameterChange).map((p) => p.parameter)).toEqual(['feeBps', 'treasury', 'disputeWindow', 'timelockMinDelay'])
        expect(db.TimelockOperation[op1]).toMatchObject({
            status: 'EXECUTED',
            callCount: 2,
            executedCallCount: 2,
            salt,
            target: TARGET,
            readyAt: new Date((T0 + 112) * 1000).toISOString(),
        })
        expect(db.TimelockCall[`${op1}-1`]).toMatchObject({ executed: true, selector: '0xabcdef01' })
        expect(db.TimelockOperation[op2]).toMatchObject({ status: 'CANCELLED', value: '5', cancelledAtBlock: 106 })
    })

    test('daily and hourly token rollups split at midnight UTC', () => {
        const d1 = db.TokenDayStat[`${TOKEN}-2026-01-01`]
        const d2 = db.TokenDayStat[`${TOKEN}-2026-01-02`]
        expect(d1).toMatchObject({
            depositCount: 1,
            depositAmount: '1000000000',
            batchCount: 1,
            committedAmount: '300',
            recordCount: 10,
            disputeCount: 1,
            escrowHeldEnd: '1000000000',
            escrowLockedEnd: '300',
            day: '2026-01-01T00:00:00.000Z',
        })
        expect(d2).toMatchObject({
            depositCount: 0,
            batchCount: 1,
            committedAmount: '200',
            recordCount: 4,
            disputeCount: 1,
            rejectedBatchCount: 1,
            rejectedAmount: '200',
            finalizedBatchCount: 1,
            finalizedAmount: '300',
            claimCount: 2,
            claimedAmount: '300',
            feesAmount: '7',
            netClaimedAmount: '293',
            withdrawalCount: 1,
            withdrawalAmount: '1000',
            escrowHeldEnd: '999998700',
            escrowLockedEnd: '0',
        })
        expect(Object.keys(db.TokenHourStat).sort()).toEqual([`${TOKEN}-2026-01-01T23`, `${TOKEN}-2026-01-02T00`])
        expect(db.TokenHourStat[`${TOKEN}-2026-01-02T00`]).toMatchObject({ committedAmount: '200', escrowHeldEnd: '999998700' })
    })

    test('participant day rollups', () => {
        expect(db.ParticipantDayStat[`${P}-${TOKEN}-2026-01-01`]).toMatchObject({ depositAmount: '1000000000', batchCount: 1, committedAmount: '300', recordCount: 10 })
        expect(db.ParticipantDayStat[`${P}-${TOKEN}-2026-01-02`]).toMatchObject({
            batchCount: 1,
            committedAmount: '200',
            paidAmount: '300',
            withdrawalAmount: '1000',
            disputeCount: 1,
        })
        expect(db.ParticipantDayStat[`${A}-${TOKEN}-2026-01-01`]).toMatchObject({ disputeCount: 1 })
        expect(db.ParticipantDayStat[`${A}-${TOKEN}-2026-01-02`]).toMatchObject({ receivedAmount: '200', feesAmount: '5', netReceivedAmount: '195', claimCount: 1 })
        expect(db.ParticipantDayStat[`${B}-${TOKEN}-2026-01-02`]).toMatchObject({ receivedAmount: '100', claimCount: 1 })
    })

    test('one load query per entity class per handler call', () => {
        const finds = store.queries.filter((q) => q.op === 'find').map((q) => q.entity)
        expect(new Set(finds).size).toBe(finds.length)
        const writes = store.queries.filter((q) => q.op !== 'find').map((q) => q.entity)
        expect(new Set(writes).size).toBe(writes.length)
    })
})

describe('handler-call boundaries do not change the result', () => {
    let single: ReturnType<FakeStore['dump']>
    beforeAll(async () => {
        single = (await runInCalls([SCENARIO])).dump()
    })

    test('one call per block (as for hot blocks)', async () => {
        expect((await runInCalls(SCENARIO.map((b) => [b]))).dump()).toEqual(single)
    })

    test.each([1, 2, 3, 4, 5, 6])('split after %i blocks', async (k) => {
        expect((await runInCalls([SCENARIO.slice(0, k), SCENARIO.slice(k)])).dump()).toEqual(single)
    })
})

describe('decoder', () => {
    test('ignores unknown addresses and topics', () => {
        const blocks = buildBlocks([SCENARIO[1]])
        const foreign = { ...blocks[0].logs[0], address: '0x00000000000000000000000000000000000000ff' }
        const d = decoder.decodeBlocks([{ logs: [foreign as any, ...blocks[0].logs] }])
        expect(d.all).toHaveLength(3)
        expect(d.byContract.Escrow).toHaveLength(2)
        expect(d.byContract.BatchLedger).toHaveLength(1)
    })

    test('orders logs by index inside a block', () => {
        const blocks = buildBlocks([SCENARIO[1]])
        const d = decoder.decodeBlocks([{ logs: [...blocks[0].logs].reverse() }])
        expect(d.all.map((e) => e.name)).toEqual(['Deposited', 'Locked', 'BatchCommitted'])
    })
})
