import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_, StringColumn as StringColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"

/**
 * Slashed. id = log id.
 */
@Entity_()
export class SlashEvent {
    constructor(props?: Partial<SlashEvent>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    @IntColumn_({nullable: false})
    bps!: number

    @BigIntColumn_({nullable: false})
    amount!: bigint

    @BigIntColumn_({nullable: false})
    stakeAfter!: bigint

    /**
     * 0 when the whole stake was taken (every delegation voided).
     */
    @BigIntColumn_({nullable: false})
    sharesAfter!: bigint

    @BigIntColumn_({nullable: false})
    totalStakedAfter!: bigint

    @StringColumn_({nullable: false})
    treasury!: string

    @StringColumn_({nullable: false})
    reason!: string

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @Index_()
    @IntColumn_({nullable: false})
    epoch!: number

    @StringColumn_({nullable: false})
    txHash!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
