import { id as keccakId } from 'ethers'
import { encodePayload, MAX_NOTIFY_BYTES, writtenTables } from '../../src/indexer/write/notify'
import { RollupBuffer } from '../../src/mappings/rollup-buffer'
import { ProgressReporter } from '../../src/indexer/telemetry'
import {
    DEFAULT_ADMIN_ROLE,
    dayKey,
    dayStart,
    hourKey,
    hourStart,
    participantDayId,
    readyAt,
    roleId,
    roleName,
    secondsToDate,
    tokenDayId,
    tokenHourId,
} from '../../src/mappings/util'
import { TokenDayStat } from '../../src/model'

describe('day and hour keys (UTC)', () => {
    const ts = Date.UTC(2026, 2, 9, 23, 59, 59, 999)
    test('keys', () => {
        expect(dayKey(ts)).toBe('2026-03-09')
        expect(hourKey(ts)).toBe('2026-03-09T23')
        expect(dayKey(ts + 1)).toBe('2026-03-10')
        expect(hourKey(ts + 1)).toBe('2026-03-10T00')
        expect(dayStart(ts).toISOString()).toBe('2026-03-09T00:00:00.000Z')
        expect(hourStart(ts).toISOString()).toBe('2026-03-09T23:00:00.000Z')
    })
    test('ids lowercase addresses', () => {
        expect(tokenDayId('0xABCDEF0000000000000000000000000000000001', ts)).toBe('0xabcdef0000000000000000000000000000000001-2026-03-09')
        expect(tokenHourId('0xAB', 0)).toBe('0xab-1970-01-01T00')
        expect(participantDayId('0xAA', '0xBB', 0)).toBe('0xaa-0xbb-1970-01-01')
    })
})

describe('role names', () => {
    test.each(['GOVERNOR_ROLE', 'OPERATOR_ROLE', 'PAUSER_ROLE', 'RELAYER_ROLE', 'LEDGER_ROLE', 'PROPOSER_ROLE', 'EXECUTOR_ROLE', 'CANCELLER_ROLE'])(
        '%s',
        (name) => {
            expect(roleName(keccakId(name))).toBe(name)
            expect(roleName(keccakId(name).toUpperCase().replace('0X', '0x'))).toBe(name)
            expect(roleId(name)).toBe(keccakId(name))
        },
    )
    test('default admin and unknown', () => {
        expect(roleName(DEFAULT_ADMIN_ROLE)).toBe('DEFAULT_ADMIN_ROLE')
        expect(roleName(keccakId('SOMETHING_ELSE'))).toBe('UNKNOWN')
    })
})

describe('dates from chain integers', () => {
    test('clamped', () => {
        expect(secondsToDate(1_700_000_000n).toISOString()).toBe('2023-11-14T22:13:20.000Z')
        expect(secondsToDate(2n ** 64n - 1n).getUTCFullYear()).toBe(9999)
        expect(readyAt(1_000, 2n)?.getTime()).toBe(3_000)
        expect(readyAt(1_000, 2n ** 255n)).toBeNull()
    })
})

describe('NOTIFY payload', () => {
    test('small payloads pass unchanged, empty lists dropped', () => {
        const json = encodePayload({ height: 5, hash: '0xab', head: true, changed: { batches: ['0x1'], claims: [] } })
        expect(JSON.parse(json)).toEqual({ height: 5, hash: '0xab', head: true, changed: { batches: ['0x1'] } })
    })
    test('large payloads are cut below 8000 bytes and flagged', () => {
        const ids = Array.from({ length: 500 }, (_, i) => '0x' + i.toString(16).padStart(64, '0'))
        const json = encodePayload({ height: 5, hash: '0xab', head: false, changed: { batches: ids, claims: ids.map((i) => i + '-0xpayee'), escrowAccounts: ['a'] } })
        expect(Buffer.byteLength(json)).toBeLessThan(MAX_NOTIFY_BYTES)
        const p = JSON.parse(json)
        expect(p.truncated).toBe(true)
        expect(p.height).toBe(5)
        expect(p.changed.escrowAccounts).toEqual(['a'])
        expect(p.changed.batches.length + p.changed.claims.length).toBeGreaterThan(50)
    })
    test('written tables: stored classes announced as the GraphQL types that show them (ProtocolEvent is a view)', () => {
        expect(writtenTables({ EscrowMovement: 1, EscrowAccount: 2 }, false)).toEqual(['EscrowAccount', 'EscrowMovement', 'ProtocolEvent'])
        expect(writtenTables({ Batch: 1 }, true)).toEqual(['Batch', 'ProtocolEvent'])
        expect(writtenTables({ ProtocolEventRow: 1 }, false)).toEqual(['ProtocolEvent'])
        expect(writtenTables(undefined, false)).toEqual([])
    })
})

