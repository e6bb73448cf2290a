/**
 * The benchmark stack: embedded Postgres + anvil in a scratch dir, the protocol deployed, a burst of real
 * settlement activity (the project's simulator: participants, batches with stored leaves, disputes, claims), then
 * the bulk load (SettlementLoad emitting Escrow `Deposited` events) mined block by block with timestamps spread
 * over months, so daily rollups and 90-day dashboards have data.
 *
 * Two deployments files are written: `real.json` (the protocol as deployed; the API server's mutations use it)
 * and `index.json` (the same with `Escrow` = the load contract; the processor indexes it, so the load's
 * events are indexed as escrow deposits and the simulator's batches/claims still come from the real ledger and
 * distributor).
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { ContractFactory, JsonRpcProvider, NonceManager, Wallet } from 'ethers'
import { Client, Pool } from 'pg'
import { deployAll } from '../../src/deploy/deploy'
import { Deployment, writeDeployment } from '../../src/deploy/deployments'
import { anvilKey, LOCAL_ROLES } from '../../src/deploy/local-accounts'
import { localDeployOptions } from '../../src/deploy/local-options'
import { applyMigrations } from '../../src/indexer/migrations'
import { Anvil, rpcCall, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { onShutdown } from '../../src/stack/processes'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/stack/postgres'
import { freePort } from '../../src/stack/util'
import { BenchError, note, ROOT, waitFor } from './common'
import { LoadPlan, mineLoad, simulateSettlement } from './settlement-load'
import { NodeChild, spawnNode } from './procs'

/** BENCH_PG_SETTINGS="name=value,name=value": server settings on top of the embedded server's own (A/B of tuning) */
function pgSettingsFromEnv(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const kv of (process.env.BENCH_PG_SETTINGS ?? '').split(',').filter(Boolean)) out[kv.slice(0, kv.indexOf('=')).trim()] = kv.slice(kv.indexOf('=') + 1).trim()
    return out
}

export interface ChainInfo {
    startBlock: number
    head: number
    headHash: string
    loadFirstBlock: number
    loadBlocks: number
    loadEvents: number
    mineMs: number
    simulateMs: number
    simulator: Record<string, number>
    firstTimestamp: number
    lastTimestamp: number
}

export class BenchStack {
    pg!: EmbeddedPostgres
    anvil!: Anvil
    deployment!: Deployment
    loadAddress!: string
    /** deployments file of the protocol as deployed */
    realDeploymentsFile!: string
    /** deployments file with Escrow = the load contract (what the processor indexes) */
    indexDeploymentsFile!: string
    chain?: ChainInfo
    postgresVersion = ''
    anvilVersion = ''
    readonly logs: string[] = []
    private unregister: (() => void)[] = []

    constructor(
        readonly dir: string,
        readonly verbose: boolean,
    ) {}

