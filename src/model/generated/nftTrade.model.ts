import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Block} from "./block.model"
import {Validator} from "./validator.model"

/**
 * An NFT trade (OpenSea Wyvern atomicMatch_). id = <height>-<tx position>-n<trace address>.
 */
@Entity_()
export class NftTrade {
    constructor(props?: Partial<NftTrade>) {
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

    @IntColumn_({array: true, nullable: false})
    traceAddress!: (number)[]

    @StringColumn_({nullable: false})
    protocol!: string

    @Index_()
    @StringColumn_({nullable: false})
    seller!: string

    @Index_()
    @StringColumn_({nullable: false})
    buyer!: string

    /**
     * ETH is 0xeeee…eeee.
     */
    @StringColumn_({nullable: false})
    paymentToken!: string

    /**
     * What the seller received less the fees the seller paid.
     */
    @BigIntColumn_({nullable: false})
    paymentAmount!: bigint

    @Index_()
    @StringColumn_({nullable: false})
    collection!: string

    @BigIntColumn_({nullable: false})
    tokenId!: bigint
}
