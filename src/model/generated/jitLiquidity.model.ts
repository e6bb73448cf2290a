import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Block} from "./block.model"
import {Validator} from "./validator.model"

/**
 * Just-in-time liquidity on a Uniswap V3 pool: mint, swaps, burn of one position in one block. id = <height>-j<index in block>.
 */
@Entity_()
export class JitLiquidity {
    constructor(props?: Partial<JitLiquidity>) {
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

    /**
     * Who paid the mint.
     */
    @Index_()
    @StringColumn_({nullable: false})
    bot!: string

    @Index_()
    @StringColumn_({nullable: false})
    pool!: string

    @Index_()
    @StringColumn_({nullable: false})
    mintTransactionHash!: string

    @IntColumn_({array: true, nullable: false})
    mintTraceAddress!: (number)[]

    @StringColumn_({nullable: false})
    burnTransactionHash!: string

    @IntColumn_({array: true, nullable: false})
    burnTraceAddress!: (number)[]

    @StringColumn_({nullable: false})
    token0!: string

    @StringColumn_({nullable: false})
    token1!: string

    @BigIntColumn_({nullable: false})
    mintAmount0!: bigint

    @BigIntColumn_({nullable: false})
    mintAmount1!: bigint

    @BigIntColumn_({nullable: false})
    burnAmount0!: bigint

    @BigIntColumn_({nullable: false})
    burnAmount1!: bigint

    /**
     * Sum of the served swaps' inputs in each token.
     */
    @BigIntColumn_({nullable: false})
    swapVolume0!: bigint

    @BigIntColumn_({nullable: false})
    swapVolume1!: bigint

    /**
     * Ids of the swaps it served.
     */
    @StringColumn_({array: true, nullable: false})
    swapIds!: (string)[]

    @IntColumn_({nullable: false})
    swapCount!: number
}
