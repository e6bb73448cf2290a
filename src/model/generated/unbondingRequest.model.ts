import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, BigIntColumn as BigIntColumn_, Index as Index_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, DateTimeColumn as DateTimeColumn_, BooleanColumn as BooleanColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"

/**
 * An undelegation waiting out (or past) its unbonding period. id = request id (decimal).
 */
@Entity_()
export class UnbondingRequest {
    constructor(props?: Partial<UnbondingRequest>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @BigIntColumn_({nullable: false})
    requestId!: bigint

    @Index_()
    @StringColumn_({nullable: false})
    delegator!: string

    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    @BigIntColumn_({nullable: false})
    amount!: bigint

    @Index_()
    @DateTimeColumn_({nullable: false})
    unlockAt!: Date

    @Index_()
    @BooleanColumn_({nullable: false})
    withdrawn!: boolean

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @IntColumn_({nullable: false})
    createdAtBlock!: number

    @StringColumn_({nullable: false})
    createdTx!: string

    @DateTimeColumn_({nullable: true})
    withdrawnAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    withdrawnAtBlock!: number | undefined | null

    @StringColumn_({nullable: true})
    withdrawnTx!: string | undefined | null
}
