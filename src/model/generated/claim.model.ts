import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, BooleanColumn as BooleanColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {Batch} from "./batch.model"
import {Payout} from "./payout.model"
import {Token} from "./token.model"

/**
 * A payee's claim from a batch (at most one per batch and payee). id = <batchId>-<payee>.
 */
@Entity_()
export class Claim {
    constructor(props?: Partial<Claim>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Batch, {nullable: true})
    batch!: Batch

    @Index_()
    @ManyToOne_(() => Payout, {nullable: true})
    payout!: Payout

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @Index_()
    @StringColumn_({nullable: false})
    payee!: string

    @BigIntColumn_({nullable: false})
    amount!: bigint

    @BigIntColumn_({nullable: false})
    fee!: bigint

    @BigIntColumn_({nullable: false})
    net!: bigint

    @Index_()
    @StringColumn_({nullable: false})
    claimer!: string

    /**
     * Sent by someone other than the payee (a relayer).
     */
    @Index_()
    @BooleanColumn_({nullable: false})
    relayed!: boolean

    @BigIntColumn_({nullable: false})
    claimedTotalAfter!: bigint

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @IntColumn_({nullable: false})
    logIndex!: number

    @Index_()
    @StringColumn_({nullable: false})
    txHash!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
