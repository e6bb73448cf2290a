import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, IntColumn as IntColumn_, Index as Index_, JSONColumn as JSONColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"

/**
 * Registry state at an epoch's start (after block startBlock − 1), written when the epoch's first block is processed. id = zero-padded epoch.
 */
@Entity_()
export class EpochSnapshot {
    constructor(props?: Partial<EpochSnapshot>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @IntColumn_({nullable: false})
    epoch!: number

    @IntColumn_({nullable: false})
    startBlock!: number

    /**
     * The block being processed when it was taken (startBlock, or the first indexed block).
     */
    @IntColumn_({nullable: false})
    takenAtBlock!: number

    /**
     * [{validator, stake, totalShares, jailed, commissionBps, slashCount, jailCount, commissionHikeCount}], amounts as decimal strings, sorted by validator.
     */
    @JSONColumn_({nullable: false})
    validators!: unknown

    /**
     * Σ stake of unjailed validators: what the proposer schedule draws from.
     */
    @BigIntColumn_({nullable: false})
    scheduledStake!: bigint

    @BigIntColumn_({nullable: false})
    totalStake!: bigint
}
