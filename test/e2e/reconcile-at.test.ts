/**
 * `reconcile --at <block>` on the real stack (anvil + embedded Postgres + the compiled processor): after validator
 * activity (register, delegate, jail, slash), simulated settlement (deposits, commits, finalisations, claims) and two
 * disputes ruled through the timelock with a commission change (support/governance.ts), the index's state as of
 * several past blocks — read from the history tables, claims by block number — equals the contracts' view functions
 * called at those blocks (0 mismatches, every versioned row of every VIEW_CHECKS entity and every claim checked);
 * one corrupted account, batch, dispute or validator version, or claim, is reported at the blocks it covers and
 * nowhere else; bad arguments, blocks above the head and blocks below the HISTORY_BLOCKS pruning horizon are refused
 * in one line (exit 2). Run `npx tsc -p tsconfig.json` first (the CLI runs lib/reconcile.js).
 */
import { spawnSync } from 'child_process'
import * as path from 'path'
import { reconcile, reconcileAt, ReconcileResult } from '../../src/reconcile'
import { VERSIONED_ENTITIES } from '../../src/model/versioned'
import { VIEW_CHECKS } from '../../src/reconcile/versioned'
import { ValidatorActivity } from '../../src/simulator/validators'
import { rpcCall } from '../../src/stack/anvil'
import { FaultStack, freezeChain, rng, simulate, startFaultStack, stopProcessor, waitCaughtUp, withClient } from '../faults/support/stack'
import { disputesAndCommission } from './support/governance'

jest.setTimeout(300_000)

let s: FaultStack
let head: number
let gov: Awaited<ReturnType<typeof disputesAndCommission>>

beforeAll(async () => {
    s = await startFaultStack('reconcile-at')
    const p = await s.launch('p-rat')
    // validators first, the settlement simulator after (both would send as the timelock proposer)
    const validators = new ValidatorActivity({ rpcUrl: s.anvil.url, deployment: s.deployment, seed: 11, governanceChance: 0.5, jailSeconds: 4 })
    await validators.setup()
    for (let i = 0; i < 10; i++) {
        await validators.tick()
        await new Promise((r) => setTimeout(r, 300))
    }
    await validators.stop()
    const stats = await simulate(s, 15_000, 23)
    await freezeChain(s)
    gov = await disputesAndCommission(s.anvil.url, s.deployment)
    head = (await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)).height
    await stopProcessor(p)
    expect(stats.claims).toBeGreaterThan(0)
})

afterAll(async () => {
    await s?.close()
})

const opts = () => ({ dbUrl: s.dbUrl, rpcUrl: s.anvil.url, contracts: s.contracts() })

