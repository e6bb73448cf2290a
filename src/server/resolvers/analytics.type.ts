import { Field, Float, Int, ObjectType } from 'type-graphql'
import { StatInterval } from './analytics.input'
import { BigIntScalar, DateTimeScalar } from './scalars'

@ObjectType({ description: 'Token counters of one hour or day (rollups are sparse: a missing bucket had no activity).' })
export class TokenActivityPoint {
    @Field(() => String) token!: string
    @Field(() => DateTimeScalar, { description: 'start of the hour/day (UTC)' }) bucket!: Date
    @Field(() => StatInterval) interval!: StatInterval
    @Field(() => Int) depositCount!: number
    @Field(() => BigIntScalar) depositAmount!: string
    @Field(() => Int) withdrawalCount!: number
    @Field(() => BigIntScalar) withdrawalAmount!: string
    @Field(() => Int, { description: 'batches committed' }) batchCount!: number
    @Field(() => BigIntScalar) committedAmount!: string
    @Field(() => Int) recordCount!: number
    @Field(() => Int) finalizedBatchCount!: number
    @Field(() => BigIntScalar) finalizedAmount!: string
    @Field(() => Int) rejectedBatchCount!: number
    @Field(() => BigIntScalar) rejectedAmount!: string
    @Field(() => Int) disputeCount!: number
    @Field(() => Int) claimCount!: number
    @Field(() => BigIntScalar) claimedAmount!: string
    @Field(() => BigIntScalar) feesAmount!: string
    @Field(() => BigIntScalar) netClaimedAmount!: string
    @Field(() => BigIntScalar, { description: 'escrow held (available + locked) after the last event of the bucket' }) escrowHeldEnd!: string
    @Field(() => BigIntScalar) escrowLockedEnd!: string
    @Field(() => Float, { nullable: true, description: 'escrowLockedEnd / escrowHeldEnd' }) escrowUtilisation!: number | null
}

@ObjectType({ description: 'Token counters summed over a range.' })
export class TokenTotals {
    @Field(() => String) token!: string
    @Field(() => String, { nullable: true }) symbol!: string | null
    @Field(() => Int, { nullable: true }) decimals!: number | null
    @Field(() => StatInterval, { description: 'which rollup answered (DAY when from/to are UTC midnights, else HOUR)' }) source!: StatInterval
    @Field(() => Int) depositCount!: number
    @Field(() => BigIntScalar) depositAmount!: string
    @Field(() => Int) withdrawalCount!: number
    @Field(() => BigIntScalar) withdrawalAmount!: string
    @Field(() => Int) batchCount!: number
    @Field(() => BigIntScalar) committedAmount!: string
    @Field(() => BigIntScalar) recordCount!: string
    @Field(() => Int) finalizedBatchCount!: number
    @Field(() => BigIntScalar) finalizedAmount!: string
    @Field(() => Int) rejectedBatchCount!: number
    @Field(() => BigIntScalar) rejectedAmount!: string
    @Field(() => Int) disputeCount!: number
    @Field(() => Int) claimCount!: number
    @Field(() => BigIntScalar) claimedAmount!: string
    @Field(() => BigIntScalar) feesAmount!: string
    @Field(() => BigIntScalar) netClaimedAmount!: string
}

@ObjectType({ description: "One account's day in one token." })
export class ParticipantDay {
    @Field(() => String) token!: string
    @Field(() => String, { description: 'YYYY-MM-DD (UTC)' }) date!: string
    @Field(() => DateTimeScalar) day!: Date
    @Field(() => BigIntScalar) depositAmount!: string
    @Field(() => BigIntScalar) withdrawalAmount!: string
    @Field(() => Int) batchCount!: number
    @Field(() => BigIntScalar) committedAmount!: string
    @Field(() => Int) recordCount!: number
    @Field(() => BigIntScalar) paidAmount!: string
    @Field(() => BigIntScalar) receivedAmount!: string
    @Field(() => BigIntScalar) feesAmount!: string
    @Field(() => BigIntScalar) netReceivedAmount!: string
    @Field(() => Int) claimCount!: number
    @Field(() => Int) disputeCount!: number
}

