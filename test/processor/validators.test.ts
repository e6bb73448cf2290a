/**
 * Validator / block / MEV / epoch mapping without a chain or a database: ValidatorRegistry logs (ABI-encoded),
 * hand-built blocks with receipts and Parity-style traces converted to squid's shape → processBatch against
 * the in-memory store. Checks registry state, delegation revaluation on a slash, proposer attribution and the
 * stake-weighted schedule, priority fees, MEV rows, epoch rollups, scores (total = Σ weight × component) and
 * that any split of the blocks into handler calls gives the same rows.
 */
import { processBatch, BatchOptions } from '../../src/indexer/batch'
import { EventDecoder } from '../../src/mappings/decode'
import { SquidBlockLike, SquidTraceLike, SquidTxLike } from '../../src/mappings/block-facts'
import { Trace } from '../../src/mev/types'
import { COMPONENTS, loadScoringConfig } from '../../src/validators/scoring-config'
import { expectedBlocks, scheduledProposer, StakeEntry } from '../../src/validators/schedule'
import { addr, call, transferInput, txHash, v2BotSwapTx, v2RouterSwapTx } from '../mev/builders'
import { ADDR, BlockSpec, EventSpec, buildBlocks } from './support/logs'
import { FakeStore } from './support/fake-store'

const E = 4
const scoring = loadScoringConfig()
const OPTS: BatchOptions = { epochBlocks: E, scoring }
const VR = 'ValidatorRegistry' as const
const GWEI = 1_000_000_000n

const A = '0x00000000000000000000000000000000000000a1'
const B = '0x00000000000000000000000000000000000000b1'
const C = '0x00000000000000000000000000000000000000c1'
const FA = '0x00000000000000000000000000000000000000fa'
const FB = '0x00000000000000000000000000000000000000fb'
const FC = '0x00000000000000000000000000000000000000fc'
const UNKNOWN = '0x00000000000000000000000000000000000000ee'
const D1 = '0x00000000000000000000000000000000000000d1'
const D2 = '0x00000000000000000000000000000000000000d2'
const TOKEN = '0x00000000000000000000000000000000000000aa'
const TREASURY = '0x00000000000000000000000000000000000000ab'
const FEE = { [A]: FA, [B]: FB, [C]: FC } as Record<string, string>

const T0 = 1_767_225_600 // 2026-01-01
const ev = (event: string, args: unknown[]): EventSpec => ({ contract: VR, event, args })

/** Registry events by height (see the header of each block for the share-pool arithmetic). */
const EVENTS: Record<number, EventSpec[]> = {
    100: [
        ev('ConfigChanged', [TOKEN, TREASURY, 30n, 20n, 5000]),
        ev('ValidatorRegistered', [A, FA, 500, 'ipfs://a', 1n]),
        ev('ValidatorRegistered', [B, FB, 1000, 'ipfs://b', 2n]),
        ev('ValidatorRegistered', [C, FC, 200, 'ipfs://c', 3n]),
        // delegator, validator, amount, shares, delegationAfter, delegatorSharesAfter, stakeAfter, sharesAfter, totalStakedAfter
        ev('Delegated', [D1, A, 600n, 600n, 600n, 600n, 600n, 600n, 600n]),
        ev('Delegated', [D2, B, 300n, 300n, 300n, 300n, 300n, 300n, 900n]),
        ev('Delegated', [D1, C, 100n, 100n, 100n, 100n, 100n, 100n, 1000n]),
        ev('Delegated', [D2, C, 100n, 100n, 100n, 100n, 200n, 200n, 1100n]),
    ],
    105: [ev('CommissionChangeScheduled', [A, 500, 800, BigInt(T0 + 60)])],
    106: [
        ev('CommissionChanged', [A, 500, 800, BigInt(T0 + 60), D2]),
        // 10% of C: 200 → 180 stake, shares stay 200: each 100-share delegation is worth 90
        ev('Slashed', [C, 1000, 20n, 180n, 200n, 1080n, TREASURY, 'double sign']),
    ],
    107: [ev('ValidatorJailed', [B, 'downtime', 300n])],
    // delegator, validator, requestId, amount, shares, unlockAt, delegationAfter, delegatorSharesAfter, stakeAfter, sharesAfter, totalStakedAfter, totalUnbondingAfter
    109: [ev('Undelegated', [D1, A, 1n, 100n, 100n, BigInt(T0 + 200), 500n, 500n, 500n, 500n, 980n, 100n])],
    // 100 from A (1:1) to C: minted 100*200/180 = 111, C 280/311, D1 in C 211 shares = 211*280/311 = 189
    110: [ev('Redelegated', [D1, A, C, 100n, 100n, 111n, 400n, 189n, 400n, 280n, 400n, 311n])],
    113: [ev('UnbondingWithdrawn', [1n, D1, A, 100n, 0n])],
}

