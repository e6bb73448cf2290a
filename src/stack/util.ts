/** Small process/network helpers shared by the stack modules. */
import { ChildProcess } from 'child_process'
import * as fs from 'fs'
import * as net from 'net'

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** true if a process with this pid exists (also when it belongs to another user). */
export function isAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false
    try {
        process.kill(pid, 0)
        return true
    } catch (e: any) {
        return e?.code === 'EPERM'
    }
}

/** Command line of a running process (Linux /proc), or undefined if unknown. */
export function processCmdline(pid: number): string[] | undefined {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    } catch {
        return undefined
    }
}

export async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (isAlive(pid)) {
        if (Date.now() > deadline) return false
        await sleep(50)
    }
    return true
}

/** Resolves true when the port can be bound on `host` (nobody listens there). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer()
        srv.unref()
        srv.once('error', () => resolve(false))
        srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)))
    })
}

/** A free TCP port chosen by the OS (for tests). */
export function freePort(host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer()
        srv.unref()
        srv.once('error', reject)
        srv.listen({ port: 0, host }, () => {
            const port = (srv.address() as net.AddressInfo).port
            srv.close(() => resolve(port))
        })
    })
}

export interface ExitInfo {
    code: number | null
    signal: NodeJS.Signals | null
}

/** Promise resolved when the child has exited (immediately if it already has). */
export function exitPromise(child: ChildProcess): Promise<ExitInfo> {
    if (child.exitCode != null || child.signalCode != null) {
        return Promise.resolve({ code: child.exitCode, signal: child.signalCode as NodeJS.Signals | null })
    }
    return new Promise((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }))
        // spawn failure (ENOENT, EACCES): 'exit' may never come
        child.once('error', () => {
            if (child.pid == null) resolve({ code: -1, signal: null })
        })
    })
}

export function hasExited(child: ChildProcess): boolean {
    return child.exitCode != null || child.signalCode != null
}

/**
 * Send a signal to a child; children we spawn `detached` lead their own process
 * group, so the whole group (e.g. Postgres backends) gets it.
 */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals, group = false): void {
    if (child.pid == null || hasExited(child)) return
    try {
        if (group) process.kill(-child.pid, signal)
        else child.kill(signal)
    } catch {
        try {
            child.kill(signal)
        } catch {
            // already gone
        }
    }
}

/** Split a byte stream into lines (a trailing partial line is flushed at end). */
export function onLines(stream: NodeJS.ReadableStream | null | undefined, cb: (line: string) => void): void {
    if (!stream) return
    let buf = ''
    stream.setEncoding?.('utf8')
    stream.on('data', (chunk: string | Buffer) => {
        buf += chunk.toString()
        let i: number
        while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i).replace(/\r$/, '')
            buf = buf.slice(i + 1)
            cb(line)
        }
    })
    stream.on('end', () => {
        if (buf.length > 0) cb(buf)
        buf = ''
    })
}

/** Keep the last `size` lines (for error messages). */
export class Tail {
    private lines: string[] = []
    constructor(private size = 40) {}
    push(line: string) {
        this.lines.push(line)
        if (this.lines.length > this.size) this.lines.shift()
    }
    text(): string {
        return this.lines.join('\n')
    }
    all(): string[] {
        return [...this.lines]
    }
}

/**
 * Processes that must not outlive this Node process. On `exit` (any exit path
 * that still runs JS, incl. uncaught exceptions and jest teardown) each still
 * running child gets its graceful stop signal synchronously.
 */
const exitGuards = new Map<ChildProcess, { signal: NodeJS.Signals; group: boolean }>()
let exitHookInstalled = false

export function signalOnExit(child: ChildProcess, signal: NodeJS.Signals, group = false): () => void {
    if (!exitHookInstalled) {
        exitHookInstalled = true
        process.on('exit', () => {
            for (const [c, g] of exitGuards) signalChild(c, g.signal, g.group)
        })
    }
    exitGuards.set(child, { signal, group })
    const remove = () => {
        exitGuards.delete(child)
    }
    child.once('exit', remove)
    return remove
}
