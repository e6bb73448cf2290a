/**
 * End to end against embedded Postgres + anvil: deploy, simulated activity, the compiled processor
 * (SIGKILLed and restarted mid-way), NOTIFY payloads, reconcile = 0 mismatches, a reorg (evm_snapshot
 * → txs → indexed → evm_revert → other txs), and equality with a fresh index of the same chain.
 *
 * Set E2E_LOGS=1 to echo the stack's log lines.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Contract, JsonRpcProvider, NonceManager, Wallet } from 'ethers'
import { Client } from 'pg'
import { contract } from '../../src/contracts'
import { deployAll } from '../../src/deploy/deploy'
import { Deployment, writeDeployment } from '../../src/deploy/deployments'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../../src/deploy/local-accounts'
import { localDeployOptions } from '../../src/deploy/local-options'
import { reconcile } from '../../src/reconcile'
import { buildBatch, batchIdFromKey } from '../../src/settlement/batch-builder'
import { Simulator } from '../../src/simulator/simulator'
import { Anvil, rpcCall, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/stack/postgres'
import { freePort } from '../../src/stack/util'
import { checkProtocolEventView } from './support/protocol-event-view'
import {
    ProcessorHandle,
    buildLib,
    chainHead,
    dumpEntities,
    rowCounts,
    schemaObjects,
    startProcessor,
    stopProcessor,
    waitCaughtUp,
    withClient,
} from './support/e2e'

jest.setTimeout(600_000)

const USDC = 1_000_000n
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let tmp: string
let pg: EmbeddedPostgres
let anvil: Anvil
let deployment: Deployment
let deploymentsFile: string
let dbUrl: string
let freshDbUrl: string
const processors: ProcessorHandle[] = []
let listener: Client
const notifications: string[] = []
const stackLogs: string[] = []

function contracts() {
    return Object.fromEntries(Object.entries(deployment.contracts).map(([k, v]) => [k, v.toLowerCase()]))
}

async function processorEnv(url: string): Promise<Record<string, string>> {
    return {
        DB_URL: url,
        RPC_URL: anvil.url,
        CHAIN_ID: '31337',
        DEPLOYMENTS_FILE: deploymentsFile,
        FINALITY_CONFIRMATIONS: '5',
        RPC_HEAD_POLL_MS: '100',
        PROMETHEUS_PORT: String(await freePort()),
    }
}

const metricsPorts = new Map<ProcessorHandle, number>()

async function launch(url: string, name: string, extraEnv: Record<string, string> = {}): Promise<ProcessorHandle> {
    const env = { ...(await processorEnv(url)), ...extraEnv }
    const h = startProcessor(env, path.join(tmp, `${name}.log`))
    processors.push(h)
    metricsPorts.set(h, Number(env.PROMETHEUS_PORT))
    return h
}

async function mine(n: number) {
    for (let i = 0; i < n; i++) await rpcCall(anvil.url, 'evm_mine', [])
}

/** Receipt by polling (ethers' wait() can miss an automined block when no further block follows). */
async function mined(tx: Promise<{ hash: string }>): Promise<any> {
    const { hash } = await tx
    for (let i = 0; i < 200; i++) {
        const r = await rpcCall(anvil.url, 'eth_getTransactionReceipt', [hash])
        if (r) {
            if (r.status !== '0x1') throw new Error(`tx ${hash} reverted`)
            return r
        }
        await sleep(25)
    }
    throw new Error(`no receipt for ${hash}`)
}

beforeAll(async () => {
    setLogSink((l) => {
        stackLogs.push(l)
        if (process.env.E2E_LOGS) process.stdout.write(l + '\n')
    })
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'processor-e2e-'))
    fs.chmodSync(tmp, 0o755)
    const built = new Promise<void>((resolve, reject) => {
        try {
            buildLib()
            resolve()
        } catch (e) {
            reject(e)
        }
    })
    ;[pg, anvil] = await Promise.all([
        startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid' }),
        // interval mining while deploying and simulating (ethers' tx.wait() needs later blocks);
        // the reorg test switches to automine for exact control
        startAnvil({ port: await freePort(), blockTime: 1 }),
    ])
    await built
    dbUrl = pg.url
    await withClient(dbUrl, (c) => c.query('CREATE DATABASE fresh'))
    freshDbUrl = dbUrl.replace(/\/squid$/, '/fresh')
    deployment = await deployAll(localDeployOptions(anvil.url, { disputeWindow: 3, timelockMinDelay: 2 }))
    deploymentsFile = writeDeployment(deployment, path.join(tmp, '31337.json'))
})

