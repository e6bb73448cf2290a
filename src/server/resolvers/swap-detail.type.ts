/** A swap as the MEV feed shows it (alone, or inside an arbitrage, sandwich or JIT liquidity). */
import { Field, Int, ObjectType } from 'type-graphql'
import { BigIntScalar } from './scalars'

@ObjectType({ description: 'A DEX swap found in the block traces.' })
export class SwapDetail {
    @Field(() => String) id!: string
    @Field(() => String) transactionHash!: string
    @Field(() => Int) transactionPosition!: number
    @Field(() => [Int]) traceAddress!: number[]
    @Field(() => String) pool!: string
    @Field(() => String) protocol!: string
    @Field(() => String, { description: 'caller of swap()' }) from!: string
    @Field(() => String) recipient!: string
    @Field(() => String) tokenIn!: string
    @Field(() => BigIntScalar) amountIn!: string
    @Field(() => String) tokenOut!: string
    @Field(() => BigIntScalar) amountOut!: string
    @Field(() => String, { nullable: true, description: 'set for swaps inside a reverted arbitrage' }) error!: string | null
}
