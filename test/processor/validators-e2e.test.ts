/**
 * Validators, blocks, MEV payments, epochs and scores end to end: embedded Postgres + anvil (automine, so
 * every block is made on purpose) + the compiled processor with EPOCH_BLOCKS=8.
 *
 * Three validators register and get delegations (staking token from the MockToken faucet). Then, epoch by
 * epoch, the test computes each slot's scheduled proposer from the chain (registry views at the block before
 * the epoch, src/validators/schedule.ts), sets the coinbase (`anvil_setCoinbase`) to that validator's fee
 * recipient or, for chosen slots, to someone else's (a missed slot, twice in a row once) or to an unknown
 * address, and mines one transaction per block: ETH transfers with tips, a plain ETH transfer to the coinbase
 * (a direct coinbase transfer), a commission hike, a timelock batch that jails one validator and slashes
 * another, an undelegation, a redelegation and a withdrawal. Checks Block rows (proposer, schedule, missed
 * slots, priority fees against the receipts, coinbase transfers), ValidatorEpochStat against the test's own
 * tallies, ValidatorScore (total = Σ weight × component from the row), NOTIFY payloads, reconcile = 0, and a
 * reorg across an epoch boundary followed by equality with a fresh index of the same chain. In between, real
 * Uniswap V2 pairs (published bytecode, src/deploy/uniswap.ts) get an arbitrage and a sandwich from searcher bots
 * that tip the coinbase: Swap rows against the pairs' Swap events, Arbitrage / Sandwich / MevEvent rows with the
 * proposer, the tips as the block's MEV revenue.
 *
 * Set E2E_LOGS=1 to echo the stack's log lines.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Interface, Wallet, ZeroHash, parseEther } from 'ethers'
import { Client } from 'pg'
import { abiOf } from '../../src/contracts'
import { loadArtifact } from '../../src/deploy/artifacts'
import { deployAll } from '../../src/deploy/deploy'
import { Deployment, writeDeployment } from '../../src/deploy/deployments'
import { LOCAL_ROLES, anvilKey } from '../../src/deploy/local-accounts'
import { localDeployOptions } from '../../src/deploy/local-options'
import { deployUniswap, uniswapArtifact } from '../../src/deploy/uniswap'
import { reconcile } from '../../src/reconcile'
import { Anvil, rpcCall, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/stack/postgres'
import { freePort } from '../../src/stack/util'
import { COMPONENTS, loadScoringConfig } from '../../src/validators/scoring-config'
import { StakeEntry, expectedBlocks, scheduledProposer } from '../../src/validators/schedule'
import { ProcessorHandle, buildLib, dumpEntities, startProcessor, stopProcessor, waitCaughtUp, withClient } from './support/e2e'

jest.setTimeout(170_000)

const E = 8
const GWEI = 1_000_000_000n
const addressOf = (i: number) => new Wallet(anvilKey(i)).address.toLowerCase()
const VALIDATORS = [40, 41, 42].map(addressOf)
const [V1, V2, V3] = VALIDATORS
const RECIPIENTS = [45, 46, 47].map(addressOf)
const FEE: Record<string, string> = Object.fromEntries(VALIDATORS.map((v, i) => [v, RECIPIENTS[i]]))
const OWNER: Record<string, string> = Object.fromEntries(VALIDATORS.map((v, i) => [RECIPIENTS[i], v]))
const [D1, D2] = [43, 44].map(addressOf)
const SENDER = addressOf(48)
const NOBODY = '0x000000000000000000000000000000000000dead'
const TOKEN_ABI = ['function faucet(address to, uint256 amount)', 'function approve(address spender, uint256 amount) returns (bool)']
const vrIface = new Interface(abiOf('ValidatorRegistry'))
const tokenIface = new Interface(TOKEN_ABI)
const timelockIface = new Interface(abiOf('PlatformTimelock'))
const scoring = loadScoringConfig()

let tmp: string
let pg: EmbeddedPostgres
let anvil: Anvil
let deployment: Deployment
let deploymentsFile: string
let dbUrl: string
let freshDbUrl: string
const processors: ProcessorHandle[] = []
let listener: Client
const notifications: any[] = []
let finality = 10

/** What the test did per block: the coinbase it chose and the slot's scheduled proposer. */
const plan = new Map<number, { coinbase: string; scheduled?: string }>()

const hex = (n: bigint | number) => '0x' + BigInt(n).toString(16)
const head = async () => Number(await rpcCall<string>(anvil.url, 'eth_blockNumber'))
const registry = () => deployment.contracts.ValidatorRegistry

