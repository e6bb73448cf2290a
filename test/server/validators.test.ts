/**
 * Validator and MEV API: fixture rows inserted with SQL (validators, blocks, swaps, arbitrages, sandwiches,
 * coinbase transfers, epoch stats, scores) → validatorRankings, validatorScoreHistory, validatorRevenue,
 * mevFeed, delegationRecommendations; then the push subscriptions mevDetected / validatorScoreUpdated after a
 * NOTIFY squid_batch, as the processor sends it.
 */
import { Pool } from 'pg'
import type { RunningServer } from '../../src/server'
import { recommendDelegation, tiltedWeights } from '../../src/validators/recommend'
import { combine } from '../../src/validators/scoring'
import { COMPONENTS, Component, loadScoringConfig } from '../../src/validators/scoring-config'
import { addr, data, firstError, gql, PgStack, setIndexerHead, startPgStack, until } from './support/stack'
import { startTestServer } from './support/server'
import { WsClients } from './support/ws-client'

jest.setTimeout(180_000)

let stack: PgStack
let server: RunningServer
const clients = new WsClients(() => server.wsUrl)
const config = loadScoringConfig()

// ---------------------------------------------------------------------------
// fixtures

const V1 = addr(0x101)
const V2 = addr(0x102)
const V3 = addr(0x103) // jailed, best score in epoch 2
const V4 = addr(0x104)
const V5 = addr(0x105) // registered, never scored, no stake
const VALIDATORS = [V1, V2, V3, V4]
const STAKE: Record<string, bigint> = { [V1]: 4000n, [V2]: 3000n, [V3]: 2000n, [V4]: 1000n, [V5]: 0n }
const COMMISSION: Record<string, number> = { [V1]: 500, [V2]: 1000, [V3]: 200, [V4]: 1500, [V5]: 300 }
const POOL1 = '0x' + 'e1'.repeat(20)
const POOL2 = '0x' + 'e2'.repeat(20)
const TOKEN_A = '0x' + 'a1'.repeat(20)
const TOKEN_B = '0x' + 'b2'.repeat(20)
const SEARCHER = '0x' + '5e'.repeat(20)
const EPOCH_BLOCKS = 32
const T0 = Date.parse('2024-06-01T00:00:00Z')

const hk = (h: number) => String(h).padStart(10, '0')
const ek = (e: number) => String(e).padStart(8, '0')
const pad5 = (n: number) => String(n).padStart(5, '0')
const txHash = (h: number, pos: number) => '0x' + (h * 1000 + pos).toString(16).padStart(64, '0')

