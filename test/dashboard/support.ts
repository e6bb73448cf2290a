/**
 * The dashboard suite's stack and tools: embedded Postgres + anvil (genesis a few hours in the past, so a populated
 * chain spreads over several hourly buckets) + the protocol + the compiled processor + the project's simulator
 * (`node lib/cli/simulate.js`: settlement, validators, proposers, DEX and MEV) + the API server in-process with
 * mutations; a TCP proxy in front of the server whose connections the test can cut; headless Chromium.
 */
import * as fs from 'fs'
import * as net from 'net'
import * as os from 'os'
import * as path from 'path'
import { Wallet } from 'ethers'
import { Pool } from 'pg'
import { Browser, chromium } from 'playwright-core'
import { deployAll } from '../../src/deploy/deploy'
import { Deployment, writeDeployment } from '../../src/deploy/deployments'
import { anvilKey, FIRST_PARTICIPANT } from '../../src/deploy/local-accounts'
import { localDeployOptions } from '../../src/deploy/local-options'
import { applyMigrations } from '../../src/indexer/migrations'
import { SettlementChain } from '../../src/server/chain/settlement-chain'
import { RunningServer, startServer } from '../../src/server'
import { Anvil, rpcCall, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/stack/postgres'
import { freePort } from '../../src/stack/util'
import { ensureLib, sleep, startNodeChild } from '../faults/support/stack'
import { data, gql } from '../server/support/stack'
import { ProcessorHandle, startProcessor, stopProcessor } from '../processor/support/e2e'

export const EPOCH_BLOCKS = 8
const CHAIN_ID = 31337

/** The browser to drive: CHROMIUM_PATH, else Debian's. Missing → one line saying how to install it (no stack trace). */
export function chromiumPath(): string {
    const file = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
    if (!fs.existsSync(file)) {
        const e = new Error(`chromium not found at ${file}: install it (as root: apt-get install -y chromium) or set CHROMIUM_PATH`)
        e.stack = e.message
        throw e
    }
    return file
}

export function launchBrowser(): Promise<Browser> {
    return chromium.launch({
        executablePath: chromiumPath(),
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
}

/**
 * Forwards TCP to the API server. `cut()` destroys every open connection (the page's websocket among them) and holds
 * new ones unanswered until `restore()`: to the page, the API is gone, without failed connection attempts.
 */
export class CuttableProxy {
    private server?: net.Server
    private readonly open = new Set<net.Socket>()
    private held: net.Socket[] = []
    private down = false
    port = 0

    constructor(private readonly targetPort: number) {}

    async start(): Promise<number> {
        this.server = net.createServer((c) => {
            c.on('error', () => undefined)
            this.track(c)
            if (this.down) this.held.push(c)
            else this.forward(c)
        })
        await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
        this.port = (this.server.address() as net.AddressInfo).port
        return this.port
    }

    private track(s: net.Socket) {
        this.open.add(s)
        s.once('close', () => this.open.delete(s))
    }

    private forward(c: net.Socket) {
        const up = net.connect(this.targetPort, '127.0.0.1')
        up.on('error', () => c.destroy())
        this.track(up)
        c.pipe(up)
        up.pipe(c)
        c.once('close', () => up.destroy())
        up.once('close', () => c.destroy())
    }

    cut() {
        this.down = true
        for (const s of this.open) s.destroy()
    }

    restore() {
        this.down = false
        for (const c of this.held.splice(0)) if (!c.destroyed) this.forward(c)
    }

    async close() {
        this.cut()
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
    }
}

export interface DashboardStack {
    tmp: string
    pg: EmbeddedPostgres
    anvil: Anvil
    deployment: Deployment
    deploymentsFile: string
    pool: Pool
    processor: ProcessorHandle
    server: RunningServer
    logs: string[]
    close(): Promise<void>
}

export async function startDashboardStack(): Promise<DashboardStack> {
    const logs: string[] = []
    setLogSink((l) => void (logs.length < 5_000 && logs.push(l)))
    ensureLib()
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-'))
    fs.chmodSync(tmp, 0o755) // as root, Postgres runs as "postgres" and must traverse it
    const stops: (() => Promise<unknown>)[] = []
    const close = async () => {
        for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined)
        setLogSink(null)
        if (!process.env.DASHBOARD_KEEP) fs.rmSync(tmp, { recursive: true, force: true })
    }
    try {
        // genesis 4 h ago: populate() moves the clock forward in steps, so activity lands in several hourly buckets
        const genesis = Math.floor(Date.now() / 1000) - 4 * 3600
        const [pg, anvil] = await Promise.all([
            freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port, database: 'squid', noFsync: true })),
            freePort().then((port) => startAnvil({ port, blockTime: 1, extraArgs: ['--timestamp', String(genesis)] })),
        ])
        stops.push(() => pg.stop().catch(() => pg.kill()), () => anvil.stop().catch(() => anvil.kill()))
        const [deployment] = await Promise.all([deployAll(localDeployOptions(anvil.url, { disputeWindow: 3, timelockMinDelay: 2 })), applyMigrations(pg.url)])
        const deploymentsFile = writeDeployment(deployment, path.join(tmp, `${CHAIN_ID}.json`))
        const pool = new Pool({ connectionString: pg.url, max: 4 })
        pool.on('error', () => undefined)
        stops.push(() => pool.end())
        const processor = startProcessor(
            {
                DB_URL: pg.url,
                DATABASE_URL: '',
                RPC_URL: anvil.url,
                CHAIN_ID: String(CHAIN_ID),
                DEPLOYMENTS_FILE: deploymentsFile,
                FINALITY_CONFIRMATIONS: '3',
                RPC_HEAD_POLL_MS: '200',
                EPOCH_BLOCKS: String(EPOCH_BLOCKS),
                PROMETHEUS_PORT: String(await freePort()),
                SKIP_MIGRATIONS: 'true',
                START_BLOCK: '',
            },
            path.join(tmp, 'processor.log'),
        )
        stops.push(() => stopProcessor(processor))
        const server = await startServer({
            port: 0,
            host: '127.0.0.1',
            databaseUrl: pg.url,
            rpcUrl: anvil.url,
            log: (level, message) => void (logs.length < 5_000 && logs.push(`[api] ${level} ${message}`)),
            // the page and this test share 127.0.0.1's anonymous bucket; the default is a dashboard's share
            rateLimit: { anonymous: { perSecond: 1_000, burst: 1_000 } },
            mutations: {
                confirmTimeoutMs: 60_000,
                chain: () => SettlementChain.fromEnv({ RPC_URL: anvil.url, CHAIN_ID: String(CHAIN_ID), DEPLOYMENTS_FILE: deploymentsFile }),
                log: (m) => void logs.push(`[mutations] ${m}`),
            },
        })
        stops.push(() => server.close())
        return { tmp, pg, anvil, deployment, deploymentsFile, pool, processor, server, logs, close }
    } catch (e) {
        await close()
        throw e
    }
}

