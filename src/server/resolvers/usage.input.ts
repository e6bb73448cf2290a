import 'reflect-metadata'
import { Field, InputType } from 'type-graphql'

@InputType('UsageInput', { description: 'One use of a publisher\'s content; the amount is computed from the publisher\'s indexed terms.' })
export class UsageInput {
    @Field(() => String, { description: 'Publisher address (registered, active, consenting).' })
    publisher: string

    @Field(() => String, { description: 'Units used, a positive integer as a decimal string (< 2^128).' })
    units: string

    @Field(() => String, { description: 'Client-chosen unique id of this record (1-200 printable characters); retries with the same id count once.' })
    usageId: string
}

@InputType('SubmitUsageInput')
export class SubmitUsageInput {
    @Field(() => String, { description: 'The paying AI platform.' })
    payer: string

    @Field(() => String, { description: 'Settlement token.' })
    token: string

    @Field(() => [UsageInput])
    records: UsageInput[]
}

@InputType('UsageRecordWhere')
export class UsageRecordWhere {
    @Field(() => String, { nullable: true })
    publisher?: string | null

    @Field(() => String, { nullable: true })
    payer?: string | null

    @Field(() => String, { nullable: true, description: 'queued, batching or batched' })
    state?: string | null

    @Field(() => String, { nullable: true })
    batchKey?: string | null

    @Field(() => [String], { nullable: true })
    usageIds?: string[] | null
}

@InputType('UsageBatchWhere')
export class UsageBatchWhere {
    @Field(() => String, { nullable: true })
    payer?: string | null

    @Field(() => String, { nullable: true, description: 'closed, waiting or committed' })
    state?: string | null

    @Field(() => String, { nullable: true })
    batchKey?: string | null
}

export const USAGE_LIST_DEFAULT = 100
export const USAGE_LIST_MAX = 1000
