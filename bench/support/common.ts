/**
 * Shared helpers of the benchmarks: options, percentiles, the machine description, result files,
 * /proc sampling of child processes, bounded waiting.
 */
import { execFileSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { projectRoot } from '../../src/paths'

/** the project root (folder of package.json), from bench/lib (ts) and bench/dist/bench/lib (compiled) alike */
export const ROOT = projectRoot()
export const BENCH_DIR = path.join(ROOT, 'bench')

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export interface BenchOptions {
    quick: boolean
    /** keep the work dir (Postgres data, anvil state, logs) after the run */
    keep: boolean
    /** echo child process output */
    verbose: boolean
}

export class BenchError extends Error {}

/** Log a progress line on stderr (stdout carries only the summary lines). */
export function note(bench: string, msg: string): void {
    process.stderr.write(`[bench:${bench}] ${msg}\n`)
}

// ---------------------------------------------------------------------------
// statistics

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: number[], p: number): number {
    if (sorted.length === 0) return NaN
    const rank = Math.ceil((p / 100) * sorted.length)
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export interface Distribution {
    count: number
    min: number
    p50: number
    p90: number
    p99: number
    max: number
    mean: number
}

export function distribution(values: number[]): Distribution {
    const s = [...values].sort((a, b) => a - b)
    const sum = s.reduce((a, b) => a + b, 0)
    return {
        count: s.length,
        min: round(s[0] ?? NaN),
        p50: round(percentile(s, 50)),
        p90: round(percentile(s, 90)),
        p99: round(percentile(s, 99)),
        max: round(s[s.length - 1] ?? NaN),
        mean: round(s.length ? sum / s.length : NaN),
    }
}

export function round(v: number, digits = 2): number {
    if (!Number.isFinite(v)) return v
    const f = 10 ** digits
    return Math.round(v * f) / f
}

export const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6
export const now = () => process.hrtime.bigint()

// ---------------------------------------------------------------------------
// the machine

export interface Environment {
    cpuModel: string
    cores: number
    memoryGb: number
    loadAvg: number[]
    os: string
    node: string
    postgres?: string
    anvil?: string
    gitCommit?: string
    gitDirty?: boolean
    date: string
}

export function environment(extra: { postgres?: string; anvil?: string } = {}): Environment {
    const cpus = os.cpus()
    let gitCommit: string | undefined
    let gitDirty: boolean | undefined
    try {
        gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
        gitDirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'schema.graphql', 'db'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== ''
    } catch {
        // not a git checkout
    }
    return {
        cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
        cores: cpus.length,
        memoryGb: round(os.totalmem() / 2 ** 30, 1),
        loadAvg: os.loadavg().map((l) => round(l)),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        ...extra,
        gitCommit,
        gitDirty,
        date: new Date().toISOString(),
    }
}

// ---------------------------------------------------------------------------
// results

export interface BenchResult {
    name: string
    quick: boolean
    inputs: Record<string, unknown>
    environment: Environment
    figures: Record<string, unknown>
    summary: Record<string, number | string | boolean | null>
    notes?: string[]
    durationMs?: number
}

export function resultsDir(quick: boolean): string {
    return quick ? path.join(BENCH_DIR, 'results', 'quick') : path.join(BENCH_DIR, 'results')
}

export function writeResult(r: BenchResult): string {
    const dir = resultsDir(r.quick)
    fs.mkdirSync(dir, { recursive: true })
    const file = path.join(dir, `${r.name}.json`)
    fs.writeFileSync(file, JSON.stringify(r, null, 2) + '\n')
    return file
}

/** `name: k=v k=v ...` */
export function summaryLine(r: BenchResult): string {
    const parts = Object.entries(r.summary).map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`)
    return `bench ${r.name}${r.quick ? ' (quick)' : ''}: ${parts.join(' ')}`
}

// ---------------------------------------------------------------------------
// /proc sampling

export interface ProcSample {
    rssMb: number
    hwmMb: number
    /** user+system CPU seconds since start */
    cpuSec: number
}

const CLK_TCK = 100

export function procSample(pid: number): ProcSample | undefined {
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
        const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
        // fields after the ")" of comm: state is field 3; utime 14, stime 15 (1-based)
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        const utime = Number(rest[11])
        const stime = Number(rest[12])
        return { rssMb: round(kb('VmRSS') / 1024, 1), hwmMb: round(kb('VmHWM') / 1024, 1), cpuSec: (utime + stime) / CLK_TCK }
    } catch {
        return undefined
    }
}

/**
 * CPU seconds of a process and its live children (e.g. the postmaster and its backends), plus what its
 * reaped children used (cutime/cstime of the parent).
 */
export function treeCpuSec(pid: number): number {
    const read = (p: string) => {
        const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8')
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    }
    let total = 0
    try {
        const f = read(String(pid))
        total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK
    } catch {
        return NaN
    }
    for (const p of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(p) || p === String(pid)) continue
        try {
            const f = read(p)
            if (Number(f[1]) === pid) total += (Number(f[11]) + Number(f[12])) / CLK_TCK
        } catch {
            // exited meanwhile
        }
    }
    return total
}

/**
 * CPU seconds used by named process trees (and, as "bench", this process) between the call and stop():
 * where a run's CPU went, per process, so a per-event cost can be told apart from waiting.
 */
export function cpuWindow(pids: Record<string, number>): { stop(): Record<string, number> } {
    const read = () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, treeCpuSec(pid)]))
    const c0 = read()
    const self0 = process.cpuUsage()
    return {
        stop: () => {
            const c1 = read()
            const self = process.cpuUsage(self0)
            const out: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, round(c1[k] - c0[k])]))
            out.bench = round((self.user + self.system) / 1e6)
            return out
        },
    }
}

/** CPU % (of one core) of a process tree between start() and stop(). */
export function cpuMeter(pid: number): { stop(): number } {
    const c0 = treeCpuSec(pid)
    const t0 = Date.now()
    return { stop: () => round(((treeCpuSec(pid) - c0) / ((Date.now() - t0) / 1000)) * 100, 1) }
}

/** CPU % (of one core) of this process between start and stop(). */
export function selfCpuMeter(): { stop(): number } {
    const c0 = process.cpuUsage()
    const t0 = Date.now()
    return {
        stop: () => {
            const c = process.cpuUsage(c0)
            return round(((c.user + c.system) / 1e6 / ((Date.now() - t0) / 1000)) * 100, 1)
        },
    }
}

/** Samples a process every `intervalMs`: peak RSS (max of VmHWM), and CPU between mark() calls. */
export class ProcMonitor {
    peakMb = 0
    lastRssMb = 0
    private timer: NodeJS.Timeout
    private markCpu = 0
    private markAt = Date.now()

    constructor(
        readonly pid: number,
        intervalMs = 200,
    ) {
        this.sample()
        this.timer = setInterval(() => this.sample(), intervalMs)
        this.timer.unref()
    }

    sample(): ProcSample | undefined {
        const s = procSample(this.pid)
        // an exited, unreaped process (zombie) has no VmRSS/VmHWM: NaN would stick in the max
        if (s && Number.isFinite(s.rssMb) && Number.isFinite(s.hwmMb)) {
            this.peakMb = Math.max(this.peakMb, s.hwmMb, s.rssMb)
            this.lastRssMb = s.rssMb
        }
        return s
    }

    /** Start a CPU measurement window. */
    mark(): void {
        this.markCpu = procSample(this.pid)?.cpuSec ?? 0
        this.markAt = Date.now()
    }

    /** CPU use since mark(): percent of one core. */
    cpuPercentSinceMark(): number {
        const s = procSample(this.pid)
        if (!s) return NaN
        const wall = (Date.now() - this.markAt) / 1000
        return wall > 0 ? round(((s.cpuSec - this.markCpu) / wall) * 100, 1) : NaN
    }

    stop(): void {
        this.sample()
        clearInterval(this.timer)
    }
}

/** Poll `fn` until it returns a value other than undefined, bounded by `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs
    let lastError: unknown
    while (Date.now() < deadline) {
        try {
            const v = await fn()
            if (v !== undefined) return v
        } catch (e) {
            lastError = e
        }
        await sleep(everyMs)
    }
    throw new BenchError(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message ?? lastError})` : ''}`)
}

/** Seeded PRNG (mulberry32, the simulator's): schedules are reproducible from their seed. */
export { rng } from '../../src/simulator/random'
