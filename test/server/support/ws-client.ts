/**
 * The graphql-ws client of the test suites. `WsClients` opens clients (lazy, no retries: a dropped socket is a
 * failure to see, not to hide) and disposes of all of them at the end; `subscribe` records every result of one
 * subscription in order. An error that ends the subscription (GraphQLError[] from an `error` message, or the
 * socket's close event) is kept as `error` and also recorded as an event `{ errors }`, so a test waiting for the next
 * result sees it instead of timing out.
 */
import type { ExecutionResult } from 'graphql'
import { Client, createClient } from 'graphql-ws'
import WebSocket from 'ws'

export interface Subscription<T = any> {
    query: string
    variables?: Record<string, unknown>
    /** every result, in order (an error that ended the subscription last, as `{ errors }`) */
    events: ExecutionResult<T>[]
    /** performance.now() when each event arrived */
    arrivals: number[]
    /** what ended the subscription with an error (GraphQLError[] or the close event) */
    error?: unknown
    /** the server completed the subscription, or it ended with an error */
    completed: boolean
    /** resolves once `completed` */
    ended: Promise<void>
    last(): ExecutionResult<T> | undefined
    /** the first event not yet returned by next(), waiting for it up to `timeoutMs` */
    next(timeoutMs?: number): Promise<ExecutionResult<T>>
    /** the events so far, once there are at least `n` */
    upTo(n: number, timeoutMs?: number): Promise<ExecutionResult<T>[]>
    /** stop it (the client sends `complete`) */
    dispose(): void
}

export class WsClients {
    private readonly open: Client[] = []

    /** `url`: the server's ws URL, read when a client is opened (the server usually starts in beforeAll) */
    constructor(private readonly url?: () => string) {}

    /** A new client (its socket opens with its first subscription); disposed of by disposeAll. */
    client(opts: { url?: string; connectionParams?: Record<string, unknown> } = {}): Client {
        const url = opts.url ?? this.url?.()
        if (!url) throw new Error('WsClients: no server URL')
        const c = createClient({ url, webSocketImpl: WebSocket, connectionParams: opts.connectionParams, retryAttempts: 0, lazy: true })
        this.open.push(c)
        return c
    }

    /** Subscribe on `client` (a new one when not given). */
    subscribe<T = any>(query: string, variables?: Record<string, unknown>, client: Client = this.client()): Subscription<T> {
        return subscribe<T>(client, query, variables)
    }

    get count(): number {
        return this.open.length
    }

    async disposeAll(): Promise<void> {
        for (const c of this.open.splice(0)) await c.dispose()
    }
}

/** Subscribe on `client`, recording every result (see Subscription). */
export function subscribe<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Subscription<T> {
    const waiting = new Set<() => void>()
    const wake = () => waiting.forEach((w) => w())
    let read = 0
    let ended!: () => void
    const s: Subscription<T> = {
        query,
        variables,
        events: [],
        arrivals: [],
        completed: false,
        ended: new Promise<void>((r) => (ended = r)),
        last: () => s.events[s.events.length - 1],
        async next(timeoutMs = 5_000) {
            await waitFor(() => s.events.length > read, timeoutMs, () => `no event within ${timeoutMs} ms (${summary(s)}); had ${JSON.stringify(s.events)}`)
            return s.events[read++]
        },
        async upTo(n, timeoutMs = 5_000) {
            await waitFor(() => s.events.length >= n, timeoutMs, () => `expected ${n} events within ${timeoutMs} ms (${summary(s)}); had ${JSON.stringify(s.events)}`)
            return s.events
        },
        dispose: () => undefined,
    }
    const end = () => {
        s.completed = true
        ended()
        wake()
    }
    s.dispose = client.subscribe<T>(
        { query, variables },
        {
            next: (value) => {
                s.events.push(value as ExecutionResult<T>)
                s.arrivals.push(performance.now())
                wake()
            },
            error: (e) => {
                s.error = e
                s.events.push({ errors: Array.isArray(e) ? e : [e as any] })
                s.arrivals.push(performance.now())
                end()
            },
            complete: end,
        },
    )

    function waitFor(cond: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
        if (cond()) return Promise.resolve()
        return new Promise<void>((resolve, reject) => {
            const check = () => {
                if (!cond()) return
                waiting.delete(check)
                clearTimeout(timer)
                resolve()
            }
            const timer = setTimeout(() => {
                waiting.delete(check)
                reject(new Error(message()))
            }, timeoutMs)
            waiting.add(check)
        })
    }
    return s
}

function summary(s: Subscription): string {
    return s.query.trim().replace(/\s+/g, ' ').slice(0, 60)
}
