/**
 * Shared by the fault tests: a real stack (embedded Postgres + anvil in a temp dir, the protocol deployed, the
 * compiled processor as a child), settlement activity from the project's simulator, and the two end checks every
 * fault test finishes with: reconcile at 0 mismatches, and (where the scenario could have lost or duplicated
 * rows) equality with a fresh, undisturbed index of the same chain.
 */
import { spawn, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Pool } from 'pg'
import { deployAll } from '../../../src/deploy/deploy'
import { Deployment, writeDeployment } from '../../../src/deploy/deployments'
import { localDeployOptions } from '../../../src/deploy/local-options'
import { applyMigrations } from '../../../src/indexer/migrations'
import { reconcile, ReconcileResult } from '../../../src/reconcile'
import { Simulator, SimulatorStats } from '../../../src/simulator/simulator'
import { Anvil, rpcCall, startAnvil } from '../../../src/stack/anvil'
import { setLogSink } from '../../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/stack/postgres'
import { freePort } from '../../../src/stack/util'
import { prepareParticipants } from '../../../bench/support/chain'
import { dumpEntities, ProcessorHandle, ROOT, startProcessor, stopProcessor, waitCaughtUp, withClient } from '../../processor/support/e2e'

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** lib/ is compiled by `npm test` (scripts/test.sh) before jest; compile here only when it is missing or older than src/. */
export function ensureLib(): void {
    const main = path.join(ROOT, 'lib', 'main.js')
    const newest = (dir: string): number => {
        let t = 0
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name)
            t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? fs.statSync(p).mtimeMs : 0)
        }
        return t
    }
    if (fs.existsSync(main) && fs.existsSync(path.join(ROOT, 'lib', 'server', 'index.js')) && fs.statSync(main).mtimeMs >= newest(path.join(ROOT, 'src'))) return
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' })
    if (!fs.existsSync(main)) throw new Error(`tsc did not produce lib/main.js:\n${r.stdout}\n${r.stderr}`)
}

/** Seeded PRNG (mulberry32, the simulator's): schedules are reproducible from their seed. */
export { rng } from '../../../src/simulator/random'

export interface FaultStack {
    tmp: string
    pg: EmbeddedPostgres
    anvil: Anvil
    deployment: Deployment
    deploymentsFile: string
    dbUrl: string
    /** output of the stack helpers (postgres, anvil), for failure messages */
    logs: string[]
    pgOptions: Parameters<typeof startEmbeddedPostgres>[0]
    contracts(): Record<string, string>
    /** processor environment against this stack (RPC overridable, e.g. through a fault proxy) */
    processorEnv(over?: Record<string, string>, dbUrl?: string): Promise<Record<string, string>>
    launch(name: string, over?: Record<string, string>, dbUrl?: string): Promise<ProcessorHandle>
    processors: ProcessorHandle[]
    close(): Promise<void>
}