/** Stakes of the unjailed validators at each epoch start (independent of the snapshot code). */
const SCHEDULE_STAKES: Record<number, StakeEntry[]> = {
    25: [],
    26: [
        { validator: A, stake: 600n },
        { validator: B, stake: 300n },
        { validator: C, stake: 200n },
    ],
    27: [
        { validator: A, stake: 600n },
        { validator: C, stake: 180n },
    ],
    28: [
        { validator: A, stake: 400n },
        { validator: C, stake: 280n },
    ],
}
SCHEDULE_STAKES[29] = SCHEDULE_STAKES[28]
const scheduledAt = (h: number) => scheduledProposer(h, SCHEDULE_STAKES[Math.floor(h / E)])

/** Coinbase of each block: the scheduled validator's fee recipient, except the missed slots listed here. */
const MISSED: Record<number, string> = { 105: UNKNOWN, 109: UNKNOWN, 110: UNKNOWN }
const minerOf = (h: number): string => {
    if (h < 104) return [FA, FB, FA, FC][h - 100] // epoch 25: no schedule; block 100 precedes the registrations
    if (MISSED[h]) return MISSED[h]
    const s = scheduledAt(h)
    return s ? FEE[s] : UNKNOWN
}

const BASE_FEE = 7n * GWEI
/** Two transactions per block: tips of 1 and 2 gwei (+ height wei) on 21000 / 50000 gas. */
function txsOf(h: number, extra = 0): SquidTxLike[] {
    const txs: SquidTxLike[] = [
        { transactionIndex: 0, hash: txHash(0), gasUsed: 21_000n, effectiveGasPrice: BASE_FEE + 1n * GWEI + BigInt(h), status: 1 },
        { transactionIndex: 1, hash: txHash(1), gasUsed: 50_000n, effectiveGasPrice: BASE_FEE + 2n * GWEI, status: 1 },
    ]
    for (let i = 2; i < 2 + extra; i++) txs.push({ transactionIndex: i, hash: txHash(i), gasUsed: 30_000n, effectiveGasPrice: BASE_FEE, status: 1 })
    return txs
}
const priorityOf = (h: number) => (1n * GWEI + BigInt(h)) * 21_000n + 2n * GWEI * 50_000n

/** Parity trace → the shape squid hands the handler (bigints, no transactionHash/Position). */
function squidTrace(t: Trace): SquidTraceLike {
    const q = (v: unknown) => (v == null ? undefined : BigInt(v as string))
    return {
        type: t.type,
        transactionIndex: t.transactionPosition!,
        traceAddress: t.traceAddress,
        subtraces: t.subtraces ?? 0,
        error: t.error ?? null,
        action: { from: t.action.from, to: t.action.to, callType: t.action.callType, input: t.action.input, value: q(t.action.value), gas: q(t.action.gas) },
        result: t.result ? { output: t.result.output, gasUsed: q(t.result.gasUsed) } : undefined,
    }
}

// block 104: a sandwich (tx 0 front, tx 1 victim, tx 3 back) and a coinbase tip from the bot in tx 3
const pair = addr('pair')
const WETH = addr('weth')
const TKN = addr('tkn')
const bot = addr('bot')
const eoa = addr('bot-eoa')
function mevTraces104(miner: string): Trace[] {
    const back = v2BotSwapTx(3, { eoa, bot, pair, tokenIn: TKN, amountIn: 5000n, tokenOut: WETH, amountOut: 1100n })
    return [
        ...v2BotSwapTx(0, { eoa, bot, pair, tokenIn: WETH, amountIn: 1000n, tokenOut: TKN, amountOut: 5000n }),
        ...v2RouterSwapTx(1, { user: addr('victim'), pair, tokenIn: WETH, amountIn: 300n, tokenOut: TKN, amountOut: 1400n }),
        call(2, [], addr('someone'), TKN, transferInput(addr('x'), 1n)),
        ...back,
        call(3, [2], bot, miner, '0x', { value: 12_345n }),
    ]
}
// block 108: a plain ETH transfer to the coinbase (a top-level call with value) and one rolled back
function tipTraces108(miner: string): Trace[] {
    return [
        call(0, [], addr('searcher'), miner, '0x', { value: 777n }),
        call(1, [], addr('searcher2'), addr('contract'), '0x12345678', { error: 'Reverted' }),
        call(1, [0], addr('contract'), miner, '0x', { value: 5n }),
    ]
}

