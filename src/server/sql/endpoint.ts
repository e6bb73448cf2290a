/**
 * POST /sql: `{ sql, params }` → `{ columns: [{ name, type }], rows: [[...]], rowCount, truncated }`.
 *
 * One SELECT (see statement.ts), run on the read-only role's own pool inside
 * `BEGIN READ ONLY` + `SET LOCAL statement_timeout`, through a cursor over `SELECT * FROM (<sql>) LIMIT cap+1`
 * read a chunk at a time (readCapped), so at most `rowCap` rows are read and never more than the answer holds.
 * Rows are arrays aligned with `columns` (duplicate column names stay usable); numeric/int8 come back as
 * strings, timestamps as ISO strings, bytea as 0x hex. The JSON answer is also capped in bytes: reading stops
 * at the cap and `truncated` is set. After each request the connection is cleaned (ROLLBACK, DISCARD ALL).
 */
import type { Pool, PoolClient } from 'pg'
import { sqlState } from '../error-mask'
import { Checkout, checkout } from '../pg-checkout'
import { checkSelect, SqlRejected } from './statement'

export interface SqlOptions {
    rowCap: number
    timeoutMs: number
    maxResponseBytes: number
    maxParams?: number
}

export interface SqlColumn {
    name: string
    type: string
}

export interface SqlResult {
    columns: SqlColumn[]
    rows: unknown[][]
    rowCount: number
    truncated: boolean
}

/** An error for the client: HTTP status + code + safe message. */
export class SqlError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
    ) {
        super(message)
        this.name = 'SqlError'
    }
}

type Param = string | number | boolean | null

function parseRequest(body: unknown, maxParams: number): { sql: string; params: Param[] } {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SqlError(400, 'BAD_USER_INPUT', 'expected a JSON object { "sql": "...", "params": [...] }')
    const { sql, params } = body as { sql?: unknown; params?: unknown }
    if (typeof sql !== 'string') throw new SqlError(400, 'BAD_USER_INPUT', '"sql" must be a string')
    if (params !== undefined && params !== null && !Array.isArray(params)) throw new SqlError(400, 'BAD_USER_INPUT', '"params" must be an array')
    const list = (params ?? []) as unknown[]
    if (list.length > maxParams) throw new SqlError(400, 'BAD_USER_INPUT', `at most ${maxParams} params`)
    for (const [i, p] of list.entries()) {
        const ok = p === null || typeof p === 'string' || typeof p === 'boolean' || (typeof p === 'number' && Number.isFinite(p))
        if (!ok) throw new SqlError(400, 'BAD_USER_INPUT', `params[${i}] must be a string, number, boolean or null`)
    }
    return { sql, params: list as Param[] }
}

function jsonValue(v: unknown): unknown {
    if (v === null || v === undefined) return null
    if (Buffer.isBuffer(v)) return '0x' + v.toString('hex')
    if (v instanceof Date) return isNaN(v.getTime()) ? null : v.toISOString()
    if (typeof v === 'bigint') return v.toString()
    if (Array.isArray(v)) return v.map(jsonValue)
    return v
}

export class SqlEndpoint {
    private typeNames: Map<number, string> | undefined

    constructor(
        private pool: Pool,
        private options: SqlOptions,
    ) {}

    private async types(client: PoolClient): Promise<Map<number, string>> {
        if (!this.typeNames) {
            const r = await client.query(`SELECT oid::int AS oid, typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace`)
            this.typeNames = new Map(r.rows.map((x) => [x.oid, x.typname]))
        }
        return this.typeNames
    }

