/** What startServer undoes on close (or when a later step fails): run last-first, a failing step logged and skipped. */
import type { Pool } from 'pg'
import type { LogFn } from '../http-deps'

export class Cleanups {
    private readonly steps: (() => Promise<void> | void)[] = []

    constructor(private readonly log: LogFn) {}

    push(fn: () => Promise<void> | void) {
        this.steps.push(fn)
    }

    async run() {
        for (const fn of this.steps.splice(0).reverse()) {
            try {
                await fn()
            } catch (e: any) {
                this.log('warn', 'shutdown step failed', { message: e?.message })
            }
        }
    }
}

/**
 * Ends a pool without waiting forever: pool.end() resolves only once every checked-out connection is back, so one
 * that never comes back (a leak) would hold the shutdown, and an in-process host such as jest, for good. Past
 * `graceMs` the shutdown goes on with a warning naming how many were still out (their sockets close when the
 * process exits or the database goes away).
 */
export async function endPool(name: string, pool: Pool, log: LogFn, graceMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)))
    const outcome = await Promise.race([pool.end().then(() => 'ended' as const), late])
    clearTimeout(timer)
    if (outcome === 'late') {
        log('warn', `${name} pool: ${pool.totalCount - pool.idleCount} connection(s) still checked out ${graceMs} ms into the shutdown; not waiting for them`)
    }
}
