/**
 * The MEV feed: MevEvent rows (arbitrages, sandwiches, coinbase transfers; swaps on request) with their
 * details, newest first, filtered by kind, validator, pool and block range, paged by the keyset
 * (blockNumber, id); and the `mevDetected` push subscription.
 *
 * Each requested kind is read by its own ordered, limited branch (index on (kind, block_number), or the
 * (validator_id, kind, block_number, id) / (pool, kind, block_number, id) indexes when filtered), the branches
 * are merged and cut to `limit`, and the details of the page come with it in the same statement.
 */
import { Arg, Ctx as GqlCtx, FieldResolver, Int, Query, Resolver, Root, Subscription } from 'type-graphql'
import type { Ctx } from '../context'
import { apiError } from '../errors'
import { mevPoolKey, mevValidatorKey } from '../pubsub/topics'
import { SlowConsumer } from '../pubsub/queue'
import { services } from '../services'
import { DEFAULT_MEV_KINDS, MevKind } from './mev.input'
import { JitLiquidityDetail } from './mev-kinds.type'
import { ArbitrageDetail, decodeMevCursor, MevFeedItem, mevItemFromRow, mevItemsSql, SandwichDetail, SwapDetail } from './mev.type'
import { openSubscription, unwrapEvent } from './subscription.resolver'
import { inclusiveRange, optionalIndex } from './validator.resolver'
import * as v from './validate'

const ALL_KINDS = new Set<string>(Object.values(MevKind))

function kindsArg(kinds: MevKind[] | null | undefined, dflt: MevKind[]): MevKind[] {
    if (kinds == null) return dflt
    if (!Array.isArray(kinds) || kinds.length === 0) throw apiError('BAD_USER_INPUT', 'kinds must list at least one MevKind', { argument: 'kinds' })
    for (const k of kinds) if (!ALL_KINDS.has(k)) throw apiError('BAD_USER_INPUT', `unknown MevKind ${k}`, { argument: 'kinds' })
    // a fixed order keeps the SQL (and shared subscription keys) stable
    return Object.values(MevKind).filter((k) => kinds.includes(k))
}

@Resolver()
export class MevResolver {
    @Query(() => [MevFeedItem], {
        description:
            'MEV events newest first (every kind but SWAP unless `kinds` says otherwise; SWAP on request), ' +
            'with their details; filter by validator (block proposer), pool and blocks [fromBlock, toBlock]. ' +
            "Next page: pass the last item's `cursor`.",
    })
    async mevFeed(
        @Arg('kinds', () => [MevKind], { nullable: true }) kindsIn: MevKind[] | null,
        @Arg('validator', () => String, { nullable: true }) validatorArg: string | null,
        @Arg('pool', () => String, { nullable: true }) poolArg: string | null,
        @Arg('fromBlock', () => Int, { nullable: true }) fromBlockArg: number | null,
        @Arg('toBlock', () => Int, { nullable: true }) toBlockArg: number | null,
        @Arg('limit', () => Int, { defaultValue: 100 }) limitArg: number,
        @Arg('cursor', () => String, { nullable: true }) cursorArg: string | null,
        @GqlCtx() ctx: Ctx,
    ): Promise<MevFeedItem[]> {
        const kinds = kindsArg(kindsIn, DEFAULT_MEV_KINDS)
        const validator = v.optionalAddress(validatorArg, 'validator')
        const pool = v.optionalAddress(poolArg, 'pool')
        const fromBlock = optionalIndex(fromBlockArg, 'fromBlock')
        const toBlock = optionalIndex(toBlockArg, 'toBlock')
        if (fromBlock !== undefined || toBlock !== undefined) inclusiveRange(fromBlock, toBlock, ['fromBlock', 'toBlock'])
        const limit = v.limit(limitArg, 100, 1000)
        let cursor: { blockNumber: number; id: string } | undefined
        if (cursorArg != null) {
            cursor = decodeMevCursor(cursorArg)
            if (!cursor) throw apiError('BAD_USER_INPUT', 'cursor is not a cursor returned by mevFeed', { argument: 'cursor' })
        }

        const params: unknown[] = []
        const p = (x: unknown) => {
            params.push(x)
            return `$${params.length}`
        }
        const where: string[] = []
        if (validator) where.push(`validator_id = ${p(validator)}`)
        if (pool) where.push(`pool = ${p(pool)}`)
        if (fromBlock !== undefined) where.push(`block_number >= ${p(fromBlock)}`)
        if (toBlock !== undefined) where.push(`block_number <= ${p(toBlock)}`)
        if (cursor) where.push(`(block_number, id) < (${p(cursor.blockNumber)}, ${p(cursor.id)}::varchar)`)
        const branch = (kind: MevKind) =>
            `(SELECT * FROM mev_event WHERE kind = '${kind}'${where.map((w) => ` AND ${w}`).join('')} ORDER BY block_number DESC, id DESC LIMIT ${limit})`
        const source =
            kinds.length === 1 ? branch(kinds[0]) : `(SELECT * FROM (${kinds.map(branch).join('\n UNION ALL ')}) u ORDER BY block_number DESC, id DESC LIMIT ${limit})`
        const res = await services(ctx).db.query(mevItemsSql(source, 'DESC'), params)
        return res.rows.map(mevItemFromRow)
    }

