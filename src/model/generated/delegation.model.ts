import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, ManyToOne as ManyToOne_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"

/**
 * A delegator's stake on one validator. id = <delegator>-<validator>.
 * shares are exact (from the events). amount is the value in tokens, shares × stake / totalShares rounded down,
 * as of amountAtBlock: set from the delegator's own events and recomputed for every delegation of a validator
 * when it is slashed. Between those, other delegators' operations can only raise the exact value by rounding
 * dust (the contract rounds in the pool's favour, so the share price never falls except by a slash).
 */
@Entity_()
export class Delegation {
    constructor(props?: Partial<Delegation>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @StringColumn_({nullable: false})
    delegator!: string

    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    @BigIntColumn_({nullable: false})
    shares!: bigint

    @BigIntColumn_({nullable: false})
    amount!: bigint

    @IntColumn_({nullable: false})
    amountAtBlock!: number

    /**
     * shares > 0
     */
    @Index_()
    @BooleanColumn_({nullable: false})
    active!: boolean

    @BigIntColumn_({nullable: false})
    totalDelegated!: bigint

    @BigIntColumn_({nullable: false})
    totalUndelegated!: bigint

    @BigIntColumn_({nullable: false})
    totalRedelegatedIn!: bigint

    @BigIntColumn_({nullable: false})
    totalRedelegatedOut!: bigint

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @IntColumn_({nullable: false})
    createdAtBlock!: number

    @Index_()
    @DateTimeColumn_({nullable: false})
    updatedAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