async function insert(pool: Pool, table: string, row: Record<string, unknown>): Promise<void> {
    const cols = Object.keys(row)
    await pool.query(
        `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map((c) => {
            const v = row[c]
            return typeof v === 'bigint' ? v.toString() : v
        }),
    )
}

/** The blocks 64..95 (epoch 2): who was scheduled, who proposed, fees and coinbase transfers. */
interface BlockFixture {
    height: number
    scheduled: string
    proposer: string | null
    missed: boolean
    priorityFees: bigint
    mev: bigint
}

function blockFixtures(from: number, to: number): BlockFixture[] {
    const out: BlockFixture[] = []
    for (let h = from; h <= to; h++) {
        const scheduled = VALIDATORS[h % 4]
        const missed = h % 7 === 0
        const proposer = missed ? (h % 14 === 0 ? null : VALIDATORS[(h + 1) % 4]) : scheduled
        out.push({ height: h, scheduled, proposer, missed, priorityFees: BigInt(h) * 1000n, mev: [70, 75, 80, 85, 90, 91].includes(h) ? BigInt(h) * 10n : 0n })
    }
    return out
}
const BLOCKS = blockFixtures(64, 95)

async function insertBlock(pool: Pool, b: BlockFixture): Promise<void> {
    await insert(pool, 'block', {
        id: hk(b.height),
        height: b.height,
        hash: '0x' + b.height.toString(16).padStart(64, '0'),
        timestamp: new Date(T0 + b.height * 12_000),
        epoch: Math.floor(b.height / EPOCH_BLOCKS),
        fee_recipient: b.proposer ?? '0x' + '0'.repeat(40),
        missed_slot: b.missed,
        base_fee: 1,
        gas_used: 21000,
        gas_limit: 30_000_000,
        tx_count: 3,
        priority_fees: b.priorityFees,
        coinbase_transfers: b.mev,
        coinbase_transfer_count: b.mev > 0n ? 1 : 0,
        mev_revenue: b.mev,
        swap_count: 0,
        arbitrage_count: 0,
        sandwich_count: 0,
        proposer_id: b.proposer,
        scheduled_proposer_id: b.scheduled,
    })
}

function proposerOf(h: number): string | null {
    return BLOCKS.find((b) => b.height === h)?.proposer ?? null
}

async function insertSwap(pool: Pool, h: number, pos: number, p: { pool: string; tokenIn: string; amountIn: bigint; tokenOut: string; amountOut: bigint; from?: string; arbitrage?: string }): Promise<string> {
    const id = `${hk(h)}-${pad5(pos)}-t`
    await insert(pool, 'swap', {
        id,
        block_number: h,
        timestamp: new Date(T0 + h * 12_000),
        transaction_hash: txHash(h, pos),
        transaction_position: pos,
        trace_address: [],
        pool: p.pool,
        protocol: 'uniswap_v2',
        from: p.from ?? SEARCHER,
        recipient: p.from ?? SEARCHER,
        token_in: p.tokenIn,
        amount_in: p.amountIn,
        token_out: p.tokenOut,
        amount_out: p.amountOut,
        error: null,
        block_id: hk(h),
        validator_id: proposerOf(h),
        arbitrage_id: p.arbitrage ?? null,
    })
    await insertMevEvent(pool, { id: `${hk(h)}-swap-${pad5(pos)}-t`, kind: 'SWAP', h, pos, pool: p.pool, account: p.from ?? SEARCHER, token: p.tokenIn, amount: p.amountIn, swap_id: id })
    return id
}

async function insertMevEvent(
    pool: Pool,
    e: { id: string; kind: string; h: number; pos: number; pool?: string | null; account: string; token?: string | null; amount: bigint; swap_id?: string; arbitrage_id?: string; sandwich_id?: string },
): Promise<void> {
    await insert(pool, 'mev_event', {
        id: e.id,
        kind: e.kind,
        block_number: e.h,
        timestamp: new Date(T0 + e.h * 12_000),
        transaction_hash: txHash(e.h, e.pos),
        pool: e.pool ?? null,
        account: e.account,
        token: e.token ?? null,
        amount: e.amount,
        block_id: hk(e.h),
        validator_id: proposerOf(e.h),
        swap_id: e.swap_id ?? null,
        arbitrage_id: e.arbitrage_id ?? null,
        sandwich_id: e.sandwich_id ?? null,
    })
}

/** A 2-swap arbitrage A → B (pool1) → A (pool2) in tx 1 of block h; returns its MevEvent id. */
async function insertArbitrage(pool: Pool, h: number, profit: bigint): Promise<string> {
    const id = `${hk(h)}-${pad5(1)}-a0`
    await insert(pool, 'arbitrage', {
        id,
        block_number: h,
        timestamp: new Date(T0 + h * 12_000),
        transaction_hash: txHash(h, 1),
        transaction_position: 1,
        account: SEARCHER,
        profit_token: TOKEN_A,
        profit_amount: profit,
        error: null,
        swap_ids: [`${hk(h)}-${pad5(1)}-t0`, `${hk(h)}-${pad5(1)}-t1`],
        swap_count: 2,
        block_id: hk(h),
        validator_id: proposerOf(h),
    })
    for (const [i, [p, tin, tout, ain, aout]] of ([
        [POOL1, TOKEN_A, TOKEN_B, 1000n, 500n],
        [POOL2, TOKEN_B, TOKEN_A, 500n, 1000n + profit],
    ] as const).entries()) {
        await insert(pool, 'swap', {
            id: `${hk(h)}-${pad5(1)}-t${i}`,
            block_number: h,
            timestamp: new Date(T0 + h * 12_000),
            transaction_hash: txHash(h, 1),
            transaction_position: 1,
            trace_address: [i],
            pool: p,
            protocol: 'uniswap_v2',
            from: SEARCHER,
            recipient: SEARCHER,
            token_in: tin,
            amount_in: ain,
            token_out: tout,
            amount_out: aout,
            error: null,
            block_id: hk(h),
            validator_id: proposerOf(h),
            arbitrage_id: id,
        })
    }
    const eventId = `${hk(h)}-arb-${pad5(1)}-a0`
    await insertMevEvent(pool, { id: eventId, kind: 'ARBITRAGE', h, pos: 1, pool: POOL1, account: SEARCHER, token: TOKEN_A, amount: profit, arbitrage_id: id })
    return eventId
}

/** Frontrun (tx 1), two victims (tx 2, 3), backrun (tx 4) on `poolAddr` in block h. */
async function insertSandwich(pool: Pool, h: number, poolAddr: string, profit: bigint): Promise<string> {
    const front = await insertSwap(pool, h, 1, { pool: poolAddr, tokenIn: TOKEN_A, amountIn: 100n, tokenOut: TOKEN_B, amountOut: 90n })
    const v1 = await insertSwap(pool, h, 2, { pool: poolAddr, tokenIn: TOKEN_A, amountIn: 50n, tokenOut: TOKEN_B, amountOut: 40n, from: addr(0x9001) })
    const v2 = await insertSwap(pool, h, 3, { pool: poolAddr, tokenIn: TOKEN_A, amountIn: 60n, tokenOut: TOKEN_B, amountOut: 45n, from: addr(0x9002) })
    const back = await insertSwap(pool, h, 4, { pool: poolAddr, tokenIn: TOKEN_B, amountIn: 90n, tokenOut: TOKEN_A, amountOut: 100n + profit })
    const id = `${hk(h)}-s0`
    await insert(pool, 'sandwich', {
        id,
        block_number: h,
        timestamp: new Date(T0 + h * 12_000),
        sandwicher: SEARCHER,
        pool: poolAddr,
        victim_swap_ids: [v1, v2],
        victim_count: 2,
        profit_token: TOKEN_A,
        profit_amount: profit,
        block_id: hk(h),
        validator_id: proposerOf(h),
        frontrun_swap_id: front,
        backrun_swap_id: back,
    })
    const eventId = `${hk(h)}-sandwich-s0`
    await insertMevEvent(pool, { id: eventId, kind: 'SANDWICH', h, pos: 1, pool: poolAddr, account: SEARCHER, token: TOKEN_A, amount: profit, sandwich_id: id })
    return eventId
}

async function insertCoinbaseTransfer(pool: Pool, h: number, amount: bigint): Promise<string> {
    const id = `${hk(h)}-coinbase-${pad5(5)}-0`
    await insertMevEvent(pool, { id, kind: 'COINBASE_TRANSFER', h, pos: 5, account: SEARCHER, amount })
    return id
}

type Components = Record<Component, number>

/** Scores of an epoch: components per validator; total and rank as the scoring engine stores them. */
async function insertScores(pool: Pool, epoch: number, comps: Record<string, Components>): Promise<{ validator: string; total: number; rank: number }[]> {
    const rows = Object.entries(comps)
        .map(([validator, c]) => ({ validator, c, total: combine(c, config.weights).total }))
        .sort((a, b) => b.total - a.total || (a.validator < b.validator ? -1 : 1))
        .map((r, i) => ({ ...r, rank: i + 1 }))
    for (const r of rows) {
        await insert(pool, 'validator_score', {
            id: `${r.validator}-${ek(epoch)}`,
            epoch,
            rank: r.rank,
            total: r.total,
            mev_potential: r.c.mevPotential,
            reliability: r.c.reliability,
            commission: r.c.commission,
            decentralization: r.c.decentralization,
            consistency: r.c.consistency,
            risk: r.c.risk,
            mev_potential_weight: config.weights.mevPotential,
            reliability_weight: config.weights.reliability,
            commission_weight: config.weights.commission,
            decentralization_weight: config.weights.decentralization,
            consistency_weight: config.weights.consistency,
            risk_weight: config.weights.risk,
            revenue_per_block_gwei: 0.5 + r.rank,
            window_epochs: 8,
            epochs_used: epoch,
            computed_at_block: (epoch + 1) * EPOCH_BLOCKS,
            validator_id: r.validator,
        })
    }
    return rows.map(({ validator, total, rank }) => ({ validator, total, rank }))
}

/** Epoch stats from the block fixtures (epoch 2) or synthetic (others). */
function epochStat(validator: string, epoch: number) {
    const blocks = BLOCKS.filter((b) => Math.floor(b.height / EPOCH_BLOCKS) === epoch)
    const proposed = blocks.filter((b) => b.proposer === validator)
    const fees = blocks.length ? proposed.reduce((s, b) => s + b.priorityFees, 0n) : BigInt(epoch * 100 + Number(STAKE[validator] / 100n))
    const mev = blocks.length ? proposed.reduce((s, b) => s + b.mev, 0n) : BigInt(epoch * 7)
    return {
        blocksProposed: blocks.length ? proposed.length : 8,
        missedSlots: blocks.length ? blocks.filter((b) => b.scheduled === validator && b.missed).length : epoch,
        priorityFees: fees,
        mevRevenue: mev,
    }
}

async function insertEpochStat(pool: Pool, validator: string, epoch: number): Promise<void> {
    const s = epochStat(validator, epoch)
    await insert(pool, 'validator_epoch_stat', {
        id: `${validator}-${ek(epoch)}`,
        epoch,
        start_block: epoch * EPOCH_BLOCKS,
        end_block: epoch * EPOCH_BLOCKS + EPOCH_BLOCKS - 1,
        blocks_proposed: s.blocksProposed,
        blocks_expected: 8,
        slots_scheduled: 8,
        missed_slots: s.missedSlots,
        longest_miss_streak: Math.min(1, s.missedSlots),
        priority_fees: s.priorityFees,
        mev_revenue: s.mevRevenue,
        revenue: s.priorityFees + s.mevRevenue,
        mev_share: 0.25,
        sandwich_blocks: validator === V2 ? 1 : 0,
        stake: STAKE[validator],
        stake_share: Number(STAKE[validator]) / 10_000,
        stake_end: STAKE[validator],
        commission_bps: COMMISSION[validator],
        commission_hikes: 0,
        jailed: validator === V3 && epoch === 2,
        slashes: 0,
        validator_id: validator,
    })
}

const EPOCH1: Record<string, Components> = {
    [V1]: { mevPotential: 0.9, reliability: 0.95, commission: 0.9, decentralization: 0.2, consistency: 0.8, risk: 1 },
    [V2]: { mevPotential: 0.7, reliability: 0.99, commission: 0.8, decentralization: 0.4, consistency: 0.9, risk: 0.9 },
    [V3]: { mevPotential: 0.5, reliability: 0.6, commission: 0.96, decentralization: 0.6, consistency: 0.5, risk: 1 },
    [V4]: { mevPotential: 0.3, reliability: 0.8, commission: 0.7, decentralization: 0.8, consistency: 0.6, risk: 1 },
}
const EPOCH2: Record<string, Components> = {
    [V1]: { mevPotential: 0.8, reliability: 0.9, commission: 0.9, decentralization: 0.25, consistency: 0.85, risk: 1 },
    [V2]: { mevPotential: 0.75, reliability: 0.97, commission: 0.8, decentralization: 0.45, consistency: 0.9, risk: 0.85 },
    [V3]: { mevPotential: 1, reliability: 1, commission: 0.96, decentralization: 0.6, consistency: 1, risk: 0.5 },
    [V4]: { mevPotential: 0.35, reliability: 0.85, commission: 0.7, decentralization: 0.8, consistency: 0.65, risk: 1 },
}
let ranks1: { validator: string; total: number; rank: number }[]
let ranks2: { validator: string; total: number; rank: number }[]
const mevIds: Record<string, string> = {}

async function insertFixtures(pool: Pool): Promise<void> {
    for (const v of [...VALIDATORS, V5]) {
        const mine = BLOCKS.filter((b) => b.proposer === v)
        await insert(pool, 'validator', {
            id: v,
            fee_recipient: v,
            commission_bps: COMMISSION[v],
            jailed: v === V3,
            stake: STAKE[v],
            total_shares: STAKE[v],
            delegator_count: 1,
            slash_count: 0,
            slashed_amount: 0,
            jail_count: v === V3 ? 1 : 0,
            commission_hike_count: 0,
            metadata_uri: '',
            registered_at: new Date(T0),
            registered_at_block: 1,
            updated_at_block: 1,
            // all-time counters (the processor keeps them): the fixture blocks are the whole history
            blocks_proposed: mine.length,
            priority_fees: mine.reduce((s, b) => s + b.priorityFees, 0n),
            mev_revenue: mine.reduce((s, b) => s + b.mev, 0n),
        })
    }
    for (const b of BLOCKS) await insertBlock(pool, b)
    for (const e of [1, 2]) for (const v of VALIDATORS) await insertEpochStat(pool, v, e)
    ranks1 = await insertScores(pool, 1, EPOCH1)
    ranks2 = await insertScores(pool, 2, EPOCH2)
    mevIds.arb70 = await insertArbitrage(pool, 70, 25n)
    mevIds.cb70 = await insertCoinbaseTransfer(pool, 70, 700n)
    mevIds.sw75 = await insertSandwich(pool, 75, POOL1, 10n)
    mevIds.cb75 = await insertCoinbaseTransfer(pool, 75, 750n)
    mevIds.arb80 = await insertArbitrage(pool, 80, -3n)
    mevIds.cb80 = await insertCoinbaseTransfer(pool, 80, 800n)
    mevIds.sw85 = await insertSandwich(pool, 85, POOL2, 4n)
    mevIds.cb85 = await insertCoinbaseTransfer(pool, 85, 850n)
    mevIds.arb90 = await insertArbitrage(pool, 90, 40n)
    mevIds.cb90 = await insertCoinbaseTransfer(pool, 90, 900n)
    mevIds.cb91 = await insertCoinbaseTransfer(pool, 91, 910n)
}

beforeAll(async () => {
    stack = await startPgStack()
    await insertFixtures(stack.pool)
    await setIndexerHead(stack.pool, 95)
    server = await startTestServer(stack.url)
})

afterEach(async () => {
    await clients.disposeAll()
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

const q = async (query: string, variables?: Record<string, unknown>) => data(await gql(server.url, query, variables))
const code = async (query: string, variables?: Record<string, unknown>) => firstError(await gql(server.url, query, variables)).code
/**
 * Arguments graphql-js itself refuses (a BigInt that is not an integer, an unknown enum value): a request error
 * (no `path`, nothing executed), coded GRAPHQL_VALIDATION_FAILED for a literal and BAD_USER_INPUT for a variable;
 * BAD_USER_INPUT from the resolver where the scalar accepts the literal.
 */
async function refused(query: string, variables?: Record<string, unknown>, message?: RegExp): Promise<void> {
    const res = await gql(server.url, query, variables)
    const e = firstError(res)
    // (a literal the scalar lets through to the resolver is refused there: BAD_USER_INPUT with a path)
    const ok = e.code === 'BAD_USER_INPUT' || (e.code === 'GRAPHQL_VALIDATION_FAILED' && res.status === 400 && res.body.errors[0].path === undefined)
    expect({ query, ok, data: res.body.data?.delegationRecommendations ?? res.body.data?.mevFeed ?? null, got: ok ? '' : `${res.status} ${e.code} ${JSON.stringify(res.body.errors[0].path)}` }).toEqual({ query, ok: true, data: null, got: '' })
    if (message) expect(e.message).toMatch(message)
}

const SCORE_FIELDS = `epoch rank total recomputedTotal
    validator { address feeRecipient commissionBps stake stakeShare jailed }
    components { mevPotential reliability commission decentralization consistency risk }
    weights { mevPotential reliability commission decentralization consistency risk }
    contributions { mevPotential reliability commission decentralization consistency risk }
    revenuePerBlockGwei windowEpochs epochsUsed computedAtBlock
    stat { epoch blocksProposed blocksExpected missedSlots priorityFees mevRevenue revenue sandwichBlocks stake stakeShare jailed }`

// ---------------------------------------------------------------------------

describe('validatorRankings', () => {
    test('latest epoch by rank, with validator state, breakdown and a recomputed total equal to the stored one', async () => {
        const { validatorRankings: rows } = await q(`{ validatorRankings { ${SCORE_FIELDS} } }`)
        expect(rows.map((r: any) => [r.rank, r.validator.address])).toEqual(ranks2.map((r) => [r.rank, r.validator]))
        expect(rows[0].validator.address).toBe(V3) // the jailed one scores best here (rankings do not exclude it)
        for (const r of rows) {
            expect(r.epoch).toBe(2)
            const stored = ranks2.find((x) => x.validator === r.validator.address)!
            expect(r.total).toBe(stored.total)
            expect(Math.abs(r.recomputedTotal - r.total)).toBeLessThan(1e-12)
            expect(r.components).toEqual(EPOCH2[r.validator.address])
            expect(r.weights).toEqual(config.weights)
            for (const c of COMPONENTS) expect(r.contributions[c]).toBeCloseTo(config.weights[c] * EPOCH2[r.validator.address][c], 12)
            expect(r.validator.stake).toBe(STAKE[r.validator.address].toString())
            expect(r.validator.stakeShare).toBeCloseTo(Number(STAKE[r.validator.address]) / 10_000, 12)
            expect(r.validator.jailed).toBe(r.validator.address === V3)
            expect(r.computedAtBlock).toBe(96)
            expect(r.stat).toMatchObject({ epoch: 2, blocksProposed: epochStat(r.validator.address, 2).blocksProposed })
        }
        // by hand for V1: 0.25·0.8 + 0.25·0.9 + 0.15·0.9 + 0.1·0.25 + 0.1·0.85 + 0.15·1
        expect(rows.find((r: any) => r.validator.address === V1).recomputedTotal).toBeCloseTo(0.82, 12)
    })

    test('a given epoch, limit, and bad input', async () => {
        const { validatorRankings: rows } = await q(`{ validatorRankings(epoch: 1, limit: 2) { epoch rank total validator { address } } }`)
        expect(rows).toEqual(ranks1.slice(0, 2).map((r) => ({ epoch: 1, rank: r.rank, total: r.total, validator: { address: r.validator } })))
        expect((await q(`{ validatorRankings(epoch: 99) { rank } }`)).validatorRankings).toEqual([])
        expect(await code(`{ validatorRankings(limit: 0) { rank } }`)).toBe('BAD_USER_INPUT')
        expect(await code(`{ validatorRankings(epoch: -1) { rank } }`)).toBe('BAD_USER_INPUT')
    })
})

describe('validatorScoreHistory', () => {
    test('newest first, each with its breakdown, recomputedTotal and epoch stat', async () => {
        const { validatorScoreHistory: rows } = await q(`{ validatorScoreHistory(validator: "${V2.toUpperCase().replace('0X', '0x')}") { ${SCORE_FIELDS} } }`)
        expect(rows.map((r: any) => r.epoch)).toEqual([2, 1])
        for (const r of rows) {
            const comps = r.epoch === 1 ? EPOCH1 : EPOCH2
            expect(r.validator.address).toBe(V2)
            expect(r.components).toEqual(comps[V2])
            expect(r.rank).toBe((r.epoch === 1 ? ranks1 : ranks2).find((x) => x.validator === V2)!.rank)
            expect(Math.abs(r.recomputedTotal - r.total)).toBeLessThan(1e-12)
            const s = epochStat(V2, r.epoch)
            expect(r.stat).toMatchObject({
                epoch: r.epoch,
                blocksProposed: s.blocksProposed,
                missedSlots: s.missedSlots,
                priorityFees: s.priorityFees.toString(),
                mevRevenue: s.mevRevenue.toString(),
                revenue: (s.priorityFees + s.mevRevenue).toString(),
                sandwichBlocks: 1,
                blocksExpected: 8,
            })
        }
    })

    test('epoch range and limit; unknown validator NOT_FOUND; malformed BAD_USER_INPUT', async () => {
        expect((await q(`{ validatorScoreHistory(validator: "${V1}", fromEpoch: 2) { epoch } }`)).validatorScoreHistory).toEqual([{ epoch: 2 }])
        expect((await q(`{ validatorScoreHistory(validator: "${V1}", toEpoch: 1) { epoch } }`)).validatorScoreHistory).toEqual([{ epoch: 1 }])
        expect((await q(`{ validatorScoreHistory(validator: "${V1}", limit: 1) { epoch } }`)).validatorScoreHistory).toEqual([{ epoch: 2 }])
        // registered but never scored: empty, not an error
        expect((await q(`{ validatorScoreHistory(validator: "${V5}") { epoch } }`)).validatorScoreHistory).toEqual([])
        expect(await code(`{ validatorScoreHistory(validator: "${addr(0xdead)}") { epoch } }`)).toBe('NOT_FOUND')
        expect(await code(`{ validatorScoreHistory(validator: "nope") { epoch } }`)).toBe('BAD_USER_INPUT')
        expect(await code(`{ validatorScoreHistory(validator: "${V1}", fromEpoch: 3, toEpoch: 2) { epoch } }`)).toBe('BAD_USER_INPUT')
    })
})

describe('validatorRevenue', () => {
    const FIELDS = `validator { address } blocksProposed priorityFees mevRevenue totalRevenue revenuePerBlock missedSlots`

    function expected(blocks: BlockFixture[], v: string) {
        const mine = blocks.filter((b) => b.proposer === v)
        const fees = mine.reduce((s, b) => s + b.priorityFees, 0n)
        const mev = mine.reduce((s, b) => s + b.mev, 0n)
        return {
            validator: { address: v },
            blocksProposed: mine.length,
            priorityFees: fees.toString(),
            mevRevenue: mev.toString(),
            totalRevenue: (fees + mev).toString(),
            revenuePerBlock: (mine.length ? (fees + mev) / BigInt(mine.length) : 0n).toString(),
            missedSlots: blocks.filter((b) => b.scheduled === v && b.missed).length,
        }
    }
    const byTotal = (a: any, b: any) => Number(BigInt(b.totalRevenue) - BigInt(a.totalRevenue)) || b.blocksProposed - a.blocksProposed || (a.validator.address < b.validator.address ? -1 : 1)

    test('over a block range: sums of the blocks, every validator, highest total first', async () => {
        const { validatorRevenue: rows } = await q(`{ validatorRevenue(fromBlock: 70, toBlock: 90) { ${FIELDS} } }`)
        const inRange = BLOCKS.filter((b) => b.height >= 70 && b.height <= 90)
        const want = [...VALIDATORS, V5].map((v) => expected(inRange, v)).sort(byTotal)
        expect(rows).toEqual(want)
        // the sums add up to the blocks with a known proposer
        const total = rows.reduce((s: bigint, r: any) => s + BigInt(r.totalRevenue), 0n)
        expect(total).toBe(inRange.filter((b) => b.proposer).reduce((s, b) => s + b.priorityFees + b.mev, 0n))
        expect(rows.reduce((s: number, r: any) => s + r.missedSlots, 0)).toBe(inRange.filter((b) => b.missed).length)
    })

    test('all time (Validator counters) and one validator', async () => {
        const { validatorRevenue: rows } = await q(`{ validatorRevenue { ${FIELDS} } }`)
        expect(rows).toEqual([...VALIDATORS, V5].map((v) => expected(BLOCKS, v)).sort(byTotal))
        const one = await q(`{ validatorRevenue(validator: "${V2}", toBlock: 80) { ${FIELDS} } }`)
        expect(one.validatorRevenue).toEqual([expected(BLOCKS.filter((b) => b.height <= 80), V2)])
        expect(await code(`{ validatorRevenue(validator: "${addr(0xdead)}") { blocksProposed } }`)).toBe('NOT_FOUND')
    })

    test('over an epoch range: sums of the epoch stats', async () => {
        const { validatorRevenue: rows } = await q(`{ validatorRevenue(fromEpoch: 1, toEpoch: 2) { ${FIELDS} } }`)
        for (const v of VALIDATORS) {
            const s1 = epochStat(v, 1)
            const s2 = epochStat(v, 2)
            const r = rows.find((x: any) => x.validator.address === v)
            expect(r).toMatchObject({
                blocksProposed: s1.blocksProposed + s2.blocksProposed,
                priorityFees: (s1.priorityFees + s2.priorityFees).toString(),
                mevRevenue: (s1.mevRevenue + s2.mevRevenue).toString(),
                missedSlots: s1.missedSlots + s2.missedSlots,
            })
        }
        const only2 = await q(`{ validatorRevenue(fromEpoch: 2, toEpoch: 2) { ${FIELDS} } }`)
        // epoch 2's stats were rolled up from the same blocks
        expect(only2.validatorRevenue).toEqual([...VALIDATORS, V5].map((v) => expected(BLOCKS, v)).sort(byTotal))
        expect(await code(`{ validatorRevenue(fromBlock: 1, fromEpoch: 1) { blocksProposed } }`)).toBe('BAD_USER_INPUT')
        expect(await code(`{ validatorRevenue(fromBlock: 10, toBlock: 5) { blocksProposed } }`)).toBe('BAD_USER_INPUT')
    })
})

describe('mevFeed', () => {
    const ITEM = `cursor id kind blockNumber timestamp transactionHash validator pool account token amount
        arbitrage { id account profitToken profitAmount error swapCount swaps(limit: 4) { id pool tokenIn amountIn tokenOut amountOut } }
        sandwich { id sandwicher pool profitToken profitAmount victimCount frontrun { id amountIn } backrun { id amountOut } victims(limit: 4) { id from amountIn } }
        coinbaseTransfer { from amount }
        swap { id pool }`

    test('newest first, arbitrages, sandwiches and coinbase transfers with their details', async () => {
        const { mevFeed: items } = await q(`{ mevFeed { ${ITEM} } }`)
        // (blockNumber, id) descending: ids start with the zero-padded height
        expect(items.map((i: any) => i.id)).toEqual(Object.values(mevIds).sort().reverse())
        expect(items.map((i: any) => i.id).slice(0, 6)).toEqual([mevIds.cb91, mevIds.cb90, mevIds.arb90, mevIds.sw85, mevIds.cb85, mevIds.cb80])
        const arb = items.find((i: any) => i.id === mevIds.arb70)
        expect(arb).toMatchObject({ kind: 'ARBITRAGE', blockNumber: 70, validator: proposerOf(70), pool: POOL1, account: SEARCHER, token: TOKEN_A, amount: '25', sandwich: null, coinbaseTransfer: null, swap: null })
        expect(arb.arbitrage).toEqual({
            id: `${hk(70)}-00001-a0`,
            account: SEARCHER,
            profitToken: TOKEN_A,
            profitAmount: '25',
            error: null,
            swapCount: 2,
            swaps: [
                { id: `${hk(70)}-00001-t0`, pool: POOL1, tokenIn: TOKEN_A, amountIn: '1000', tokenOut: TOKEN_B, amountOut: '500' },
                { id: `${hk(70)}-00001-t1`, pool: POOL2, tokenIn: TOKEN_B, amountIn: '500', tokenOut: TOKEN_A, amountOut: '1025' },
            ],
        })
        expect(items.find((i: any) => i.id === mevIds.arb80).arbitrage.profitAmount).toBe('-3')
        const sw = items.find((i: any) => i.id === mevIds.sw75)
        expect(sw.sandwich).toEqual({
            id: `${hk(75)}-s0`,
            sandwicher: SEARCHER,
            pool: POOL1,
            profitToken: TOKEN_A,
            profitAmount: '10',
            victimCount: 2,
            frontrun: { id: `${hk(75)}-00001-t`, amountIn: '100' },
            backrun: { id: `${hk(75)}-00004-t`, amountOut: '110' },
            victims: [
                { id: `${hk(75)}-00002-t`, from: addr(0x9001), amountIn: '50' },
                { id: `${hk(75)}-00003-t`, from: addr(0x9002), amountIn: '60' },
            ],
        })
        const cb = items.find((i: any) => i.id === mevIds.cb91)
        expect(cb).toMatchObject({ kind: 'COINBASE_TRANSFER', blockNumber: 91, coinbaseTransfer: { from: SEARCHER, amount: '910' }, arbitrage: null, sandwich: null, pool: null })
        expect(cb.timestamp).toBe(new Date(T0 + 91 * 12_000).toISOString())
        // nested lists honour their limit
        const one = await q(`{ mevFeed(kinds: [SANDWICH], limit: 1) { sandwich { victimCount victims(limit: 1) { id } } } }`)
        expect(one.mevFeed).toEqual([{ sandwich: { victimCount: 2, victims: [{ id: `${hk(85)}-00002-t` }] } }])
    })

    test('filters: kinds, validator, pool, block range; SWAP on request', async () => {
        const ids = async (args: string) => (await q(`{ mevFeed(${args}) { id kind validator pool blockNumber } }`)).mevFeed
        expect((await ids(`kinds: [SANDWICH]`)).map((i: any) => i.id)).toEqual([mevIds.sw85, mevIds.sw75])
        expect((await ids(`kinds: [ARBITRAGE, COINBASE_TRANSFER], fromBlock: 80, toBlock: 90`)).map((i: any) => i.id)).toEqual([mevIds.cb90, mevIds.arb90, mevIds.cb85, mevIds.cb80, mevIds.arb80])
        const v = proposerOf(85)!
        const byValidator = await ids(`validator: "${v}"`)
        expect(byValidator.length).toBeGreaterThan(0)
        expect(byValidator.every((i: any) => i.validator === v)).toBe(true)
        expect(byValidator.map((i: any) => i.id).sort()).toEqual(
            Object.values(mevIds)
                .filter((id) => proposerOf(Number(id.slice(0, 10))) === v)
                .sort(),
        )
        // POOL1: the sandwich at 75 and the arbitrages (whose first swap is on POOL1)
        expect((await ids(`pool: "${POOL1}"`)).map((i: any) => i.id)).toEqual([mevIds.arb90, mevIds.arb80, mevIds.sw75, mevIds.arb70])
        expect((await ids(`pool: "${POOL2}", kinds: [SANDWICH]`)).map((i: any) => i.id)).toEqual([mevIds.sw85])
        const swaps = await q(`{ mevFeed(kinds: [SWAP], pool: "${POOL2}") { kind swap { id pool tokenIn amountIn } } }`)
        expect(swaps.mevFeed.map((i: any) => i.swap.id)).toEqual([`${hk(85)}-00004-t`, `${hk(85)}-00003-t`, `${hk(85)}-00002-t`, `${hk(85)}-00001-t`])
        expect(swaps.mevFeed.every((i: any) => i.kind === 'SWAP' && i.swap.pool === POOL2)).toBe(true)
        expect((await ids(`fromBlock: 92`))).toEqual([])
    })

    test('keyset pagination by (blockNumber, id) walks the whole feed without gaps or repeats', async () => {
        const all = (await q(`{ mevFeed(kinds: [SWAP, ARBITRAGE, SANDWICH, COINBASE_TRANSFER], limit: 1000) { id blockNumber } }`)).mevFeed
        expect(all.length).toBe(11 + 8) // 11 events + 8 sandwich swaps (arbitrage swaps have no SWAP event in the fixture)
        const seen: string[] = []
        let cursor: string | null = null
        for (let page = 0; page < 20; page++) {
            const res: any = await q(`query($c: String) { mevFeed(kinds: [SWAP, ARBITRAGE, SANDWICH, COINBASE_TRANSFER], limit: 3, cursor: $c) { id cursor } }`, { c: cursor })
            if (res.mevFeed.length === 0) break
            seen.push(...res.mevFeed.map((i: any) => i.id))
            cursor = res.mevFeed[res.mevFeed.length - 1].cursor
        }
        expect(seen).toEqual(all.map((i: any) => i.id))
        // order is (blockNumber, id) descending
        const keys = all.map((i: any) => [i.blockNumber, i.id])
        expect([...keys].sort((a: any, b: any) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1))).toEqual(keys)
        // a cursor combined with filters
        const first = (await q(`{ mevFeed(kinds: [COINBASE_TRANSFER], limit: 2) { id cursor } }`)).mevFeed
        const next = (await q(`{ mevFeed(kinds: [COINBASE_TRANSFER], limit: 2, cursor: "${first[1].cursor}") { id } }`)).mevFeed
        expect([...first, ...next].map((i: any) => i.id)).toEqual([mevIds.cb91, mevIds.cb90, mevIds.cb85, mevIds.cb80])
    })

    test('bad input: BAD_USER_INPUT', async () => {
        expect(await code(`{ mevFeed(cursor: "not a cursor!") { id } }`)).toBe('BAD_USER_INPUT')
        expect(await code(`{ mevFeed(cursor: "${Buffer.from('x:y').toString('base64url')}") { id } }`)).toBe('BAD_USER_INPUT')
        expect(await code(`{ mevFeed(kinds: []) { id } }`)).toBe('BAD_USER_INPUT')
        await refused(`{ mevFeed(kinds: [NOPE]) { id } }`)
        expect(await code(`{ mevFeed(pool: "0x12") { id } }`)).toBe('BAD_USER_INPUT')
        expect(await code(`{ mevFeed(limit: 5000) { id } }`)).toBe('BAD_USER_INPUT')
        expect(await code(`{ mevFeed(fromBlock: 9, toBlock: 8) { id } }`)).toBe('BAD_USER_INPUT')
    })

    test('a full page with nested lists stays under the complexity limit', async () => {
        const res = await gql(server.url, `{ mevFeed(limit: 100) { ${ITEM} } }`)
        expect(res.body.errors).toBeUndefined()
    })
})

describe('delegationRecommendations', () => {
    const FIELDS = `stake riskTolerance epoch allocated unallocated concentrationCap
        allocations { validator { address stake jailed } amount adjustedScore stakeShareAfter }
        weightsUsed { mevPotential reliability commission decentralization consistency risk }`

    /** What the resolver hands the library: every validator, those at the cap after `stake` marked like jailed ones. */
    function candidates(stake: bigint) {
        const capStake = (BigInt(Math.floor(config.params.concentrationCap * 1e6)) * (10_000n + stake)) / 1_000_000n
        return [...VALIDATORS, V5].map((v) => ({
            validator: v,
            components: EPOCH2[v] ?? { mevPotential: 0, reliability: 0, commission: 0, decentralization: 0, consistency: 0, risk: 0 },
            stake: STAKE[v],
            jailed: v === V3 || STAKE[v] >= capStake,
        }))
    }

    test('the library split of the latest scores: jailed excluded, concentration cap respected', async () => {
        for (const tolerance of ['LOW', 'MEDIUM', 'HIGH'] as const) {
            const stake = 5000n
            const { delegationRecommendations: r } = await q(`{ delegationRecommendations(stake: "${stake}", riskTolerance: ${tolerance}) { ${FIELDS} } }`)
            const want = recommendDelegation(candidates(stake), stake, tolerance, config, 3)
            expect(r.epoch).toBe(2)
            expect(r.riskTolerance).toBe(tolerance)
            expect(r.allocations.map((a: any) => [a.validator.address, a.amount])).toEqual(want.map((w) => [w.validator, w.amount.toString()]))
            expect(r.allocations.map((a: any) => a.adjustedScore)).toEqual(want.map((w) => w.adjustedScore))
            expect(r.allocations.some((a: any) => a.validator.address === V3)).toBe(false)
            for (const a of r.allocations) {
                expect(a.validator.jailed).toBe(false)
                expect(a.stakeShareAfter).toBeLessThanOrEqual(config.params.concentrationCap + 1e-9)
                // share after = (stake + amount) / (all stake + delegated)
                expect(a.stakeShareAfter).toBeCloseTo(Number(BigInt(a.validator.stake) + BigInt(a.amount)) / Number(10_000n + stake), 5)
            }
            expect(BigInt(r.allocated) + BigInt(r.unallocated)).toBe(stake)
            expect(BigInt(r.allocated)).toBe(r.allocations.reduce((s: bigint, a: any) => s + BigInt(a.amount), 0n))
            expect(r.weightsUsed).toEqual(tiltedWeights(config.weights, tolerance))
            expect(COMPONENTS.reduce((s, c) => s + r.weightsUsed[c], 0)).toBeCloseTo(1, 12)
            expect(r.concentrationCap).toBe(config.params.concentrationCap)
            console.log(`delegationRecommendations(${stake}, ${tolerance}): ${r.allocations.map((a: any) => `${a.validator.address.slice(-3)}=${a.amount} (score ${a.adjustedScore.toFixed(4)}, share after ${a.stakeShareAfter})`).join(', ')}; unallocated ${r.unallocated}`)
        }
    })

    test('a big stake hits the concentration cap: what no candidate can take is left unallocated', async () => {
        const stake = 100_000n
        const { delegationRecommendations: r } = await q(`{ delegationRecommendations(stake: ${stake}, maxValidators: 2) { ${FIELDS} } }`)
        expect(r.allocations.length).toBeLessThanOrEqual(2)
        expect(r.allocations.some((a: any) => a.validator.address === V3)).toBe(false)
        const cap = config.params.concentrationCap
        for (const a of r.allocations) expect(Number(BigInt(a.validator.stake) + BigInt(a.amount)) / Number(10_000n + stake)).toBeLessThanOrEqual(cap + 1e-9)
        expect(BigInt(r.unallocated)).toBeGreaterThan(0n)
        expect(BigInt(r.allocated) + BigInt(r.unallocated)).toBe(stake)
    })

    test('a validator already at the cap is no candidate: the next one takes its place', async () => {
        // V1 holds 40% (> 33%): with 100 more tokens it cannot take anything, V2 is the best that can
        const { delegationRecommendations: r } = await q(`{ delegationRecommendations(stake: 100, maxValidators: 1) { ${FIELDS} } }`)
        expect(r.allocations.map((a: any) => [a.validator.address, a.amount])).toEqual([[V2, '100']])
        expect(r.unallocated).toBe('0')
        // the library itself skips validators already at the cap, so its single pick can take the stake
        const raw = recommendDelegation(candidates(100n).map((c) => ({ ...c, jailed: c.validator === V3 })), 100n, 'MEDIUM', config, 1)
        expect(raw.reduce((s, r) => s + r.amount, 0n)).toBe(100n)
    })

    test('stake ≤ 0 or not an integer: BAD_USER_INPUT', async () => {
        for (const s of ['"0"', '"-5"', '0', '-1']) {
            expect({ s, code: await code(`{ delegationRecommendations(stake: ${s}) { allocated } }`) }).toEqual({ s, code: 'BAD_USER_INPUT' })
        }
        expect(await code(`query($s: BigInt!) { delegationRecommendations(stake: $s) { allocated } }`, { s: '0' })).toBe('BAD_USER_INPUT')
        // not an integer: refused by the BigInt scalar before the resolver runs
        for (const s of ['"1.5"', '1.5', '"abc"', '""', '"1e18"']) await refused(`{ delegationRecommendations(stake: ${s}) { allocated } }`, undefined, /BigInt|stake/)
        await refused(`query($s: BigInt!) { delegationRecommendations(stake: $s) { allocated } }`, { s: '2.5' }, /BigInt/)
        expect(await code(`{ delegationRecommendations(stake: "10", maxValidators: 0) { allocated } }`)).toBe('BAD_USER_INPUT')
    })
})

// ---------------------------------------------------------------------------
// subscriptions

async function notify(payload: unknown) {
    await stack.pool.query(`SELECT pg_notify('squid_batch', $1)`, [typeof payload === 'string' ? payload : JSON.stringify(payload)])
}

const sub = (query: string, variables?: Record<string, unknown>) => clients.subscribe(query, variables)

const quiet = () => new Promise((r) => setTimeout(r, 200))

describe('subscriptions', () => {
    // new blocks 96..98 (epoch 3) with MEV; epoch 2 scored at 96
    const NEW: BlockFixture[] = [
        { height: 96, scheduled: V1, proposer: V1, missed: false, priorityFees: 1n, mev: 960n },
        { height: 97, scheduled: V2, proposer: V2, missed: false, priorityFees: 1n, mev: 970n },
        { height: 98, scheduled: V4, proposer: V4, missed: false, priorityFees: 1n, mev: 0n },
    ]
    const MEV_ITEM = `id kind blockNumber validator pool amount coinbaseTransfer { from amount } sandwich { pool victimCount victims(limit: 5) { id } } arbitrage { profitAmount swaps(limit: 5) { pool } }`

    beforeAll(async () => {
        BLOCKS.push(...NEW)
        for (const b of NEW) await insertBlock(stack.pool, b)
    })

    test('mevDetected: pushed after NOTIFY with changed.mev, with details; validator / pool / kinds filters; one query per notice', async () => {
        const all = sub(`subscription { mevDetected { ${MEV_ITEM} } }`)
        const v2 = sub(`subscription($v: String) { mevDetected(validator: $v) { id validator } }`, { v: V2 })
        const pool2Sandwiches = sub(`subscription { mevDetected(kinds: [SANDWICH], pool: "${POOL2}") { id kind pool } }`)
        const v1Transfers = sub(`subscription { mevDetected(kinds: [COINBASE_TRANSFER], validator: "${V1}") { id } }`)
        await until(() => server.hub.count('mevDetected') === 4)

        const ids = {
            cb96: await insertCoinbaseTransfer(stack.pool, 96, 960n),
            arb96: await insertArbitrage(stack.pool, 96, 11n),
            sw97: await insertSandwich(stack.pool, 97, POOL2, 6n),
            cb97: await insertCoinbaseTransfer(stack.pool, 97, 970n),
            sw98: await insertSandwich(stack.pool, 98, POOL1, 2n),
        }
        await setIndexerHead(stack.pool, 98)
        const q0 = server.feed.stats.queries
        const t0 = performance.now()
        // as the processor sends it: swaps are only in mevBlocks
        await notify({ height: 98, hash: '0x98', fromHeight: 96, head: true, changed: { mev: Object.values(ids), mevBlocks: ['96', '97', '98'], validators: [V1, V2, V4] } })

        const got = [await all.next(), await all.next(), await all.next(), await all.next(), await all.next()].map((e) => e.data.mevDetected)
        console.log(`mevDetected: NOTIFY → client ${(performance.now() - t0).toFixed(1)} ms`)
        // chain order
        expect(got.map((e) => e.id)).toEqual([ids.arb96, ids.cb96, ids.cb97, ids.sw97, ids.sw98])
        expect(got[0]).toMatchObject({ kind: 'ARBITRAGE', blockNumber: 96, validator: V1, arbitrage: { profitAmount: '11', swaps: [{ pool: POOL1 }, { pool: POOL2 }] } })
        expect(got[1]).toMatchObject({ kind: 'COINBASE_TRANSFER', coinbaseTransfer: { from: SEARCHER, amount: '960' }, sandwich: null })
        expect(got[3]).toMatchObject({ kind: 'SANDWICH', pool: POOL2, validator: V2, sandwich: { pool: POOL2, victimCount: 2, victims: [{ id: `${hk(97)}-00002-t` }, { id: `${hk(97)}-00003-t` }] } })
        expect((await v2.next()).data.mevDetected).toEqual({ id: ids.cb97, validator: V2 })
        expect((await v2.next()).data.mevDetected).toEqual({ id: ids.sw97, validator: V2 })
        expect((await pool2Sandwiches.next()).data.mevDetected).toEqual({ id: ids.sw97, kind: 'SANDWICH', pool: POOL2 })
        expect((await v1Transfers.next()).data.mevDetected).toEqual({ id: ids.cb96 })
        await quiet()
        expect(v2.events).toHaveLength(2)
        expect(pool2Sandwiches.events).toHaveLength(1)
        expect(v1Transfers.events).toHaveLength(1)
        expect(all.events).toHaveLength(5)
        // one statement for the topic, whatever the number of subscribers and filters
        expect(server.feed.stats.queries - q0).toBe(1)
    })

    test('mevDetected after a truncated notice: refetched by block range', async () => {
        const all = sub(`subscription { mevDetected { id blockNumber } }`)
        await until(() => server.hub.count('mevDetected') === 1)
        await insertBlock(stack.pool, { height: 99, scheduled: V1, proposer: V1, missed: false, priorityFees: 1n, mev: 990n })
        BLOCKS.push({ height: 99, scheduled: V1, proposer: V1, missed: false, priorityFees: 1n, mev: 990n })
        const id = await insertCoinbaseTransfer(stack.pool, 99, 990n)
        await setIndexerHead(stack.pool, 99)
        await notify({ height: 99, hash: '0x99', head: true, changed: { mev: [] }, truncated: true })
        expect((await all.next()).data.mevDetected).toEqual({ id, blockNumber: 99 })
        await quiet()
        expect(all.events).toHaveLength(1)
    })

    test('mevDetected refuses SWAP and malformed filters', async () => {
        for (const query of [`subscription { mevDetected(kinds: [SWAP]) { id } }`, `subscription { mevDetected(validator: "0x1") { id } }`, `subscription { validatorScoreUpdated(validator: "x") { epoch } }`]) {
            const e = await sub(query).next()
            expect({ query, code: e.errors?.[0]?.extensions?.code }).toEqual({ query, code: 'BAD_USER_INPUT' })
        }
        expect(server.hub.count('mevDetected')).toBe(0)
    })

    test('validatorScoreUpdated: the new score rows when an epoch is scored, filtered by validator', async () => {
        const all = sub(`subscription { validatorScoreUpdated { epoch rank total recomputedTotal validator { address } components { risk } weights { risk } } }`)
        const mine = sub(`subscription { validatorScoreUpdated(validator: "${V2}") { epoch rank total validator { address stakeShare } stat { epoch } } }`)
        await until(() => server.hub.count('validatorScoreUpdated') === 2)
        const EPOCH3: Record<string, Components> = {
            [V1]: { ...EPOCH2[V1], reliability: 1 },
            [V2]: { ...EPOCH2[V2], risk: 1 },
            [V4]: { ...EPOCH2[V4], mevPotential: 0.9 },
        }
        const ranks3 = await insertScores(stack.pool, 3, EPOCH3)
        const q0 = server.feed.stats.queries
        await notify({ height: 128, hash: '0x128', head: true, changed: { scores: ['3'], validators: [V1, V2, V4] } })
        const got = [await all.next(), await all.next(), await all.next()].map((e) => e.data.validatorScoreUpdated)
        expect(got.map((g) => [g.epoch, g.rank, g.validator.address, g.total])).toEqual(ranks3.map((r) => [3, r.rank, r.validator, r.total]))
        for (const g of got) expect(Math.abs(g.recomputedTotal - g.total)).toBeLessThan(1e-12)
        const m = (await mine.next()).data.validatorScoreUpdated
        expect(m).toEqual({ epoch: 3, rank: ranks3.find((r) => r.validator === V2)!.rank, total: ranks3.find((r) => r.validator === V2)!.total, validator: { address: V2, stakeShare: 0.3 }, stat: null })
        await quiet()
        expect(mine.events).toHaveLength(1)
        expect(all.events).toHaveLength(3)
        expect(server.feed.stats.queries - q0).toBe(1)
        // and the rankings now answer epoch 3
        expect((await q(`{ validatorRankings { epoch validator { address } } }`)).validatorRankings.map((r: any) => r.epoch)).toEqual([3, 3, 3])
    })

    test('both topics in one notice: one query each', async () => {
        const m = sub(`subscription { mevDetected { id } }`)
        const s = sub(`subscription { validatorScoreUpdated { epoch validator { address } } }`)
        await until(() => server.hub.count('mevDetected') === 1 && server.hub.count('validatorScoreUpdated') === 1)
        const id = await insertCoinbaseTransfer(stack.pool, 98, 5n)
        await insertScores(stack.pool, 4, { [V4]: EPOCH2[V4] })
        const q0 = server.feed.stats.queries
        await notify({ height: 160, hash: '0x160', head: true, changed: { mev: [id], scores: ['4'] } })
        expect((await m.next()).data.mevDetected).toEqual({ id })
        expect((await s.next()).data.validatorScoreUpdated).toEqual({ epoch: 4, validator: { address: V4 } })
        expect(server.feed.stats.queries - q0).toBe(2)
    })

    test('a reorg: the MEV events and scores of the abandoned blocks are pushed removed; unchanged rows are not pushed', async () => {
        // the previous test's subscribers are gone (dispose does not wait for the server)
        await until(() => server.hub.count('mevDetected') === 0 && server.hub.count('validatorScoreUpdated') === 0)
        const m = sub(`subscription { mevDetected { id reorg removed } }`)
        const s = sub(`subscription { validatorScoreUpdated { epoch reorg removed validator { address } } }`)
        await until(() => server.hub.count('mevDetected') === 1 && server.hub.count('validatorScoreUpdated') === 1)
        const id = `${hk(98)}-coinbase-${pad5(6)}-0`
        await insertMevEvent(stack.pool, { id, kind: 'COINBASE_TRANSFER', h: 98, pos: 6, account: SEARCHER, amount: 6n })
        await notify({ height: 170, hash: '0x170', head: true, changed: { mev: [id] } })
        expect((await m.next()).data.mevDetected).toEqual({ id, reorg: false, removed: false })
        // squid undoes blocks 98 on: this transfer and epoch 4's scores (computed at 160) vanish; the rest stays
        await stack.pool.query(`DELETE FROM mev_event WHERE id = $1`, [id])
        await stack.pool.query(`DELETE FROM validator_score WHERE epoch = 4`)
        await notify({ height: 171, hash: '0x171', head: true, reorg: true, fromHeight: 98, changed: {} })
        expect(await m.next()).toEqual({ data: { mevDetected: { id, reorg: true, removed: true } }, extensions: { reorg: true, removed: true } })
        expect(await s.next()).toEqual({ data: { validatorScoreUpdated: { epoch: 4, reorg: true, removed: true, validator: { address: V4 } } }, extensions: { reorg: true, removed: true } })
        await quiet()
        expect(m.events).toHaveLength(2)
        expect(s.events).toHaveLength(1)
    })
})