const FIRST = 100
const LAST = 116
function scenario(): { blocks: SquidBlockLike[]; logs: any[][] } {
    const specs: BlockSpec[] = []
    for (let h = FIRST; h <= LAST; h++) specs.push({ height: h, timestamp: T0 + (h - FIRST) * 12, events: EVENTS[h] ?? [] })
    const built = buildBlocks(specs)
    const blocks = built.map((b) => {
        const h = b.header.height
        const miner = minerOf(h)
        const traces = h === 104 ? mevTraces104(miner) : h === 108 ? tipTraces108(miner) : []
        return {
            header: { ...b.header, miner, baseFeePerGas: BASE_FEE, gasUsed: 71_000n, gasLimit: 30_000_000n },
            transactions: txsOf(h, h === 104 ? 2 : 0),
            traces: traces.map(squidTrace),
            logs: b.logs,
        }
    })
    return { blocks, logs: built.map((b) => b.logs) }
}

const decoder = new EventDecoder(ADDR)

async function run(splits: number[], opts: BatchOptions = OPTS): Promise<FakeStore> {
    const { blocks } = scenario()
    const store = new FakeStore()
    let i = 0
    for (const n of [...splits, blocks.length]) {
        if (i >= blocks.length) break
        const part = blocks.slice(i, i + n)
        i += part.length
        const decoded = decoder.decodeBlocks(part as any)
        await processBatch({ blocks: part, events: decoded.all }, store.asStore(), opts)
    }
    return store
}

