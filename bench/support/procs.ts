/**
 * Node children of the benchmarks (the compiled processor and API server), with their output in a log file,
 * a /proc monitor, and a shutdown entry so an interrupted run leaves nothing behind.
 */
import * as fs from 'fs'
import * as path from 'path'
import { ManagedProcess, onShutdown, parentGuardFile, spawnManaged } from '../../src/stack/processes'
import { ROOT, sleep } from './common'
import { ProcMonitor } from './proc-stats'

export interface NodeChild {
    name: string
    proc: ManagedProcess
    pid: number
    logFile: string
    monitor: ProcMonitor
    /** lines printed so far (kept in memory, bounded) */
    lines: string[]
    /** resolves with the exit */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
    running(): boolean
    /** graceful stop (SIGTERM, SIGKILL after `timeoutMs`) */
    stop(timeoutMs?: number): Promise<void>
    kill(): Promise<void>
}

const MAX_LINES = 20_000

let projectDir = ROOT

/**
 * Snapshot the compiled project into bench/work/snap-<pid>/ (package.json, schema.graphql, lib/, db/, config/
 * copied; the rest, node_modules/ included, linked) and run the processor and server from there, so a rebuild of lib/
 * during a long run (another `npm run build` in the same checkout) cannot pull the code from under the benchmark.
 * It is a project root of its own: projectRoot() of the snapshot's code finds its package.json, so squid loads
 * the snapshot's lib/model and migrations.
 */
export function snapshotLib(): () => void {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'main.js'))) throw new Error('lib/main.js does not exist: run "npm run build" first')
    const dst = path.join(ROOT, 'bench', 'work', `snap-${process.pid}`)
    fs.rmSync(dst, { recursive: true, force: true })
    fs.mkdirSync(dst, { recursive: true })
    const copied = ['package.json', 'schema.graphql', 'lib', 'db', 'config']
    for (const e of copied) if (fs.existsSync(path.join(ROOT, e))) fs.cpSync(path.join(ROOT, e), path.join(dst, e), { recursive: true })
    // everything else the code might read (abi/, contracts/, node_modules/, ...) is linked
    for (const e of fs.readdirSync(ROOT)) {
        if (copied.includes(e) || ['bench', '.git', '.data'].includes(e)) continue
        fs.symlinkSync(path.join(ROOT, e), path.join(dst, e))
    }
    projectDir = dst
    const unregister = onShutdown('bench-lib-snapshot', () => fs.rmSync(dst, { recursive: true, force: true }))
    return () => {
        unregister()
        projectDir = ROOT
        fs.rmSync(dst, { recursive: true, force: true })
    }
}

/** lib/ or its snapshot: where the processor and server of this run come from. */
export function currentLibDir(): string {
    return path.join(projectDir, 'lib')
}

/** Run `script` (lib/<...>.js, from the lib snapshot when one was taken) with `env` on top of process.env. */
export function spawnNode(name: string, script: string, env: Record<string, string>, logFile: string, opts: { echo?: boolean; nodeArgs?: string[] } = {}): NodeChild {
    const file = path.join(projectDir, script)
    if (!fs.existsSync(file)) throw new Error(`${script} does not exist: run "npm run build" first`)
    fs.mkdirSync(path.dirname(logFile), { recursive: true })
    const out = fs.createWriteStream(logFile, { flags: 'a' })
    const lines: string[] = []
    const proc = spawnManaged(name, process.execPath, ['--require', parentGuardFile(), ...(opts.nodeArgs ?? []), file], {
        env: { ...process.env, ...env },
        cwd: projectDir,
        ipc: true,
        stopSignal: 'SIGTERM',
        stopTimeoutMs: 10_000,
        output: (line) => {
            out.write(line + '\n')
            if (lines.length < MAX_LINES) lines.push(line)
            if (opts.echo) process.stderr.write(`[${name}] ${line}\n`)
        },
    })
    const unregister = onShutdown(name, () => proc.stop(), () => proc.kill())
    const monitor = new ProcMonitor(proc.pid)
    const exited = proc.exited.then((e: any) => {
        monitor.stop()
        unregister()
        // let the last lines reach the file
        setTimeout(() => out.end(), 50)
        return { code: e?.code ?? null, signal: e?.signal ?? null }
    })
    const child: NodeChild = {
        name,
        proc,
        pid: proc.pid,
        logFile,
        monitor,
        lines,
        exited,
        running: () => proc.running,
        async stop(timeoutMs = 10_000) {
            if (!proc.running) return
            const t = setTimeout(() => proc.kill(), timeoutMs)
            await proc.stop('SIGTERM').catch(() => undefined)
            clearTimeout(t)
            await exited
        },
        async kill() {
            if (!proc.running) return
            proc.kill()
            await Promise.race([exited, sleep(5_000)])
        },
    }
    return child
}
