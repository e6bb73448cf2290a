import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, BooleanColumn as BooleanColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"

/**
 * ValidatorJailed (jailed = true) / ValidatorUnjailed (false). id = log id.
 */
@Entity_()
export class JailEvent {
    constructor(props?: Partial<JailEvent>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    @BooleanColumn_({nullable: false})
    jailed!: boolean

    /**
     * Null for unjailing.
     */
    @StringColumn_({nullable: true})
    reason!: string | undefined | null

    @BigIntColumn_({nullable: false})
    stake!: bigint

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