describe('validators, blocks, MEV and epochs (in-memory store)', () => {
    let store: FakeStore
    let db: ReturnType<FakeStore['dump']>
    beforeAll(async () => {
        store = await run([1, 3, 2, 5, 1]) // uneven handler calls across epoch boundaries
        db = store.dump()
    })

    test('registry state: validators, delegations (revalued on a slash), unbonding, commission, jail', () => {
        const v = db.Validator
        expect(v[A]).toMatchObject({ feeRecipient: FA, commissionBps: 800, commissionHikeCount: 1, stake: '400', totalShares: '400', delegatorCount: 1, jailed: false, pendingCommissionBps: null })
        expect(v[B]).toMatchObject({ jailed: true, jailCount: 1, stake: '300', delegatorCount: 1 })
        expect(v[C]).toMatchObject({ stake: '280', totalShares: '311', slashCount: 1, slashedAmount: '20', delegatorCount: 2 })
        const d = db.Delegation
        expect(d[`${D1}-${A}`]).toMatchObject({ shares: '400', amount: '400', active: true, totalDelegated: '600', totalUndelegated: '100', totalRedelegatedOut: '100' })
        expect(d[`${D1}-${C}`]).toMatchObject({ shares: '211', amount: '189', amountAtBlock: 110, totalRedelegatedIn: '100' })
        // revalued by the slash at 106 (100 × 180 / 200); block 110's redelegation only adds rounding dust
        expect(d[`${D2}-${C}`]).toMatchObject({ shares: '100', amount: '90', amountAtBlock: 106 })
        expect(db.UnbondingRequest['1']).toMatchObject({ delegator: D1, withdrawn: true, withdrawnAtBlock: 113, amount: '100' })
        expect(Object.values(db.DelegationEvent).map((e) => e.kind)).toEqual(['DELEGATE', 'DELEGATE', 'DELEGATE', 'DELEGATE', 'UNDELEGATE', 'REDELEGATE', 'WITHDRAW'])
        expect(Object.values(db.CommissionChange).map((c) => [c.kind, c.hike])).toEqual([['SCHEDULED', true], ['APPLIED', true]])
        expect(Object.values(db.SlashEvent)).toEqual([expect.objectContaining({ epoch: 26, amount: '20', reason: 'double sign' })])
        expect(Object.values(db.JailEvent)).toEqual([expect.objectContaining({ epoch: 26, jailed: true, reason: 'downtime' })])
        expect(db.ProtocolParams.protocol).toMatchObject({ stakingToken: TOKEN, unbondingPeriod: '30', commissionChangeDelay: '20', maxCommissionBps: 5000 })
    })

    test('blocks: proposer from the fee recipient, scheduled proposer from the epoch snapshot, missed slots, priority fees', () => {
        const rows = Object.values(db.Block)
        expect(rows.map((b) => b.height)).toEqual(Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i))
        const owner = Object.fromEntries(Object.entries(FEE).map(([v, f]) => [f, v]))
        for (const b of rows) {
            const h = b.height as number
            const expectedProposer = h === 100 ? null : (owner[minerOf(h)] ?? null) // block 100 precedes the registrations
            const s = scheduledAt(h) ?? null
            expect({ h, proposer: b.proposer, scheduled: b.scheduledProposer, missed: b.missedSlot }).toEqual({
                h,
                proposer: expectedProposer && { id: expectedProposer },
                scheduled: s && { id: s },
                missed: s != null && s !== expectedProposer,
            })
            expect(b.priorityFees).toBe(String(priorityOf(h)))
            expect(b.epoch).toBe(Math.floor(h / E))
        }
        expect(rows.filter((b) => b.missedSlot).map((b) => b.height)).toEqual([105, 109, 110])
        // all-time validator counters = Σ over its blocks
        for (const v of [A, B, C]) {
            const mine = rows.filter((b) => (b.proposer as any)?.id === v)
            expect(db.Validator[v].blocksProposed).toBe(mine.length)
            expect(db.Validator[v].priorityFees).toBe(String(mine.reduce((s, b) => s + BigInt(b.priorityFees as string), 0n)))
        }
    })

    test('MEV: swaps, the sandwich and coinbase transfers with the proposer', () => {
        const b104 = db.Block['0000000104']
        expect(b104).toMatchObject({ swapCount: 3, sandwichCount: 1, arbitrageCount: 0, coinbaseTransfers: '12345', mevRevenue: '12345', txCount: 4 })
        const sw = Object.values(db.Sandwich)
        expect(sw).toHaveLength(1)
        expect(sw[0]).toMatchObject({ id: '0000000104-s0', sandwicher: bot, pool: pair, profitAmount: '100', victimCount: 1, frontrunSwap: { id: '0000000104-00000-t1' }, backrunSwap: { id: '0000000104-00003-t1' } })
        expect(sw[0].validator).toEqual({ id: scheduledAt(104) })
        expect(Object.keys(db.Swap)).toEqual(['0000000104-00000-t1', '0000000104-00001-t1', '0000000104-00003-t1'])
        // block 108: the top-level transfer counts, the rolled-back one does not
        expect(db.Block['0000000108']).toMatchObject({ coinbaseTransfers: '777', coinbaseTransferCount: 1 })
        const kinds = Object.values(db.MevEvent).map((e) => `${e.blockNumber}:${e.kind}`)
        expect(kinds).toEqual(['104:COINBASE_TRANSFER', '104:SANDWICH', '104:SWAP', '104:SWAP', '104:SWAP', '108:COINBASE_TRANSFER'])
        expect(db.MevEvent['0000000104-coinbase-00003-0']).toMatchObject({ account: bot, amount: '12345', transactionHash: txHash(3) })
    })

    test('epoch snapshots: state after the block before each epoch, taken once', () => {
        expect(Object.keys(db.EpochSnapshot)).toEqual(['00000025', '00000026', '00000027', '00000028', '00000029'])
        expect(db.EpochSnapshot['00000025']).toMatchObject({ startBlock: 100, takenAtBlock: 100, validators: [], totalStake: '0' })
        const s27 = db.EpochSnapshot['00000027']
        expect(s27).toMatchObject({ startBlock: 108, scheduledStake: '780', totalStake: '1080' })
        expect((s27.validators as any[]).map((e) => [e.validator, e.stake, e.jailed])).toEqual([
            [A, '600', false],
            [B, '300', true],
            [C, '180', false],
        ])
    })

    test('epoch rollup: proposed vs expected, missed slots and streaks, revenue, stake, risk counters', () => {
        const stat = (v: string, e: number) => db.ValidatorEpochStat[`${v}-${String(e).padStart(8, '0')}`]
        expect(Object.keys(db.ValidatorEpochStat)).toHaveLength(3 * 4) // epochs 25..28 closed (116 starts 29)
        for (const e of [25, 26, 27, 28]) {
            const heights = Array.from({ length: E }, (_, i) => e * E + i)
            const expected = expectedBlocks(SCHEDULE_STAKES[e], E)
            const total = SCHEDULE_STAKES[e].reduce((s, x) => s + x.stake, 0n)
            let mevTotal = 0n
            for (const h of heights) mevTotal += BigInt(db.Block[String(h).padStart(10, '0')].mevRevenue as string)
            for (const v of [A, B, C]) {
                const proposed = heights.filter((h) => (db.Block[String(h).padStart(10, '0')].proposer as any)?.id === v)
                const slots = heights.filter((h) => scheduledAt(h) === v)
                let streak = 0
                let longest = 0
                for (const h of slots) {
                    streak = MISSED[h] ? streak + 1 : 0
                    longest = Math.max(longest, streak)
                }
                const mev = proposed.reduce((s, h) => s + BigInt(db.Block[String(h).padStart(10, '0')].mevRevenue as string), 0n)
                expect({ v, e, ...pick(stat(v, e), ['blocksProposed', 'blocksExpected', 'slotsScheduled', 'missedSlots', 'longestMissStreak', 'priorityFees', 'mevRevenue']) }).toEqual({
                    v,
                    e,
                    blocksProposed: proposed.length,
                    blocksExpected: expected.get(v) ?? 0,
                    slotsScheduled: slots.length,
                    missedSlots: slots.filter((h) => MISSED[h]).length,
                    longestMissStreak: longest,
                    priorityFees: String(proposed.reduce((s, h) => s + priorityOf(h), 0n)),
                    mevRevenue: String(mev),
                })
                expect(stat(v, e).mevShare).toBeCloseTo(mevTotal === 0n ? 0 : Number(mev) / Number(mevTotal), 9)
                void total
            }
        }
        // epoch 26: A raised its commission, C was slashed, B was jailed; stake at the start, share of all stake
        expect(pick(stat(A, 26), ['commissionBps', 'commissionHikes', 'jailed', 'slashes', 'stake', 'stakeEnd'])).toEqual({ commissionBps: 800, commissionHikes: 1, jailed: false, slashes: 0, stake: '600', stakeEnd: '600' })
        expect(pick(stat(B, 26), ['jailed', 'slashes'])).toEqual({ jailed: true, slashes: 0 })
        expect(pick(stat(C, 26), ['slashes', 'stake', 'stakeEnd', 'stakeShare'])).toEqual({ slashes: 1, stake: '200', stakeEnd: '180', stakeShare: 200 / 1100 })
        // epoch 27: B still jailed (jailed at the start), nobody slashed or hiking
        expect(pick(stat(B, 27), ['jailed', 'blocksExpected', 'commissionHikes'])).toEqual({ jailed: true, blocksExpected: 0, commissionHikes: 0 })
        expect(pick(stat(A, 27), ['commissionHikes', 'slashes'])).toEqual({ commissionHikes: 0, slashes: 0 })
        const sum = db.EpochSummary['00000026']
        expect(sum).toMatchObject({ blocks: 4, startBlock: 104, endBlock: 107, missedSlots: 1, validatorCount: 3, activeValidators: 3, totalStake: '1100', scoredValidators: 3, sandwichCount: 1, mevRevenue: '12345' })
        expect(db.EpochSummary['00000025']).toMatchObject({ blocks: 4, missedSlots: 0, activeValidators: 0, attributedBlocks: 3 })
    })

    test('scores: ranked each epoch, total = Σ stored weight × stored component, Validator keeps the latest', () => {
        const scores = Object.values(db.ValidatorScore)
        expect(scores).toHaveLength(12)
        for (const s of scores) {
            let total = 0
            for (const c of COMPONENTS) {
                expect(s[`${c}Weight`]).toBe(scoring.weights[c])
                total += (s[`${c}Weight`] as number) * (s[c] as number)
            }
            expect(s.total).toBe(total)
            expect(s.windowEpochs).toBe(scoring.params.windowEpochs)
        }
        for (const e of [25, 26, 27, 28]) {
            const of = scores.filter((s) => s.epoch === e).sort((a, b) => (a.rank as number) - (b.rank as number))
            expect(of.map((s) => s.rank)).toEqual([1, 2, 3])
            for (let i = 1; i < of.length; i++) expect(of[i - 1].total as number).toBeGreaterThanOrEqual(of[i].total as number)
            expect(of.map((s) => s.epochsUsed)).toEqual([e - 24, e - 24, e - 24])
            expect(of[0].computedAtBlock).toBe((e + 1) * E)
        }
        for (const v of [A, B, C]) {
            const latest = db.ValidatorScore[`${v}-00000028`]
            expect(db.Validator[v]).toMatchObject({ score: latest.total, rank: latest.rank, scoreEpoch: 28 })
        }
        // the jailed validator's risk component is lower than the others'
        expect(db.ValidatorScore[`${B}-00000027`].risk as number).toBeLessThan(db.ValidatorScore[`${A}-00000027`].risk as number)
    })

    test('any split of the blocks into handler calls gives the same rows', async () => {
        const one = (await run([LAST - FIRST + 1])).dump()
        const each = (await run(Array(LAST - FIRST + 1).fill(1))).dump()
        expect(one).toEqual(db)
        expect(each).toEqual(db)
    })

    test('one query per entity class and per purpose; one write per entity class', async () => {
        const s = new FakeStore()
        const { blocks } = scenario()
        // a warm-up call, then a call crossing a boundary with registry events and a slash
        await processBatch({ blocks: blocks.slice(0, 3), events: decoder.decodeBlocks(blocks.slice(0, 3) as any).all }, s.asStore(), OPTS)
        s.queries.length = 0
        const part = blocks.slice(3, 8)
        await processBatch({ blocks: part, events: decoder.decodeBlocks(part as any).all }, s.asStore(), OPTS)
        const finds = s.queries.filter((q) => q.op === 'find').map((q) => q.entity)
        // snapshot, stored blocks + stats of the closing epoch, all validators, params, delegations by id, every delegation of the slashed validator
        expect(finds.filter((e) => e === 'Validator')).toHaveLength(1)
        expect(finds.filter((e) => e === 'EpochSnapshot')).toHaveLength(1)
        expect(finds.filter((e) => e === 'Block')).toHaveLength(1)
        expect(finds.filter((e) => e === 'Delegation')).toHaveLength(1)
        const writes = s.queries.filter((q) => q.op !== 'find').map((q) => q.entity)
        expect(new Set(writes).size).toBe(writes.length)
    })
})

