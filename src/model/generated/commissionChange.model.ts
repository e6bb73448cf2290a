import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BooleanColumn as BooleanColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"
import {CommissionChangeKind} from "./_commissionChangeKind"

/**
 * CommissionChangeScheduled / CommissionChangeCancelled / CommissionChanged. id = log id.
 */
@Entity_()
export class CommissionChange {
    constructor(props?: Partial<CommissionChange>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    @Index_()
    @Column_("varchar", {length: 9, nullable: false})
    kind!: CommissionChangeKind

    /**
     * Commission in force before (for CANCELLED: the one that stays).
     */
    @IntColumn_({nullable: false})
    oldBps!: number

    /**
     * Scheduled or applied commission (for CANCELLED: the one withdrawn).
     */
    @IntColumn_({nullable: false})
    newBps!: number

    /**
     * SCHEDULED / APPLIED: when the change may apply.
     */
    @DateTimeColumn_({nullable: true})
    effectiveAt!: Date | undefined | null

    /**
     * APPLIED: who called applyCommissionChange.
     */
    @StringColumn_({nullable: true})
    appliedBy!: string | undefined | null

    /**
     * newBps > oldBps
     */
    @BooleanColumn_({nullable: false})
    hike!: boolean

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
