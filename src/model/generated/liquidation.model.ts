import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Block} from "./block.model"
import {Validator} from "./validator.model"

/**
 * A liquidation on Aave v1/v2 or a Compound v2 / CREAM / Iron Bank market. id = <height>-<tx position>-l<trace address>.
 */
@Entity_()
export class Liquidation {
    constructor(props?: Partial<Liquidation>) {
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
     * aave, compound_v2, cream or ironbank.
     */
    @Index_()
    @StringColumn_({nullable: false})
    protocol!: string

    @Index_()
    @StringColumn_({nullable: false})
    liquidatedUser!: string

    /**
     * Sender of the protocol's liquidation call.
     */
    @Index_()
    @StringColumn_({nullable: false})
    liquidator!: string

    /**
     * ETH is 0xeeee…eeee.
     */
    @StringColumn_({nullable: false})
    debtToken!: string

    /**
     * Debt actually repaid.
     */
    @BigIntColumn_({nullable: false})
    debtPurchaseAmount!: bigint

    /**
     * The collateral (Aave: underlying or aToken; Compound family: the seized cToken).
     */
    @StringColumn_({nullable: false})
    receivedToken!: string

    @BigIntColumn_({nullable: false})
    receivedAmount!: bigint

    /**
     * Wei paid for the transaction's inclusion; null without a receipt.
     */
    @BigIntColumn_({nullable: true})
    gasCost!: bigint | undefined | null

    /**
     * receivedAmount − debtPurchaseAmount − gasCost when both legs are ETH/WETH; null otherwise.
     */
    @BigIntColumn_({nullable: true})
    netProfit!: bigint | undefined | null
}
