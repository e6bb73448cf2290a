import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, DateTimeColumn as DateTimeColumn_, IntColumn as IntColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {TimelockOperationStatus} from "./_timelockOperationStatus"
import {TimelockCall} from "./timelockCall.model"

/**
 * A PlatformTimelock operation. id = operation id (bytes32 hex).
 */
@Entity_()
export class TimelockOperation {
    constructor(props?: Partial<TimelockOperation>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 9, nullable: false})
    status!: TimelockOperationStatus

    /**
     * Target / value / data of the first call (index 0).
     */
    @Index_()
    @StringColumn_({nullable: false})
    target!: string

    @BigIntColumn_({nullable: false})
    value!: bigint

    @StringColumn_({nullable: false})
    data!: string

    @StringColumn_({nullable: false})
    predecessor!: string

    @StringColumn_({nullable: true})
    salt!: string | undefined | null

    @BigIntColumn_({nullable: false})
    delay!: bigint

    /**
     * Schedule timestamp + delay; null if the delay does not fit a date.
     */
    @Index_()
    @DateTimeColumn_({nullable: true})
    readyAt!: Date | undefined | null

    @IntColumn_({nullable: false})
    callCount!: number

    @IntColumn_({nullable: false})
    executedCallCount!: number

    /**
     * How many times the id was scheduled (it can be rescheduled after a cancel).
     */
    @IntColumn_({nullable: false})
    scheduleCount!: number

    @Index_()
    @DateTimeColumn_({nullable: false})
    scheduledAt!: Date

    @IntColumn_({nullable: false})
    scheduledAtBlock!: number

    @StringColumn_({nullable: false})
    scheduledTx!: string

    @DateTimeColumn_({nullable: true})
    executedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    executedAtBlock!: number | undefined | null

    @StringColumn_({nullable: true})
    executedTx!: string | undefined | null

    @DateTimeColumn_({nullable: true})
    cancelledAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    cancelledAtBlock!: number | undefined | null

    @OneToMany_(() => TimelockCall, e => e.operation)
    calls!: TimelockCall[]
}
