import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, StringColumn as StringColumn_, DateTimeColumn as DateTimeColumn_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"

/**
 * Per token and UTC day. id = <token>-<YYYY-MM-DD>.
 */
@Entity_()
export class TokenDayStat {
    constructor(props?: Partial<TokenDayStat>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    /**
     * YYYY-MM-DD (UTC).
     */
    @Index_()
    @StringColumn_({nullable: false})
    date!: string

    /**
     * Start of the day.
     */
    @Index_()
    @DateTimeColumn_({nullable: false})
    day!: Date

    @IntColumn_({nullable: false})
    depositCount!: number

    @BigIntColumn_({nullable: false})
    depositAmount!: bigint

    @IntColumn_({nullable: false})
    withdrawalCount!: number

    @BigIntColumn_({nullable: false})
    withdrawalAmount!: bigint

    /**
     * Batches committed this day.
     */
    @IntColumn_({nullable: false})
    batchCount!: number

    @BigIntColumn_({nullable: false})
    committedAmount!: bigint

    @IntColumn_({nullable: false})
    recordCount!: number

    @IntColumn_({nullable: false})
    finalizedBatchCount!: number

    @BigIntColumn_({nullable: false})
    finalizedAmount!: bigint

    @IntColumn_({nullable: false})
    rejectedBatchCount!: number

    @BigIntColumn_({nullable: false})
    rejectedAmount!: bigint

    @IntColumn_({nullable: false})
    disputeCount!: number

    @IntColumn_({nullable: false})
    claimCount!: number

    @BigIntColumn_({nullable: false})
    claimedAmount!: bigint

    @BigIntColumn_({nullable: false})
    feesAmount!: bigint

    @BigIntColumn_({nullable: false})
    netClaimedAmount!: bigint

    /**
     * Escrow held / locked after the last event of the day that touched the token.
     */
    @BigIntColumn_({nullable: false})
    escrowHeldEnd!: bigint

    @BigIntColumn_({nullable: false})
    escrowLockedEnd!: bigint
}
