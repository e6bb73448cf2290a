/**
 * Many lightweight graphql-ws clients (protocol `graphql-transport-ws`, raw sockets: ws-client-worker.ts):
 * connection_init → connection_ack → subscribe, answer pings, parse and check every `next` message and record its
 * arrival time. Lighter than graphql-ws' createClient (no retry machinery, no per-client timers), so 10,000 fit in
 * one process.
 *
 * The clients run in worker threads (`BENCH_WS_CLIENT_THREADS`, default 2; ws-client-worker.ts), not in the
 * thread that sends the NOTIFY and keeps the books: 10,000 sockets parsing their messages in the benchmark's own
 * event loop delayed the arrival stamps of the last ones by the time spent on the first (client cost counted as
 * server latency). Each thread stamps an arrival first thing in its message handler on the absolute clock
 * (performance.timeOrigin + performance.now()), converted here to this thread's performance.now(). The threads
 * still share the machine's cores with the server and Postgres.
 */
import * as path from 'path'
import { Worker } from 'worker_threads'
import { sleep } from './common'
import type { ClientWorkerData, ClientWorkerMessage, PayloadCheck } from './ws-client-worker'

/** numbers per arrival in a worker's report (ws-client-worker.ts: client, time, checked count, checked sum) */
const ARRIVAL_FIELDS = 4

export interface ConnectOptions {
    url: string
    count: number
    query: string
    /** one set for all, or one per client (length `count`) */
    variables?: Record<string, unknown> | Record<string, unknown>[]
    connectionParams?: Record<string, unknown>
    /** connections opened at once (over all threads) */
    parallel?: number
    timeoutMs?: number
    /** pass each payload to onNext (default: undefined; structured-cloned from the client thread) */
    payloads?: boolean
    /** checked in each `next` payload (ws-client-worker.ts): onNext gets its count and sum */
    check?: PayloadCheck
    /** arrival of a `next`: client index, performance.now() of this thread, payload if asked for, the checked values */
    onNext?: (client: number, at: number, payload: any, count: number, sum: number) => void
}

/** The clients of one connectClients call. */
export interface ClientSet {
    readonly count: number
    /** `next` messages with errors and `error` messages received so far */
    readonly errors: number
    close(): Promise<void>
}

export function clientThreads(): number {
    const n = Number(process.env.BENCH_WS_CLIENT_THREADS ?? 2)
    return Number.isInteger(n) && n > 0 ? n : 2
}

/** Open `count` clients and subscribe each; resolves when every one got connection_ack and sent subscribe. */
export async function connectClients(opts: ConnectOptions): Promise<{ clients: ClientSet; connectMs: number; failed: number; errors: string[] }> {
    const threads = Math.min(clientThreads(), Math.max(1, opts.count))
    const parallel = Math.max(1, Math.ceil((opts.parallel ?? 200) / threads))
    const timeoutMs = opts.timeoutMs ?? 120_000
    const t0 = performance.now()
    const workers: Worker[] = []
    const clientErrors = new Array<number>(threads).fill(0)
    const closed: Promise<void>[] = []
    const ready: Promise<{ failed: number; errors: string[] }>[] = []
    const per = Math.ceil(opts.count / threads)
    for (let w = 0; w < threads; w++) {
        const first = w * per
        const count = Math.max(0, Math.min(per, opts.count - first))
        const data: ClientWorkerData = {
            url: opts.url,
            first,
            count,
            query: opts.query,
            variables: Array.isArray(opts.variables) ? opts.variables.slice(first, first + count) : opts.variables,
            connectionParams: opts.connectionParams,
            parallel,
            payloads: !!opts.payloads,
            check: opts.check,
        }
        const worker = new Worker(path.join(__dirname, 'ws-client-worker.js'), { workerData: data })
        workers.push(worker)
        let onReady!: (r: { failed: number; errors: string[] }) => void
        let onClosed!: () => void
        ready.push(new Promise((r) => (onReady = r)))
        closed.push(new Promise((r) => (onClosed = r)))
        worker.on('message', (m: ClientWorkerMessage) => {
            if (m.t === 'next') {
                clientErrors[w] = m.clientErrors
                const origin = performance.timeOrigin
                const a = m.arrivals
                for (let k = 0, j = 0; k < a.length; k += ARRIVAL_FIELDS, j++) opts.onNext?.(a[k], a[k + 1] - origin, m.payloads?.[j], a[k + 2], a[k + 3])
            } else if (m.t === 'ready') onReady(m)
            else if (m.t === 'closed') {
                clientErrors[w] = m.clientErrors
                onClosed()
            }
        })
        worker.on('error', (e) => onReady({ failed: data.count, errors: [`client thread: ${e.message}`] }))
        worker.on('exit', () => onClosed())
    }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`connecting ${opts.count} clients took longer than ${timeoutMs} ms`)), timeoutMs)
    })
    const clients: ClientSet = {
        count: opts.count,
        get errors() {
            return clientErrors.reduce((a, b) => a + b, 0)
        },
        async close() {
            for (const w of workers) w.postMessage({ t: 'close' })
            await Promise.race([Promise.all(closed), sleep(5_000)])
            await Promise.all(workers.map((w) => w.terminate()))
        },
    }
    let results: { failed: number; errors: string[] }[]
    try {
        results = await Promise.race([Promise.all(ready), timeout])
    } catch (e) {
        await clients.close()
        throw e
    } finally {
        clearTimeout(timer)
    }
    return {
        clients,
        connectMs: performance.now() - t0,
        failed: results.reduce((k, r) => k + r.failed, 0),
        errors: results.flatMap((r) => r.errors).slice(0, 10),
    }
}

export async function closeClients(sets: ClientSet | ClientSet[]): Promise<void> {
    for (const s of Array.isArray(sets) ? sets : [sets]) await s.close()
    await sleep(200)
}
