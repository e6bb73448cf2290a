import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Block} from "./block.model"
import {Validator} from "./validator.model"

/**
 * What a transaction paid the block producer (mev-inspect-py's miner payment), for the transactions that made a coinbase
 * transfer or carry a stored arbitrage, sandwich leg, liquidation or JIT mint/burn. Amounts in wei. id = <height>-<tx position>.
 */
@Entity_()
export class MinerPayment {
    constructor(props?: Partial<MinerPayment>) {
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
     * The block's coinbase.
     */
    @StringColumn_({nullable: false})
    miner!: string

    /**
     * Transaction sender and recipient.
     */
    @Index_()
    @StringColumn_({nullable: false})
    from!: string

    @StringColumn_({nullable: true})
    to!: string | undefined | null

    @BigIntColumn_({nullable: false})
    coinbaseTransfer!: bigint

    @BigIntColumn_({nullable: false})
    gasUsed!: bigint

    /**
     * The receipt's effective gas price.
     */
    @BigIntColumn_({nullable: false})
    gasPrice!: bigint

    @BigIntColumn_({nullable: false})
    baseFee!: bigint

    /**
     * (gasUsed × gasPrice + coinbaseTransfer) / gasUsed, rounded down.
     */
    @BigIntColumn_({nullable: false})
    gasPriceWithCoinbaseTransfer!: bigint
}
