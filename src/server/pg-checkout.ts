/**
 * The one way the server checks a client out of a pg Pool.
 *
 * pg-pool listens for 'error' only on idle clients: a checked-out client whose backend dies (pg_terminate_backend,
 * a failover, idle_in_transaction_session_timeout, a pooler restart) emits 'error' with nobody listening, and Node
 * exits. A checkout here listens for its whole lifetime, remembers the error, and gives a broken client back as
 * broken (`release(err)`: the pool destroys it instead of handing it to the next caller).
 */
import type { Pool, PoolClient } from 'pg'
import { sqlState } from './error-mask'

export interface Checkout {
    readonly client: PoolClient
    /** the error the connection reported while checked out, if any */
    readonly error: Error | undefined
    /** Give the client back; with an error (given here or seen on the connection) it is destroyed. Idempotent. */
    release(err?: Error): void
}

export async function checkout(pool: Pool): Promise<Checkout> {
    const client = await pool.connect()
    let error: Error | undefined
    let released = false
    const onError = (e: Error) => {
        error ??= e
    }
    client.on('error', onError)
    return {
        client,
        get error() {
            return error
        },
        release(err?: Error) {
            if (released) return
            released = true
            const broken = err ?? error
            // the pool re-attaches its idle listener in release(); ours goes after, so no error is ever unheard
            client.release(broken ?? undefined)
            client.removeListener('error', onError)
            // a destroyed client may still report its socket's end: keep a listener on it
            if (broken) client.on('error', () => undefined)
        },
    }
}

/**
 * Could the connection be unusable after this error? An error Postgres reported about a statement (a SQLSTATE
 * outside class 08 connection exceptions and 57P operator intervention) leaves the session usable.
 */
export function breaksConnection(e: unknown): boolean {
    const state = sqlState(e)
    return !state || state.startsWith('08') || state.startsWith('57P') || state.startsWith('XX')
}

/** Run `fn` with a checked-out client; an error that may have left the connection unusable destroys it. */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const c = await checkout(pool)
    try {
        const out = await fn(c.client)
        c.release()
        return out
    } catch (e) {
        c.release(breaksConnection(e) ? (e as Error) : undefined)
        throw e
    }
}
