/**
 * `reconcile --at <block>` on the real stack (anvil + embedded Postgres + the compiled processor): after simulated
 * settlement activity (deposits, commits, finalisations, claims), the index's state as of several past blocks —
 * read from the history tables, claims by block number — equals the contracts' view functions called at those
 * blocks (0 mismatches, every versioned row and claim checked); one corrupted history version, batch version or
 * claim is reported at the blocks it covers and nowhere else; bad arguments and blocks above the head are refused
 * in one line. Run `npx tsc -p tsconfig.json` first (the CLI runs lib/reconcile.js).
 */
import { spawnSync } from 'child_process'
import * as path from 'path'
import { reconcile, reconcileAt, ReconcileResult } from '../../src/reconcile'
import { VERSIONED_ENTITIES } from '../../src/model/versioned'
import { VIEW_CHECKS } from '../../src/reconcile/versioned'
import { FaultStack, freezeChain, rng, simulate, startFaultStack, stopProcessor, waitCaughtUp, withClient } from '../faults/support/stack'

jest.setTimeout(300_000)

let s: FaultStack
let head: number

beforeAll(async () => {
    s = await startFaultStack('reconcile-at')
    const p = await s.launch('p-rat')
    const stats = await simulate(s, 15_000, 23)
    await freezeChain(s)
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
