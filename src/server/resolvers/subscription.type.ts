import { Field, Int, ObjectType } from 'type-graphql'
import { BatchStatus, BigIntScalar, DateTimeScalar } from './scalars'

@ObjectType({ description: 'The indexer committed blocks up to this one.' })
export class IndexerHeadEvent {
    @Field(() => Int) height!: number
    @Field(() => String) hash!: string
    @Field(() => Boolean, { nullable: true, description: 'the processor reached the chain head with this batch' }) head!: boolean | null
    @Field(() => Boolean, { description: 'this batch replaced blocks of a fork' }) reorg!: boolean
}

@ObjectType({ description: 'A batch as indexed after the change.' })
export class BatchUpdateEvent {
    @Field(() => String) id!: string
    @Field(() => BatchStatus) status!: BatchStatus
    @Field(() => String) payer!: string
    @Field(() => String) token!: string
    @Field(() => String) root!: string
    @Field(() => BigIntScalar) totalAmount!: string
    @Field(() => Int) recordCount!: number
    @Field(() => String) dataURI!: string
    @Field(() => String) operator!: string
    @Field(() => Boolean) disputed!: boolean
    @Field(() => DateTimeScalar) committedAt!: Date
    @Field(() => Int) committedAtBlock!: number
    @Field(() => DateTimeScalar) disputeDeadline!: Date
    @Field(() => DateTimeScalar, { nullable: true }) finalizedAt!: Date | null
    @Field(() => Int, { nullable: true }) finalizedAtBlock!: number | null
    @Field(() => DateTimeScalar, { nullable: true }) rejectedAt!: Date | null
    @Field(() => Int, { nullable: true }) rejectedAtBlock!: number | null
    @Field(() => BigIntScalar) claimedAmount!: string
    @Field(() => Int) claimCount!: number
    @Field(() => Int) updatedAtBlock!: number
    @Field(() => Boolean, { description: 'pushed because of a reorg: the row as it is on the new branch (or, with `removed`, as last pushed)' }) reorg!: boolean
    @Field(() => Boolean, { description: 'the row existed only on blocks a reorg abandoned: it is gone (drop it)' }) removed!: boolean
}

@ObjectType({ description: 'A payee claimed its payout from a batch.' })
export class PayoutClaimedEvent {
    @Field(() => String) id!: string
    @Field(() => String) batchId!: string
    @Field(() => String) payee!: string
    @Field(() => String) token!: string
    @Field(() => BigIntScalar) amount!: string
    @Field(() => BigIntScalar) fee!: string
    @Field(() => BigIntScalar) net!: string
    @Field(() => String) claimer!: string
    @Field(() => Boolean) relayed!: boolean
    @Field(() => Int) blockNumber!: number
    @Field(() => String) txHash!: string
    @Field(() => DateTimeScalar) timestamp!: Date
    @Field(() => Boolean, { description: 'pushed because of a reorg: the row as it is on the new branch (or, with `removed`, as last pushed)' }) reorg!: boolean
    @Field(() => Boolean, { description: 'the row existed only on blocks a reorg abandoned: it is gone (drop it)' }) removed!: boolean
}

@ObjectType({ description: "A payer's escrow balances in one token after the change." })
export class EscrowBalanceEvent {
    @Field(() => String) id!: string
    @Field(() => String) payer!: string
    @Field(() => String) token!: string
    @Field(() => BigIntScalar) available!: string
    @Field(() => BigIntScalar) locked!: string
    @Field(() => BigIntScalar) totalDeposited!: string
    @Field(() => BigIntScalar) totalWithdrawn!: string
    @Field(() => DateTimeScalar) updatedAt!: Date
    @Field(() => Int) updatedAtBlock!: number
    @Field(() => Boolean, { description: 'pushed because of a reorg: the row as it is on the new branch (or, with `removed`, as last pushed)' }) reorg!: boolean
    @Field(() => Boolean, { description: 'the row existed only on blocks a reorg abandoned: it is gone (drop it)' }) removed!: boolean
}