/** One transaction from an unlocked anvil account, mined at once (automine); throws when it reverts. */
async function send(from: string, to: string, data = '0x', value = 0n, tip = 1n * GWEI): Promise<any> {
    const hash = await rpcCall<string>(anvil.url, 'eth_sendTransaction', [
        { from, to, data, value: hex(value), gas: hex(1_500_000), maxPriorityFeePerGas: hex(tip), maxFeePerGas: hex(200n * GWEI) },
    ])
    let r: any
    for (let i = 0; i < 200 && !r; i++) {
        r = await rpcCall(anvil.url, 'eth_getTransactionReceipt', [hash])
        if (!r) await new Promise((res) => setTimeout(res, 20))
    }
    if (!r || r.status !== '0x1') throw new Error(`tx ${hash} to ${to} failed: ${JSON.stringify(r)}`)
    return r
}

async function viewCall(to: string, iface: Interface, fn: string, args: unknown[], blockTag: number | 'latest' = 'latest'): Promise<any> {
    const data = iface.encodeFunctionData(fn, args)
    const out = await rpcCall<string>(anvil.url, 'eth_call', [{ to, data }, typeof blockTag === 'number' ? hex(blockTag) : blockTag])
    return iface.decodeFunctionResult(fn, out)
}

/** The schedule snapshot of `epoch` read from the chain: unjailed validators' stakes after block epoch*E − 1. */
async function chainSnapshot(epoch: number): Promise<StakeEntry[]> {
    const out: StakeEntry[] = []
    for (const v of VALIDATORS) {
        const [r] = await viewCall(registry(), vrIface, 'getValidator', [v], epoch * E - 1)
        if (r.registered && !r.jailed) out.push({ validator: v, stake: r.stake })
    }
    return out
}

const snapshots = new Map<number, StakeEntry[]>()
async function scheduleOf(h: number): Promise<string | undefined> {
    const e = Math.floor(h / E)
    if (!snapshots.has(e)) snapshots.set(e, await chainSnapshot(e))
    return scheduledProposer(h, snapshots.get(e)!)
}

type Choice = 'scheduled' | 'other' | 'nobody'
/**
 * Make block `head + 1`: coinbase = the scheduled validator's fee recipient ('scheduled'), another validator's
 * ('other': the slot is missed) or an unknown address; then `tx` (one transaction) or an empty block.
 */
async function produce(choice: Choice, tx?: (coinbase: string) => Promise<unknown>): Promise<number> {
    const h = (await head()) + 1
    const scheduled = await scheduleOf(h)
    let coinbase = NOBODY
    if (choice === 'scheduled' && scheduled) coinbase = FEE[scheduled]
    if (choice === 'other') {
        const others = VALIDATORS.filter((v) => v !== scheduled)
        coinbase = FEE[others[h % others.length]]
    }
    await rpcCall(anvil.url, 'anvil_setCoinbase', [coinbase])
    if (tx) await tx(coinbase)
    else await rpcCall(anvil.url, 'evm_mine', [])
    expect(await head()).toBe(h)
    plan.set(h, { coinbase, scheduled })
    return h
}

/** An ETH transfer with a tip that grows with the height (so every block's priority fees differ). */
const tipTx = (h?: number) => () => send(SENDER, addressOf(49), '0x', 1n, GWEI + BigInt(h ?? 0) * 1000n)

async function timelockOp(choice: () => Choice, calls: { to: string; data: string }[], salt: string): Promise<void> {
    const targets = calls.map((c) => c.to)
    const datas = calls.map((c) => c.data)
    const values = calls.map(() => 0)
    const proposer = addressOf(LOCAL_ROLES.proposer)
    const tl = deployment.contracts.PlatformTimelock
    await produce(choice(), () => send(proposer, tl, timelockIface.encodeFunctionData('scheduleBatch', [targets, values, datas, ZeroHash, salt, 2])))
    await rpcCall(anvil.url, 'evm_increaseTime', [3])
    await produce(choice(), () => send(proposer, tl, timelockIface.encodeFunctionData('executeBatch', [targets, values, datas, ZeroHash, salt])))
}

async function processorEnv(url: string): Promise<Record<string, string>> {
    return {
        DB_URL: url,
        RPC_URL: anvil.url,
        CHAIN_ID: '31337',
        DEPLOYMENTS_FILE: deploymentsFile,
        // one more than the chain's height at start: everything starts hot, and hot-block ingestion then also hands
        // over block 1, below the start block, without any fields (must be skipped); the fresh index sees both kinds
        FINALITY_CONFIRMATIONS: String(finality),
        RPC_HEAD_POLL_MS: '100',
        EPOCH_BLOCKS: String(E),
        PROMETHEUS_PORT: String(await freePort()),
    }
}

async function launch(url: string, name: string): Promise<ProcessorHandle> {
    const h = startProcessor(await processorEnv(url), path.join(tmp, `${name}.log`))
    processors.push(h)
    return h
}

const q = async (sql: string, args: unknown[] = []) => withClient(dbUrl, async (c) => (await c.query(sql, args)).rows)
const blockId = (h: number) => String(h).padStart(10, '0')