function cli(args: string[]) {
    const r = spawnSync(process.execPath, [path.join(__dirname, '../../lib/reconcile.js'), ...args], {
        cwd: path.join(__dirname, '../..'),
        env: { ...process.env, DB_URL: s.dbUrl, RPC_URL: s.anvil.url, CHAIN_ID: '31337', DEPLOYMENTS_FILE: s.deploymentsFile },
        encoding: 'utf8',
    })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const q = (sql: string, params: unknown[] = []) => withClient(s.dbUrl, async (c) => (await c.query(sql, params)).rows)

/** Rows the as-of check must have covered at `n`: every versioned row there, and every indexed claim. */
async function itemsAt(n: number): Promise<{ batches: number; accounts: number; claims: number; claimsAfter: number }> {
    const [r] = await q(
        `SELECT (SELECT count(*)::int FROM batch_history WHERE block_range @> $1::int4) AS batches,
                (SELECT count(*)::int FROM escrow_account_history WHERE block_range @> $1::int4) AS accounts,
                (SELECT count(*)::int FROM claim) AS claims,
                (SELECT count(*)::int FROM claim WHERE block_number > $1) AS "claimsAfter"`,
        [n],
    )
    return r
}

function expectClean(r: ReconcileResult) {
    if (r.mismatches.length) throw new Error(`reconcile --at ${r.height}: ${r.checked} checked, ${r.mismatches.length} mismatches:\n${JSON.stringify(r.mismatches.slice(0, 20), null, 1)}`)
}

test('as of past blocks the index equals the view functions at those blocks; a corrupted version is found where it holds', async () => {
    expectClean(await reconcile(opts())) // the current state too (the same checks at the head)

    // past blocks: one where a batch's status then differs from its status now, the first claim's (claims after it
    // must read unclaimed there), and random ones in the indexed range
    const [changed] = await q(
        `SELECT h.id, lower(h.block_range) AS first, h.status AS then, b.status AS now FROM batch_history h JOIN batch b ON b.id = h.id
          WHERE h.status <> b.status ORDER BY h.id, lower(h.block_range) LIMIT 1`,
    )
    expect(changed).toBeDefined()
    const [claimBlocks] = await q(`SELECT min(block_number) AS a, max(block_number) AS b FROM claim`)
    expect(Number(claimBlocks.a)).toBeLessThan(Number(claimBlocks.b))
    const [{ lo }] = await q(`SELECT min(lower(block_range)) AS lo FROM batch_history`)
    const rand = rng(7)
    const heights = [Number(changed.first), Number(claimBlocks.a), ...Array.from({ length: 3 }, () => Number(lo) + Math.floor(rand() * (head - Number(lo))))]

    const lines: string[] = []
    for (const n of heights) {
        const r = await reconcileAt(n, opts())
        expectClean(r)
        const items = await itemsAt(n)
        expect(r.height).toBe(n)
        // one call per account, two per batch, one per claim (and the block itself)
        expect(r.checked).toBeGreaterThanOrEqual(items.accounts + 2 * items.batches + items.claims + 1)
        expect(items.batches + items.accounts).toBeGreaterThan(0)
        lines.push(`${n}: ${r.checked} checked (${items.accounts} accounts, ${items.batches} batches, ${items.claims} claims of which ${items.claimsAfter} after N)`)
    }
    expect((await itemsAt(heights[1])).claimsAfter).toBeGreaterThan(0)
    // what --at reads from history tables must be versioned
    for (const c of VIEW_CHECKS) expect({ entity: c.entity, versioned: VERSIONED_ENTITIES.has(c.entity) }).toEqual({ entity: c.entity, versioned: true })

    // the CLI: same answer, exit 0
    const ok = cli(['--at', String(heights[0])])
    expect({ status: ok.status, first: ok.stdout.split('\n')[0] }).toEqual({ status: 0, first: expect.stringMatching(new RegExp(`^reconcile: [1-9]\\d* checked, 0 mismatches at block ${heights[0]} \\(0x[0-9a-f]{64}\\)$`)) })

    // corrupt one closed version of an account: found at the blocks it covers, not after it
    const [v] = await q(
        `SELECT id, lower(block_range) AS lo, upper(block_range) AS hi FROM escrow_account_history WHERE NOT upper_inf(block_range) AND available > 0 ORDER BY id, lower(block_range) LIMIT 1`,
    )
    expect(v).toBeDefined()
    await q(`UPDATE escrow_account_history SET available = available + 1 WHERE id = $1 AND lower(block_range) = $2`, [v.id, v.lo])
    const bad = await reconcileAt(Number(v.lo), opts())
    // against accountOf, and in the token's total against the sum of its accounts at that block
    expect(bad.mismatches.map((m) => `${m.entity} ${m.field}`).sort()).toEqual(['EscrowAccount available', 'Token escrowHeld (sum of indexed accounts)'])
    expect(bad.mismatches[0]).toMatchObject({ entity: 'EscrowAccount', id: v.id })
    expectClean(await reconcileAt(Number(v.hi), opts()))
    const badCli = cli([`--at=${v.lo}`])
    expect(badCli.status).toBe(1)
    expect(badCli.stdout).toMatch(/^reconcile: \d+ checked, 2 mismatches at block \d+/)
    expect(badCli.stdout).toContain(`EscrowAccount ${v.id} available: indexed=`)

    // a batch version's status, and a claim moved after N (at N the chain already says claimed)
    await q(`UPDATE batch_history SET status = 'REJECTED' WHERE id = $1 AND block_range @> $2::int4`, [changed.id, Number(changed.first)])
    const [claim] = await q(`SELECT id, block_number FROM claim WHERE block_number <= $1 ORDER BY id LIMIT 1`, [heights[1]])
    await q(`UPDATE claim SET block_number = $2 WHERE id = $1`, [claim.id, heights[1] + 1])
    const bad2 = await reconcileAt(heights[1], opts())
    expect(bad2.mismatches).toEqual(
        expect.arrayContaining([expect.objectContaining({ entity: 'Claim', id: claim.id, field: `isClaimed (claim indexed at ${heights[1] + 1})`, indexed: 'false', chain: 'true' })]),
    )
    const bad3 = await reconcileAt(Number(changed.first), opts())
    expect(bad3.mismatches).toEqual(expect.arrayContaining([expect.objectContaining({ entity: 'Batch', id: changed.id, field: 'status', indexed: 'REJECTED' })]))

    // undone, for the tests after this one
    await q(`UPDATE escrow_account_history SET available = available - 1 WHERE id = $1 AND lower(block_range) = $2`, [v.id, v.lo])
    await q(`UPDATE batch_history SET status = $3 WHERE id = $1 AND block_range @> $2::int4`, [changed.id, Number(changed.first), changed.then])
    await q(`UPDATE claim SET block_number = $2 WHERE id = $1`, [claim.id, claim.block_number])
    console.log(`reconcile --at: ${lines.join('; ')}; batch ${changed.id.slice(0, 10)} ${changed.then} at ${changed.first}, ${changed.now} now; corrupted account version [${v.lo}, ${v.hi}) found at ${v.lo}, not at ${v.hi}; batch status and claim flag corruption found`)
})

test('reconcile --at: a bad, missing or unindexed block is refused in one line (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
        [['--at', 'abc'], /^reconcile: --at expects a block number/],
        [['--at', '-5'], /^reconcile: --at expects a block number/],
        [['--at'], /^reconcile: --at needs a block number$/],
        [['--at', String(head + 1000)], new RegExp(`^reconcile: block ${head + 1000} is above the indexed head ${head}$`)],
        [['--bogus'], /^reconcile: unknown argument "--bogus"/],
    ]
    for (const [args, re] of cases) {
        const r = cli(args)
        expect({ args, status: r.status, stdout: r.stdout, lines: r.stderr.trim().split('\n') }).toEqual({ args, status: 2, stdout: '', lines: [expect.stringMatching(re)] })
    }
    await expect(reconcileAt(head + 1, opts())).rejects.toThrow(`block ${head + 1} is above the indexed head ${head}`)
})