afterAll(async () => {
    for (const h of processors) await stopProcessor(h, 'SIGKILL').catch(() => {})
    await listener?.end().catch(() => {})
    await anvil?.stop().catch(() => anvil.kill())
    await pg?.stop().catch((e) => {
        stackLogs.push(`pg stop failed: ${e}`)
        pg.kill()
    })
    setLogSink(null)
    if (process.env.E2E_HANDLES) console.log(stackLogs.slice(-15).join('\n'))
    if (process.env.E2E_HANDLES) console.log((process as any)._getActiveHandles().map((h: any) => [h?.constructor?.name, h?.remoteAddress ?? h?.spawnfile ?? h?.path ?? '', h?.pid, h?.exitCode, h?.signalCode, h?.fd ?? h?._handle?.fd].join(' ')))
    if (!process.env.E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true })
})

test('index simulated activity through a SIGKILL restart, then reconcile', async () => {
    let p1 = await launch(dbUrl, 'p1')
    // migrations are applied at start; wait for the state schema, then LISTEN
    await waitCaughtUp(dbUrl, anvil.url, 60_000, p1)
    listener = new Client({ connectionString: dbUrl })
    await listener.connect()
    listener.on('notification', (n) => notifications.push(n.payload ?? ''))
    await listener.query('LISTEN squid_batch')

    const pool = new (require('pg').Pool)({ connectionString: dbUrl, max: 2 })
    const sim = new Simulator({
        rpcUrl: anvil.url,
        deployment,
        db: pool,
        seed: 7,
        payers: 3,
        publishers: 8,
        advertisers: 1,
        recordsPerBatch: [20, 60],
    })
    await sim.setup()
    const t0 = Date.now()
    let killed = false
    while (Date.now() - t0 < 20_000) {
        await sim.tick()
        if (!killed && Date.now() - t0 > 8_000) {
            // crash the processor mid-flight and start it again on the same database
            await stopProcessor(p1, 'SIGKILL')
            killed = true
            p1 = await launch(dbUrl, 'p1-restart')
        }
        await sleep(250)
    }
    // let pending resolutions/finalisations/claims happen
    for (let i = 0; i < 12; i++) {
        await sim.tick()
        await sleep(400)
    }
    await sim.stop()
    await pool.end()
    // from here on: a block only when we send a transaction or evm_mine
    await rpcCall(anvil.url, 'evm_setIntervalMining', [0])
    await rpcCall(anvil.url, 'evm_setAutomine', [true])
    await mine(2)
    const head = await waitCaughtUp(dbUrl, anvil.url, 120_000, p1)

    const counts = await rowCounts(dbUrl)
    expect(counts.batch).toBeGreaterThan(3)
    expect(counts.claim).toBeGreaterThan(3)
    expect(counts.escrow_movement).toBeGreaterThan(counts.batch)
    expect(counts.participant).toBe(12)
    expect(counts.role_assignment).toBeGreaterThan(10)
    expect(counts.token_day_stat).toBeGreaterThanOrEqual(1)
    expect(sim.stats.finalized).toBeGreaterThan(0)

    const r = await reconcile({ dbUrl, rpcUrl: anvil.url, contracts: contracts() })
    if (r.mismatches.length) console.log(r.mismatches)
    expect(r.height).toBe(head.height)
    expect(r.mismatches).toEqual([])
    // ProtocolEvent (a view: stored rows + escrow movements) against every decoded log of the chain
    const view = await checkProtocolEventView(dbUrl, anvil.url, contracts(), head.height)
    expect(view.mismatches).toEqual([])
    expect(view.derived).toBeGreaterThan(counts.batch)
    expect(view.logs).toBeGreaterThan(view.derived)
    expect(r.checked).toBeGreaterThan(counts.batch + counts.claim + counts.escrow_account)

    // NOTIFY: one per committed handler call, small JSON, delivered after commit
    await sleep(300)
    expect(notifications.length).toBeGreaterThan(3)
    const payloads = notifications.map((n) => JSON.parse(n))
    for (const n of notifications) expect(Buffer.byteLength(n)).toBeLessThan(8000)
    expect(payloads.some((p) => p.changed.batches?.length)).toBe(true)
    expect(payloads.some((p) => p.changed.claims?.length)).toBe(true)
    expect(payloads[payloads.length - 1]).toMatchObject({ height: head.height, hash: head.hash })

    const log = fs.readFileSync(path.join(tmp, 'p1-restart.log'), 'utf8')
    expect(log).toMatch(/progress: block \d+/)
    expect(log).not.toMatch(/"level":4/) // no mapping warnings (stubs, unknown references)
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPorts.get(p1)}/metrics`)).text()
    expect(metrics).toMatch(/^sqd_processor_last_block \d+/m)
    expect(metrics).toMatch(/^settlement_events_total\{contract="Distributor",event="Claimed"\} \d+/m)
    expect(metrics).toMatch(/^settlement_lag_blocks 0/m)
    console.log(
        `e2e: head ${head.height}; rows ${JSON.stringify(counts)}; simulator ${JSON.stringify(sim.stats)}; ` +
            `reconcile ${r.checked} checked, ${r.mismatches.length} mismatches; ${notifications.length} notifications, ` +
            `max ${Math.max(...notifications.map((n) => Buffer.byteLength(n)))} bytes`,
    )
})

test('disputes ruled through the timelock, pause/unpause, a cancelled operation', async () => {
    const p = processors[processors.length - 1]
    const provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, pollingInterval: 100 })
    const w = (i: number) => new NonceManager(new Wallet(anvilKey(i), provider))
    const payerW = w(FIRST_PARTICIPANT)
    const operatorW = w(LOCAL_ROLES.operator)
    const proposerW = w(LOCAL_ROLES.proposer)
    const pauserW = w(LOCAL_ROLES.pauser)
    const payer = await payerW.getAddress()
    const token = deployment.contracts.MockUSDC
    const ledgerAt = deployment.contracts.BatchLedger
    const ledger = (x: NonceManager) => contract('BatchLedger', ledgerAt, x) as Contract
    const timelock = contract('PlatformTimelock', deployment.contracts.PlatformTimelock, proposerW) as Contract
    const escrowAt = deployment.contracts.Escrow
    const ZERO = '0x' + '00'.repeat(32)

    const publisher = new Wallet(anvilKey(FIRST_PARTICIPANT + 3)).address
    const built = buildBatch([{ payee: publisher, amount: 3n * USDC }, { payee: payer, amount: 1n * USDC }])
    const upheld = batchIdFromKey(`e2e-upheld-${Date.now()}`)
    const dismissed = batchIdFromKey(`e2e-dismissed-${Date.now()}`)
    for (const id of [upheld, dismissed]) {
        await mined(ledger(operatorW).commitBatch(id, payer, token, built.root, built.totalAmount, 2, `ipfs://${id}`))
        await mined(ledger(payerW).dispute(id, 0, [], 'numbers look off'))
    }
    const ledgerIface = ledger(operatorW).interface
    const escrowIface = (contract('Escrow', escrowAt, null) as Contract).interface
    const salt = (n: number) => '0x' + n.toString(16).padStart(64, '0')
    // one batch operation: uphold one dispute, dismiss the other
    const targets = [ledgerAt, ledgerAt]
    const datas = [ledgerIface.encodeFunctionData('resolveDispute', [upheld, true]), ledgerIface.encodeFunctionData('resolveDispute', [dismissed, false])]
    await mined(timelock.scheduleBatch(targets, [0, 0], datas, ZERO, salt(1), 2))
    // an operation scheduled and cancelled
    const unpause = escrowIface.encodeFunctionData('unpause', [])
    await mined(timelock.schedule(escrowAt, 0, unpause, ZERO, salt(2), 2))
    const cancelledId = await timelock.hashOperation(escrowAt, 0, unpause, ZERO, salt(2))
    await mined(timelock.cancel(cancelledId))
    // pause by the pauser, unpause through the timelock
    await mined((contract('Escrow', escrowAt, pauserW) as Contract).pause())
    await mined(timelock.schedule(escrowAt, 0, unpause, ZERO, salt(3), 2))
    await rpcCall(anvil.url, 'evm_increaseTime', [5])
    await mine(1)
    // (unlocking the upheld batch's funds needs the Escrow unpaused)
    await mined(timelock.execute(escrowAt, 0, unpause, ZERO, salt(3)))
    await mined(timelock.executeBatch(targets, [0, 0], datas, ZERO, salt(1)))
    // the dismissed batch finalises after its window
    await rpcCall(anvil.url, 'evm_increaseTime', [5])
    await mine(1)
    await mined(ledger(operatorW).finalize(dismissed))
    await waitCaughtUp(dbUrl, anvil.url, 60_000, p)

    await withClient(dbUrl, async (c) => {
        const q = async (sql: string, args: unknown[] = []) => (await c.query(sql, args)).rows
        expect(await q('SELECT id, status, disputed FROM batch WHERE id = ANY($1) ORDER BY status', [[upheld, dismissed]])).toEqual([
            { id: dismissed, status: 'FINALIZED', disputed: true },
            { id: upheld, status: 'REJECTED', disputed: true },
        ])
        expect(await q('SELECT outcome, by_payer FROM dispute WHERE id = $1', [upheld])).toEqual([{ outcome: 'UPHELD', by_payer: true }])
        expect(await q('SELECT outcome FROM dispute WHERE id = $1', [dismissed])).toEqual([{ outcome: 'DISMISSED' }])
        expect(await q('SELECT status, call_count, executed_call_count, salt FROM timelock_operation ORDER BY scheduled_at_block')).toEqual([
            { status: 'EXECUTED', call_count: 2, executed_call_count: 2, salt: salt(1) },
            { status: 'CANCELLED', call_count: 1, executed_call_count: 0, salt: salt(2) },
            { status: 'EXECUTED', call_count: 1, executed_call_count: 1, salt: salt(3) },
        ])
        expect(await q(`SELECT paused FROM pause_change ORDER BY id`)).toEqual([{ paused: true }, { paused: false }])
        expect(await q(`SELECT sum(dispute_count)::int AS d, sum(rejected_batch_count)::int AS r FROM token_day_stat`)).toEqual([{ d: 2, r: 1 }])
    })
    const r = await reconcile({ dbUrl, rpcUrl: anvil.url, contracts: contracts() })
    if (r.mismatches.length) console.log(r.mismatches)
    expect(r.mismatches).toEqual([])
    console.log(`e2e governance: reconcile ${r.checked} checked, ${r.mismatches.length} mismatches`)
    provider.destroy()
})