export async function startFaultStack(name: string, opts: { blockTime?: number } = {}): Promise<FaultStack> {
    const logs: string[] = []
    setLogSink((l) => {
        if (logs.length < 2_000) logs.push(l)
        if (process.env.FAULT_LOGS) process.stdout.write(l + '\n')
    })
    ensureLib()
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `fault-${name}-`))
    fs.chmodSync(tmp, 0o755) // as root, Postgres runs as "postgres" and must traverse it
    const pgOptions = { dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid' }
    const [pg, anvil] = await Promise.all([startEmbeddedPostgres(pgOptions), startAnvil({ port: await freePort(), blockTime: opts.blockTime ?? 0.5 })])
    let deployment: Deployment
    try {
        deployment = await deployAll(localDeployOptions(anvil.url, { disputeWindow: 3, timelockMinDelay: 2 }))
    } catch (e) {
        await anvil.stop().catch(() => anvil.kill())
        await pg.stop().catch(() => pg.kill())
        throw e
    }
    const deploymentsFile = writeDeployment(deployment, path.join(tmp, '31337.json'))
    await applyMigrations(pg.url)
    const processors: ProcessorHandle[] = []
    const s: FaultStack = {
        tmp,
        pg,
        anvil,
        deployment,
        deploymentsFile,
        dbUrl: pg.url,
        logs,
        pgOptions,
        processors,
        contracts: () => Object.fromEntries(Object.entries(deployment.contracts).map(([k, v]) => [k, v.toLowerCase()])),
        async processorEnv(over = {}, dbUrl = s.dbUrl) {
            return {
                DB_URL: dbUrl,
                RPC_URL: s.anvil.url,
                CHAIN_ID: '31337',
                DEPLOYMENTS_FILE: deploymentsFile,
                FINALITY_CONFIRMATIONS: '5',
                RPC_HEAD_POLL_MS: '100',
                PROMETHEUS_PORT: String(await freePort()),
                ...over,
            }
        },
        async launch(procName, over = {}, dbUrl = s.dbUrl) {
            const h = startProcessor(await s.processorEnv(over, dbUrl), path.join(tmp, `${procName}.log`))
            processors.push(h)
            return h
        },
        async close() {
            for (const h of processors) await stopProcessor(h, 'SIGKILL').catch(() => undefined)
            await s.anvil.stop().catch(() => s.anvil.kill())
            await s.pg.stop().catch(() => s.pg.kill())
            setLogSink(null)
            if (!process.env.FAULT_KEEP) fs.rmSync(tmp, { recursive: true, force: true })
        },
    }
    return s
}

/** Simulated settlement activity (deposits, batches with stored leaves, disputes, finalisations, claims) for `ms`. */
export async function simulate(s: FaultStack, ms: number, seed: number, opts: { tickMs?: number; stop?: () => boolean } = {}): Promise<SimulatorStats> {
    const pool = new Pool({ connectionString: s.dbUrl, max: 2 })
    pool.on('error', () => undefined)
    let tickErrors = 0
    let sim!: Simulator
    try {
        await prepareParticipants(s.anvil.url, s.deployment, { payers: 3, publishers: 8, advertisers: 1 })
        // setup is idempotent, but a simulator whose setup failed (a nonce race of the node under interval mining)
        // keeps a bad nonce state: a fresh instance per attempt
        for (let attempt = 1; ; attempt++) {
            sim = new Simulator({ rpcUrl: s.anvil.url, deployment: s.deployment, db: pool, seed: seed + attempt * 1000, payers: 3, publishers: 8, advertisers: 1, recordsPerBatch: [20, 80] })
            try {
                await sim.setup()
                break
            } catch (e) {
                await sim.stop().catch(() => undefined)
                if (attempt >= 4) throw e
                // a failed setup can leave transactions queued behind a nonce gap: every later one would wait behind them
                await sleep(1_500)
                await rpcCall(s.anvil.url, 'anvil_dropAllTransactions', [])
                await sleep(1_500)
            }
        }
        const until = Date.now() + ms
        while (Date.now() < until && !opts.stop?.()) {
            try {
                await sim.tick()
            } catch {
                // e.g. storing leaves while Postgres restarts: the simulator goes on
                tickErrors++
            }
            await sleep(opts.tickMs ?? 200)
        }
    } finally {
        await sim?.stop()
        await pool.end().catch(() => undefined)
    }
    return { ...sim.stats, failures: sim.stats.failures + tickErrors }
}

/** Stop interval mining (a block only per transaction from now on), so "caught up" is a fixed target. */
export async function freezeChain(s: FaultStack): Promise<void> {
    await rpcCall(s.anvil.url, 'evm_setIntervalMining', [0])
    await rpcCall(s.anvil.url, 'evm_setAutomine', [true])
    await rpcCall(s.anvil.url, 'evm_mine', [])
}

/** reconcile() against the chain; fails the test with the mismatches listed. */
export async function expectReconciled(s: FaultStack, dbUrl = s.dbUrl): Promise<ReconcileResult> {
    const r = await reconcile({ dbUrl, rpcUrl: s.anvil.url, contracts: s.contracts() })
    if (r.mismatches.length) throw new Error(`reconcile: ${r.checked} checked, ${r.mismatches.length} mismatches:\n${JSON.stringify(r.mismatches.slice(0, 20), null, 1)}`)
    return r
}

