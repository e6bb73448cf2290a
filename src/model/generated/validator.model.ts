import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, BooleanColumn as BooleanColumn_, BigIntColumn as BigIntColumn_, FloatColumn as FloatColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {Delegation} from "./delegation.model"
import {Block} from "./block.model"
import {ValidatorEpochStat} from "./validatorEpochStat.model"
import {ValidatorScore} from "./validatorScore.model"

/**
 * A ValidatorRegistry validator. id = validator address.
 */
@Entity_()
export class Validator {
    constructor(props?: Partial<Validator>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    /**
     * The coinbase address of its blocks; maps to exactly one validator.
     */
    @Index_()
    @StringColumn_({nullable: false})
    feeRecipient!: string

    @IntColumn_({nullable: false})
    commissionBps!: number

    /**
     * Scheduled commission change (null when none is pending) and when it may be applied.
     */
    @IntColumn_({nullable: true})
    pendingCommissionBps!: number | undefined | null

    @DateTimeColumn_({nullable: true})
    pendingCommissionEffectiveAt!: Date | undefined | null

    @Index_()
    @BooleanColumn_({nullable: false})
    jailed!: boolean

    /**
     * Tokens delegated to it, after slashes.
     */
    @Index_()
    @BigIntColumn_({nullable: false})
    stake!: bigint

    /**
     * Shares outstanding in its pool.
     */
    @BigIntColumn_({nullable: false})
    totalShares!: bigint

    /**
     * Delegations with shares > 0.
     */
    @IntColumn_({nullable: false})
    delegatorCount!: number

    @IntColumn_({nullable: false})
    slashCount!: number

    @BigIntColumn_({nullable: false})
    slashedAmount!: bigint

    @IntColumn_({nullable: false})
    jailCount!: number

    /**
     * Applied commission changes that raised the commission.
     */
    @IntColumn_({nullable: false})
    commissionHikeCount!: number

    @StringColumn_({nullable: false})
    metadataURI!: string

    @DateTimeColumn_({nullable: false})
    registeredAt!: Date

    @IntColumn_({nullable: false})
    registeredAtBlock!: number

    /**
     * Last block that changed it: a registry event, a block it proposed, or the scoring of an epoch.
     */
    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    /**
     * All-time: blocks it proposed, their priority fees and MEV payments (direct coinbase transfers), wei.
     */
    @IntColumn_({nullable: false})
    blocksProposed!: number

    @BigIntColumn_({nullable: false})
    priorityFees!: bigint

    @BigIntColumn_({nullable: false})
    mevRevenue!: bigint

    /**
     * Latest delegation score (total in [0, 1]) and rank, from epoch scoreEpoch; null until first scored.
     */
    @Index_()
    @FloatColumn_({nullable: true})
    score!: number | undefined | null

    @Index_()
    @IntColumn_({nullable: true})
    rank!: number | undefined | null

    @IntColumn_({nullable: true})
    scoreEpoch!: number | undefined | null

    @OneToMany_(() => Delegation, e => e.validator)
    delegations!: Delegation[]

    @OneToMany_(() => Block, e => e.proposer)
    blocks!: Block[]

    @OneToMany_(() => ValidatorEpochStat, e => e.validator)
    epochStats!: ValidatorEpochStat[]

    @OneToMany_(() => ValidatorScore, e => e.validator)
    scores!: ValidatorScore[]
}
