/**
 * Ordered shutdown of the dev stack. `onShutdown` registers cleanup steps; `shutdownAll` runs them in REVERSE
 * registration order (start Postgres, then anvil, then the Node children: shutdown stops the children first, then
 * anvil, which dumps its state, then Postgres). `installSignalHandlers`: the first SIGINT/SIGTERM/SIGHUP → graceful
 * shutdown and exit; a second one → SIGKILL everything left and exit(130).
 */
import { log } from './log'

interface Entry {
    name: string
    stop: (signal?: NodeJS.Signals) => unknown
    kill?: () => void
}

const registry: Entry[] = []
let shuttingDown = false
let shutdownPromise: Promise<void> | undefined

/**
 * Register a cleanup step. Steps run in reverse registration order. `kill` is
 * used on a forced shutdown (second Ctrl-C). Returns an unregister function.
 */
export function onShutdown(name: string, stop: (signal?: NodeJS.Signals) => unknown, kill?: () => void): () => void {
    const entry: Entry = { name, stop, kill }
    registry.push(entry)
    return () => {
        const i = registry.indexOf(entry)
        if (i >= 0) registry.splice(i, 1)
    }
}

/** What registerProcess needs of a process (a ManagedProcess, src/stack/processes.ts). */
export interface Stoppable {
    name: string
    stop(signal?: NodeJS.Signals): unknown
    kill(): void
}

/** Register a process (stop on shutdown, SIGKILL on forced shutdown). */
export function registerProcess(p: Stoppable): () => void {
    return onShutdown(p.name, (signal) => p.stop(signal), () => p.kill())
}

export function isShuttingDown(): boolean {
    return shuttingDown
}

/**
 * Run all registered stop steps, last registered first, one after another.
 * Errors are logged, not thrown. Safe to call repeatedly (same promise).
 */
export function shutdownAll(signal?: NodeJS.Signals): Promise<void> {
    if (shutdownPromise) return shutdownPromise
    shuttingDown = true
    shutdownPromise = (async () => {
        // entries stay in the registry until stopped, so a forced shutdown also
        // kills the one that is stopping right now
        while (registry.length > 0) {
            const entry = registry[registry.length - 1]
            try {
                await entry.stop(signal)
            } catch (e: any) {
                log('stack', `error while stopping ${entry.name}: ${e?.message ?? e}`)
            }
            const i = registry.lastIndexOf(entry)
            if (i >= 0) registry.splice(i, 1)
        }
    })()
    return shutdownPromise
}

/** SIGKILL everything still registered, last registered first (no waiting). */
export function forceKillAll(): void {
    shuttingDown = true
    for (const entry of [...registry].reverse()) {
        try {
            entry.kill?.()
        } catch {
            // ignore
        }
    }
}

export async function shutdownAndExit(code = 0, signal?: NodeJS.Signals): Promise<never> {
    await shutdownAll(signal)
    process.exit(code)
}

/** For tests: forget the shutdown state (registry must be empty). */
export function resetShutdownState(): void {
    registry.length = 0
    shuttingDown = false
    shutdownPromise = undefined
}

let handlersInstalled = false

/**
 * First SIGINT/SIGTERM/SIGHUP: graceful `shutdownAll` (the signal is forwarded
 * to Node children) then exit (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
 * Second signal: SIGKILL whatever is left and exit(130) immediately.
 */
export function installSignalHandlers(): void {
    if (handlersInstalled) return
    handlersInstalled = true
    const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }
    let received = 0
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
        process.on(sig, () => {
            received++
            if (received === 1) {
                log('stack', `${sig} received, shutting down (press Ctrl-C again to force)`)
                void shutdownAndExit(codes[sig], sig === 'SIGHUP' ? 'SIGTERM' : sig)
            } else {
                log('stack', `${sig} received again, killing everything`)
                forceKillAll()
                process.exit(130)
            }
        })
    }
}
