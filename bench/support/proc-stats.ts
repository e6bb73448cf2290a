/**
 * What the benchmarks read from /proc about processes: RSS, peak RSS and CPU seconds of one process, the CPU of a
 * process tree (a postmaster and its backends), and meters over a window of a run.
 */
import * as fs from 'fs'
import { round } from './common'

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
