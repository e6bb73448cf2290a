/**
 * One batch of live-query executions of the same document (engine.ts runs the entries a commit made due together),
 * whose SQL statements are multiplexed: each execution's OpenReader context hands its statements to its `member()`
 * instead of sending them (openreader-context.ts `via`). A round is sent once every execution still running waits
 * on a statement (or after `idleMs` without progress, for one that waits on something else): the statements of a
 * round with the same text become one statement (multiplex-sql.ts; at most `maxTuples` value tuples each), identical
 * ones (text and values) are sent once, and each execution gets its own rows as if its statement had run alone.
 * A text that cannot be combined, and a combined statement that fails (one tuple's bad value, a timeout) or would
 * return more than `maxRows` rows (the executions' own row and byte caps apply to each one's rows only after they
 * are read), fall back to one statement per value tuple, so every execution gets exactly the rows or the error it
 * would get alone.
 *
 * When every execution runs one statement (openreader-context.ts `singleStatement`), each statement reads its own
 * snapshot and is sent through the pool (at most `slots` at once, shared by all batches). When an execution runs
 * more (connections, several root fields), the batch opens one REPEATABLE READ READ ONLY transaction on one
 * connection: every execution of the batch reads the same snapshot, as one execution alone does; in it, each
 * statement that may fail runs behind a SAVEPOINT so a failure stays its own.
 */
import type { Pool, PoolClient, QueryResult } from 'pg'
import type { StatementSender } from '../openreader-context'
import { breaksConnection, Checkout, checkout } from '../pg-checkout'
import { combinableTypes, combinableValues, combinedSql, combinedValues, literalsAsParams, paramTypesProbe, splitRows, valuesKey } from './multiplex-sql'

export interface MultiplexCounters {
    /** SQL statements sent for live queries (a combined statement counts one; type probes not included) */
    statements: number
    /** statement results served by a combined statement */
    multiplexed: number
    /** PREPARE probes of a statement text's parameter types */
    probes: number
}

/** Parameter types per statement text, shared by the batches of one engine (bounded; oldest dropped first). */
export class ParamTypeCache {
    private map = new Map<string, readonly string[] | null>()
    constructor(private readonly max = 1_000) {}
    get(sql: string): readonly string[] | null | undefined {
        return this.map.get(sql)
    }
    set(sql: string, types: readonly string[] | null): void {
        if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string)
        this.map.set(sql, types)
    }
}

interface Pending {
    member: object
    pool: Pool
    text: string
    values: unknown[]
    single: boolean
    resolve(rows: unknown[][]): void
    reject(e: unknown): void
}

/** One distinct statement of a round (text and values) and the executions waiting for its rows. */
interface Tuple {
    text: string
    values: unknown[]
    /** its values after literalsAsParams */
    shaped: unknown[]
    waiters: Pending[]
}

interface Sender {
    send(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<QueryResult>
    /** tuples that do not combine may be sent at once */
    parallel: boolean
    /** the error may have broken the batch's connection: the round ends */
    fatal(e: unknown): boolean
}

/** At most `n` statements at once, shared by the batches of one engine (their pool serves HTTP queries too). */
export class StatementSlots {
    private active = 0
    private queue: (() => void)[] = []
    constructor(private readonly n: number) {}
    async run<T>(fn: () => Promise<T>): Promise<T> {
        if (this.active >= this.n) await new Promise<void>((r) => this.queue.push(r))
        else this.active++
        try {
            return await fn()
        } finally {
            const next = this.queue.shift()
            if (next) next()
            else this.active--
        }
    }
}

export interface BatchMember extends StatementSender {
    /** the execution is over (its result is built): it sends no more statements */
    done(): void
}

let PROBE = 0

export class StatementBatch {
    private active = new Set<object>()
    private waiting = new Set<object>()
    private pending: Pending[] = []
    private flushing = false
    private idle: NodeJS.Timeout | undefined
    private conn: Promise<Checkout> | undefined
    private inTx = false

    constructor(
        private readonly types: ParamTypeCache,
        private readonly counters: MultiplexCounters,
        private readonly slots: StatementSlots,
        private readonly opts: { maxTuples: number; idleMs: number; maxRows: number },
    ) {}

    member(): BatchMember {
        const key = {}
        this.active.add(key)
        return {
            query: (pool, config, single) =>
                new Promise<unknown[][]>((resolve, reject) => {
                    this.pending.push({ member: key, pool, text: config.text, values: config.values, single, resolve, reject })
                    this.waiting.add(key)
                    this.progress()
                }),
            done: () => {
                this.active.delete(key)
                this.progress()
            },
        }
    }

    /** End the batch (after every member is done): commit and give the connection back. Never throws. */
    async close(): Promise<void> {
        if (this.idle) clearTimeout(this.idle)
        const conn = this.conn
        this.conn = undefined
        if (!conn) return
        let c: Checkout
        try {
            c = await conn
        } catch {
            return
        }
        try {
            if (this.inTx) await c.client.query('COMMIT')
            c.release()
        } catch (e) {
            c.release(e as Error)
        }
    }

    private progress(): void {
        if (this.idle) clearTimeout(this.idle)
        this.idle = undefined
        if (this.flushing || this.pending.length === 0) return
        // every running execution waits on a statement: nothing more can come before the round is sent
        if (this.waiting.size === this.active.size) return void this.flush()
        this.idle = setTimeout(() => {
            this.idle = undefined
            if (!this.flushing && this.pending.length) void this.flush()
        }, this.opts.idleMs)
    }