describe('RollupBuffer', () => {
    const init = (id: string) => () =>
        new TokenDayStat({ id, depositCount: 0, depositAmount: 0n, escrowHeldEnd: 0n, escrowLockedEnd: 0n } as Partial<TokenDayStat>)
    test('adds counters, overwrites snapshots only when set', () => {
        const r = new RollupBuffer(TokenDayStat, ['escrowHeldEnd', 'escrowLockedEnd'])
        r.add('x', init('x'), 'depositCount', 2)
        r.add('x', init('x'), 'depositAmount', 10n)
        r.setSnapshot('x', init('x'), { escrowHeldEnd: 99n })
        r.add('y', init('y'), 'depositCount', 1)
        const stored = [
            new TokenDayStat({ id: 'x', depositCount: 1, depositAmount: 5n, escrowHeldEnd: 1n, escrowLockedEnd: 7n } as Partial<TokenDayStat>),
        ]
        const out = r.merge(stored)
        const x = out.find((e) => e.id === 'x')!
        expect([x.depositCount, x.depositAmount, x.escrowHeldEnd, x.escrowLockedEnd]).toEqual([3, 15n, 99n, 7n])
        expect(out.find((e) => e.id === 'y')!.depositCount).toBe(1)
    })
})

describe('progress lines', () => {
    test('rates, head and lag', async () => {
        let now = 0
        const lines: string[] = []
        const log = { info: (l: string) => lines.push(l) } as any
        const p = new ProgressReporter(log, async () => 1100, undefined, 5000, () => now)
        p.record({ height: 1000, blocks: 1, events: 10, isHead: false })
        await new Promise((r) => setImmediate(r))
        now = 2000
        expect(p.record({ height: 1010, blocks: 1, events: 5, isHead: false })).toBeUndefined()
        now = 10_000
        const line = p.record({ height: 1050, blocks: 1, events: 5, isHead: false })!
        expect(line).toContain('block 1050 (head 1100, lag 50)')
        expect(line).toMatch(/events\/s/)
        // reaching the head logs at once
        now = 11_000
        expect(p.record({ height: 1100, blocks: 1, events: 1, isHead: true })).toContain('reached the head')
        // then one line per 10 s however many blocks arrive (a multi-block hot update hands its first
        // blocks over as not-at-head: still at the head)
        let logged = 0
        for (let h = 1101; h <= 1140; h++) {
            now += 500
            if (p.record({ height: h, blocks: 1, events: 2, isHead: h % 3 !== 0 })) logged++
        }
        expect(logged).toBe(2) // 20 s of blocks every 0.5 s
        now += 10_000
        const headLine = p.record({ height: 1141, blocks: 1, events: 2, isHead: true })!
        expect(headLine).toMatch(/block 1141 \(head 1141, lag 0\), [\d.]+ blocks\/s, [\d.]+ events\/s, .*, at head$/)
        // falling clearly behind: back to the backfill interval (5 s)
        now += 5_000
        expect(p.record({ height: 1150, blocks: 1, events: 1, isHead: false })).toBeUndefined()
        ;(p as any).head = 1300
        now += 5_000
        expect(p.record({ height: 1160, blocks: 1, events: 1, isHead: false })).toContain('lag 140')
        now += 5_000
        expect(p.record({ height: 1170, blocks: 1, events: 1, isHead: false })).toContain('lag 130')
    })
})

describe('reconcile helpers', () => {
    test('mapLimit keeps order and bounds concurrency', async () => {
        const { mapLimit, formatMismatch } = await import('../../src/reconcile')
        let inFlight = 0
        let peak = 0
        const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
            inFlight++
            peak = Math.max(peak, inFlight)
            await new Promise((r) => setTimeout(r, n * 3))
            inFlight--
            return n * 10
        })
        expect(out).toEqual([50, 10, 40, 20, 30])
        expect(peak).toBe(2)
        expect(await mapLimit([], 4, async () => 1)).toEqual([])
        expect(formatMismatch({ entity: 'Batch', id: '0x1', field: 'status', indexed: 'COMMITTED', chain: 'FINALIZED' })).toBe(
            'Batch 0x1 status: indexed=COMMITTED chain=FINALIZED',
        )
    })
})
