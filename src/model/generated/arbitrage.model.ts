import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {Block} from "./block.model"
import {Validator} from "./validator.model"
import {Swap} from "./swap.model"

/**
 * A transaction whose swaps form a cycle in one token. id = <height>-<tx position>-<index in tx>.
 */
@Entity_()
export class Arbitrage {
    constructor(props?: Partial<Arbitrage>) {
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
    transactionHash!: string

    @IntColumn_({nullable: false})
    transactionPosition!: number

    /**
     * Who paid the route's first swap (mev-inspect-py's account_address): the searcher's account or contract.
     */
    @Index_()
    @StringColumn_({nullable: false})
    account!: string

    @Index_()
    @StringColumn_({nullable: false})
    profitToken!: string

    /**
     * May be negative.
     */
    @BigIntColumn_({nullable: false})
    profitAmount!: bigint

    /**
     * null, or the error of the reverted call frame that contained it.
     */
    @StringColumn_({nullable: true})
    error!: string | undefined | null

    /**
     * Ids of its swaps, in cycle order.
     */
    @StringColumn_({array: true, nullable: false})
    swapIds!: (string)[]

    @IntColumn_({nullable: false})
    swapCount!: number

    @OneToMany_(() => Swap, e => e.arbitrage)
    swaps!: Swap[]

    /**
     * Wei paid for inclusion (gasUsed × effective gas price + coinbase transfer); null without a receipt.
     */
    @BigIntColumn_({nullable: true})
    gasCost!: bigint | undefined | null

    /**
     * profitAmount − gasCost when the profit is in WETH/ETH; null otherwise.
     */
    @BigIntColumn_({nullable: true})
    netProfit!: bigint | undefined | null
}
