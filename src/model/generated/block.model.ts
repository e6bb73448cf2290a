import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, IntColumn as IntColumn_, Index as Index_, StringColumn as StringColumn_, DateTimeColumn as DateTimeColumn_, ManyToOne as ManyToOne_, BooleanColumn as BooleanColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Validator} from "./validator.model"

/**
 * Every block from the start block on. id = zero-padded height.
 * priorityFees = Σ over transactions (effectiveGasPrice − baseFee) × gasUsed (receipts); coinbaseTransfers = Σ ETH
 * sent to the fee recipient by calls that were not rolled back (traces) = mevRevenue.
 */
@Entity_()
export class Block {
    constructor(props?: Partial<Block>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @IntColumn_({nullable: false})
    height!: number

    @StringColumn_({nullable: false})
    hash!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date

    @Index_()
    @IntColumn_({nullable: false})
    epoch!: number

    /**
     * The block's coinbase (miner).
     */
    @Index_()
    @StringColumn_({nullable: false})
    feeRecipient!: string

    /**
     * The validator whose fee recipient it is, by the registry state before the block; null when none.
     */
    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    proposer!: Validator | undefined | null

    /**
     * Who the stake-weighted schedule picked for this slot (EpochSnapshot of the epoch); null when nobody had stake.
     */
    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    scheduledProposer!: Validator | undefined | null

    /**
     * A validator was scheduled and the block was proposed by someone else (or by nobody known).
     */
    @Index_()
    @BooleanColumn_({nullable: false})
    missedSlot!: boolean

    @BigIntColumn_({nullable: false})
    baseFee!: bigint

    @BigIntColumn_({nullable: false})
    gasUsed!: bigint

    @BigIntColumn_({nullable: false})
    gasLimit!: bigint

    @IntColumn_({nullable: false})
    txCount!: number

    @BigIntColumn_({nullable: false})
    priorityFees!: bigint

    @BigIntColumn_({nullable: false})
    coinbaseTransfers!: bigint

    @IntColumn_({nullable: false})
    coinbaseTransferCount!: number

    @BigIntColumn_({nullable: false})
    mevRevenue!: bigint

    @IntColumn_({nullable: false})
    swapCount!: number

    @IntColumn_({nullable: false})
    arbitrageCount!: number

    @IntColumn_({nullable: false})
    sandwichCount!: number
}