beforeAll(async () => {
    setLogSink((l) => {
        if (process.env.E2E_LOGS) process.stdout.write(l + '\n')
    })
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validators-e2e-'))
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
        // interval mining while deploying (ethers' tx.wait() needs later blocks), then automine: one block per transaction
        startAnvil({ port: await freePort(), blockTime: 1 }),
    ])
    await built
    dbUrl = pg.url
    await withClient(dbUrl, (c) => c.query('CREATE DATABASE fresh'))
    freshDbUrl = dbUrl.replace(/\/squid$/, '/fresh')
    for (let i = 0; i < 3; i++) await rpcCall(anvil.url, 'evm_mine', []) // blocks before the start block
    deployment = await deployAll(localDeployOptions(anvil.url))
    deploymentsFile = writeDeployment(deployment, path.join(tmp, '31337.json'))
    await rpcCall(anvil.url, 'evm_setIntervalMining', [0])
    await rpcCall(anvil.url, 'evm_setAutomine', [true])
    finality = (await head()) + 1
    expect(deployment.startBlock).toBeGreaterThan(3)
})

afterAll(async () => {
    for (const h of processors) await stopProcessor(h, 'SIGKILL').catch(() => {})
    await listener?.end().catch(() => {})
    await anvil?.stop().catch(() => anvil.kill())
    await pg?.stop().catch(() => pg.kill())
    setLogSink(null)
    if (!process.env.E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true })
})

