import { log } from './log'
import { ManagedProcess, NodeProcessOptions, runNodeProcess } from './processes'
import { isShuttingDown, onShutdown } from './shutdown'

export interface SupervisorOptions extends Omit<NodeProcessOptions, 'critical'> {
    /** First restart delay; doubles on each crash up to maxBackoffMs, back to this after a stable run. */
    initialBackoffMs?: number
    maxBackoffMs?: number
    /** A run at least this long counts as stable. */
    stableAfterMs?: number
}

/**
 * Keep a Node entry running: restart it with exponential backoff whenever it exits on its own (the processor
 * exits on errors it cannot retry, e.g. Postgres going away; squid's own advice is to restart it). Stopped in
 * the stack's shutdown order like any other step.
 */
export function supervise(name: string, script: string, opts: SupervisorOptions = {}): { current(): ManagedProcess } {
    const initial = opts.initialBackoffMs ?? 1000
    const max = opts.maxBackoffMs ?? 30_000
    const stableAfter = opts.stableAfterMs ?? 60_000
    let backoff = initial
    let stopping = false
    let timer: NodeJS.Timeout | undefined
    let proc = start()

    function start(): ManagedProcess {
        const startedAt = Date.now()
        const p = runNodeProcess(name, script, { ...opts, critical: false })
        p.exited.then(({ code, signal }) => {
            if (stopping || isShuttingDown() || p.stopRequested) return
            if (Date.now() - startedAt >= stableAfter) backoff = initial
            log('stack', `${name} ${signal ? `killed by ${signal}` : `exited with code ${code}`}; restarting in ${(backoff / 1000).toFixed(0)} s`)
            timer = setTimeout(() => {
                timer = undefined
                if (!stopping && !isShuttingDown()) proc = start()
            }, backoff)
            backoff = Math.min(max, backoff * 2)
        })
        return p
    }

    onShutdown(
        name,
        async (signal) => {
            stopping = true
            if (timer) clearTimeout(timer)
            await proc.stop(signal)
        },
        () => {
            stopping = true
            if (timer) clearTimeout(timer)
            proc.kill()
        },
    )
    return { current: () => proc }
}
