import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, DateTimeColumn as DateTimeColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"

/**
 * Per account, token and UTC day. id = <account>-<token>-<YYYY-MM-DD>.
 */
@Index_(["account", "date"], {unique: false})
@Entity_()
export class ParticipantDayStat {
    constructor(props?: Partial<ParticipantDayStat>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @StringColumn_({nullable: false})
    account!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @Index_()
    @StringColumn_({nullable: false})
    date!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    day!: Date

    /**
     * As payer: deposits / withdrawals.
     */
    @BigIntColumn_({nullable: false})
    depositAmount!: bigint

    @BigIntColumn_({nullable: false})
    withdrawalAmount!: bigint

    /**
     * As payer: batches committed against it, their amount and records.
     */
    @IntColumn_({nullable: false})
    batchCount!: number

    @BigIntColumn_({nullable: false})
    committedAmount!: bigint

    @IntColumn_({nullable: false})
    recordCount!: number

    /**
     * As payer: amount charged by finalised batches.
     */
    @BigIntColumn_({nullable: false})
    paidAmount!: bigint

    /**
     * As payee: gross claimed, fees, net received, claim count.
     */
    @BigIntColumn_({nullable: false})
    receivedAmount!: bigint

    @BigIntColumn_({nullable: false})
    feesAmount!: bigint

    @BigIntColumn_({nullable: false})
    netReceivedAmount!: bigint

    @IntColumn_({nullable: false})
    claimCount!: number

    /**
     * Disputes opened by this account.
     */
    @IntColumn_({nullable: false})
    disputeCount!: number
}