test('validators through four epochs: proposers, missed slots, revenue, rollups, scores, reconcile', async () => {
    const p = await launch(dbUrl, 'p')
    await waitCaughtUp(dbUrl, anvil.url, 60_000, p)
    listener = new Client({ connectionString: dbUrl })
    await listener.connect()
    listener.on('notification', (n) => notifications.push(JSON.parse(n.payload ?? '{}')))
    await listener.query('LISTEN squid_batch')

    // setup: stake token from the faucet, three validators, four delegations
    const stk = deployment.contracts.StakeToken
    const vr = registry()
    for (const d of [D1, D2]) {
        await send(d, stk, tokenIface.encodeFunctionData('faucet', [d, parseEther('10000')]))
        await send(d, stk, tokenIface.encodeFunctionData('approve', [vr, parseEther('10000')]))
    }
    const commissions = [500, 1000, 200]
    for (let i = 0; i < 3; i++) {
        await send(VALIDATORS[i], vr, vrIface.encodeFunctionData('registerValidator', [RECIPIENTS[i], commissions[i], `ipfs://validator-${i}`]))
    }
    await send(D1, vr, vrIface.encodeFunctionData('delegate', [V1, parseEther('600')]))
    await send(D2, vr, vrIface.encodeFunctionData('delegate', [V2, parseEther('300')]))
    await send(D1, vr, vrIface.encodeFunctionData('delegate', [V3, parseEther('100')]))
    await send(D2, vr, vrIface.encodeFunctionData('delegate', [V3, parseEther('150')]))
    // run to the next epoch start, so that the schedule has stake
    while (((await head()) + 1) % E !== 0) await rpcCall(anvil.url, 'evm_mine', [])
    const e1 = ((await head()) + 1) / E

    // epoch e1: a direct coinbase transfer, a missed slot (another validator proposes), an unknown coinbase
    let coinbaseTipBlock = 0
    for (let i = 0; i < E; i++) {
        if (i === 2) coinbaseTipBlock = await produce('scheduled', (cb) => send(SENDER, cb, '0x', parseEther('0.01'), 2n * GWEI))
        else if (i === 4) await produce('other', tipTx(i))
        else if (i === 6) await produce('nobody', tipTx(i))
        else await produce('scheduled', i % 2 ? tipTx(i) : undefined)
    }
    // epoch e1+1: V1 raises its commission; the timelock jails V3 and slashes V2 by 10%; two missed slots in a row
    await produce('scheduled', () => send(V1, vr, vrIface.encodeFunctionData('scheduleCommissionChange', [800])))
    await rpcCall(anvil.url, 'evm_increaseTime', [21])
    await produce('scheduled', () => send(SENDER, vr, vrIface.encodeFunctionData('applyCommissionChange', [V1])))
    await timelockOp(() => 'scheduled', [
        { to: vr, data: vrIface.encodeFunctionData('jail', [V3, 'downtime']) },
        { to: vr, data: vrIface.encodeFunctionData('slash', [V2, 1000, 'double sign']) },
    ], '0x' + '01'.padStart(64, '0'))
    await produce('other', tipTx(5))
    await produce('other', tipTx(6))
    while (((await head()) + 1) % E !== 0) await produce('scheduled', tipTx())
    // epoch e1+2: undelegate, redelegate (V3 is jailed: to V2)
    await produce('scheduled', () => send(D1, vr, vrIface.encodeFunctionData('undelegate', [V1, parseEther('100')])))
    await produce('scheduled', () => send(D1, vr, vrIface.encodeFunctionData('redelegate', [V1, V2, parseEther('50')])))
    await produce('other', tipTx())
    while (((await head()) + 1) % E !== 0) await produce('scheduled', tipTx())
    // epoch e1+3: the unbonding request is withdrawn; then the first block of e1+4 closes e1+3
    await rpcCall(anvil.url, 'evm_increaseTime', [31])
    await produce('scheduled', () => send(D1, vr, vrIface.encodeFunctionData('withdrawUnbonded', [1])))
    while (((await head()) + 1) % E !== 0) await produce('scheduled', tipTx())
    await produce('scheduled', tipTx())
    const indexed = await waitCaughtUp(dbUrl, anvil.url, 60_000, p)
    const epochs = [e1, e1 + 1, e1 + 2, e1 + 3]

    // ---- blocks: proposer, schedule, missed slot, priority fees vs receipts
    const blocks = await q(`SELECT height, fee_recipient, proposer_id, scheduled_proposer_id, missed_slot, priority_fees, coinbase_transfers, mev_revenue, tx_count FROM block WHERE height >= $1 ORDER BY height`, [e1 * E])
    expect(blocks.map((b) => b.height)).toEqual([...plan.keys()])
    let feesChecked = 0n
    for (const b of blocks) {
        const want = plan.get(b.height)!
        const proposer = OWNER[want.coinbase] ?? null
        expect({ h: b.height, fee: b.fee_recipient, proposer: b.proposer_id, scheduled: b.scheduled_proposer_id, missed: b.missed_slot }).toEqual({
            h: b.height,
            fee: want.coinbase,
            proposer,
            scheduled: want.scheduled ?? null,
            missed: want.scheduled != null && want.scheduled !== proposer,
        })
        const rpcBlock = await rpcCall(anvil.url, 'eth_getBlockByNumber', [hex(b.height), false])
        let fees = 0n
        for (const txHash of rpcBlock.transactions) {
            const r = await rpcCall(anvil.url, 'eth_getTransactionReceipt', [txHash])
            fees += (BigInt(r.effectiveGasPrice) - BigInt(rpcBlock.baseFeePerGas)) * BigInt(r.gasUsed)
        }
        expect({ h: b.height, fees: b.priority_fees, txs: b.tx_count }).toEqual({ h: b.height, fees: fees.toString(), txs: rpcBlock.transactions.length })
        feesChecked += fees
    }
    expect(feesChecked).toBeGreaterThan(0n)
    const missedCount = blocks.filter((b) => b.missed_slot).length
    expect(missedCount).toBeGreaterThanOrEqual(5)
    // the direct coinbase transfer: MEV revenue of its block and a COINBASE_TRANSFER feed row with the proposer
    const tipRow = blocks.find((b) => b.height === coinbaseTipBlock)!
    expect({ cb: tipRow.coinbase_transfers, mev: tipRow.mev_revenue }).toEqual({ cb: parseEther('0.01').toString(), mev: parseEther('0.01').toString() })
    expect(await q(`SELECT kind, validator_id, amount, account FROM mev_event WHERE block_number = $1`, [coinbaseTipBlock])).toEqual([
        { kind: 'COINBASE_TRANSFER', validator_id: OWNER[plan.get(coinbaseTipBlock)!.coinbase], amount: parseEther('0.01').toString(), account: SENDER },
    ])
    expect(Number((await q(`SELECT count(*) FROM mev_event WHERE block_number >= $1`, [e1 * E]))[0].count)).toBe(1)

    // ---- epoch stats against the test's own tallies
    const stats = await q(`SELECT * FROM validator_epoch_stat WHERE epoch = ANY($1) ORDER BY epoch, validator_id`, [epochs])
    expect(stats).toHaveLength(4 * 3)
    for (const e of epochs) {
        const heights = Array.from({ length: E }, (_, i) => e * E + i)
        const expected = expectedBlocks(snapshots.get(e)!, E)
        for (const v of VALIDATORS) {
            const s = stats.find((r) => r.epoch === e && r.validator_id === v)!
            const proposed = heights.filter((h) => OWNER[plan.get(h)!.coinbase] === v)
            const slots = heights.filter((h) => plan.get(h)!.scheduled === v)
            const missed = slots.filter((h) => OWNER[plan.get(h)!.coinbase] !== v)
            const fees = blocks.filter((b) => proposed.includes(b.height)).reduce((a, b) => a + BigInt(b.priority_fees), 0n)
            const mev = blocks.filter((b) => proposed.includes(b.height)).reduce((a, b) => a + BigInt(b.mev_revenue), 0n)
            const snapStake = snapshots.get(e)!.find((x) => x.validator === v)?.stake
            expect({ e, v, p: s.blocks_proposed, x: Number(s.blocks_expected), sl: s.slots_scheduled, m: s.missed_slots, f: s.priority_fees, mev: s.mev_revenue }).toEqual({
                e,
                v,
                p: proposed.length,
                x: expected.get(v) ?? 0,
                sl: slots.length,
                m: missed.length,
                f: fees.toString(),
                mev: mev.toString(),
            })
            if (snapStake != null) expect(s.stake).toBe(snapStake.toString())
        }
    }
    const stat = (e: number, v: string) => stats.find((r) => r.epoch === e && r.validator_id === v)!
    expect(stat(e1 + 1, V1)).toMatchObject({ commission_bps: 800, commission_hikes: 1, jailed: false, slashes: 0 })
    expect(stat(e1 + 1, V2)).toMatchObject({ slashes: 1, jailed: false })
    expect(stat(e1 + 1, V3)).toMatchObject({ jailed: true, slashes: 0 })
    expect(stat(e1 + 2, V3)).toMatchObject({ jailed: true, blocks_expected: '0' }) // jailed at the epoch start: out of the schedule
    expect(Math.max(...stats.map((s) => s.longest_miss_streak))).toBeGreaterThanOrEqual(1)
    const summaries = await q(`SELECT epoch, blocks, missed_slots, scored_validators FROM epoch_summary WHERE epoch = ANY($1) ORDER BY epoch`, [epochs])
    expect(summaries.map((s) => s.blocks)).toEqual([E, E, E, E])
    expect(summaries.reduce((a, s) => a + s.missed_slots, 0)).toBe(missedCount - blocks.filter((b) => b.missed_slot && b.height >= (e1 + 4) * E).length)

    // ---- scores: reproducible from the stored components and weights; ranks 1..3 per epoch
    const scores = await q(`SELECT * FROM validator_score WHERE epoch = ANY($1) ORDER BY epoch, rank`, [epochs])
    expect(scores).toHaveLength(12)
    for (const s of scores) {
        let total = 0
        for (const c of COMPONENTS) {
            const key = c.replace(/[A-Z]/g, (m) => '_' + m.toLowerCase())
            expect(Number(s[`${key}_weight`])).toBe(scoring.weights[c])
            total += Number(s[`${key}_weight`]) * Number(s[key])
        }
        expect(Number(s.total)).toBeCloseTo(total, 12)
    }
    for (const e of epochs) expect(scores.filter((s) => s.epoch === e).map((s) => s.rank)).toEqual([1, 2, 3])
    const last = scores.filter((s) => s.epoch === e1 + 3)
    const validators = await q(`SELECT id, score, rank, score_epoch, jailed, commission_bps, slash_count, stake FROM validator ORDER BY id`)
    for (const v of validators) {
        const s = last.find((x) => x.validator_id === v.id)!
        expect({ id: v.id, score: v.score, rank: v.rank, epoch: v.score_epoch }).toEqual({ id: v.id, score: s.total, rank: s.rank, epoch: e1 + 3 })
    }
    expect(validators.find((v) => v.id === V3)).toMatchObject({ jailed: true })
    expect(validators.find((v) => v.id === V2)).toMatchObject({ slash_count: 1 })
    expect(Number(last.find((s) => s.validator_id === V3)!.risk)).toBeLessThan(Number(last.find((s) => s.validator_id === V1)!.risk))

    // ---- registry rows
    expect(await q(`SELECT kind, delegator, validator_id, to_validator_id FROM delegation_event ORDER BY id`)).toEqual([
        { kind: 'DELEGATE', delegator: D1, validator_id: V1, to_validator_id: null },
        { kind: 'DELEGATE', delegator: D2, validator_id: V2, to_validator_id: null },
        { kind: 'DELEGATE', delegator: D1, validator_id: V3, to_validator_id: null },
        { kind: 'DELEGATE', delegator: D2, validator_id: V3, to_validator_id: null },
        { kind: 'UNDELEGATE', delegator: D1, validator_id: V1, to_validator_id: null },
        { kind: 'REDELEGATE', delegator: D1, validator_id: V1, to_validator_id: V2 },
        { kind: 'WITHDRAW', delegator: D1, validator_id: V1, to_validator_id: null },
    ])
    expect(await q(`SELECT withdrawn FROM unbonding_request`)).toEqual([{ withdrawn: true }])

    // ---- NOTIFY: validators, MEV and scores announced
    await new Promise((r) => setTimeout(r, 300))
    expect(notifications.some((n) => n.changed?.scores?.length)).toBe(true)
    expect(notifications.some((n) => n.changed?.mev?.some((id: string) => id.startsWith(blockId(coinbaseTipBlock))))).toBe(true)
    expect(notifications.some((n) => n.changed?.validators?.includes(V3))).toBe(true)
    expect(notifications.filter((n) => n.changed?.scores?.length).flatMap((n) => n.changed.scores).map(Number)).toEqual(expect.arrayContaining(epochs))

    expect(p.output()).not.toMatch(/"level":4/) // no mapping warnings (stubs, unknown references, classifier errors)
    const r = await reconcile({ dbUrl, rpcUrl: anvil.url, contracts: Object.fromEntries(Object.entries(deployment.contracts).map(([k, v]) => [k, v.toLowerCase()])) })
    if (r.mismatches.length) console.log(r.mismatches)
    expect(r.height).toBe(indexed.height)
    expect(r.mismatches).toEqual([])
    console.log(
        `validators e2e: epochs ${e1}..${e1 + 3} (EPOCH_BLOCKS=${E}), ${blocks.length} controlled blocks, ${missedCount} missed slots, ` +
            `priority fees ${feesChecked} wei checked against receipts, ${stats.length} epoch stats, ${scores.length} scores; ` +
            `reconcile ${r.checked} checked, ${r.mismatches.length} mismatches; ranks at epoch ${e1 + 3}: ` +
            last.map((s) => `${s.validator_id.slice(0, 6)}=${Number(s.total).toFixed(4)}`).join(' '),
    )
})

