import { Field, Float, Int, ObjectType } from 'type-graphql'
import { BatchStatus, BigIntScalar, DateTimeScalar } from './scalars'

@ObjectType({ description: 'One transition of a batch, in chain order.' })
export class LifecycleEvent {
    @Field(() => String, { description: 'COMMITTED, DISPUTED, DISPUTE_RESOLVED, REJECTED, FINALIZED, PAYOUT_OPENED, FIRST_CLAIM, LAST_CLAIM' })
    kind!: string

    @Field(() => DateTimeScalar)
    at!: Date

    @Field(() => Int, { nullable: true })
    block!: number | null

    @Field(() => String, { nullable: true })
    tx!: string | null
}

@ObjectType()
export class LifecycleDispute {
    @Field(() => String)
    disputant!: string

    @Field(() => Boolean)
    byPayer!: boolean

    @Field(() => String)
    reason!: string

    @Field(() => String, { description: 'PENDING, UPHELD or DISMISSED' })
    outcome!: string

    @Field(() => BatchStatus, { nullable: true })
    resolvedStatus!: BatchStatus | null

    @Field(() => DateTimeScalar)
    openedAt!: Date

    @Field(() => Int)
    openedAtBlock!: number

    @Field(() => String)
    openedTx!: string

    @Field(() => DateTimeScalar, { nullable: true })
    resolvedAt!: Date | null

    @Field(() => Int, { nullable: true })
    resolvedAtBlock!: number | null

    @Field(() => String, { nullable: true })
    resolvedTx!: string | null
}

@ObjectType()
export class LifecyclePayout {
    @Field(() => BigIntScalar)
    totalAmount!: string

    @Field(() => BigIntScalar)
    claimedAmount!: string

    @Field(() => BigIntScalar)
    feesPaid!: string

    @Field(() => BigIntScalar)
    remaining!: string

    @Field(() => Int)
    claimCount!: number

    @Field(() => Boolean)
    fullyClaimed!: boolean

    @Field(() => DateTimeScalar)
    openedAt!: Date

    @Field(() => Int)
    openedAtBlock!: number

    @Field(() => String)
    openedTx!: string

    @Field(() => DateTimeScalar, { nullable: true })
    lastClaimAt!: Date | null
}

@ObjectType()
export class ClaimsSummary {
    @Field(() => Int)
    count!: number

    @Field(() => Int)
    relayedCount!: number

    @Field(() => BigIntScalar, { description: 'Gross amount claimed.' })
    amount!: string

    @Field(() => BigIntScalar)
    fees!: string

    @Field(() => BigIntScalar)
    net!: string

    @Field(() => DateTimeScalar, { nullable: true })
    firstAt!: Date | null

    @Field(() => DateTimeScalar, { nullable: true })
    lastAt!: Date | null

    @Field(() => Int, { nullable: true, description: 'Payees with a leaf but no claim yet (null when this server did not build the batch).' })
    unclaimedPayees!: number | null
}

@ObjectType({ description: 'A batch from commit to its last claim.' })
export class BatchLifecycle {
    @Field(() => String)
    id!: string

    @Field(() => BatchStatus)
    status!: BatchStatus

    @Field(() => String)
    payer!: string

    @Field(() => String)
    token!: string

    @Field(() => String)
    root!: string

    @Field(() => BigIntScalar)
    totalAmount!: string

    @Field(() => Int)
    recordCount!: number

    @Field(() => String)
    dataURI!: string

    @Field(() => String)
    operator!: string

    @Field(() => DateTimeScalar)
    committedAt!: Date

    @Field(() => Int)
    committedAtBlock!: number

    @Field(() => String)
    committedTx!: string

    @Field(() => DateTimeScalar)
    disputeDeadline!: Date

    @Field(() => DateTimeScalar, { nullable: true })
    finalizedAt!: Date | null

    @Field(() => Int, { nullable: true })
    finalizedAtBlock!: number | null

    @Field(() => String, { nullable: true })
    finalizedTx!: string | null

    @Field(() => DateTimeScalar, { nullable: true })
    rejectedAt!: Date | null

    @Field(() => Int, { nullable: true })
    rejectedAtBlock!: number | null

    @Field(() => [LifecycleEvent])
    events!: LifecycleEvent[]

    @Field(() => LifecycleDispute, { nullable: true })
    dispute!: LifecycleDispute | null

    @Field(() => LifecyclePayout, { nullable: true })
    payout!: LifecyclePayout | null

    @Field(() => ClaimsSummary)
    claims!: ClaimsSummary

    @Field(() => Int, { nullable: true, description: 'Number of payees (leaves) when this server built the batch.' })
    leafCount!: number | null

    @Field(() => Float, { nullable: true })
    commitToFinalizeSeconds!: number | null

    @Field(() => Float, { nullable: true })
    finalizeToFirstClaimSeconds!: number | null
}

@ObjectType({ description: "A payee's leaf in a batch and the Merkle proof to claim it." })
export class PayoutProof {
    @Field(() => String)
    batchId!: string

    @Field(() => String)
    payee!: string

    @Field(() => BigIntScalar)
    amount!: string

    @Field(() => [String])
    proof!: string[]

    @Field(() => String)
    root!: string

    @Field(() => Boolean, { description: 'An indexed claim exists for this batch and payee.' })
    claimed!: boolean

    @Field(() => BatchStatus, { nullable: true, description: 'Indexed status of the batch (null until its commit is indexed).' })
    batchStatus!: BatchStatus | null

    @Field(() => Boolean, { description: 'FINALIZED and not claimed yet.' })
    claimable!: boolean
}

@ObjectType()
export class TokenClaimable {
    @Field(() => String)
    token!: string

    @Field(() => BigIntScalar, { description: 'Sum over finalised batches without a claim by this payee.' })
    claimable!: string

    @Field(() => Int)
    claimableBatches!: number

    @Field(() => BigIntScalar, { description: 'Sum over committed or disputed (not yet final) batches.' })
    pending!: string

    @Field(() => Int)
    pendingBatches!: number

    @Field(() => BigIntScalar, { description: 'Sum already claimed from batches built here.' })
    claimed!: string
}

@ObjectType()
export class ClaimableBatch {
    @Field(() => String)
    batchId!: string

    @Field(() => String)
    token!: string

    @Field(() => BigIntScalar)
    amount!: string

    @Field(() => DateTimeScalar)
    finalizedAt!: Date
}

@ObjectType()
export class ClaimableBalance {
    @Field(() => String)
    payee!: string

    @Field(() => [TokenClaimable])
    tokens!: TokenClaimable[]

    @Field(() => [ClaimableBatch], { description: 'Finalised, unclaimed batches, oldest first (up to `limit`).' })
    batches!: ClaimableBatch[]

    @Field(() => Boolean, { description: 'More claimable batches exist than returned.' })
    truncated!: boolean
}
