import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Block} from "./block.model"
import {Validator} from "./validator.model"
import {Swap} from "./swap.model"

/**
 * Frontrun, victim swaps and backrun in one pool. id = <height>-<index in block>.
 */
@Entity_()
export class Sandwich {
    constructor(props?: Partial<Sandwich>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Block, {nullable: true})
    block!: Block

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date

    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator | undefined | null

    @Index_()
    @StringColumn_({nullable: false})
    sandwicher!: string

    @Index_()
    @StringColumn_({nullable: false})
    pool!: string

    @Index_()
    @ManyToOne_(() => Swap, {nullable: true})
    frontrunSwap!: Swap

    @Index_()
    @ManyToOne_(() => Swap, {nullable: true})
    backrunSwap!: Swap

    @StringColumn_({array: true, nullable: false})
    victimSwapIds!: (string)[]

    @IntColumn_({nullable: false})
    victimCount!: number

    /**
     * In the frontrun's input token; may be negative.
     */
    @Index_()
    @StringColumn_({nullable: false})
    profitToken!: string

    @BigIntColumn_({nullable: false})
    profitAmount!: bigint

    /**
     * Wei paid for inclusion of the frontrun and backrun transactions; null without receipts.
     */
    @BigIntColumn_({nullable: true})
    gasCost!: bigint | undefined | null

    /**
     * profitAmount − gasCost when the profit is in WETH/ETH; null otherwise.
     */
    @BigIntColumn_({nullable: true})
    netProfit!: bigint | undefined | null
}