test('real Uniswap V2 MEV: an arbitrage and a sandwich with coinbase tips, stored with the proposer', async () => {
    const p = processors[0]
    // (ethers' waitForTransaction in the deployment wants later blocks: interval mining meanwhile)
    await rpcCall(anvil.url, 'evm_setIntervalMining', [1])
    const u = await deployUniswap(anvil.url, deployment)
    await rpcCall(anvil.url, 'evm_setIntervalMining', [0])
    await rpcCall(anvil.url, 'evm_setAutomine', [true])
    const pairOf = (name: string) => u.pairs.find((x) => x.name === name)!.address
    const weth = u.tokens.WETH.address
    const usdc = u.tokens.USDC.address
    const botIface = new Interface(loadArtifact('SearcherBot').abi)
    const routerIface = new Interface(loadArtifact('SimRouter').abi)
    const pairIface = new Interface(uniswapArtifact('UniswapV2Pair').abi)
    const sandwichBot = u.bots.sandwich
    const arbBot = u.bots.arbitrage
    for (const b of [sandwichBot, arbBot]) await rpcCall(anvil.url, 'anvil_impersonateAccount', [b.owner])
    // inventories: bots hold WETH; the victim (SENDER) has WETH approved to the router
    for (const to of [sandwichBot.address, arbBot.address, SENDER]) await send(SENDER, weth, tokenIface.encodeFunctionData('faucet', [to, parseEther('100')]))
    await send(SENDER, weth, tokenIface.encodeFunctionData('approve', [u.router, parseEther('100')]))

    // block 1: a WETH → DAI → USDC → WETH cycle (DAI is priced inconsistently), tipping 0.002 ETH
    const cycle = [pairOf('WETH/DAI'), pairOf('DAI/USDC'), pairOf('WETH/USDC')]
    const arbBlock = await produce('scheduled', () =>
        send(arbBot.owner, arbBot.address, botIface.encodeFunctionData('arbitrage', [cycle, weth, parseEther('1'), 0]), parseEther('0.002')),
    )

    // block 2: frontrun (bot sells WETH), victim (same direction, through the router), backrun (bot sells the USDC back)
    const pair = pairOf('WETH/USDC')
    const [r0, r1] = pairIface.decodeFunctionResult('getReserves', await rpcCall(anvil.url, 'eth_call', [{ to: pair, data: pairIface.encodeFunctionData('getReserves', []) }, 'latest']))
    const [rWeth, rUsdc] = weth < usdc ? [r0 as bigint, r1 as bigint] : [r1 as bigint, r0 as bigint]
    const frontIn = parseEther('5')
    const frontOut = (frontIn * 997n * rUsdc) / (rWeth * 1000n + frontIn * 997n)
    await rpcCall(anvil.url, 'evm_setAutomine', [false])
    const submit = (from: string, to: string, data: string, value: bigint, tip: bigint) =>
        rpcCall<string>(anvil.url, 'eth_sendTransaction', [
            { from, to, data, value: hex(value), gas: hex(600_000), maxPriorityFeePerGas: hex(tip), maxFeePerGas: hex(200n * GWEI) },
        ])
    // anvil orders a block by tip: front (5 gwei), victim (3 gwei), back (1 gwei, the bot's next nonce)
    const hashes = [
        await submit(sandwichBot.owner, sandwichBot.address, botIface.encodeFunctionData('swapExactIn', [pair, weth, frontIn, 0]), parseEther('0.001'), 5n * GWEI),
        await submit(SENDER, u.router, routerIface.encodeFunctionData('swapExactIn', [pair, weth, parseEther('2'), 0, SENDER]), 0n, 3n * GWEI),
        await submit(sandwichBot.owner, sandwichBot.address, botIface.encodeFunctionData('swapExactIn', [pair, usdc, frontOut, 0]), parseEther('0.0005'), 1n * GWEI),
    ]
    const sandwichBlock = await produce('scheduled')
    await rpcCall(anvil.url, 'evm_setAutomine', [true])
    for (const h of hashes) expect((await rpcCall(anvil.url, 'eth_getTransactionReceipt', [h])).status).toBe('0x1')
    // run to the epoch's end so the proposer's epoch stat counts the sandwich block
    while (((await head()) + 1) % E !== 0) await produce('scheduled', tipTx())
    await produce('scheduled', tipTx())
    await waitCaughtUp(dbUrl, anvil.url, 60_000, p)

    // swaps against the pairs' own Swap events (independent of the traces)
    const swapTopic = pairIface.getEvent('Swap')!.topicHash
    const logs = await rpcCall<any[]>(anvil.url, 'eth_getLogs', [{ fromBlock: hex(arbBlock), toBlock: hex(sandwichBlock), topics: [swapTopic] }])
    const swaps = await q(`SELECT transaction_hash, pool, token_in, amount_in, token_out, amount_out, validator_id, arbitrage_id FROM swap WHERE block_number BETWEEN $1 AND $2 ORDER BY id`, [arbBlock, sandwichBlock])
    expect(swaps).toHaveLength(logs.length)
    expect(logs.length).toBe(6)
    for (const l of logs) {
        const ev = pairIface.parseLog(l)!
        const amountIn = (ev.args.amount0In as bigint) + (ev.args.amount1In as bigint)
        const amountOut = (ev.args.amount0Out as bigint) + (ev.args.amount1Out as bigint)
        const row = swaps.find((s) => s.transaction_hash === l.transactionHash && s.pool === l.address.toLowerCase() && s.amount_in === amountIn.toString())
        expect(row).toBeDefined()
        expect(row!.amount_out).toBe(amountOut.toString())
    }
    const proposerOf = async (h: number) => (await q(`SELECT proposer_id FROM block WHERE height = $1`, [h]))[0].proposer_id
    const arbProposer = await proposerOf(arbBlock)
    const sandwichProposer = await proposerOf(sandwichBlock)
    expect(arbProposer).toBe(plan.get(arbBlock)!.scheduled)

    const arbs = await q(`SELECT * FROM arbitrage WHERE block_number = $1`, [arbBlock])
    expect(arbs).toHaveLength(1)
    // account: who paid the route's first swap (mev-inspect-py's account_address), the bot contract, not its owner
    expect(arbs[0]).toMatchObject({ account: arbBot.address, profit_token: weth, swap_count: 3, error: null, validator_id: arbProposer })
    expect(BigInt(arbs[0].profit_amount)).toBeGreaterThan(0n)
    expect(swaps.filter((s) => s.arbitrage_id === arbs[0].id)).toHaveLength(3)
    // gas cost and miner payment from the node's receipt: gas used × effective gas price + the 0.002 ETH tip
    const receipt = await rpcCall<any>(anvil.url, 'eth_getTransactionReceipt', [arbs[0].transaction_hash])
    const arbGas = BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice)
    expect(arbs[0].gas_cost).toBe((arbGas + parseEther('0.002')).toString())
    // the net profit needs the profit token to be ETH/WETH; this chain's WETH is a local deployment, not mainnet's
    expect(arbs[0].net_profit).toBeNull()
    const pays = await q(`SELECT * FROM miner_payment WHERE transaction_hash = $1`, [arbs[0].transaction_hash])
    expect(pays).toHaveLength(1)
    expect(pays[0]).toMatchObject({ coinbase_transfer: parseEther('0.002').toString(), gas_used: BigInt(receipt.gasUsed).toString(), gas_price: BigInt(receipt.effectiveGasPrice).toString(), validator_id: arbProposer })

    const sandwiches = await q(`SELECT * FROM sandwich WHERE block_number = $1`, [sandwichBlock])
    expect(sandwiches).toHaveLength(1)
    const sw = sandwiches[0]
    expect(sw).toMatchObject({ sandwicher: sandwichBot.address, pool: pair, victim_count: 1, profit_token: weth, validator_id: sandwichProposer })
    const byId = async (id: string) => (await q(`SELECT * FROM swap WHERE id = $1`, [id]))[0]
    const [front, back] = [await byId(sw.frontrun_swap_id), await byId(sw.backrun_swap_id)]
    expect(front).toMatchObject({ transaction_hash: hashes[0], token_in: weth, amount_in: frontIn.toString() })
    expect(back).toMatchObject({ transaction_hash: hashes[2], token_in: usdc, amount_in: frontOut.toString() })
    expect(sw.profit_amount).toBe((BigInt(back.amount_out) - BigInt(front.amount_in)).toString())

    // the bots' tips are direct coinbase transfers made from inside the bot contract
    const tips = await q(`SELECT height, coinbase_transfers, coinbase_transfer_count, mev_revenue, swap_count, arbitrage_count, sandwich_count FROM block WHERE height = ANY($1) ORDER BY height`, [[arbBlock, sandwichBlock]])
    expect(tips).toEqual([
        { height: arbBlock, coinbase_transfers: parseEther('0.002').toString(), coinbase_transfer_count: 1, mev_revenue: parseEther('0.002').toString(), swap_count: 3, arbitrage_count: 1, sandwich_count: 0 },
        { height: sandwichBlock, coinbase_transfers: parseEther('0.0015').toString(), coinbase_transfer_count: 2, mev_revenue: parseEther('0.0015').toString(), swap_count: 3, arbitrage_count: 0, sandwich_count: 1 },
    ])
    const feed = await q(`SELECT kind, count(*)::int AS n FROM mev_event WHERE block_number = ANY($1) AND validator_id IS NOT NULL GROUP BY kind ORDER BY kind`, [[arbBlock, sandwichBlock]])
    expect(feed).toEqual([
        { kind: 'ARBITRAGE', n: 1 },
        { kind: 'COINBASE_TRANSFER', n: 3 },
        { kind: 'SANDWICH', n: 1 },
        { kind: 'SWAP', n: 6 },
    ])
    const epoch = Math.floor(sandwichBlock / E)
    const stat = (await q(`SELECT sandwich_blocks, mev_revenue FROM validator_epoch_stat WHERE epoch = $1 AND validator_id = $2`, [epoch, sandwichProposer]))[0]
    expect(stat.sandwich_blocks).toBe(1)
    expect(BigInt(stat.mev_revenue)).toBeGreaterThanOrEqual(parseEther('0.0015'))
    await new Promise((r) => setTimeout(r, 300))
    const announced = notifications.flatMap((n) => n.changed?.mev ?? [])
    expect(announced).toEqual(expect.arrayContaining([`${blockId(arbBlock)}-arb-${arbs[0].id.slice(11)}`, `${blockId(sandwichBlock)}-sandwich-${sw.id.slice(11)}`]))
    expect(notifications.flatMap((n) => n.changed?.mevBlocks ?? [])).toEqual(expect.arrayContaining([String(arbBlock), String(sandwichBlock)]))
    console.log(
        `validators e2e MEV: arbitrage at ${arbBlock} profit ${arbs[0].profit_amount} wei WETH, sandwich at ${sandwichBlock} profit ${sw.profit_amount} wei WETH ` +
            `(victim 2 WETH), tips 0.002 + 0.0015 ETH; ${logs.length} swaps match the pairs' Swap events`,
    )
})