const NEW_ENTITIES = ['Payout', 'Dispute', 'ProtocolParams', 'RoleAssignment', 'Validator', 'Delegation']

/** The versions of each VIEW_CHECKS entity whose block range holds `n` (what --at must have compared). */
async function versionsAt(n: number): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const c of VIEW_CHECKS) out[c.entity] = (await q(`SELECT count(*)::int AS n FROM ${c.table}_history WHERE block_range @> $1::int4`, [n]))[0].n
    return out
}

test('payouts, disputes, protocol parameters, roles, validators and delegations as of past blocks equal the views; a corrupted dispute or validator version is found', async () => {
    // both disputes pending, after the rulings and the commission change, and the head
    const last = gov.blocks[gov.blocks.length - 1]
    const heights = [...new Set([gov.bothPendingAt, last, head])]
    const total: Record<string, number> = {}
    const outcomes = new Set<string>()
    for (const n of heights) {
        const r = await reconcileAt(n, opts())
        expectClean(r)
        // every version holding n was compared, of every entity
        expect({ n, rows: r.rows }).toEqual({ n, rows: await versionsAt(n) })
        for (const e of NEW_ENTITIES) total[e] = (total[e] ?? 0) + (r.rows?.[e] ?? 0)
        for (const x of await q(`SELECT DISTINCT outcome FROM dispute_history WHERE block_range @> $1::int4`, [n])) outcomes.add(x.outcome)
    }
    for (const e of NEW_ENTITIES) expect({ entity: e, compared: total[e] > 0 }).toEqual({ entity: e, compared: true })
    // each branch of the dispute check was exercised (pending, then upheld and dismissed)
    expect([...outcomes].sort()).toEqual(['DISMISSED', 'PENDING', 'UPHELD'])

    // corrupt the pending version of a dispute, and the version of a validator at the same block
    const n = gov.bothPendingAt
    const [d] = await q(`SELECT id, upper(block_range) AS hi FROM dispute_history WHERE id = $1 AND block_range @> $2::int4 AND outcome = 'PENDING'`, [gov.disputed[0], n])
    expect(d).toBeDefined()
    await q(`UPDATE dispute_history SET outcome = 'DISMISSED' WHERE id = $1 AND block_range @> $2::int4`, [d.id, n])
    const [val] = await q(`SELECT id, upper(block_range) AS hi FROM validator_history WHERE block_range @> $1::int4 ORDER BY id LIMIT 1`, [n])
    expect(val).toBeDefined()
    await q(`UPDATE validator_history SET commission_bps = commission_bps + 1 WHERE id = $1 AND block_range @> $2::int4`, [val.id, n])
    const bad = await reconcileAt(n, opts())
    expect(bad.mismatches.map((m) => ({ entity: m.entity, id: m.id, field: m.field }))).toEqual([
        { entity: 'Dispute', id: d.id, field: 'outcome (from the batch status)' },
        { entity: 'Validator', id: val.id, field: 'commissionBps' },
    ])
    expect(bad.mismatches[0]).toMatchObject({ indexed: 'DISMISSED', chain: 'PENDING' })
    expect(Number(bad.mismatches[1].indexed)).toBe(Number(bad.mismatches[1].chain) + 1)
    const badCli = cli(['--at', String(n)])
    expect({ status: badCli.status, first: badCli.stdout.split('\n')[0] }).toEqual({ status: 1, first: expect.stringMatching(new RegExp(`^reconcile: \\d+ checked, 2 mismatches at block ${n} `)) })
    // not at the block each corrupted version ends at
    for (const [entity, hi] of [['Dispute', d.hi], ['Validator', val.hi]]) {
        if (hi == null) continue
        const after = await reconcileAt(Math.min(Number(hi), head), opts())
        expect({ entity, at: after.height, mismatches: after.mismatches.filter((m) => m.entity === entity) }).toEqual({ entity, at: after.height, mismatches: [] })
    }
    await q(`UPDATE dispute_history SET outcome = 'PENDING' WHERE id = $1 AND block_range @> $2::int4`, [d.id, n])
    await q(`UPDATE validator_history SET commission_bps = commission_bps - 1 WHERE id = $1 AND block_range @> $2::int4`, [val.id, n])
    console.log(`reconcile --at (new entities) at ${heights.join(', ')}: compared ${JSON.stringify(total)}; corrupted dispute ${d.id.slice(0, 10)} and validator ${val.id.slice(0, 10)} found at ${n}`)
})