test('reorg: rows of orphaned blocks disappear, state matches the chain and a fresh index', async () => {
    const p = processors[processors.length - 1]
    const provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, pollingInterval: 100 })
    const payerWallet = new NonceManager(new Wallet(anvilKey(FIRST_PARTICIPANT), provider))
    const payer2Wallet = new NonceManager(new Wallet(anvilKey(FIRST_PARTICIPANT + 1), provider))
    const operatorWallet = new NonceManager(new Wallet(anvilKey(LOCAL_ROLES.operator), provider))
    const payer = await payerWallet.getAddress()
    const escrow = (w: NonceManager) => contract('Escrow', deployment.contracts.Escrow, w) as Contract
    const ledger = contract('BatchLedger', deployment.contracts.BatchLedger, operatorWallet) as Contract
    const token = deployment.contracts.MockUSDC

    const snapshot = await rpcCall<string>(anvil.url, 'evm_snapshot', [])
    const before = await chainHead(anvil.url)

    // branch A: a deposit and a committed batch
    await mined(escrow(payerWallet).deposit(token, 1234n * USDC))
    const publisher = new Wallet(anvilKey(FIRST_PARTICIPANT + 3)).address
    const built = buildBatch([{ payee: publisher, amount: 5n * USDC }])
    const orphanBatch = batchIdFromKey(`reorg-orphan-${Date.now()}`)
    await mined(ledger.commitBatch(orphanBatch, payer, token, built.root, built.totalAmount, 1, 'ipfs://orphan'))
    const headA = await waitCaughtUp(dbUrl, anvil.url, 60_000, p)
    expect(headA.height).toBe(before.height + 2)
    await withClient(dbUrl, async (c) => {
        expect((await c.query('SELECT status FROM batch WHERE id = $1', [orphanBatch.toLowerCase()])).rows).toEqual([{ status: 'COMMITTED' }])
    })

    // branch B from the snapshot: different transactions, and a longer chain
    expect(await rpcCall(anvil.url, 'evm_revert', [snapshot])).toBe(true)
    payerWallet.reset()
    operatorWallet.reset()
    await mined(escrow(payer2Wallet).deposit(token, 777n * USDC))
    await mine(3)
    const headB = await waitCaughtUp(dbUrl, anvil.url, 60_000, p)
    expect(headB.height).toBe(before.height + 4)
    expect(headB.hash).not.toBe(headA.hash)
    await withClient(dbUrl, async (c) => {
        expect((await c.query('SELECT id FROM batch WHERE id = $1', [orphanBatch.toLowerCase()])).rows).toEqual([])
        const amounts = (await c.query(`SELECT amount FROM escrow_movement WHERE block_number > $1 ORDER BY id`, [before.height])).rows
        expect(amounts).toEqual([{ amount: String(777n * USDC) }])
    })
    expect(p.output()).toMatch(/navigating a fork/)

    const r = await reconcile({ dbUrl, rpcUrl: anvil.url, contracts: contracts() })
    if (r.mismatches.length) console.log(r.mismatches)
    expect(r.mismatches).toEqual([])
    expect(r.hash).toBe(headB.hash)
    // the view follows the reorg (the branch's movements are gone with their rows)
    expect((await checkProtocolEventView(dbUrl, anvil.url, contracts(), headB.height)).mismatches).toEqual([])

    // the same chain indexed from scratch gives identical rows; this run backfills with the big tables' secondary
    // indexes and foreign keys deferred (any lag counts as a backfill), which must leave the same schema behind
    const fresh = await launch(freshDbUrl, 'fresh', { DEFER_INDEXES_MIN_LAG: '1', RPC_SPLIT_BLOCKS: '10', BATCH_MAX_BLOCKS: '10' })
    await waitCaughtUp(freshDbUrl, anvil.url, 120_000, fresh)
    await stopProcessor(fresh)
    await stopProcessor(p)
    expect(fresh.output()).toMatch(/deferred \d+ indexes and \d+ foreign keys/)
    expect(fresh.output()).toMatch(/rebuilt \d+ deferred indexes and \d+ foreign keys/)
    const [sa, sb] = await Promise.all([schemaObjects(dbUrl), schemaObjects(freshDbUrl)])
    expect(sb).toEqual(sa)
    const [a, b] = await Promise.all([dumpEntities(dbUrl), dumpEntities(freshDbUrl)])
    expect(Object.keys(a)).toEqual(Object.keys(b))
    for (const table of Object.keys(a)) expect({ table, rows: a[table] }).toEqual({ table, rows: b[table] })
    console.log(
        `e2e reorg: fork at ${before.height}, branch A head ${headA.height}, branch B head ${headB.height}; ` +
            `reconcile ${r.checked} checked, ${r.mismatches.length} mismatches; fresh index equal over ${Object.keys(a).length} tables, ` +
            `${Object.values(a).reduce((n, rows) => n + rows.length, 0)} rows`,
    )
    provider.destroy()
})

