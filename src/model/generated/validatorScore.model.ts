import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, IntColumn as IntColumn_, FloatColumn as FloatColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"

/**
 * A validator's delegation score for an epoch (scoring engine, config/scoring.json). id = <validator>-<zero-padded epoch>.
 * total = Σ weight × component over the six components, with the weights stored in the row.
 */
@Index_(["epoch", "rank"], {unique: false})
@Entity_()
export class ValidatorScore {
    constructor(props?: Partial<ValidatorScore>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    @IntColumn_({nullable: false})
    epoch!: number

    @IntColumn_({nullable: false})
    rank!: number

    @FloatColumn_({nullable: false})
    total!: number

    @FloatColumn_({nullable: false})
    mevPotential!: number

    @FloatColumn_({nullable: false})
    reliability!: number

    @FloatColumn_({nullable: false})
    commission!: number

    @FloatColumn_({nullable: false})
    decentralization!: number

    @FloatColumn_({nullable: false})
    consistency!: number

    @FloatColumn_({nullable: false})
    risk!: number

    @FloatColumn_({nullable: false})
    mevPotentialWeight!: number

    @FloatColumn_({nullable: false})
    reliabilityWeight!: number

    @FloatColumn_({nullable: false})
    commissionWeight!: number

    @FloatColumn_({nullable: false})
    decentralizationWeight!: number

    @FloatColumn_({nullable: false})
    consistencyWeight!: number

    @FloatColumn_({nullable: false})
    riskWeight!: number

    /**
     * Revenue (priority fees + MEV) per proposed block over the window, gwei.
     */
    @FloatColumn_({nullable: false})
    revenuePerBlockGwei!: number

    @IntColumn_({nullable: false})
    windowEpochs!: number

    /**
     * Epochs of history used (≤ windowEpochs).
     */
    @IntColumn_({nullable: false})
    epochsUsed!: number

    /**
     * The block whose processing closed the epoch (the next epoch's first block).
     */
    @IntColumn_({nullable: false})
    computedAtBlock!: number
}
