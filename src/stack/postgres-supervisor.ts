/**
 * `npm start` keeps the embedded Postgres running: when the postmaster exits without being asked to (killed,
 * crashed, OOM-killed), the exit is logged and Postgres is started again on the same data dir and port (crash
 * recovery replays the WAL), with exponential backoff (1 s doubling to 30 s, back to 1 s after a minute of stable
 * running). If it cannot be started `maxFailures` times in a row the stack stops loudly (logged, exit code 1)
 * instead of running on without a database. The processor and the API reconnect by themselves (the processor is
 * restarted by its own supervisor, the API's pools and LISTEN connection reconnect).
 */
import { log } from './log'
import { EmbeddedPostgres, EmbeddedPostgresOptions, startEmbeddedPostgres } from './postgres'
import { isShuttingDown, onShutdown, shutdownAndExit } from './shutdown'

export interface PostgresSupervisorOptions {
    initialBackoffMs?: number
    maxBackoffMs?: number
    /** a run at least this long resets the backoff (default 60 s) */
    stableAfterMs?: number
    /** consecutive failed starts before the stack gives up (default 5) */
    maxFailures?: number
    /** what giving up does (default: stop the whole stack, exit code 1) */
    onGiveUp?: (err: Error) => void
}

export interface SupervisedPostgres {
    current(): EmbeddedPostgres
    /** unplanned exits seen so far */
    readonly restarts: number
    stop(): Promise<void>
}

export async function superviseEmbeddedPostgres(pgOptions: EmbeddedPostgresOptions, opts: PostgresSupervisorOptions = {}): Promise<SupervisedPostgres> {
    const name = pgOptions.name ?? 'postgres'
    const initial = opts.initialBackoffMs ?? 1_000
    const max = opts.maxBackoffMs ?? 30_000
    const stableAfter = opts.stableAfterMs ?? 60_000
    const maxFailures = opts.maxFailures ?? 5
    const giveUp =
        opts.onGiveUp ??
        ((err: Error) => {
            log('stack', `Postgres could not be restarted (${maxFailures} attempts): ${err.message}; stopping the stack`)
            void shutdownAndExit(1)
        })
    let pg = await startEmbeddedPostgres(pgOptions)
    let backoff = initial
    let stopping = false
    let restarts = 0
    let timer: NodeJS.Timeout | undefined

    const watch = (instance: EmbeddedPostgres, startedAt: number) => {
        instance.exited.then(() => {
            if (stopping || isShuttingDown() || instance !== pg) return
            restarts++
            if (Date.now() - startedAt >= stableAfter) backoff = initial
            log('stack', `Postgres (embedded, pid ${instance.pid}) exited unexpectedly; restarting in ${(backoff / 1000).toFixed(1)} s`)
            schedule(0)
        })
    }
    /** the restart in flight, if any: stop() waits for it, so a Postgres started meanwhile is stopped too */
    let restarting: Promise<void> | undefined
    const schedule = (failures: number) => {
        timer = setTimeout(() => {
            timer = undefined
            restarting = restart(failures).finally(() => (restarting = undefined))
        }, backoff)
        backoff = Math.min(max, backoff * 2)
    }
    const restart = async (failures: number) => {
        if (stopping || isShuttingDown()) return
        try {
            const next = await startEmbeddedPostgres(pgOptions)
            if (stopping) return void (await next.stop())
            pg = next
            log('stack', `Postgres (embedded) restarted (pid ${next.pid})`)
            watch(next, Date.now())
        } catch (e: any) {
            if (stopping) return
            if (failures + 1 >= maxFailures) return void giveUp(e instanceof Error ? e : new Error(String(e)))
            log('stack', `Postgres restart failed (${e?.message ?? e}); retrying in ${(backoff / 1000).toFixed(1)} s`)
            schedule(failures + 1)
        }
    }
    watch(pg, Date.now())

    const stop = async () => {
        stopping = true
        if (timer) clearTimeout(timer)
        await restarting
        await pg.stop()
        unregister()
    }
    const unregister = onShutdown(name, stop, () => {
        stopping = true
        if (timer) clearTimeout(timer)
        pg.kill()
    })
    return {
        current: () => pg,
        get restarts() {
            return restarts
        },
        stop,
    }
}
