/**
 * The real stack for the database hardening suites (test/security/db-*.test.ts): an embedded Postgres in a temp
 * dir with the project's migrations, and the compiled API server (`node lib/server/index.js`) as a child process,
 * so a crash shows as an exit instead of taking jest down. Plus the probes every attack runs alongside:
 * /health answering within 1 s, the server's pid unchanged, its RSS.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Pool } from 'pg'
import { createApiKey } from '../../../src/server/api-keys'
import { setLogSink } from '../../../src/stack/log'
import { EmbeddedPostgres, EmbeddedPostgresOptions, startEmbeddedPostgres } from '../../../src/stack/postgres'
import { freePort } from '../../../src/stack/util'
import { applyMigrations } from '../../server/support/stack'

export const ROOT = path.resolve(__dirname, '../../..')
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** lib/ is compiled by `npm test` before jest; compile here only when it is missing or older than src/. */
export function ensureLib(): void {
    const entry = path.join(ROOT, 'lib', 'server', 'index.js')
    const newest = (dir: string): number => {
        let t = 0
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name)
            t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? fs.statSync(p).mtimeMs : 0)
        }
        return t
    }
    if (fs.existsSync(entry) && fs.statSync(entry).mtimeMs >= newest(path.join(ROOT, 'src'))) return
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`tsc failed:\n${r.stdout}\n${r.stderr}`)
}

export interface ApiChild {
    proc: ChildProcess
    pid: number
    port: number
    base: string
    logFile: string
    output(): string
}

export interface DbStack {
    tmp: string
    /** replaced when a test restarts Postgres (same data dir and port: pgOptions) */
    pg: EmbeddedPostgres
    pgOptions: EmbeddedPostgresOptions
    dbUrl: string
    /** superuser pool (the attacker's "failover" and the test's own checks) */
    admin: Pool
    /** an API key (role read-only) */
    key: string
    api: ApiChild
    startApi(env?: Record<string, string>): Promise<ApiChild>
    close(): Promise<void>
}

export async function startDbStack(name: string, apiEnv: Record<string, string> = {}): Promise<DbStack> {
    setLogSink(() => undefined)
    ensureLib()
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `sec-${name}-`))
    fs.chmodSync(tmp, 0o755) // as root, Postgres runs as "postgres" and must traverse it
    const pgOptions = { dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid', noFsync: true }
    const pg = await startEmbeddedPostgres(pgOptions)
    const admin = new Pool({ connectionString: pg.url, max: 4 })
    admin.on('error', () => undefined)
    const children: ChildProcess[] = []
    const s: DbStack = {
        tmp,
        pg,
        pgOptions,
        dbUrl: pg.url,
        admin,
        key: '',
        api: undefined as unknown as ApiChild,
        async startApi(env = {}) {
            const api = await startApiChild(s, `${name}-api`, { ...apiEnv, ...env })
            children.push(api.proc)
            return api
        },
        async close() {
            for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
            await admin.end().catch(() => undefined)
            await s.pg.stop().catch(() => s.pg.kill())
            setLogSink(null)
            fs.rmSync(tmp, { recursive: true, force: true })
        },
    }
    try {
        await applyMigrations(admin, pg.url)
        s.key = (await createApiKey(admin, 'read-only', `security-${name}`)).key
        s.api = await s.startApi()
    } catch (e) {
        await s.close()
        throw e
    }
    return s
}

async function startApiChild(s: DbStack, name: string, env: Record<string, string>): Promise<ApiChild> {
    const port = await freePort()
    const logFile = path.join(s.tmp, `${name}.log`)
    const out = fs.openSync(logFile, 'a')
    const proc = spawn(process.execPath, [path.join(ROOT, 'lib/server/index.js')], {
        cwd: ROOT,
        env: { ...process.env, DB_URL: s.dbUrl, RPC_URL: 'http://127.0.0.1:1', GQL_PORT: String(port), GQL_RATE_LIMIT_RPS: '0', GQL_ANON_RATE_LIMIT_RPS: '0', API_RESULT_CACHE_MS: '0', ...env },
        stdio: ['ignore', out, out],
    })
    fs.closeSync(out)
    const api: ApiChild = { proc, pid: proc.pid!, port, base: `http://127.0.0.1:${port}`, logFile, output: () => fs.readFileSync(logFile, 'utf8') }
    const deadline = Date.now() + 60_000
    for (;;) {
        if (proc.exitCode !== null) throw new Error(`the API server exited:\n${api.output().slice(-3000)}`)
        const ok = await fetch(`${api.base}/health`, { signal: AbortSignal.timeout(2_000) })
            .then((r) => r.ok)
            .catch(() => false)
        if (ok) return api
        if (Date.now() > deadline) throw new Error(`the API server did not answer within 60 s:\n${api.output().slice(-3000)}`)
        await sleep(200)
    }
}

/** The API child is the same process it was at start, and still running. */
export function expectAlive(api: ApiChild): void {
    expect({ exitCode: api.proc.exitCode, signal: api.proc.signalCode, log: api.proc.exitCode === null ? '' : api.output().slice(-2000) }).toEqual({
        exitCode: null,
        signal: null,
        log: '',
    })
}

/** Resident set size of a process in MB (from /proc). */
export function rssMb(pid: number): number {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
}

export interface HealthWatch {
    /** stop probing; every probe's latency (ms) and status (0: no answer within 1 s) */
    stop(): Promise<{ probes: number; slowest: number; statuses: number[]; latencies: number[] }>
}

/** GET /health every `everyMs` while an attack runs; each probe must answer within 1 s (any status). */
export function watchHealth(api: ApiChild, path = '/health', everyMs = 200): HealthWatch {
    let running = true
    let slowest = 0
    const statuses: number[] = []
    const latencies: number[] = []
    const loop = (async () => {
        while (running) {
            const t0 = Date.now()
            const status = await fetch(`${api.base}${path}`, { signal: AbortSignal.timeout(1_000) })
                .then(async (r) => {
                    await r.text()
                    return r.status
                })
                .catch(() => 0)
            slowest = Math.max(slowest, Date.now() - t0)
            latencies.push(Date.now() - t0)
            statuses.push(status)
            await sleep(everyMs)
        }
    })()
    return {
        async stop() {
            running = false
            await loop
            return { probes: statuses.length, slowest, statuses, latencies }
        },
    }
}

export async function postSql(api: ApiChild, key: string, sql: string, params: unknown[] = [], timeoutMs = 30_000): Promise<{ status: number; body: any }> {
    const res = await fetch(`${api.base}/sql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ sql, params }),
        signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    let body: any
    try {
        body = JSON.parse(text)
    } catch {
        body = text
    }
    return { status: res.status, body }
}

export async function postGql(api: ApiChild, query: string, timeoutMs = 30_000): Promise<{ status: number; body: any }> {
    const res = await fetch(`${api.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query }),
        signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    let body: any
    try {
        body = JSON.parse(text)
    } catch {
        body = text
    }
    return { status: res.status, body }
}
