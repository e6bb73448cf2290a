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
