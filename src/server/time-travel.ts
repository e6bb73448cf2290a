/**
 * Time travel, read side: the generated queries of the versioned entities (src/model/versioned.ts) take
 * `block: { number }` or `block: { hash }` and answer as of the end of that block. How: the operation's OpenReader
 * context is wrapped for that field only, and every SQL statement it runs reads each versioned table as
 * `(SELECT * FROM <table>_history WHERE block_range @> N)` instead of the table itself (OpenReader names tables
 * only as `FROM "t"` and `JOIN "t"`, quoted: the rewrite is exact). Filters, ordering, paging and nested relations
 * are OpenReader's own; relations to entities that are not versioned read their current state.
 * A block above the indexed head (the processor's status + hot blocks) is refused with BLOCK_NOT_INDEXED, one below
 * the pruning horizon (HISTORY_BLOCKS, src/indexer/write/history-prune.ts) with BLOCK_PRUNED. For the generated
 * queries each rewritten read checks both itself, in its own snapshot (asOfSql's guard): a block at or below the
 * head last seen (KnownHead) costs no statement of its own; one above it is checked first. The custom queries
 * that take `block` (batchLifecycle, escrowUtilisation, claimableBalance) resolve it here too (resolveBlock).
 */
import { GraphQLFieldConfig, GraphQLInputObjectType, GraphQLInt, GraphQLSchema, GraphQLString } from 'graphql'
import type { Pool } from 'pg'
import { MapperKind, mapSchema } from '@graphql-tools/utils'
import { PRUNE_TABLE, VERSIONED, historyTable } from '../model/versioned'
import { apiError } from './errors'
import type { OpenreaderContext, Query } from './openreader-internals'

const BlockHeight = new GraphQLInputObjectType({
    name: 'Block_height',
    description: 'A past block, by number or by hash (one of them): the query answers as of the end of it (time travel; versioned entities only)',
    fields: { number: { type: GraphQLInt }, hash: { type: GraphQLString } },
})

const TABLE_OF_QUERY = new Map(VERSIONED.flatMap((v) => v.queries.map((q) => [q, v.table] as const)))

/** The generated schema with `block` on the versioned entities' queries. */
export function withTimeTravel(schema: GraphQLSchema): GraphQLSchema {
    const head = new KnownHead()
    return mapSchema(schema, {
        [MapperKind.QUERY_ROOT_FIELD]: (field, name) => (TABLE_OF_QUERY.has(name) ? asOfField(field, head) : field),
    })
}

/**
 * The indexed head as last read by an as-of request of this schema (a check, or a guard's failure). Only a hint:
 * it lets a request skip the check before its statements when its block is at or below it; the guard inside each
 * statement (asOfSql) decides. A block above it is checked first, against the database, so a block that became
 * indexed just now is answered.
 */
export class KnownHead {
    private height: number | null = null

    covers(n: number): boolean {
        return this.height != null && n <= this.height
    }

    saw(height: number | null): void {
        this.height = height
    }
}

function asOfField(field: GraphQLFieldConfig<any, any>, head: KnownHead): GraphQLFieldConfig<any, any> {
    const resolve = field.resolve!
    return {
        ...field,
        args: { ...field.args, block: { type: BlockHeight, description: 'answer as of the end of this block' } },
        async resolve(source, args, context, info) {
            if (!args.block) return resolve(source, args, context, info)
            const inner: OpenreaderContext = context.openreader
            const first = openreaderFirstRow(inner)
            const n = await resolveBlock(first, args.block, head)
            const { block: _block, ...rest } = args
            const ctx = asOfContext(inner, n, true)
            try {
                const result = await resolve(source, rest, Object.assign(Object.create(context), { openreader: ctx }), info)
                // every statement of these fields reads a versioned table, so it was guarded; if one were not: ask
                if (!ctx.guarded) await confirmIndexed(first, n, head)
                return result
            } catch (e) {
                throw guardFailure(e, n, head) ?? e
            }
        },
    }
}

/**
 * A custom resolver's as-of read: `run(null)` without `block`; else `run(n)` for the block's number n, between the
 * checks of resolveBlock and confirmNotPruned (same errors as the generated queries). `run` sends its statements
 * through asOfStatement(sql, params, n), whose guard (asOfSql) checks head and horizon again inside the statement;
 * the checks around it stay because a custom statement may read a versioned table only on the inner side of a join
 * (claimableBalance), whose guard does not run when the outer side is empty.
 */
export async function asOfPool<T>(pool: Pool, block: BlockArg | null | undefined, run: (n: number | null) => Promise<T>): Promise<T> {
    if (!block) return run(null)
    const first = poolFirstRow(pool)
    const n = await resolveBlock(first, block)
    let result: T
    try {
        result = await run(n)
    } catch (e) {
        throw guardFailure(e, n) ?? e
    }
    await confirmNotPruned(first, n)
    return result
}