test('reorg across an epoch boundary: same rows as a fresh index of the chain', async () => {
    const p = processors[0]
    const before = await head()
    const toBoundary = E - ((before + 1) % E) // blocks until the next epoch's first block is the next one
    const snap = await rpcCall<string>(anvil.url, 'evm_snapshot', [])
    // branch A: run past the boundary with the scheduled proposers (closing an epoch, scoring it)
    for (let i = 0; i <= toBoundary; i++) await produce('scheduled', tipTx(i))
    const headA = await waitCaughtUp(dbUrl, anvil.url, 60_000, p)
    const epochA = Math.floor(headA.height / E)
    expect((await q(`SELECT count(*)::int AS n FROM validator_score WHERE epoch = $1`, [epochA - 1]))[0].n).toBe(3)
    const scoresA = await q(`SELECT validator_id, total FROM validator_score WHERE epoch = $1 ORDER BY validator_id`, [epochA - 1])

    // branch B from the snapshot: other proposers (missed slots) and one block longer
    expect(await rpcCall(anvil.url, 'evm_revert', [snap])).toBe(true)
    snapshots.clear()
    for (let i = 0; i <= toBoundary + 1; i++) await produce(i % 2 ? 'other' : 'nobody', tipTx(100 + i))
    const headB = await waitCaughtUp(dbUrl, anvil.url, 60_000, p)
    expect(headB.height).toBe(headA.height + 1)
    expect(p.output()).toMatch(/navigating a fork/)
    const scoresB = await q(`SELECT validator_id, total FROM validator_score WHERE epoch = $1 ORDER BY validator_id`, [epochA - 1])
    expect(scoresB).toHaveLength(3)
    expect(scoresB).not.toEqual(scoresA) // the finished epoch now has missed slots
    const missedB = await q(`SELECT count(*)::int AS n FROM block WHERE height > $1 AND missed_slot`, [before])
    expect(missedB[0].n).toBeGreaterThan(0)

    const r = await reconcile({ dbUrl, rpcUrl: anvil.url, contracts: Object.fromEntries(Object.entries(deployment.contracts).map(([k, v]) => [k, v.toLowerCase()])) })
    if (r.mismatches.length) console.log(r.mismatches)
    expect(r.mismatches).toEqual([])

    const fresh = await launch(freshDbUrl, 'fresh')
    await waitCaughtUp(freshDbUrl, anvil.url, 120_000, fresh)
    await stopProcessor(fresh)
    await stopProcessor(p)
    const [a, b] = await Promise.all([dumpEntities(dbUrl), dumpEntities(freshDbUrl)])
    expect(Object.keys(a)).toEqual(Object.keys(b))
    for (const table of Object.keys(a)) expect({ table, rows: a[table] }).toEqual({ table, rows: b[table] })
    console.log(
        `validators e2e reorg: fork at ${before}, branch A head ${headA.height}, branch B head ${headB.height} (epoch ${epochA - 1} re-scored); ` +
            `fresh index equal over ${Object.keys(a).length} tables, ${Object.values(a).reduce((n, rows) => n + rows.length, 0)} rows`,
    )
})
