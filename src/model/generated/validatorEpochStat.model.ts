import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, IntColumn as IntColumn_, FloatColumn as FloatColumn_, BigIntColumn as BigIntColumn_, BooleanColumn as BooleanColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"

/**
 * One validator in one finished epoch. id = <validator>-<zero-padded epoch>.
 */
@Index_(["validator", "epoch"], {unique: true})
@Entity_()
export class ValidatorEpochStat {
    constructor(props?: Partial<ValidatorEpochStat>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    @Index_()
    @IntColumn_({nullable: false})
    epoch!: number

    @IntColumn_({nullable: false})
    startBlock!: number

    @IntColumn_({nullable: false})
    endBlock!: number

    @IntColumn_({nullable: false})
    blocksProposed!: number

    /**
     * Stake share at the epoch start (unjailed validators) × blocks in the epoch.
     */
    @FloatColumn_({nullable: false})
    blocksExpected!: number

    @IntColumn_({nullable: false})
    slotsScheduled!: number

    @IntColumn_({nullable: false})
    missedSlots!: number

    /**
     * Longest run of consecutive slots scheduled to it that it missed.
     */
    @IntColumn_({nullable: false})
    longestMissStreak!: number

    @BigIntColumn_({nullable: false})
    priorityFees!: bigint

    @BigIntColumn_({nullable: false})
    mevRevenue!: bigint

    /**
     * priorityFees + mevRevenue
     */
    @BigIntColumn_({nullable: false})
    revenue!: bigint

    /**
     * Its share of the epoch's MEV revenue.
     */
    @FloatColumn_({nullable: false})
    mevShare!: number

    /**
     * Blocks it proposed that contain a sandwich.
     */
    @IntColumn_({nullable: false})
    sandwichBlocks!: number

    /**
     * Stake at the epoch start and its share of all validators' stake then.
     */
    @BigIntColumn_({nullable: false})
    stake!: bigint

    @FloatColumn_({nullable: false})
    stakeShare!: number

    /**
     * At the epoch end.
     */
    @BigIntColumn_({nullable: false})
    stakeEnd!: bigint

    @IntColumn_({nullable: false})
    commissionBps!: number

    @IntColumn_({nullable: false})
    commissionHikes!: number

    /**
     * Jailed at any point of the epoch.
     */
    @BooleanColumn_({nullable: false})
    jailed!: boolean

    @IntColumn_({nullable: false})
    slashes!: number
}
