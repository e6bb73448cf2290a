/**
 * Node children of the benchmarks (the compiled processor and API server), with their output in a log file,
 * a /proc monitor, and a shutdown entry so an interrupted run leaves nothing behind.
 */
import * as fs from 'fs'
import * as path from 'path'
import { ManagedProcess, onShutdown, parentGuardFile, spawnManaged } from '../../src/stack/processes'
import { ROOT, ProcMonitor, sleep } from './common'

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

/** Run `script` (relative to the project root, e.g. lib/main.js) with `env` on top of process.env. */
export function spawnNode(name: string, script: string, env: Record<string, string>, logFile: string, opts: { echo?: boolean; nodeArgs?: string[] } = {}): NodeChild {
    const file = path.join(ROOT, script)
    if (!fs.existsSync(file)) throw new Error(`${script} does not exist: run "npm run build" first`)
    fs.mkdirSync(path.dirname(logFile), { recursive: true })
    const out = fs.createWriteStream(logFile, { flags: 'a' })
    const lines: string[] = []
    const proc = spawnManaged(name, process.execPath, ['--require', parentGuardFile(), ...(opts.nodeArgs ?? []), file], {
        env: { ...process.env, ...env },
        cwd: ROOT,
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
