import { Field, Int, ObjectType } from 'type-graphql'

@ObjectType({ description: 'Where the indexer is relative to the chain.' })
export class IndexerStatus {
    @Field(() => Int, { nullable: true, description: 'last indexed block (hot blocks included); null before the first batch' })
    height!: number | null

    @Field(() => String, { nullable: true })
    hash!: string | null

    @Field(() => Int, { nullable: true, description: 'last indexed block the processor considers final' })
    finalizedHeight!: number | null

    @Field(() => String, { nullable: true })
    finalizedHash!: string | null

    @Field(() => Int, { nullable: true, description: 'eth_blockNumber of the RPC (cached ~2 s); null when unreachable' })
    chainHead!: number | null

    @Field(() => Int, { nullable: true, description: 'chainHead - height' })
    lagBlocks!: number | null

    @Field(() => Boolean, { description: 'the server is LISTENing for change notices (subscriptions are live)' })
    listening!: boolean
}