/**
 * A custom resolver's statement (`sql` with `params`) as of block `n`, or unchanged when `n` is null (current
 * state). The block is a statement parameter, as in the generated queries (asOfContext): parameter `blockParam`
 * (1-based) when the statement already takes the block there, else one more appended. One text for every block.
 * Returned as `query`'s two arguments: `db.query(...asOfStatement(sql, params, n))`.
 */
export function asOfStatement(sql: string, params: unknown[], n: number | null, blockParam?: number): [text: string, values: unknown[]] {
    if (n == null) return [sql, params]
    if (blockParam !== undefined) {
        if (params[blockParam - 1] !== n) throw new Error(`parameter $${blockParam} must be the block ${n}, got ${String(params[blockParam - 1])}`)
        return [asOfSql(sql, n, true, blockParam), params]
    }
    return [asOfSql(sql, n, true, params.length + 1), [...params, n]]
}

/** The first row of a statement's result, as an array of values (undefined: no row). */
export type FirstRow = (sql: string, params: unknown[]) => Promise<unknown[] | undefined>

/** FirstRow through an OpenReader context (its snapshot, when the operation has one). */
export function openreaderFirstRow(ctx: OpenreaderContext): FirstRow {
    return (sql, params) =>
        ctx.executeQuery<unknown[] | undefined>({ sql, params, map: (rows: unknown[][]) => rows[0] } as unknown as Query<unknown[] | undefined>)
}

/** FirstRow through a pg pool (the custom resolvers' services.db). */
export function poolFirstRow(pool: Pool): FirstRow {
    return async (sql, params) => (await pool.query({ text: sql, values: params as any[], rowMode: 'array' })).rows[0]
}

export interface BlockArg {
    number?: number | null
    hash?: string | null
}

/**
 * The number of `block` if the index can answer as of it, else a coded error: BAD_USER_INPUT (malformed),
 * BLOCK_NOT_INDEXED (above the indexed head, or an unknown hash), BLOCK_PRUNED (below the HISTORY_BLOCKS horizon).
 * The caller runs its statements, then confirmNotPruned (a prune may commit in between). With `head` (generated
 * queries, whose statements are guarded: asOfSql), a block at or below the head last seen is not checked here:
 * each statement checks head and horizon itself.
 */
export async function resolveBlock(first: FirstRow, block: BlockArg, head?: KnownHead): Promise<number> {
    const n = await blockNumberOf(first, block)
    if (head && validNumber(n) && head.covers(n)) return n
    return checkedBlock(first, n, head)
}

/**
 * The number of `block` (given by number, or by hash: among the hot blocks, the finalized head, or the `block`
 * rows that chain analytics record), else a coded error.
 */
async function blockNumberOf(first: FirstRow, block: BlockArg): Promise<number> {
    const byNumber = block.number != null
    const byHash = block.hash != null
    if (byNumber === byHash) throw apiError('BAD_USER_INPUT', 'block takes exactly one of number and hash')
    if (byNumber) return block.number!
    const hash = block.hash!.toLowerCase()
    if (!/^0x[0-9a-f]{64}$/.test(hash)) throw apiError('BAD_USER_INPUT', `block.hash must be a 32-byte 0x-hex hash, got ${JSON.stringify(block.hash)}`)
    const row = await first(
        `SELECT coalesce((SELECT height FROM squid_processor.hot_block WHERE hash = $1), (SELECT height FROM squid_processor.status WHERE id = 0 AND hash = $1),
                (SELECT height FROM "block" WHERE hash = $1))`,
        [hash],
    )
    if (row?.[0] == null) {
        throw apiError('BLOCK_NOT_INDEXED', `block ${hash} is not among the indexed blocks (finalized blocks below the head are known by hash only with CHAIN_ANALYTICS on)`, { hash })
    }
    return Number(row[0])
}

function validNumber(n: number): boolean {
    return Number.isInteger(n) && n >= 0
}

const HEAD_AND_HORIZON_COLUMNS = `SELECT greatest((SELECT height FROM squid_processor.status WHERE id = 0), (SELECT max(height) FROM squid_processor.hot_block)) AS head,
                (SELECT pruned_below FROM "${PRUNE_TABLE}" WHERE id = 0) AS pruned`
const HEAD_AND_HORIZON = HEAD_AND_HORIZON_COLUMNS

/** `number` if it is indexed and not pruned, else a coded error. */
async function checkedBlock(first: FirstRow, number: number, known?: KnownHead): Promise<number> {
    if (!validNumber(number)) throw apiError('BAD_USER_INPUT', `block.number must be a non-negative integer, got ${number}`)
    const row = await first(HEAD_AND_HORIZON, [])
    const head = row?.[0] == null ? null : Number(row[0])
    known?.saw(head)
    if (head == null || number > head) {
        throw apiError('BLOCK_NOT_INDEXED', `block ${number} is not indexed yet (indexed head: ${head ?? 'none'})`, { block: number, head })
    }
    prunedError(number, row?.[1])
    return number
}

