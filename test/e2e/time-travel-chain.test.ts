/**
 * Time travel against the contracts, on the real stack (anvil + embedded Postgres + the compiled processor and API):
 * validators register, delegate, get jailed and slashed; the settlement simulator deposits, commits, finalises and
 * claims; two batches are disputed and ruled through the timelock and a commission is changed (support/governance.ts).
 * At many random past blocks and around those transitions, the as-of answers (escrow balances and locks, batch status,
 * payouts, disputes, validators, delegations, role assignments, protocol parameters, escrowUtilisation, claim flags
 * through claimableBalance and batchLifecycle) must equal the contracts' view functions called at that block
 * (support/chain-views.ts). Then a forced reorg (evm_snapshot / evm_revert), checked the same way on both sides of
 * the fork; then the processor restarted with HISTORY_BLOCKS: blocks below the recorded horizon are refused with
 * BLOCK_PRUNED (generated and custom queries), the versions it covered are gone, and the blocks from the horizon on
 * still equal the chain.
 */
import { Pool } from 'pg'
import { rpcCall } from '../../src/stack/anvil'
import { ValidatorActivity } from '../../src/simulator/validators'
import { fundPayer } from '../../bench/support/chain'
import { FaultStack, freezeChain, gql, simulate, startApiServer, startFaultStack, stopProcessor, waitCaughtUp, ApiServer } from '../faults/support/stack'
import { Checked, deployedFrom, expectAsOfEqualsChain, loadLeaves, Leaves, ViewTarget } from './support/chain-views'
import { disputesAndCommission } from './support/governance'

jest.setTimeout(600_000)

let s: FaultStack
let api: ApiServer
let target: ViewTarget

beforeAll(async () => {
    s = await startFaultStack('ttchain')
    api = await startApiServer(s, 'api', { GQL_ANON_RATE_LIMIT_RPS: '0', GQL_RATE_LIMIT_RPS: '0', USAGE_BATCHER: 'false' })
    target = { apiUrl: api.url, rpcUrl: s.anvil.url, dbUrl: s.dbUrl, deployment: s.deployment }
})

afterAll(async () => {
    await s?.close()
})

/** Deterministic sample of `k` distinct heights in [lo, hi]. */
function sample(lo: number, hi: number, k: number, seed: number): number[] {
    let x = seed
    const out = new Set<number>()
    while (out.size < Math.min(k, hi - lo + 1)) {
        x = (x * 1103515245 + 12345) % 2 ** 31
        out.add(lo + (x % (hi - lo + 1)))
    }
    return [...out].sort((a, b) => a - b)
}

function add(total: Checked, c: Checked): void {
    for (const k of Object.keys(c) as (keyof Checked)[]) total[k] = (total[k] ?? 0) + c[k]
}

async function checkAll(heights: number[], leaves: Leaves, total: Checked): Promise<void> {
    for (const n of heights) add(total, await expectAsOfEqualsChain(target, n, leaves))
}

async function errorOf(query: string, n: number): Promise<any> {
    const r = await gql(api.url, query, { n })
    return r.body.errors?.[0]?.extensions
}

