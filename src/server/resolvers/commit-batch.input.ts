import 'reflect-metadata'
import { Field, InputType } from 'type-graphql'

/** One usage record: `payee` earned `amount` (token base units, decimal string) from one use of its content. */
@InputType('UsageRecordInput', { description: 'One usage record; records of the same payee are summed into one Merkle leaf.' })
export class UsageRecordInput {
    @Field(() => String, { description: 'Payee address (0x + 40 hex).' })
    payee: string

    // A String, not BigInt: a JSON number above 2^53 would be rounded by the client or the JSON parser before any
    // check could see it. Only exact decimal strings are accepted for money.
    @Field(() => String, { description: 'Amount in token base units, as a decimal string (0 ≤ amount < 2^256); JSON numbers are refused.' })
    amount: string
}

@InputType('CommitBatchInput')
export class CommitBatchInput {
    @Field(() => String, { description: 'The paying AI platform (must be registered and active).' })
    payer: string

    @Field(() => String, { description: 'Settlement token (allow-listed ERC-20).' })
    token: string

    @Field(() => [UsageRecordInput], { description: 'At least one record; aggregated per payee.' })
    records: UsageRecordInput[]

    @Field(() => String, {
        description:
            'Client-chosen unique key (1-200 printable characters). The batch id is derived from it, and retries with the same key ' +
            'return the first result without sending a second transaction.',
    })
    idempotencyKey: string

    @Field(() => String, { nullable: true, description: 'Where the raw records live off-chain (max 2048 characters).' })
    dataURI?: string | null
}
