/**
 * OpenReader's per-operation database context (what its generated resolvers call through
 * `context.openreader.executeQuery`), with a row cap on list queries: the generated `entities(...)` SQL runs as
 * `SELECT * FROM (<sql>) LIMIT cap+1`, and more than `cap` rows is a QUERY_TOO_COMPLEX error instead of an
 * unbounded result (`limit` is optional in the generated API). Nested lists are bounded by the complexity rule,
 * the statement timeout and the response byte cap.
 *
 * Snapshot: OpenReader's own PoolOpenreaderContext runs every operation in a SERIALIZABLE READ ONLY transaction
 * (checkout, START TRANSACTION, the query, COMMIT: three round trips, plus the predicate locks of serializable
 * transactions). Here:
 * - an operation that runs at most one statement (`singleStatement`, decided from the document by
 *   document-cache.ts: one root field, not a connection) sends it alone through the pool: one statement reads
 *   one consistent snapshot by itself;
 * - any other operation gets one REPEATABLE READ READ ONLY transaction on one connection, opened at its first
 *   statement and closed by `close()`: all its statements see the same snapshot (what a read-only serializable
 *   transaction guarantees too, short of its read-only anomaly checks against concurrent serializable writers).
 * The pool's statement_timeout applies either way.
 *
 * Response size while building: every SQL result adds an estimate of its JSON size (resultBytes) to a running
 * total per operation; once the total passes `maxBytes` the statement that passed it and every later one answer
 * QUERY_TOO_COMPLEX (limit: 'responseBytes'), and statements of the transaction are sent one after the other
 * (what pg does on one connection anyway), so the ones queued behind the cap never reach the database. The
 * exact check on the serialized answer (graphql-route.ts) stays; this one keeps a response far over the cap from being
 * built at all, over HTTP and graphql-ws alike (both execute through makeContext).
 *
 * `via`: live queries hand their statements to a multiplexing batch (live/multiplex.ts) instead of sending them;
 * everything else (row cap, byte cap, one statement after the other) stays as above.
 */
import type { Pool } from 'pg'
import { ListQuery, OpenreaderContext, Query } from './openreader-internals'
import { apiError } from './errors'
import { Checkout, checkout } from './pg-checkout'

let CTX_COUNTER = 0

/** Sends an operation's statements for it (live/multiplex.ts), in place of the pool and the transaction. */
export interface StatementSender {
    query(pool: Pool, config: { text: string; values: unknown[] }, singleStatement: boolean): Promise<unknown[][]>
}

export class CappedOpenreaderContext implements OpenreaderContext {
    readonly id = (CTX_COUNTER = (CTX_COUNTER + 1) % Number.MAX_SAFE_INTEGER)
    readonly dbType = 'postgres' as const
    /** set before execution when the operation runs at most one statement */
    singleStatement = false
    /** when set, statements go through it (set before execution) */
    via: StatementSender | undefined
    private tx?: Promise<Checkout>
    private closed = false
    private statements = 0
    /** estimated JSON bytes of the results read so far */
    private bytes = 0
    /** the last transaction statement sent: the next one waits for it */
    private queue: Promise<unknown> = Promise.resolve()

    constructor(
        private readonly pool: Pool,
        readonly maxRows: number,
        readonly maxBytes = Infinity,
    ) {}

    async executeQuery<T>(query: Query<T>): Promise<T> {
        if (this.closed) throw new Error('the operation is over: too late for a query')
        this.checkBytes()
        const list = query instanceof ListQuery
        const sql = list ? `SELECT * FROM (\n${query.sql}\n) AS _capped LIMIT ${this.maxRows + 1}` : query.sql
        const config = { text: sql, values: query.params, rowMode: 'array' as const }
        this.statements++
        let rows: unknown[][]
        const via = this.via
        if (via) {
            const run = this.queue.then(() => {
                if (this.closed) throw new Error('the operation is over: too late for a query')
                this.checkBytes()
                return via.query(this.pool, config, this.singleStatement)
            })
            this.queue = run.catch(() => undefined)
            rows = await run
        } else if (this.singleStatement && this.statements === 1) rows = (await this.pool.query(config)).rows
        else {
            const run = this.queue.then(async () => {
                // a statement queued behind the one that passed the cap is not sent; nor one whose operation already
                // ended (graphql-js finishes early when a non-null field fails): it would open a transaction that
                // close() has already run for, and its connection would never go back to the pool
                if (this.closed) throw new Error('the operation is over: too late for a query')
                this.checkBytes()
                return (await (await this.transaction()).client.query(config)).rows as unknown[][]
            })
            this.queue = run.catch(() => undefined)
            rows = await run
        }
        this.bytes += resultBytes(rows)
        this.checkBytes()
        if (list && rows.length > this.maxRows) {
            throw apiError('QUERY_TOO_COMPLEX', `the list has more than ${this.maxRows} rows: pass a smaller limit (and page with offset) or a narrower where`, {
                limit: 'listRows',
                max: this.maxRows,
            })
        }
        return query.map(rows as any)
    }

    private checkBytes(): void {
        if (this.bytes <= this.maxBytes) return
        throw apiError('QUERY_TOO_COMPLEX', `the response exceeds ${this.maxBytes} bytes: lower limit/first or select fewer fields`, {
            limit: 'responseBytes',
            max: this.maxBytes,
        })
    }

    subscription<T>(_query: Query<T>): AsyncIterable<T> {
        // the schema is built with OpenReader subscriptions off: live updates come from pubsub/
        throw apiError('BAD_USER_INPUT', 'OpenReader subscriptions are not served by this API')
    }

    private transaction(): Promise<Checkout> {
        if (!this.tx) {
            const tx = (async () => {
                const c = await checkout(this.pool)
                try {
                    await c.client.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
                } catch (e) {
                    c.release(e as Error)
                    throw e
                }
                return c
            })()
            this.tx = tx
            // a failed start is reported by the statement that awaited it; close() must not throw it again
            tx.catch(() => undefined)
        }
        return this.tx
    }

    /** End the operation: commit and release its connection, if it opened one. Never throws. */
    async close(): Promise<void> {
        this.closed = true
        const tx = this.tx
        this.tx = undefined
        if (!tx) return
        let c: Checkout
        try {
            c = await tx
        } catch {
            return
        }
        try {
            await c.client.query('COMMIT')
            c.release()
        } catch (e) {
            // a broken connection is not returned to the pool
            c.release(e as Error)
        }
    }
}

/**
 * A fast estimate of the JSON size of SQL result rows: each value's own size plus 4 bytes of quotes, colon and
 * comma for its key (key names are not known here, so it errs low; escapes are not counted).
 */
export function resultBytes(rows: unknown[][]): number {
    let n = 2
    for (const row of rows) {
        n += 2
        for (const v of row) n += 4 + valueBytes(v)
    }
    return n
}

function valueBytes(v: unknown): number {
    switch (typeof v) {
        case 'string':
            return v.length + 2
        case 'number':
        case 'bigint':
            return String(v).length
        case 'boolean':
            return 5
        case 'object':
            if (v === null) return 4
            if (v instanceof Date) return 26
            return JSON.stringify(v)?.length ?? 4
        default:
            return 4
    }
}
