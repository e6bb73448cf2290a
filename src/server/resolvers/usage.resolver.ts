import 'reflect-metadata'
import { GraphQLError } from 'graphql'
import { Arg, AuthCheckerFn, Authorized, Ctx, Int, Mutation, Query, Resolver, ResolverData, Root, Subscription } from 'type-graphql'
import { authChecker } from '../auth-checker'
import { BatchInputError, parseAddress } from '../../settlement/batch-builder'
import { submitUsage } from '../../usage/intake'
import { payerProblem } from '../../usage/terms'
import { listUsageBatches, listUsageRecords } from '../../usage/queries'
import type { ApiRole, Ctx as Context } from '../context'
import { apiError } from '../errors'
import { SubmitUsageInput, USAGE_LIST_DEFAULT, USAGE_LIST_MAX, UsageBatchWhere, UsageRecordWhere } from './usage.input'
import { SubmitUsageResult, UsageBatchedEventType, UsageBatchRow, UsageRecordRow } from './usage.type'
import { services } from '../services'
import type { UsageBatchedEvent } from '../../usage/feed'

/** most records one submitUsage may carry */
export const MAX_USAGE_RECORDS_PER_CALL = 1000
const RECORD_STATES = ['queued', 'batching', 'batched']
const BATCH_STATES = ['closed', 'waiting', 'committed']

function badInput(message: string, field: string): GraphQLError {
    return apiError('BAD_USER_INPUT', message, { field })
}

function address(v: unknown, field: string): string {
    try {
        return parseAddress(v as string, field)
    } catch (e) {
        if (e instanceof BatchInputError) throw badInput(e.message, field)
        throw e
    }
}

function optAddress(v: string | null | undefined, field: string): string | undefined {
    return v == null ? undefined : address(v, field)
}

function oneOf(v: string | null | undefined, allowed: string[], field: string): string | undefined {
    if (v == null) return undefined
    if (!allowed.includes(v)) throw badInput(`${field} must be one of ${allowed.join(', ')}`, field)
    return v
}

function limitOf(v: number | null | undefined): number {
    if (v == null) return USAGE_LIST_DEFAULT
    if (!Number.isInteger(v) || v < 1 || v > USAGE_LIST_MAX) throw badInput(`limit must be between 1 and ${USAGE_LIST_MAX}`, 'limit')
    return v
}

/** The usage-record pipeline (src/usage): intake (operator) and its visible state (any API key). */
@Resolver()
export class UsageResolver {
    @Authorized('operator')
    @Mutation(() => SubmitUsageResult, {
        description:
            "Queue usage records for batching. Each record is priced from its publisher's indexed terms at receipt and answered " +
            'accepted or rejected with a code; a retried usageId counts once. Role: operator.',
    })
    async submitUsage(@Arg('input', () => SubmitUsageInput, { validate: false }) input: SubmitUsageInput, @Ctx() ctx: Context): Promise<SubmitUsageResult> {
        const payer = address(input.payer, 'payer')
        const token = address(input.token, 'token')
        if (!Array.isArray(input.records) || input.records.length === 0) throw badInput('records must list at least one record', 'records')
        if (input.records.length > MAX_USAGE_RECORDS_PER_CALL) throw badInput(`at most ${MAX_USAGE_RECORDS_PER_CALL} records per call`, 'records')
        const problem = await payerProblem(ctx.db, payer, token)
        if (problem) throw badInput(problem.message, problem.field)
        const records = await submitUsage(ctx.db, payer, token, input.records)
        const accepted = records.filter((r) => r.accepted).length
        return { accepted, rejected: records.length - accepted, records }
    }

    @Authorized()
    @Query(() => [UsageRecordRow], { description: 'Usage records with their state and batch, oldest first. Any API key.' })
    async usageRecords(
        @Arg('where', () => UsageRecordWhere, { nullable: true, validate: false }) where: UsageRecordWhere | null,
        @Arg('limit', () => Int, { nullable: true }) limit: number | null,
        @Ctx() ctx: Context,
    ): Promise<UsageRecordRow[]> {
        const w = where ?? {}
        if (w.usageIds && w.usageIds.length > USAGE_LIST_MAX) throw badInput(`at most ${USAGE_LIST_MAX} usageIds`, 'where.usageIds')
        return listUsageRecords(
            ctx.db,
            {
                publisher: optAddress(w.publisher, 'where.publisher'),
                payer: optAddress(w.payer, 'where.payer'),
                state: oneOf(w.state, RECORD_STATES, 'where.state'),
                batchKey: w.batchKey ?? undefined,
                usageIds: w.usageIds ?? undefined,
            },
            limitOf(limit),
        )
    }

    @Authorized()
    @Query(() => [UsageBatchRow], { description: 'Batches closed by the usage batcher, with state and reason. Any API key.' })
    async usageBatches(
        @Arg('where', () => UsageBatchWhere, { nullable: true, validate: false }) where: UsageBatchWhere | null,
        @Arg('limit', () => Int, { nullable: true }) limit: number | null,
        @Ctx() ctx: Context,
    ): Promise<UsageBatchRow[]> {
        const w = where ?? {}
        return listUsageBatches(
            ctx.db,
            { payer: optAddress(w.payer, 'where.payer'), state: oneOf(w.state, BATCH_STATES, 'where.state'), batchKey: w.batchKey ?? undefined },
            limitOf(limit),
        )
    }

    @Authorized()
    @Subscription(() => UsageBatchedEventType, {
        description: "A publisher's records were committed in a batch (one event per publisher and batch). Pass `publisher` for one publisher. Any API key.",
        subscribe: (_root: unknown, args: { publisher?: string | null }, ctx: Context) => {
            ;(authChecker as AuthCheckerFn<Context, ApiRole>)({ context: ctx } as ResolverData<Context>, []) // @Authorized guards each event; refuse at subscribe already
            const feed = services(ctx).usageFeed
            if (!feed) throw apiError('UNAVAILABLE', 'usage notifications are not running on this server')
            return feed.subscribe(optAddress(args.publisher, 'publisher'))
        },
    })
    usageBatched(@Root() payload: UsageBatchedEvent | Error, @Arg('publisher', () => String, { nullable: true }) _publisher?: string): UsageBatchedEventType {
        if (payload instanceof Error) throw apiError('RATE_LIMITED', payload.message, { reason: 'SLOW_CONSUMER' })
        return payload
    }
}
