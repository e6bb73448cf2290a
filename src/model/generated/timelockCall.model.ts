import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {TimelockOperation} from "./timelockOperation.model"

/**
 * One call of a timelock operation. id = <operation id>-<index>.
 */
@Entity_()
export class TimelockCall {
    constructor(props?: Partial<TimelockCall>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => TimelockOperation, {nullable: true})
    operation!: TimelockOperation

    @IntColumn_({nullable: false})
    index!: number

    @Index_()
    @StringColumn_({nullable: false})
    target!: string

    @BigIntColumn_({nullable: false})
    value!: bigint

    @StringColumn_({nullable: false})
    data!: string

    /**
     * First 4 bytes of data (function selector), if any.
     */
    @Index_()
    @StringColumn_({nullable: true})
    selector!: string | undefined | null

    @BooleanColumn_({nullable: false})
    executed!: boolean

    @DateTimeColumn_({nullable: true})
    executedAt!: Date | undefined | null

    @StringColumn_({nullable: true})
    executedTx!: string | undefined | null
}