@ObjectType()
export class ParticipantTotals {
    @Field(() => String) token!: string
    @Field(() => BigIntScalar) depositAmount!: string
    @Field(() => BigIntScalar) withdrawalAmount!: string
    @Field(() => Int) batchCount!: number
    @Field(() => BigIntScalar) committedAmount!: string
    @Field(() => BigIntScalar) recordCount!: string
    @Field(() => BigIntScalar) paidAmount!: string
    @Field(() => BigIntScalar) receivedAmount!: string
    @Field(() => BigIntScalar) feesAmount!: string
    @Field(() => BigIntScalar) netReceivedAmount!: string
    @Field(() => Int) claimCount!: number
    @Field(() => Int) disputeCount!: number
}

@ObjectType({ description: "An account's activity over a range: as payer (deposits, batches, paid) and as payee (received)." })
export class ParticipantActivity {
    @Field(() => String) account!: string
    @Field(() => String, { nullable: true, description: 'participant kind when registered (AI_PLATFORM, PUBLISHER, ADVERTISER)' }) kind!: string | null
    @Field(() => [ParticipantTotals]) totals!: ParticipantTotals[]
    @Field(() => [ParticipantDay]) days!: ParticipantDay[]
}

@ObjectType()
export class TopPublisher {
    @Field(() => Int) rank!: number
    @Field(() => String) account!: string
    @Field(() => String) token!: string
    @Field(() => String, { nullable: true }) kind!: string | null
    @Field(() => BigIntScalar, { description: 'gross claimed' }) receivedAmount!: string
    @Field(() => BigIntScalar) netReceivedAmount!: string
    @Field(() => BigIntScalar) feesAmount!: string
    @Field(() => Int) claimCount!: number
}

@ObjectType()
export class TopPayer {
    @Field(() => Int) rank!: number
    @Field(() => String) account!: string
    @Field(() => String) token!: string
    @Field(() => String, { nullable: true }) kind!: string | null
    @Field(() => BigIntScalar, { description: 'charged by finalised batches' }) paidAmount!: string
    @Field(() => BigIntScalar) committedAmount!: string
    @Field(() => Int) batchCount!: number
    @Field(() => BigIntScalar) recordCount!: string
}

@ObjectType()
export class DisputeRate {
    @Field(() => String, { nullable: true, description: 'null for the all-token total' }) token!: string | null
    @Field(() => Int, { description: 'batches committed in the range' }) batchCount!: number
    @Field(() => Int, { description: 'disputes opened in the range' }) disputeCount!: number
    @Field(() => Int) rejectedBatchCount!: number
    @Field(() => Int) finalizedBatchCount!: number
    @Field(() => Float, { nullable: true, description: 'disputeCount / batchCount' }) disputeRate!: number | null
    @Field(() => Float, { nullable: true, description: 'rejectedBatchCount / batchCount' }) rejectionRate!: number | null
}

@ObjectType()
export class DisputeRateReport {
    @Field(() => DisputeRate) overall!: DisputeRate
    @Field(() => [DisputeRate]) tokens!: DisputeRate[]
}

@ObjectType({ description: 'Escrow utilisation = locked / (available + locked), now.' })
export class EscrowUtilisation {
    @Field(() => String) token!: string
    @Field(() => String, { nullable: true, description: 'set when the query was for one payer' }) payer!: string | null
    @Field(() => String, { nullable: true }) symbol!: string | null
    @Field(() => BigIntScalar) available!: string
    @Field(() => BigIntScalar) locked!: string
    @Field(() => BigIntScalar, { description: 'available + locked' }) held!: string
    @Field(() => Float, { nullable: true }) utilisation!: number | null
}

@ObjectType({ description: 'Distribution of a duration, in seconds (null fields when count is 0).' })
export class LatencyStats {
    @Field(() => Int) count!: number
    @Field(() => Float, { nullable: true }) mean!: number | null
    @Field(() => Float, { nullable: true }) p50!: number | null
    @Field(() => Float, { nullable: true }) p90!: number | null
    @Field(() => Float, { nullable: true }) p95!: number | null
    @Field(() => Float, { nullable: true }) p99!: number | null
    @Field(() => Float, { nullable: true }) max!: number | null
}

@ObjectType()
export class SettlementLatency {
    @Field(() => LatencyStats, { description: 'batches finalised in the range: finalizedAt - committedAt' }) commitToFinalize!: LatencyStats
    @Field(() => LatencyStats, { description: "claims made in the range: claim time - the batch's finalizedAt" }) finalizeToClaim!: LatencyStats
}
