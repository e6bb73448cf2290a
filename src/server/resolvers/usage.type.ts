import 'reflect-metadata'
import { Field, Int, ObjectType } from 'type-graphql'

@ObjectType('UsageRecordOutcome', { description: 'What submitUsage did with one record.' })
export class UsageRecordOutcome {
    @Field(() => String)
    usageId: string

    @Field(() => Boolean)
    accepted: boolean

    @Field(() => Boolean, { description: 'true: already queued with the same content by an earlier call (counted once).' })
    duplicate: boolean

    @Field(() => String, {
        nullable: true,
        description: 'Rejection code: BAD_RECORD, DUPLICATE_IN_REQUEST, IDEMPOTENCY_CONFLICT, PUBLISHER_UNKNOWN, PUBLISHER_INACTIVE, NO_CONSENT.',
    })
    code?: string

    @Field(() => String, { nullable: true })
    message?: string

    @Field(() => String, { nullable: true, description: 'Price per thousand units in force at receipt (accepted records).' })
    pricePerThousand?: string

    @Field(() => String, { nullable: true, description: "Who is paid: the publisher's registered payout address at receipt." })
    payee?: string
}

@ObjectType('SubmitUsageResult')
export class SubmitUsageResult {
    @Field(() => Int)
    accepted: number

    @Field(() => Int)
    rejected: number

    @Field(() => [UsageRecordOutcome], { description: 'One per input record, in input order.' })
    records: UsageRecordOutcome[]
}

@ObjectType('UsageRecord')
export class UsageRecordRow {
    @Field(() => String)
    usageId: string

    @Field(() => String)
    payer: string

    @Field(() => String)
    token: string

    @Field(() => String)
    publisher: string

    @Field(() => String)
    units: string

    @Field(() => String)
    pricePerThousand: string

    @Field(() => String)
    payee: string

    @Field(() => String, { description: 'queued, batching (in a closed batch not yet on chain) or batched (committed)' })
    state: string

    @Field(() => String, { nullable: true })
    batchKey?: string | null

    @Field(() => String, { nullable: true, description: 'On-chain batch id once committed' })
    batchId?: string | null

    @Field(() => String, { nullable: true, description: 'Why its batch is not committed yet (e.g. INSUFFICIENT_ESCROW: ...)' })
    reason?: string | null

    @Field(() => String)
    receivedAt: string
}

@ObjectType('UsageBatch')
export class UsageBatchRow {
    @Field(() => String)
    batchKey: string

    @Field(() => String)
    payer: string

    @Field(() => String)
    token: string

    @Field(() => String, { description: 'closed (commit pending), waiting (payer short of escrow) or committed' })
    state: string

    @Field(() => String, { nullable: true })
    reason?: string | null

    @Field(() => Int)
    recordCount: number

    @Field(() => String)
    totalAmount: string

    @Field(() => String, { description: 'size or age' })
    closedBy: string

    @Field(() => String, { nullable: true })
    batchId?: string | null

    @Field(() => String, { nullable: true })
    txHash?: string | null

    @Field(() => String)
    createdAt: string
}

@ObjectType('UsageBatchedEvent', { description: "A publisher's records were committed in a batch; follow batchUpdated(id: batchId) for when its payout opens." })
export class UsageBatchedEventType {
    @Field(() => String)
    publisher: string

    @Field(() => String, { description: 'The leaf address the payout is claimable by (the registered payout address).' })
    payee: string

    @Field(() => String)
    batchKey: string

    @Field(() => String, { nullable: true })
    batchId: string | null

    @Field(() => Int)
    recordCount: number

    @Field(() => String)
    units: string

    @Field(() => String, { description: "The publisher's amount in the batch, by the pricing rule." })
    amount: string
}
