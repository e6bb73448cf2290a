/**
 * Child processes and ordered shutdown for the dev stack.
 *
 * - `spawnManaged` / `runNodeProcess` start a child with the inherited env and
 *   copy its output line by line with a `[name] ` prefix.
 * - Children run `detached` (own process group), so a terminal Ctrl-C reaches
 *   only this process, which then stops everything in order instead of every
 *   process dying at once (e.g. Postgres going away under the processor).
 * - Ordered shutdown (cleanup steps, signal handlers) is src/stack/shutdown.ts,
 *   re-exported here for the callers that start children and register them.
 * - Node children get a tiny preload that makes them SIGTERM themselves when
 *   the parent dies without cleaning up (IPC channel disconnect), so a
 *   `kill -9` of the parent does not leave orphans behind.
 */
import { ChildProcess, spawn, SpawnOptions } from 'child_process'
import * as crypto from 'crypto'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { childEnv, projectRoot } from '../config'
import { log } from './log'
import { isShuttingDown, shutdownAndExit } from './shutdown'
import { ExitInfo, exitPromise, hasExited, onLines, signalChild, signalOnExit, Tail } from './util'

export type { ExitInfo } from './util'
export {
    forceKillAll,
    installSignalHandlers,
    isShuttingDown,
    onShutdown,
    registerProcess,
    resetShutdownState,
    shutdownAll,
    shutdownAndExit,
} from './shutdown'

export interface ManagedProcess {
    readonly name: string
    readonly child: ChildProcess
    readonly pid: number
    /** Resolves when the process has exited. */
    readonly exited: Promise<ExitInfo>
    readonly running: boolean
    /** true once stop() or kill() was called */
    readonly stopRequested: boolean
    /** Last output lines (stdout + stderr), for error messages. */
    readonly tail: Tail
    /** Graceful stop: `signal` (default: the process' stopSignal), SIGKILL after the timeout. */
    stop(signal?: NodeJS.Signals): Promise<ExitInfo>
    /** SIGKILL the process (group) now. */
    kill(): void
}

export type OutputMode = 'prefix' | 'inherit' | 'ignore' | ((line: string, stream: 'stdout' | 'stderr') => void)

export interface SpawnManagedOptions {
    env?: NodeJS.ProcessEnv
    cwd?: string
    uid?: number
    gid?: number
    /** default 'prefix': `[name] line` on our stdout/stderr */
    output?: OutputMode
    /** default SIGTERM */
    stopSignal?: NodeJS.Signals
    /** ms to wait after the stop signal before SIGKILL, default 10000 */
    stopTimeoutMs?: number
    /** own process group (default true); stop/kill then signal the whole group */
    detached?: boolean
    /** open an IPC channel (Node children only) */
    ipc?: boolean
    /** send stopSignal if this Node process exits without stopping the child (default true) */
    signalOnParentExit?: boolean
}

