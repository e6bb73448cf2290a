import 'reflect-metadata'
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql'
import type { TxStatus } from '../chain/tx-mutation'
import { BigIntScalar } from './scalars'

export enum MutationTxStatus {
    /** broadcast; not mined within the server's wait (repeat the call with the same idempotencyKey to refresh) */
    SUBMITTED = 'SUBMITTED',
    /** mined successfully */
    CONFIRMED = 'CONFIRMED',
    /** nothing needed sending (e.g. every payee had already claimed) */
    SKIPPED = 'SKIPPED',
}
registerEnumType(MutationTxStatus, { name: 'MutationTxStatus', description: 'State of the transaction a mutation sent.' })

// compile-time check that the enum matches the chain layer's statuses
const _statusCheck: Record<TxStatus, MutationTxStatus> = MutationTxStatus
void _statusCheck

@ObjectType('CommitBatchResult')
export class CommitBatchResult {
    @Field(() => String, { description: 'bytes32 batch id = keccak256("settlement-batch:" + idempotencyKey)' })
    batchId: string
    @Field(() => String) payer: string
    @Field(() => String) token: string
    @Field(() => String, { description: 'Merkle root of the (payee, amount) leaves' })
    root: string
    @Field(() => BigIntScalar, { description: 'sum of the leaves, token base units (BigInt: decimal string)' })
    totalAmount: string
    @Field(() => Int) recordCount: number
    @Field(() => Int, { description: 'number of distinct payees with a non-zero amount' })
    leafCount: number
    @Field(() => String) dataURI: string
    @Field(() => String, { nullable: true }) txHash: string | null
    @Field(() => MutationTxStatus) status: MutationTxStatus
    @Field(() => Int, { nullable: true }) blockNumber: number | null
    @Field(() => Boolean, { description: 'true when this is the stored result of an earlier request with the same idempotencyKey' })
    replayed: boolean
}

@ObjectType('FinalizeBatchResult')
export class FinalizeBatchResult {
    @Field(() => String) batchId: string
    @Field(() => String, { nullable: true }) txHash: string | null
    @Field(() => MutationTxStatus) status: MutationTxStatus
    @Field(() => Int, { nullable: true }) blockNumber: number | null
    @Field(() => Boolean) replayed: boolean
}

@ObjectType('DisputeBatchResult')
export class DisputeBatchResult {
    @Field(() => String) batchId: string
    @Field(() => String, { description: "the server's disputer account (DISPUTER_KEY)" })
    disputant: string
    @Field(() => Boolean, { description: 'whether the disputant is the batch payer (else a payee proving its leaf)' })
    byPayer: boolean
    @Field(() => String) reason: string
    @Field(() => String, { nullable: true }) txHash: string | null
    @Field(() => MutationTxStatus) status: MutationTxStatus
    @Field(() => Int, { nullable: true }) blockNumber: number | null
    @Field(() => Boolean) replayed: boolean
}

@ObjectType('ClaimedPayout')
export class ClaimedPayout {
    @Field(() => String) payee: string
    @Field(() => BigIntScalar, { description: 'gross leaf amount in token base units (the platform fee is taken on chain)' })
    amount: string
}

@ObjectType('ClaimPayoutsResult')
export class ClaimPayoutsResult {
    @Field(() => String) batchId: string
    @Field(() => [ClaimedPayout], { description: 'payees claimed by this transaction' })
    claimed: ClaimedPayout[]
    @Field(() => [String], { description: 'requested payees that had already claimed (skipped)' })
    alreadyClaimed: string[]
    @Field(() => String, { nullable: true }) txHash: string | null
    @Field(() => MutationTxStatus) status: MutationTxStatus
    @Field(() => Int, { nullable: true }) blockNumber: number | null
    @Field(() => Boolean) replayed: boolean
}
