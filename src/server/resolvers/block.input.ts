import { Field, InputType, Int } from 'type-graphql'

/**
 * Time travel's `block` argument on the custom queries: the same input type (and name) as the generated queries'
 * (src/server/time-travel.ts), so the merged schema has one `Block_height`.
 */
@InputType('Block_height', {
    description: 'A past block, by number or by hash (one of them): the query answers as of the end of it (time travel; versioned entities only)',
})
export class BlockHeight {
    @Field(() => Int, { nullable: true }) number?: number | null
    @Field(() => String, { nullable: true }) hash?: string | null
}