test('reconcile --at a block below the HISTORY_BLOCKS horizon is refused in one line (exit 2); from the horizon on it compares', async () => {
    // the first block with a version: answerable before the prune, refused after it
    const first = Number((await q(`SELECT min(lower(block_range)) AS lo FROM escrow_account_history`))[0].lo)
    expect((await reconcileAt(first, opts())).rows?.EscrowAccount).toBeGreaterThan(0)
    const keep = 8
    const p = await s.launch('p-rat-prune', { HISTORY_BLOCKS: String(keep), HISTORY_PRUNE_EVERY: '1' })
    await rpcCall(s.anvil.url, 'anvil_mine', ['0x5'])
    await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)
    let row: any
    for (let i = 0; i < 100 && !row; i++) {
        row = (await q(`SELECT pruned_below FROM history_pruned WHERE id = 0`))[0]
        if (!row) await rpcCall(s.anvil.url, 'evm_mine', []).then(() => new Promise((r) => setTimeout(r, 300)))
    }
    const head2 = (await waitCaughtUp(s.dbUrl, s.anvil.url, 60_000, p)).height
    await stopProcessor(p)
    expect(row).toBeDefined()
    const horizon = Number((await q(`SELECT pruned_below FROM history_pruned WHERE id = 0`))[0].pruned_below)
    expect(horizon).toBeGreaterThan(first)

    for (const n of [horizon - 1, first]) {
        const r = cli(['--at', String(n)])
        expect({ n, status: r.status, stdout: r.stdout, lines: r.stderr.trim().split('\n') }).toEqual({
            n,
            status: 2,
            stdout: '',
            lines: [`reconcile: block ${n} was pruned (history kept from block ${horizon}; HISTORY_BLOCKS)`],
        })
    }
    await expect(reconcileAt(horizon - 1, opts())).rejects.toThrow(`block ${horizon - 1} was pruned (history kept from block ${horizon}; HISTORY_BLOCKS)`)
    // the horizon itself and the head: full comparisons, clean
    for (const n of [horizon, head2]) {
        const r = await reconcileAt(n, opts())
        expectClean(r)
        expect({ n, rows: r.rows }).toEqual({ n, rows: await versionsAt(n) })
    }
    expect(cli(['--at', String(horizon)]).status).toBe(0)
})