describe('CHAIN_ANALYTICS=false', () => {
    test('registry events are indexed as with the analytics; no block, MEV, schedule or epoch rows', async () => {
        const on = (await run([1, 3, 2, 5, 1])).dump()
        const off = (await run([1, 3, 2, 5, 1], { ...OPTS, chainAnalytics: false })).dump()
        const analyticsTables = ['Block', 'MevEvent', 'Arbitrage', 'Swap', 'Sandwich', 'Liquidation', 'JitLiquidity', 'NftTrade', 'MinerPayment', 'EpochSnapshot', 'ValidatorEpochStat', 'ValidatorScore', 'EpochSummary']
        for (const t of analyticsTables) expect(off[t] ?? {}).toEqual({})
        expect(Object.keys(on.Block ?? {}).length).toBeGreaterThan(0)
        // every other table is the same, validators apart from what blocks and epochs add to them (updatedAtBlock
        // moves with the blocks a validator proposes and the epochs it is scored in: a version per change, time travel)
        const blockFields = ['blocksProposed', 'priorityFees', 'mevRevenue', 'score', 'rank', 'scoreEpoch', 'updatedAtBlock']
        const strip = (rows: Record<string, Record<string, unknown>>) =>
            Object.fromEntries(Object.entries(rows).map(([id, r]) => [id, Object.fromEntries(Object.entries(r).filter(([k]) => !blockFields.includes(k)))]))
        for (const t of Object.keys(on)) {
            if (analyticsTables.includes(t)) continue
            expect([t, t === 'Validator' ? strip(off[t]) : off[t]]).toEqual([t, t === 'Validator' ? strip(on[t]) : on[t]])
        }
        expect(Object.values(off.Validator).every((v) => v.blocksProposed === 0)).toBe(true)
    })
})

function pick(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
    return Object.fromEntries(keys.map((k) => [k, row[k]]))
}
