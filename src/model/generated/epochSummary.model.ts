import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, IntColumn as IntColumn_, Index as Index_, DateTimeColumn as DateTimeColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"

/**
 * Chain-wide totals of a finished epoch. id = zero-padded epoch.
 */
@Entity_()
export class EpochSummary {
    constructor(props?: Partial<EpochSummary>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @IntColumn_({nullable: false})
    epoch!: number

    @IntColumn_({nullable: false})
    startBlock!: number

    @IntColumn_({nullable: false})
    endBlock!: number

    @DateTimeColumn_({nullable: false})
    startTime!: Date

    @DateTimeColumn_({nullable: false})
    endTime!: Date

    /**
     * Blocks indexed in the epoch (fewer than EPOCH_BLOCKS only for the epoch indexing started in).
     */
    @IntColumn_({nullable: false})
    blocks!: number

    /**
     * Blocks whose proposer is a known validator.
     */
    @IntColumn_({nullable: false})
    attributedBlocks!: number

    @IntColumn_({nullable: false})
    missedSlots!: number

    @BigIntColumn_({nullable: false})
    priorityFees!: bigint

    @BigIntColumn_({nullable: false})
    mevRevenue!: bigint

    @IntColumn_({nullable: false})
    swapCount!: number

    @IntColumn_({nullable: false})
    arbitrageCount!: number

    @IntColumn_({nullable: false})
    sandwichCount!: number

    /**
     * Registered validators at the end; unjailed validators with stake at the start; stake then.
     */
    @IntColumn_({nullable: false})
    validatorCount!: number

    @IntColumn_({nullable: false})
    activeValidators!: number

    @BigIntColumn_({nullable: false})
    totalStake!: bigint

    @IntColumn_({nullable: false})
    scoredValidators!: number
}
