/**
 * The compiled API server (lib/server/index.js) in its own process over an embedded Postgres, for attacks whose
 * harm is a blocked event loop: the test process stays free to measure how fast `/health` answers meanwhile.
 */
import { ChildProcess, spawn } from 'child_process'
import * as fs from 'fs'
import * as path from 'path'
import { freePort } from '../../../src/stack/util'
import { PgStack, startPgStack } from '../../server/support/stack'

const ROOT = path.resolve(__dirname, '../../..')

export interface GqlServerProcess {
    stack: PgStack
    proc: ChildProcess
    port: number
    url: string
    base: string
    output(): string
    close(): Promise<void>
}

/** Build first (`npx tsc -p tsconfig.json`): the child runs lib/. */
export async function startGqlServerProcess(env: Record<string, string> = {}): Promise<GqlServerProcess> {
    if (!fs.existsSync(path.join(ROOT, 'lib/server/index.js'))) throw new Error('lib/server/index.js is missing: run `npx tsc -p tsconfig.json` first')
    const stack = await startPgStack()
    const port = await freePort()
    let out = ''
    const childEnv: Record<string, string | undefined> = { ...process.env, DB_URL: stack.url, GQL_PORT: String(port), RPC_URL: 'http://127.0.0.1:1', ...env }
    // the database is the one above, whatever the caller's environment says
    for (const v of ['DATABASE_URL', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS', 'GQL_HOST']) if (!(v in env)) delete childEnv[v]
    const proc = spawn(process.execPath, [path.join(ROOT, 'lib/server/index.js')], {
        cwd: ROOT,
        env: childEnv as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
    })
    const keep = (b: Buffer) => {
        out = (out + b.toString()).slice(-200_000)
    }
    proc.stdout!.on('data', keep)
    proc.stderr!.on('data', keep)
    const base = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 60_000
    for (;;) {
        if (proc.exitCode != null) {
            await stack.close()
            throw new Error(`the API server exited:\n${out.slice(-3000)}`)
        }
        const ok = await fetch(`${base}/health`)
            .then((r) => r.ok)
            .catch(() => false)
        if (ok) break
        if (Date.now() > deadline) {
            proc.kill('SIGKILL')
            await stack.close()
            throw new Error(`the API server did not answer within 60 s:\n${out.slice(-3000)}`)
        }
        await new Promise((r) => setTimeout(r, 200))
    }
    return {
        stack,
        proc,
        port,
        url: `${base}/graphql`,
        base,
        output: () => out,
        async close() {
            if (proc.exitCode == null) {
                const exited = new Promise((r) => proc.once('exit', r))
                proc.kill('SIGTERM')
                let timer: NodeJS.Timeout | undefined
                await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))])
                clearTimeout(timer)
                if (proc.exitCode == null) proc.kill('SIGKILL')
            }
            await stack.close()
        },
    }
}

/** Polls `GET /health` every `everyMs` until stopped; reports the slowest answer (a failed probe counts as Infinity). */
export function watchHealth(base: string, everyMs = 50): { stop(): Promise<{ probes: number; slowestMs: number }> } {
    let running = true
    let probes = 0
    let slowestMs = 0
    const loop = (async () => {
        while (running) {
            const t0 = performance.now()
            const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) })
                .then((r) => r.ok)
                .catch(() => false)
            const ms = ok ? performance.now() - t0 : Infinity
            probes++
            slowestMs = Math.max(slowestMs, ms)
            await new Promise((r) => setTimeout(r, everyMs))
        }
    })()
    return {
        async stop() {
            running = false
            await loop
            return { probes, slowestMs }
        },
    }
}

export interface Answer {
    status: number
    ms: number
    codes: string[]
    limits: unknown[]
    body: any
}

/** POST a body (object → JSON) and time the answer. */
export async function timedPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const t0 = performance.now()
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
    })
    const text = await res.text()
    const ms = performance.now() - t0
    let parsed: any
    try {
        parsed = JSON.parse(text)
    } catch {
        parsed = text
    }
    const errors: any[] = parsed?.errors ?? []
    return { status: res.status, ms, codes: errors.map((e) => e?.extensions?.code), limits: errors.map((e) => e?.extensions?.limit), body: parsed }
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
}
