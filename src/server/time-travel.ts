/**
 * Time travel, read side: the generated queries of the versioned entities (src/model/versioned.ts) take
 * `block: { number }` or `block: { hash }` and answer as of the end of that block. How: the operation's OpenReader
 * context is wrapped for that field only, and every SQL statement it runs reads each versioned table as
 * `(SELECT * FROM <table>_history WHERE block_range @> N)` instead of the table itself (OpenReader names tables
 * only as `FROM "t"` and `JOIN "t"`, quoted: the rewrite is exact). Filters, ordering, paging and nested relations
 * are OpenReader's own; relations to entities that are not versioned read their current state.
 * A block above the indexed head (the processor's status + hot blocks) is refused with BLOCK_NOT_INDEXED, one below
 * the pruning horizon (HISTORY_BLOCKS, src/indexer/write/history-prune.ts) with BLOCK_PRUNED. The custom queries
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
    return mapSchema(schema, {
        [MapperKind.QUERY_ROOT_FIELD]: (field, name) => (TABLE_OF_QUERY.has(name) ? asOfField(field) : field),
    })
}

function asOfField(field: GraphQLFieldConfig<any, any>): GraphQLFieldConfig<any, any> {
    const resolve = field.resolve!
    return {
        ...field,
        args: { ...field.args, block: { type: BlockHeight, description: 'answer as of the end of this block' } },
        async resolve(source, args, context, info) {
            if (!args.block) return resolve(source, args, context, info)
            const inner: OpenreaderContext = context.openreader
            const first = openreaderFirstRow(inner)
            const n = await resolveBlock(first, args.block)
            const { block: _block, ...rest } = args
            const result = await resolve(source, rest, Object.assign(Object.create(context), { openreader: asOfContext(inner, n) }), info)
            await confirmNotPruned(first, n)
            return result
        },
    }
}

/**
 * A custom resolver's as-of read: `run(null)` without `block`; else `run(n)` for the block's number n, between the
 * checks of resolveBlock and confirmNotPruned (same errors as the generated queries). `run` reads the versioned
 * tables through asOfSql(sql, n).
 */
export async function asOfPool<T>(pool: Pool, block: BlockArg | null | undefined, run: (n: number | null) => Promise<T>): Promise<T> {
    if (!block) return run(null)
    const first = poolFirstRow(pool)
    const n = await resolveBlock(first, block)
    const result = await run(n)
    await confirmNotPruned(first, n)
    return result
}

/** `sql` as of block `n`, or unchanged when `n` is null (current state). */
export function maybeAsOfSql(sql: string, n: number | null): string {
    return n == null ? sql : asOfSql(sql, n)
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
 * The caller runs its statements, then confirmNotPruned (a prune may commit in between).
 */
export async function resolveBlock(first: FirstRow, block: BlockArg): Promise<number> {
    return checkedBlock(first, await blockNumberOf(first, block))
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

/** `number` if it is indexed and not pruned, else a coded error. */
async function checkedBlock(first: FirstRow, number: number): Promise<number> {
    if (!Number.isInteger(number) || number < 0) throw apiError('BAD_USER_INPUT', `block.number must be a non-negative integer, got ${number}`)
    const row = await first(
        `SELECT greatest((SELECT height FROM squid_processor.status WHERE id = 0), (SELECT max(height) FROM squid_processor.hot_block)),
                (SELECT pruned_below FROM "${PRUNE_TABLE}" WHERE id = 0)`,
        [],
    )
    const head = row?.[0] == null ? null : Number(row[0])
    if (head == null || number > head) {
        throw apiError('BLOCK_NOT_INDEXED', `block ${number} is not indexed yet (indexed head: ${head ?? 'none'})`, { block: number, head })
    }
    prunedError(number, row?.[1])
    return number
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

/** `inner` whose statements read the versioned tables as of block `n`. */
export function asOfContext(inner: OpenreaderContext, n: number): OpenreaderContext {
    const ctx: OpenreaderContext = Object.create(inner)
    ctx.executeQuery = <T>(query: Query<T>) => {
        const q: Query<T> = Object.create(query)
        Object.defineProperty(q, 'sql', { value: asOfSql(query.sql, n) })
        return inner.executeQuery(q)
    }
    return ctx
}

/** `sql` with every versioned table read from its history as of block `n` (an integer). */
export function asOfSql(sql: string, n: number): string {
    if (!Number.isInteger(n)) throw new Error(`not a block number: ${n}`)
    return sql.replace(TABLE_REF, (_m, kw: string, table: string) => `${kw} (SELECT * FROM "${historyTable(table)}" WHERE block_range @> ${n})`)
}

const TABLE_REF = new RegExp(`\\b(FROM|JOIN) "(${VERSIONED.map((v) => v.table).join('|')})"(?= )`, 'g')