/**
 * Index the same chain from scratch into a new database with an undisturbed processor, then compare every entity
 * table row by row: what the faulted run produced must be exactly what a clean run produces.
 */
export async function expectSameAsFreshIndex(s: FaultStack, timeoutMs = 180_000): Promise<{ tables: number; rows: number }> {
    const db = `fresh_${Date.now()}`
    await withClient(s.dbUrl, (c) => c.query(`CREATE DATABASE ${db}`))
    const freshUrl = s.dbUrl.replace(/\/squid$/, `/${db}`)
    const fresh = await s.launch(`fresh-${db}`, {}, freshUrl)
    try {
        await waitCaughtUp(freshUrl, s.anvil.url, timeoutMs, fresh)
    } finally {
        await stopProcessor(fresh)
    }
    const [a, b] = await Promise.all([dumpEntities(s.dbUrl), dumpEntities(freshUrl)])
    expect(Object.keys(a)).toEqual(Object.keys(b))
    for (const table of Object.keys(a)) expect({ table, rows: a[table] }).toEqual({ table, rows: b[table] })
    return { tables: Object.keys(a).length, rows: Object.values(a).reduce((n, r) => n + r.length, 0) }
}

/** A compiled Node entry (e.g. lib/server/index.js) as a child, output to `logFile`; same handle shape as the processor's. */
export function startNodeChild(script: string, env: Record<string, string>, logFile: string): ProcessorHandle {
    const out = fs.openSync(logFile, 'a')
    const proc = spawn(process.execPath, [path.join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', out, out] })
    fs.closeSync(out)
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
    return { proc, logFile, exited, output: () => fs.readFileSync(logFile, 'utf8') }
}

export interface ApiServer {
    handle: ProcessorHandle
    url: string
    wsUrl: string
    port: number
}

/** The compiled API server (`node lib/server/index.js`) against the stack; resolves when it answers. */
export async function startApiServer(s: FaultStack, name: string, env: Record<string, string> = {}): Promise<ApiServer> {
    const port = await freePort()
    const handle = startNodeChild(
        'lib/server/index.js',
        { DB_URL: s.dbUrl, RPC_URL: s.anvil.url, CHAIN_ID: '31337', DEPLOYMENTS_FILE: s.deploymentsFile, GQL_PORT: String(port), ...env },
        path.join(s.tmp, `${name}.log`),
    )
    s.processors.push(handle)
    const url = `http://127.0.0.1:${port}/graphql`
    const deadline = Date.now() + 60_000
    for (;;) {
        if (handle.proc.exitCode != null) throw new Error(`the API server exited:\n${handle.output().slice(-3000)}`)
        const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })
            .then((r) => r.ok)
            .catch(() => false)
        if (ok) break
        if (Date.now() > deadline) throw new Error(`the API server did not answer within 60 s:\n${handle.output().slice(-3000)}`)
        await sleep(200)
    }
    return { handle, url, wsUrl: `ws://127.0.0.1:${port}/graphql`, port }
}

/** POST a GraphQL query; returns status and parsed body (never throws on GraphQL errors). */
export async function gql(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}, timeoutMs = 20_000): Promise<{ status: number; body: any; text: string }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(timeoutMs) })
    const text = await res.text()
    let body: any
    try {
        body = JSON.parse(text)
    } catch {
        body = undefined
    }
    return { status: res.status, body, text }
}

/** CPU-independent memory figure of a child: resident set size in MB (from /proc). */
export function rssMb(pid: number): number {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
}

/** Log lines of a processor at level ≥ warn (squid's JSON logs: level 3 = warn, 4 = error, 5 = fatal). */
export function warnLines(h: ProcessorHandle): string[] {
    return h
        .output()
        .split('\n')
        .filter((l) => /"level":[345]/.test(l) || /^\s*(WARN|ERROR|FATAL)/.test(l))
}

export { dumpEntities, ProcessorHandle, startProcessor, stopProcessor, waitCaughtUp, withClient }