async function chainTime(s: DashboardStack): Promise<number> {
    const b = await rpcCall(s.anvil.url, 'eth_getBlockByNumber', ['latest', false])
    return Number(b.timestamp)
}

/**
 * Run the project's simulator until `ready()` holds (at most `maxMs`), moving the chain's clock forward in steps so
 * the activity spreads over the past hours, then stop it and bring the chain's clock to about now.
 */
export async function populate(s: DashboardStack, ready: () => Promise<boolean>, maxMs = 240_000): Promise<void> {
    const sim = startNodeChild(
        'lib/cli/simulate.js',
        {
            DB_URL: s.pg.url,
            DATABASE_URL: '',
            RPC_URL: s.anvil.url,
            CHAIN_ID: String(CHAIN_ID),
            DEPLOYMENTS_FILE: s.deploymentsFile,
            EPOCH_BLOCKS: String(EPOCH_BLOCKS),
            ANVIL_BLOCK_TIME: '1',
            SIM_TICK_MS: '500',
            SIM_MEV_TICK_MS: '1200',
            SIM_VALIDATOR_TICK_MS: '2500',
        },
        path.join(s.tmp, 'simulator.log'),
    )
    const deadline = Date.now() + maxMs
    try {
        for (let round = 0; ; round++) {
            if (sim.proc.exitCode != null) throw new Error(`the simulator exited:\n${sim.output().slice(-3000)}`)
            const gap = Date.now() / 1000 - (await chainTime(s))
            if (round % 2 === 1 && gap > 1_800) await rpcCall(s.anvil.url, 'evm_increaseTime', [Math.min(1_500, Math.floor(gap - 1_200))])
            if (gap < 2_400 && (await ready().catch(() => false))) break
            if (Date.now() > deadline) throw new Error(`the stack was not populated within ${maxMs / 1000} s:\n${sim.output().slice(-3000)}`)
            await sleep(3_000)
        }
    } finally {
        await stopProcessor(sim, 'SIGTERM')
    }
    const gap = Date.now() / 1000 - (await chainTime(s))
    if (gap > 60) await rpcCall(s.anvil.url, 'evm_increaseTime', [Math.floor(gap - 30)])
}

/** Retry `check` (which throws while the page and the API disagree) until it passes. */
export async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
        try {
            return await check()
        } catch (e: any) {
            if (Date.now() > deadline) throw new Error(`${what}: ${e?.message ?? e}`)
            await sleep(500)
        }
    }
}

const COMMIT = `mutation($input: CommitBatchInput!) { commitBatch(input: $input) { batchId status totalAmount } }`
export const FINALIZE = `mutation($id: String!, $key: String) { finalizeBatch(id: $id, idempotencyKey: $key) { batchId status } }`
export const CLAIM = `mutation($id: String!, $payees: [String!]!) { claimPayouts(batchId: $id, payees: $payees) { status claimed { payee amount } } }`
const PAYER = new Wallet(anvilKey(FIRST_PARTICIPANT)).address // a simulated AI platform: registered, escrow funded
export const payee = (n: number) => '0x' + (0x2000 + n).toString(16).padStart(40, '0')

/** commitBatch through the API as the operator: `amounts` to payee(0), payee(1), … */
export async function commitBatch(s: DashboardStack, operatorKey: string, tag: string, amounts: number[]): Promise<{ batchId: string; status: string; totalAmount: string }> {
    const input = {
        payer: PAYER,
        token: s.deployment.contracts.MockUSDC,
        records: amounts.map((a, i) => ({ payee: payee(i), amount: String(a) })),
        idempotencyKey: `dashboard-${tag}-${process.pid}-${Date.now()}`,
        dataURI: `ipfs://dashboard-${tag}`,
    }
    return data(await gql(s.server.url, COMMIT, { input }, { authorization: `Bearer ${operatorKey}` })).commitBatch
}