test('reconcile CLI: mismatches → exit 1 with one line each; unreachable RPC → exit 2 with one line', async () => {
    const { spawnSync } = require('child_process') as typeof import('child_process')
    const run = (env: Record<string, string>) =>
        spawnSync(process.execPath, [path.join(__dirname, '../../lib/reconcile.js')], {
            cwd: path.join(__dirname, '../..'),
            env: { ...process.env, DB_URL: dbUrl, RPC_URL: anvil.url, CHAIN_ID: '31337', DEPLOYMENTS_FILE: deploymentsFile, ...env },
            encoding: 'utf8',
        })
    const clean = run({})
    expect(clean.stdout).toMatch(/^reconcile: \d+ checked, 0 mismatches at block \d+/)
    expect(clean.status).toBe(0)

    await withClient(dbUrl, async (c) => {
        await c.query(`UPDATE escrow_account SET available = available + 1 WHERE id = (SELECT min(id) FROM escrow_account)`)
        await c.query(`UPDATE batch SET status = 'DISPUTED' WHERE id = (SELECT min(id) FROM batch WHERE status = 'FINALIZED')`)
        await c.query(`DELETE FROM claim WHERE id = (SELECT min(id) FROM claim)`)
    })
    const bad = run({})
    expect(bad.status).toBe(1)
    const lines = bad.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^reconcile: \d+ checked, [1-9]\d* mismatches/)
    expect(lines.some((l) => /^EscrowAccount 0x[0-9a-f]+-0x[0-9a-f]+ available: indexed=\d+ chain=\d+$/.test(l))).toBe(true)
    expect(lines.some((l) => /^Batch 0x[0-9a-f]{64} status: indexed=DISPUTED chain=FINALIZED$/.test(l))).toBe(true)
    // the deleted claim shows up through the payout totals and, since its batch's leaves are stored, as a claimed payee without a Claim row
    expect(lines.some((l) => /^Payout .* claimedAmount/.test(l) || /isClaimed \(no claim indexed\): indexed=false chain=true/.test(l))).toBe(true)
    console.log(`e2e reconcile CLI:\n${bad.stdout}`)

    const down = run({ RPC_URL: `http://127.0.0.1:${await freePort()}` })
    expect(down.status).toBe(2)
    expect(down.stderr.trim().split('\n')).toHaveLength(1)
    expect(down.stderr).toMatch(/^reconcile: /)
    const noDb = run({ DB_URL: `postgres://postgres:postgres@127.0.0.1:${await freePort()}/squid` })
    expect(noDb.status).toBe(2)
    expect(noDb.stderr.trim().split('\n')).toHaveLength(1)
    console.log(`e2e reconcile CLI errors: ${down.stderr.trim()} | ${noDb.stderr.trim()}`)
})