/**
 * After the statements of a generated query's as-of answer when none of them was guarded (not expected: each reads
 * a versioned table): BLOCK_NOT_INDEXED if the head is now below `n` (resolveBlock may have trusted the head last
 * seen; a reorg onto a shorter branch lowers it), BLOCK_PRUNED if the horizon is now above it.
 */
export async function confirmIndexed(first: FirstRow, n: number, known: KnownHead): Promise<void> {
    await checkedBlock(first, n, known)
}

/**
 * After the statements of an as-of answer: BLOCK_PRUNED if a prune that reached `n` committed meanwhile (the
 * horizon only grows, so a statement that saw the rows of `n` deleted is followed by this check seeing it).
 */
export async function confirmNotPruned(first: FirstRow, n: number): Promise<void> {
    prunedError(n, (await first(`SELECT pruned_below FROM "${PRUNE_TABLE}" WHERE id = 0`, []))?.[0])
}

function prunedError(n: number, prunedBelow: unknown): void {
    if (prunedBelow == null || n >= Number(prunedBelow)) return
    throw apiError('BLOCK_PRUNED', `block ${n} is below the history kept (HISTORY_BLOCKS): blocks below ${prunedBelow} were pruned`, {
        block: n,
        prunedBelow: Number(prunedBelow),
    })
}

/** `inner` whose statements read the versioned tables as of block `n` (with `guard`: see asOfSql). */
export function asOfContext(inner: OpenreaderContext, n: number, guard = false): OpenreaderContext & { guarded: boolean } {
    const ctx = Object.create(inner) as OpenreaderContext & { guarded: boolean }
    ctx.guarded = false
    ctx.executeQuery = <T>(query: Query<T>) => {
        const q: Query<T> = Object.create(query)
        // the block goes as one more parameter, not a literal: one statement text for every block, so the server's
        // named statements (sql/prepared.ts) and Postgres' plan cache serve as-of queries as they serve current ones
        const param = query.params.length + 1
        const sql = asOfSql(query.sql, n, guard, param)
        if (sql === query.sql) return inner.executeQuery(query)
        if (guard) ctx.guarded = true
        Object.defineProperty(q, 'sql', { value: sql })
        Object.defineProperty(q, 'params', { value: [...query.params, n] })
        return inner.executeQuery(q)
    }
    return ctx
}

/**
 * `sql` with every versioned table read from its history as of block `n` (an integer). With `guard`, each such
 * read also fails unless `n` is at or below the indexed head and not below the pruning horizon, as seen by the
 * statement itself (its own snapshot: exact, and no statement of its own). The failure is a cast error carrying
 * GUARD_MARK (isGuardError); the plan evaluates the check once per statement (an InitPlan gating the scan).
 */
export function asOfSql(sql: string, n: number, guard = false, param?: number): string {
    if (!Number.isInteger(n)) throw new Error(`not a block number: ${n}`)
    // with `param`, the block is read from that statement parameter (its value must be n)
    const b = param === undefined ? String(n) : `$${param}::int4`
    const cond = guard ? ` AND ${guardSql(b)}` : ''
    return sql.replace(TABLE_REF, (_m, kw: string, table: string) => `${kw} (SELECT * FROM "${historyTable(table)}" WHERE block_range @> ${b}${cond})`)
}

const GUARD_MARK = 'time travel: block not servable'

// the ELSE depends on the row read, so the planner cannot fold the failing cast into a planning error
function guardSql(n: string): string {
    return `(SELECT CASE WHEN coalesce(g.head, -1) >= ${n} AND coalesce(g.pruned, 0) <= ${n} THEN true
        ELSE ('${GUARD_MARK} ' || coalesce(g.head, -1) || ' ' || coalesce(g.pruned, 0))::boolean END
        FROM (${HEAD_AND_HORIZON_COLUMNS}) g)`
}

const GUARD_ERROR = new RegExp(`${GUARD_MARK} (-?\\d+) (-?\\d+)`)

/**
 * The coded error for a statement the guard failed (Postgres' invalid_text_representation of its cast, whose
 * message carries the head and horizon that statement saw), else undefined. From the message, not another
 * statement: in a multi-statement operation the failure aborted the transaction.
 */
export function guardFailure(e: unknown, n: number, known?: KnownHead): Error | undefined {
    const m = GUARD_ERROR.exec(String((e as any)?.message ?? ''))
    if (!m) return undefined
    const head = Number(m[1]) < 0 ? null : Number(m[1])
    known?.saw(head)
    if (head == null || n > head) return apiError('BLOCK_NOT_INDEXED', `block ${n} is not indexed yet (indexed head: ${head ?? 'none'})`, { block: n, head })
    try {
        prunedError(n, Number(m[2]) > 0 ? Number(m[2]) : null)
    } catch (pruned) {
        return pruned as Error
    }
    return undefined
}

const TABLE_REF = new RegExp(`\\b(FROM|JOIN) "(${VERSIONED.map((v) => v.table).join('|')})"(?= )`, 'g')