    static async start(opts: { verbose: boolean }): Promise<BenchStack> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settlement-bench-'))
        fs.chmodSync(dir, 0o755) // as root, Postgres runs as "postgres" and must traverse it
        const s = new BenchStack(dir, opts.verbose)
        // registered first, so on Ctrl-C it runs last (after Postgres and anvil stopped): no scratch dir left behind
        s.unregister.push(onShutdown('bench-scratch', () => (process.env.BENCH_KEEP_ON_SIGNAL ? undefined : fs.rmSync(dir, { recursive: true, force: true }))))
        setLogSink((line) => {
            if (s.logs.length < 5_000) s.logs.push(line)
            if (opts.verbose) process.stderr.write(line + '\n')
        })
        const [pgPort, anvilPort] = [await freePort(), await freePort()]
        ;[s.pg, s.anvil] = await Promise.all([
            startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: pgPort, database: 'squid', noFsync: process.env.BENCH_PG_NOFSYNC === '1', verbose: process.env.BENCH_PG_VERBOSE === '1', settings: pgSettingsFromEnv() }),
            // interval mining while deploying and simulating (ethers waits for later blocks); the load is mined by hand.
            // The gas limit leaves room for a few large emitDeposits calls per block.
            startAnvil({ port: anvilPort, blockTime: 1, extraArgs: ['--gas-limit', '1000000000'] }),
        ])
        s.unregister.push(onShutdown('bench-postgres', () => s.pg.stop(), () => s.pg.kill()))
        s.unregister.push(onShutdown('bench-anvil', () => s.anvil.stop(), () => s.anvil.kill()))
        const c = new Client({ connectionString: s.pg.url })
        await c.connect()
        s.postgresVersion = (await c.query('SHOW server_version')).rows[0].server_version
        await c.end()
        s.anvilVersion = String(await rpcCall(s.anvil.url, 'web3_clientVersion').catch(() => 'unknown'))
        return s
    }

    get dbUrl(): string {
        return this.pg.url
    }

    get rpcUrl(): string {
        return this.anvil.url
    }

    /** Deploy the protocol and the load contract; write both deployments files; apply the migrations. */
    async deploy(): Promise<void> {
        const t0 = Date.now()
        this.deployment = await deployAll(localDeployOptions(this.anvil.url, { disputeWindow: 4, timelockMinDelay: 2 }))
        const provider = new JsonRpcProvider(this.anvil.url, 31337, { staticNetwork: true, pollingInterval: 100 })
        try {
            const art = JSON.parse(fs.readFileSync(path.join(ROOT, 'contracts/out/SettlementLoad.sol/SettlementLoad.json'), 'utf8'))
            const deployer = new NonceManager(new Wallet(anvilKey(LOCAL_ROLES.deployer), provider))
            const factory = new ContractFactory(art.abi, art.bytecode.object, deployer)
            const c = await factory.deploy()
            await c.waitForDeployment()
            this.loadAddress = (await c.getAddress()).toLowerCase()
        } catch (e: any) {
            if (e?.code === 'ENOENT') throw new BenchError('contracts/out/SettlementLoad.sol missing: run "npm run build" (forge) first')
            throw e
        } finally {
            provider.destroy()
        }
        this.realDeploymentsFile = writeDeployment(this.deployment, path.join(this.dir, 'real.json'))
        const indexed: Deployment = { ...this.deployment, contracts: { ...this.deployment.contracts, Escrow: this.loadAddress } }
        this.indexDeploymentsFile = writeDeployment(indexed, path.join(this.dir, 'index.json'))
        await applyMigrations(this.dbUrl)
        note('stack', `deployed the protocol and SettlementLoad at ${this.loadAddress} in ${Date.now() - t0} ms`)
    }

    /** Simulator activity, then the bulk load mined block by block (settlement-load.ts). */
    async prepareChain(plan: LoadPlan): Promise<ChainInfo> {
        if (this.chain) return this.chain
        const t0 = Date.now()
        const stats = await simulateSettlement(this.anvil.url, this.deployment, this.dbUrl, plan.simulateSeconds)
        const simulateMs = Date.now() - t0
        note('stack', `simulator: ${JSON.stringify(stats)} in ${simulateMs} ms`)
        if (!stats.committed || !stats.claims) throw new BenchError(`the simulator committed ${stats.committed} batches and made ${stats.claims} claims: the dashboards would have no settlement data`)
        const load = await mineLoad(this.anvil.url, this.deployment, this.loadAddress, plan)
        const head = await rpcCall(this.anvil.url, 'eth_getBlockByNumber', ['latest', false])
        const first = await rpcCall(this.anvil.url, 'eth_getBlockByNumber', ['0x' + this.deployment.startBlock.toString(16), false])
        this.chain = {
            startBlock: this.deployment.startBlock,
            head: Number(head.number),
            headHash: head.hash,
            loadFirstBlock: load.firstBlock,
            loadBlocks: load.blocks,
            loadEvents: plan.events,
            mineMs: load.ms,
            simulateMs,
            simulator: stats,
            firstTimestamp: Number(first.timestamp),
            lastTimestamp: Number(head.timestamp),
        }
        note('stack', `mined ${plan.events} events in ${load.blocks} blocks in ${load.ms} ms; head ${this.chain.head}`)
        return this.chain
    }

    /** Processor env (compiled lib/main.js) against this stack. */
    async processorEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
        return {
            DB_URL: this.dbUrl,
            RPC_URL: this.rpcUrl,
            CHAIN_ID: '31337',
            DEPLOYMENTS_FILE: this.indexDeploymentsFile,
            FINALITY_CONFIRMATIONS: '10',
            RPC_HEAD_POLL_MS: '200',
            PROMETHEUS_PORT: String(await freePort()),
            ...extra,
        }
    }

    startProcessor(env: Record<string, string>, name = 'processor'): NodeChild {
        // BENCH_PROCESSOR_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the processor
        const nodeArgs = (process.env.BENCH_PROCESSOR_NODE_ARGS ?? '').split(' ').filter(Boolean)
        return spawnNode(name, 'lib/main.js', env, path.join(this.dir, 'logs', `${name}-${Date.now()}.log`), { echo: this.verbose, nodeArgs })
    }

    /** The API server (compiled lib/server/index.js) on a free port; resolves once /health answers. */
    async startServer(extra: Record<string, string> = {}, name = 'api'): Promise<{ child: NodeChild; url: string; wsUrl: string; port: number }> {
        const port = await freePort()
        const child = spawnNode(
            name,
            'lib/server/index.js',
            {
                DB_URL: this.dbUrl,
                RPC_URL: this.rpcUrl,
                CHAIN_ID: '31337',
                DEPLOYMENTS_FILE: this.realDeploymentsFile,
                GQL_PORT: String(port),
                // every client of a benchmark comes from 127.0.0.1: no per-IP rate limit
                GQL_ANON_RATE_LIMIT_RPS: '0',
                GQL_RATE_LIMIT_RPS: '0',
                GQL_MAX_WS_PER_IP: '0',
                ...extra,
            },
            path.join(this.dir, 'logs', `${name}-${Date.now()}.log`),
            // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the API server
            { echo: this.verbose, nodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean) },
        )
        const url = `http://127.0.0.1:${port}/graphql`
        await waitFor('the API server', 60_000, async () => {
            if (!child.running()) throw new BenchError(`the API server exited:\n${child.lines.slice(-20).join('\n')}`)
            const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }).catch(() => undefined)
            return r?.ok ? true : undefined
        }).catch((e) => {
            if (!child.running()) throw new BenchError(`the API server exited:\n${child.lines.slice(-20).join('\n')}`)
            throw e
        })
        return { child, url, wsUrl: `ws://127.0.0.1:${port}/graphql`, port }
    }

    async stop(keep: boolean): Promise<void> {
        await this.anvil?.stop().catch(() => this.anvil.kill())
        await this.pg?.stop().catch(() => this.pg.kill())
        for (const u of this.unregister) u()
        setLogSink(null)
        if (!keep) fs.rmSync(this.dir, { recursive: true, force: true })
        else note('stack', `kept ${this.dir}`)
    }
}

/** Indexed head (top hot block, else the finalized status) of the processor's state schema. */
export async function indexedHead(db: Client | Pool): Promise<{ height: number; hash: string } | undefined> {
    const exists = await db.query(`SELECT to_regclass('squid_processor.status') AS t`)
    if (!exists.rows[0].t) return undefined
    const hot = await db.query(`SELECT height, hash FROM squid_processor.hot_block ORDER BY height DESC LIMIT 1`)
    if (hot.rowCount) return { height: Number(hot.rows[0].height), hash: hot.rows[0].hash }
    const s = await db.query(`SELECT height, hash FROM squid_processor.status WHERE id = 0`)
    if (!s.rowCount || Number(s.rows[0].height) < 0) return undefined
    return { height: Number(s.rows[0].height), hash: s.rows[0].hash }
}