    @Subscription(() => MevFeedItem, {
        description:
            'New MEV events of every kind but SWAP (with details) as the indexer commits them, in chain order. ' +
            'Filters: `kinds` (not SWAP), `validator` (block proposer), `pool`.',
        subscribe: (_root: unknown, args: { kinds?: MevKind[] | null; validator?: string | null; pool?: string | null }, ctx: Ctx) => {
            const kinds = kindsArg(args.kinds, DEFAULT_MEV_KINDS)
            if (kinds.includes(MevKind.SWAP)) {
                throw apiError('BAD_USER_INPUT', 'swaps are not pushed (too many); query mevFeed(kinds: [SWAP])', { argument: 'kinds' })
            }
            const validator = v.optionalAddress(args.validator, 'validator')
            const pool = v.optionalAddress(args.pool, 'pool')
            // registered under the most selective key; the other criteria are a filter
            const key = validator ? mevValidatorKey(validator) : pool ? mevPoolKey(pool) : undefined
            const allKinds = kinds.length === DEFAULT_MEV_KINDS.length
            const filter =
                allKinds && !(validator && pool)
                    ? undefined
                    : (e: MevFeedItem) => kinds.includes(e.kind) && (!validator || e.validator === validator) && (!pool || e.pool === pool)
            return openSubscription(ctx, 'mevDetected', key, filter)
        },
    })
    mevDetected(
        @Root() payload: MevFeedItem | SlowConsumer,
        @Arg('kinds', () => [MevKind], { nullable: true }) _kinds?: MevKind[],
        @Arg('validator', () => String, { nullable: true }) _validator?: string,
        @Arg('pool', () => String, { nullable: true }) _pool?: string,
    ): MevFeedItem {
        return unwrapEvent(payload)
    }
}

/** Lists inside feed items take a `limit` so that the complexity estimate (lists count 100 without one) stays honest. */
function sliceList<T>(list: T[], limit: number | null | undefined, name: string): T[] {
    if (limit == null) return list
    return list.slice(0, v.limit(limit, 100, 100, name))
}

@Resolver(() => ArbitrageDetail)
export class ArbitrageDetailResolver {
    @FieldResolver(() => [SwapDetail], { description: 'its swaps in cycle order (the first `limit`; see swapCount)' })
    swaps(@Root() a: ArbitrageDetail, @Arg('limit', () => Int, { nullable: true }) limit?: number): SwapDetail[] {
        return sliceList(a.allSwaps ?? [], limit, 'limit')
    }
}

@Resolver(() => SandwichDetail)
export class SandwichDetailResolver {
    @FieldResolver(() => [SwapDetail], { description: 'the victim swaps in block order (the first `limit`; see victimCount)' })
    victims(@Root() s: SandwichDetail, @Arg('limit', () => Int, { nullable: true }) limit?: number): SwapDetail[] {
        return sliceList(s.allVictims ?? [], limit, 'limit')
    }
}

@Resolver(() => JitLiquidityDetail)
export class JitLiquidityDetailResolver {
    @FieldResolver(() => [SwapDetail], { description: 'the swaps it served in block order (the first `limit`; see swapCount)' })
    swaps(@Root() j: JitLiquidityDetail, @Arg('limit', () => Int, { nullable: true }) limit?: number): SwapDetail[] {
        return sliceList(j.allSwaps ?? [], limit, 'limit')
    }
}