    private async flush(): Promise<void> {
        this.flushing = true
        const round = this.pending.splice(0)
        for (const p of round) this.waiting.delete(p.member)
        try {
            const via = await this.sender(round[0].pool, round.some((p) => !p.single))
            // statements that differ only in their values, literal LIMIT/OFFSET included, share a shape
            const byShape = new Map<string, Map<string, Tuple>>()
            for (const p of round) {
                const shape = literalsAsParams(p.text, p.values)
                let tuples = byShape.get(shape.text)
                if (!tuples) byShape.set(shape.text, (tuples = new Map()))
                const key = valuesKey(shape.values)
                const t = tuples.get(key)
                if (t) t.waiters.push(p)
                else tuples.set(key, { text: p.text, values: p.values, shaped: shape.values, waiters: [p] })
            }
            const shapes = [...byShape].map(([shape, tuples]) => () => this.sendShape(via, shape, [...tuples.values()]))
            if (via.parallel) await Promise.all(shapes.map((send) => send()))
            else for (const send of shapes) await send()
        } catch (e) {
            for (const p of round) p.reject(e)
        } finally {
            this.flushing = false
            this.progress()
        }
    }

    /**
     * How this round sends: in the batch's transaction (one connection, one statement after the other, each that may
     * fail behind a savepoint), or, when every execution runs one statement, through the pool, up to the engine's
     * shared statement slots at once (statements that do not combine are then not sent one after the other).
     */
    private async sender(pool: Pool, transaction: boolean): Promise<Sender> {
        if (!transaction && !this.inTx) {
            return { send: (config) => this.slots.run(() => pool.query(config)), parallel: true, fatal: () => false }
        }
        this.conn ??= checkout(pool)
        const c = await this.conn
        if (!this.inTx) {
            await c.client.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
            this.inTx = true
        }
        return { send: (config) => this.guarded(c.client, () => c.client.query(config)), parallel: false, fatal: breaksConnection }
    }

    /** The statements of one round with this shape: combined where possible, else one per value tuple. */
    private async sendShape(via: Sender, shape: string, all: Tuple[]): Promise<void> {
        const types = all.length > 1 && all.every((t) => combinableValues(t.shaped)) ? await this.paramTypes(via, shape) : undefined
        if (!combinableTypes(types)) return this.eachAlone(via, all)
        for (let i = 0; i < all.length; i += this.opts.maxTuples) {
            const chunk = all.slice(i, i + this.opts.maxTuples)
            const split = chunk.length > 1 ? await this.combined(via, shape, types, chunk) : undefined
            // one tuple's bad value or a timeout fails them all together: each alone gets its own answer
            if (!split) await this.eachAlone(via, chunk)
            else
                chunk.forEach((t, k) => {
                    this.counters.multiplexed += t.waiters.length
                    for (const p of t.waiters) p.resolve(split[k].slice())
                })
        }
    }

    /** One combined statement for these tuples: each tuple's rows, or undefined when it failed (not the connection). */
    private async combined(via: Sender, shape: string, types: readonly string[], chunk: Tuple[]): Promise<unknown[][][] | undefined> {
        let config
        try {
            config = { text: combinedSql(shape, types, this.opts.maxRows), values: combinedValues(chunk.map((t) => t.shaped), types.length), rowMode: 'array' as const }
        } catch {
            return undefined
        }
        this.counters.statements++
        let rows: unknown[][]
        try {
            rows = (await via.send(config)).rows as unknown[][]
        } catch (e) {
            if (via.fatal(e)) throw e
            return undefined
        }
        // far more rows than executions alone would hold at once: let each run alone (and meet its own caps)
        if (rows.length > this.opts.maxRows) return undefined
        try {
            return splitRows(rows, chunk.length)
        } catch {
            return undefined
        }
    }

    private async eachAlone(via: Sender, tuples: Tuple[]): Promise<void> {
        if (via.parallel) await Promise.all(tuples.map((t) => this.alone(via, t)))
        else for (const t of tuples) await this.alone(via, t)
    }

    /** One statement as its execution sent it (for every execution that sent exactly it). */
    private async alone(via: Sender, t: Tuple): Promise<void> {
        this.counters.statements++
        try {
            const rows = (await via.send({ text: t.text, values: t.values, rowMode: 'array' })).rows as unknown[][]
            for (const p of t.waiters) p.resolve(rows.slice())
        } catch (e) {
            for (const p of t.waiters) p.reject(e)
            if (via.fatal(e)) throw e
        }
    }

    /** The parameter types Postgres infers for `text` (cached), or null when they cannot be read. */
    private async paramTypes(via: Sender, text: string): Promise<readonly string[] | null> {
        const known = this.types.get(text)
        if (known !== undefined) return known
        this.counters.probes++
        const name = `live_probe_${(PROBE = (PROBE + 1) % 1_000_000)}`
        try {
            const results = (await via.send({ text: paramTypesProbe(text, name) })) as unknown as { rows: { types?: string[] }[] }[]
            const types = results[1]?.rows[0]?.types ?? null
            this.types.set(text, types)
            return types
        } catch (e) {
            if (via.fatal(e)) throw e
            return null
        }
    }

    /** Inside the transaction, a statement that fails must not abort it: run it behind a savepoint. */
    private async guarded<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
        if (!this.inTx) return fn()
        await client.query('SAVEPOINT live_mux')
        try {
            const out = await fn()
            await client.query('RELEASE SAVEPOINT live_mux')
            return out
        } catch (e) {
            if (!breaksConnection(e)) await client.query('ROLLBACK TO SAVEPOINT live_mux')
            throw e
        }
    }
}