export function spawnManaged(name: string, command: string, args: string[], opts: SpawnManagedOptions = {}): ManagedProcess {
    const detached = opts.detached ?? true
    const stopSignal = opts.stopSignal ?? 'SIGTERM'
    const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000
    const output = opts.output ?? 'prefix'
    const spawnOpts: SpawnOptions = {
        cwd: opts.cwd ?? projectRoot(),
        env: opts.env ?? childEnv(),
        detached,
        stdio: ['ignore', output === 'inherit' ? 'inherit' : 'pipe', output === 'inherit' ? 'inherit' : 'pipe'],
    }
    if (opts.ipc) (spawnOpts.stdio as any[]).push('ipc')
    if (opts.uid != null) spawnOpts.uid = opts.uid
    if (opts.gid != null) spawnOpts.gid = opts.gid

    const child = spawn(command, args, spawnOpts)
    const tail = new Tail(60)
    let spawnError: Error | undefined
    child.on('error', (e) => {
        spawnError = e
        log(name, `failed to start ${command}: ${e.message}`)
    })
    const exited = exitPromise(child)

    const sink = (stream: 'stdout' | 'stderr') => (line: string) => {
        tail.push(line)
        if (output === 'ignore' || output === 'inherit') return
        if (typeof output === 'function') return output(line, stream)
        ;(stream === 'stdout' ? process.stdout : process.stderr).write(`[${name}] ${line}\n`)
    }
    onLines(child.stdout, sink('stdout'))
    onLines(child.stderr, sink('stderr'))

    if (opts.signalOnParentExit ?? true) signalOnExit(child, stopSignal, detached)

    let stopping: Promise<ExitInfo> | undefined
    let stopRequested = false
    const proc: ManagedProcess = {
        name,
        child,
        get pid() {
            return child.pid ?? -1
        },
        exited,
        get running() {
            return child.pid != null && !hasExited(child) && !spawnError
        },
        get stopRequested() {
            return stopRequested
        },
        tail,
        stop(signal?: NodeJS.Signals) {
            stopRequested = true
            if (stopping) return stopping
            if (!proc.running) return (stopping = exited)
            signalChild(child, signal ?? stopSignal, detached)
            const timer = setTimeout(() => {
                log(name, `did not stop within ${stopTimeoutMs} ms, killing`)
                signalChild(child, 'SIGKILL', detached)
            }, stopTimeoutMs)
            return (stopping = exited.finally(() => clearTimeout(timer)))
        },
        kill() {
            stopRequested = true
            signalChild(child, 'SIGKILL', detached)
        },
    }
    return proc
}

// ---------------------------------------------------------------------------
// Node children

const PARENT_GUARD = `// written by src/stack/processes.ts: exit when the parent stack process dies
if (typeof process.send === 'function' && process.channel) {
    process.channel.unref()
    process.once('disconnect', () => { process.kill(process.pid, 'SIGTERM') })
}
`

/** The preload file passed to Node children with --require (exported for tests). */
export function parentGuardFile(): string {
    const hash = crypto.createHash('sha1').update(PARENT_GUARD).digest('hex').slice(0, 10)
    const file = path.join(os.tmpdir(), `stack-parent-guard-${hash}.cjs`)
    if (!fs.existsSync(file)) {
        const tmp = `${file}.${process.pid}.tmp`
        fs.writeFileSync(tmp, PARENT_GUARD)
        fs.renameSync(tmp, file)
    }
    return file
}

export interface NodeProcessOptions {
    args?: string[]
    /** extra env on top of process.env */
    env?: NodeJS.ProcessEnv
    cwd?: string
    /** extra node flags, e.g. ['--enable-source-maps'] */
    nodeArgs?: string[]
    /** signal used by stop() when shutdownAll gets none; default SIGINT (like Ctrl-C) */
    stopSignal?: NodeJS.Signals
    stopTimeoutMs?: number
    output?: OutputMode
    /**
     * If the child exits on its own (not during shutdown): true (default) → log
     * it and shut the whole stack down with its exit code; false → only log.
     */
    critical?: boolean
}

/**
 * Run a compiled entry (`lib/main.js`, relative to the project root) with the
 * current Node binary and the inherited environment.
 */
export function runNodeProcess(name: string, script: string, opts: NodeProcessOptions = {}): ManagedProcess {
    const file = path.resolve(projectRoot(), script)
    if (!fs.existsSync(file)) {
        throw new Error(`${name}: ${path.relative(projectRoot(), file)} does not exist (run \`npm run build\` first)`)
    }
    const child = spawnManaged(
        name,
        process.execPath,
        ['--require', parentGuardFile(), ...(opts.nodeArgs ?? []), file, ...(opts.args ?? [])],
        {
            env: childEnv(opts.env),
            cwd: opts.cwd,
            stopSignal: opts.stopSignal ?? 'SIGINT',
            stopTimeoutMs: opts.stopTimeoutMs,
            output: opts.output,
            ipc: true,
        },
    )
    child.exited.then(({ code, signal }) => {
        if (isShuttingDown() || child.stopRequested) return
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`
        if (opts.critical ?? true) {
            log('stack', `${name} ${how} unexpectedly, shutting down`)
            void shutdownAndExit(code || 1)
        } else {
            log('stack', `${name} ${how}`)
        }
    })
    return child
}
