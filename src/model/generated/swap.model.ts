import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Block} from "./block.model"
import {Validator} from "./validator.model"
import {Arbitrage} from "./arbitrage.model"

/**
 * A DEX swap found in the block's traces. id = <height>-<tx position>-t<trace address>.
 */
@Entity_()
export class Swap {
    constructor(props?: Partial<Swap>) {
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

    /**
     * The block's proposer.
     */
    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator | undefined | null

    @Index_()
    @StringColumn_({nullable: false})
    transactionHash!: string

    @IntColumn_({nullable: false})
    transactionPosition!: number

    @IntColumn_({array: true, nullable: false})
    traceAddress!: (number)[]

    /**
     * Pool address.
     */
    @Index_()
    @StringColumn_({nullable: false})
    pool!: string

    @Index_()
    @StringColumn_({nullable: false})
    protocol!: string

    /**
     * Caller of swap() and its recipient argument.
     */
    @Index_()
    @StringColumn_({nullable: false})
    from!: string

    @StringColumn_({nullable: false})
    recipient!: string

    @Index_()
    @StringColumn_({nullable: false})
    tokenIn!: string

    @BigIntColumn_({nullable: false})
    amountIn!: bigint

    @Index_()
    @StringColumn_({nullable: false})
    tokenOut!: string

    @BigIntColumn_({nullable: false})
    amountOut!: bigint

    /**
     * null for swaps that took effect; the swap call's error inside a reverted arbitrage.
     */
    @StringColumn_({nullable: true})
    error!: string | undefined | null

    /**
     * The arbitrage it is part of, if any.
     */
    @Index_()
    @ManyToOne_(() => Arbitrage, {nullable: true})
    arbitrage!: Arbitrage | undefined | null
}