test('as-of answers equal the contracts at random past blocks, across a reorg and after pruning', async () => {
    const p = await s.launch('p-ttc', { FINALITY_CONFIRMATIONS: '10' })
    const total = {} as Checked
    // validators first, the settlement simulator after (both would send as the timelock proposer)
    const validators = new ValidatorActivity({ rpcUrl: s.anvil.url, deployment: s.deployment, seed: 11, governanceChance: 0.5, jailSeconds: 4 })
    await validators.setup()
    for (let i = 0; i < 14; i++) {
        await validators.tick()
        await new Promise((r) => setTimeout(r, 300))
    }
    await validators.stop()
    const stats = await simulate(s, 18_000, 23)
    await freezeChain(s)
    const gov = await disputesAndCommission(s.anvil.url, s.deployment)
    const head = await waitCaughtUp(s.dbUrl, s.anvil.url, 120_000, p)
    const leaves = await loadLeaves(s.dbUrl)
    expect(leaves.size).toBeGreaterThan(3)

    // (from the block where every contract exists: before it, a view function has no code to answer)
    const heights = sample(await deployedFrom(s.anvil.url, s.deployment, head.height), head.height, 14, 7)
    // random heights, and both sides of each dispute, ruling and commission change
    await checkAll([...new Set([...heights, ...gov.blocks, head.height])].sort((a, b) => a - b), leaves, total)
    for (const k of ['accounts', 'batches', 'absentBatches', 'payouts', 'disputes', 'validators', 'delegations', 'utilisation', 'roles', 'params', 'claimFlags', 'lifecycles'] as const) {
        expect({ kind: k, checked: total[k] > 0 }).toEqual({ kind: k, checked: true })
    }

    // the disputes and the commission changed between the heights checked (otherwise the checks prove little)
    const disputes = await gql(api.url, `query($a: Int!, $b: Int!) { a: disputes(block: { number: $a }, orderBy: id_ASC) { id outcome } b: disputes(block: { number: $b }, orderBy: id_ASC) { id outcome } }`, {
        a: gov.bothPendingAt,
        b: head.height,
    })
    expect(disputes.body.data.a.filter((x: any) => gov.disputed.includes(x.id)).map((x: any) => x.outcome)).toEqual(['PENDING', 'PENDING'])
    expect(disputes.body.data.b.filter((x: any) => gov.disputed.includes(x.id)).map((x: any) => x.outcome).sort()).toEqual(['DISMISSED', 'UPHELD'])
    const commissions = new Set<number>()
    for (const n of gov.blocks) {
        const r = await gql(api.url, `query($n: Int!, $id: String!) { validatorById(id: $id, block: { number: $n }) { commissionBps } }`, { n, id: gov.validator })
        commissions.add(r.body.data.validatorById?.commissionBps)
    }
    expect(commissions.size).toBeGreaterThanOrEqual(2)

    // custom queries refuse what the generated ones refuse
    expect((await errorOf(`query($n: Int!) { escrowUtilisation(block: { number: $n }) { token } }`, head.height + 1000))?.code).toBe('BLOCK_NOT_INDEXED')
    expect((await errorOf(`query($n: Int!) { batchLifecycle(id: "0x${'00'.repeat(32)}", block: { number: $n }) { status } }`, -1))?.code).toBe('BAD_USER_INPUT')

    // a forced reorg in the hot range: branch A deposits, branch B replaces it with empty blocks
    const fork = head.height
    const snap = await rpcCall<string>(s.anvil.url, 'evm_snapshot', [])
    await fundPayer(s.anvil.url, s.deployment, 41, 700_000_000n)
    await fundPayer(s.anvil.url, s.deployment, 42, 300_000_000n)
    const headA = await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    expect(await rpcCall(s.anvil.url, 'evm_revert', [snap])).toBe(true)
    await rpcCall(s.anvil.url, 'anvil_mine', ['0x' + (headA.height - fork + 3).toString(16)])
    const headB = await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    await checkAll([fork - 2, fork, fork + 1, headA.height, headB.height], leaves, total)

    // pruning: the processor restarted with HISTORY_BLOCKS; a handler call after some blocks prunes
    await stopProcessor(p)
    const keep = 8
    const p2 = await s.launch('p-ttc-prune', { FINALITY_CONFIRMATIONS: '10', HISTORY_BLOCKS: String(keep), HISTORY_PRUNE_EVERY: '1' })
    await rpcCall(s.anvil.url, 'anvil_mine', ['0x5'])
    const head2 = await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p2)
    const pool = new Pool({ connectionString: s.dbUrl, max: 1 })
    let horizon = 0
    try {
        let row: any
        for (let i = 0; i < 100 && !row; i++) {
            row = (await pool.query(`SELECT pruned_below FROM history_pruned WHERE id = 0`)).rows[0]
            if (!row) await rpcCall(s.anvil.url, 'evm_mine', []).then(() => new Promise((r) => setTimeout(r, 300)))
        }
        expect(row).toBeDefined()
        horizon = row.pruned_below
        const finalized = Number((await pool.query(`SELECT height FROM squid_processor.status WHERE id = 0`)).rows[0].height)
        expect(horizon).toBeGreaterThan(heights[0])
        expect(horizon).toBeLessThanOrEqual(finalized - keep)
        // the versions that ended at or below the horizon are gone, in every history table
        const left = await pool.query(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE '%\\_history' ORDER BY 1`,
        )
        expect(left.rows.length).toBe(10)
        for (const { table_name } of left.rows) {
            const n = (await pool.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE upper(block_range) <= $1`, [horizon])).rows[0].n
            expect({ table_name, n }).toEqual({ table_name, n: 0 })
        }
    } finally {
        await pool.end()
    }
    for (const q of [
        `query($n: Int!) { batches(block: { number: $n }) { id } }`,
        `query($n: Int!) { validatorsConnection(block: { number: $n }, orderBy: id_ASC) { totalCount } }`,
        `query($n: Int!) { escrowUtilisation(block: { number: $n }) { token } }`,
        `query($n: Int!) { claimableBalance(payee: "0x${'11'.repeat(20)}", block: { number: $n }) { payee } }`,
    ]) {
        expect({ q, ext: await errorOf(q, horizon - 1) }).toEqual({ q, ext: { code: 'BLOCK_PRUNED', block: horizon - 1, prunedBelow: horizon } })
    }
    await checkAll([horizon, ...sample(horizon, head2.height, 3, 3)], leaves, total)
    await stopProcessor(p2)
    console.log(
        `time travel vs chain: ${stats.committed} batches committed, ${stats.disputed} disputed, ${stats.claims} claims, validators ${JSON.stringify(validators.stats)}; ` +
            `${gov.blocks.length} heights around disputes/rulings/commission; ${heights.length + 1} random heights + reorg ${headA.height - fork} deep + pruned below ${horizon}; compared ${JSON.stringify(total)}`,
    )
})