    /** The answer as JSON text (a SqlResult), built from each row's JSON as it was read (serialized once). */
    async run(body: unknown): Promise<string> {
        const { sql, params } = parseRequest(body, this.options.maxParams ?? 100)
        let checked
        try {
            checked = checkSelect(sql)
        } catch (e) {
            if (e instanceof SqlRejected) throw new SqlError(400, 'BAD_USER_INPUT', e.message)
            throw e
        }
        if (checked.maxParam > params.length) {
            throw new SqlError(400, 'BAD_USER_INPUT', `the query uses $${checked.maxParam} but only ${params.length} params were given`)
        }
        let c: Checkout
        try {
            c = await checkout(this.pool)
        } catch (e: any) {
            throw new SqlError(503, 'INTERNAL', 'the read-only database connection is unavailable')
        }
        const client = c.client
        let broken: Error | undefined
        try {
            await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
            let result: string
            try {
                result = await this.readCapped(client, checked.text, params)
            } finally {
                await client.query('ROLLBACK').catch((e) => (broken = e))
                // the next caller gets a clean session whatever this query managed to leave (settings, advisory locks,
                // LISTENs, prepared statements, temp objects): outside the transaction block, so after ROLLBACK
                if (!broken) await client.query('DISCARD ALL').catch((e) => (broken = e))
            }
            return result
        } catch (e: any) {
            if (e instanceof SqlError) throw e
            const state = sqlState(e)
            if (state === '57014') throw new SqlError(400, 'TIMEOUT', `the query was cancelled after ${this.options.timeoutMs} ms (statement timeout)`)
            if (state === '42501' || state === '25006') throw new SqlError(400, 'FORBIDDEN', e.message)
            // syntax / undefined column / bad cast ...: Postgres' message is about the analyst's own SQL
            if (state && /^(42|22|21|0A|2F|38|39|3F|44|54)/.test(state)) throw new SqlError(400, 'BAD_USER_INPUT', e.message)
            if (state === '53200' || state === '53300' || state === '54001') throw new SqlError(400, 'BAD_USER_INPUT', e.message)
            broken = e
            // the backend went away under the query (terminated, failover, restart): the client is destroyed
            if (!state || state.startsWith('08') || state.startsWith('57P')) throw new SqlError(503, 'INTERNAL', 'the database connection was lost during the query; retry')
            throw e
        } finally {
            c.release(broken)
        }
    }

    /**
     * Read the result through a cursor, a chunk at a time, and stop at the row cap (`LIMIT cap+1` in the cursor) or
     * as soon as the JSON answer would pass maxResponseBytes: the process holds at most one chunk beyond the answer
     * itself, never the whole result. Chunks are sized from the bytes per row seen so far. Runs inside the caller's
     * transaction; the statement timeout applies to each FETCH and the whole read must end within it too.
     */
    private async readCapped(client: PoolClient, text: string, params: Param[]): Promise<string> {
        const { rowCap: cap, maxResponseBytes: maxBytes, timeoutMs } = this.options
        const deadline = Date.now() + timeoutMs
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`)
        await client.query({ text: `DECLARE _sql_result NO SCROLL CURSOR FOR SELECT * FROM (\n${text}\n) AS _q LIMIT ${cap + 1}`, values: params })
        let columns: SqlColumn[] | undefined
        const rows: string[] = []
        let bytes = 200
        let truncated = false
        let chunk = 64
        for (;;) {
            const res = await client.query({ text: `FETCH ${chunk} FROM _sql_result`, rowMode: 'array' })
            if (!columns) {
                const types = await this.types(client)
                columns = res.fields.map((f) => ({ name: f.name, type: types.get(f.dataTypeID) ?? String(f.dataTypeID) }))
                bytes += JSON.stringify(columns).length
            }
            for (const raw of res.rows as unknown[][]) {
                if (rows.length >= cap) {
                    truncated = true
                    break
                }
                const row = JSON.stringify(raw.map(jsonValue))
                bytes += Buffer.byteLength(row) + 1
                if (bytes > maxBytes) {
                    truncated = true
                    break
                }
                rows.push(row)
            }
            if (truncated || res.rows.length < chunk) break
            if (Date.now() > deadline) throw new SqlError(400, 'TIMEOUT', `the query was cancelled after ${timeoutMs} ms (statement timeout)`)
            // aim for ~1 MB per chunk at the bytes per row seen so far (1..1,000 rows)
            const perRow = Math.max(1, (bytes - 200) / Math.max(1, rows.length))
            chunk = Math.max(1, Math.min(1_000, Math.floor((1 << 20) / perRow), Math.ceil((maxBytes - bytes) / perRow) + 1))
        }
        return `{"columns":${JSON.stringify(columns ?? [])},"rows":[${rows.join(',')}],"rowCount":${rows.length},"truncated":${truncated}}`
    }
}
