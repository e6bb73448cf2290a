/**
 * Scalars and enums shared with the generated OpenReader schema. We reuse OpenReader's own scalar objects
 * (same names, same parse/serialize), so merging the two schemas yields one `BigInt` / `DateTime`
 * that behaves the same in generated and custom fields: BigInt is a decimal string on output and a
 * string or int on input; DateTime is an ISO-8601 UTC string.
 */
import { customScalars } from '../openreader-internals'
import { registerEnumType } from 'type-graphql'

export const BigIntScalar = customScalars.BigInt
export const DateTimeScalar = customScalars.DateTime

/** Same values as the model's BatchStatus (schema.graphql); merged into one enum. */
export enum BatchStatus {
    COMMITTED = 'COMMITTED',
    DISPUTED = 'DISPUTED',
    REJECTED = 'REJECTED',
    FINALIZED = 'FINALIZED',
}
registerEnumType(BatchStatus, { name: 'BatchStatus' })
