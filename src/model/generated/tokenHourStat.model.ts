import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, ManyToOne as ManyToOne_, Index as Index_, DateTimeColumn as DateTimeColumn_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"

/**
 * Per token and UTC hour. id = <token>-<YYYY-MM-DDTHH>.
 */
@Entity_()
export class TokenHourStat {
    constructor(props?: Partial<TokenHourStat>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    /**
     * Start of the hour.
     */
    @Index_()
    @DateTimeColumn_({nullable: false})
    hour!: Date

    @IntColumn_({nullable: false})
    depositCount!: number

    @BigIntColumn_({nullable: false})
    depositAmount!: bigint

    @IntColumn_({nullable: false})
    withdrawalCount!: number

    @BigIntColumn_({nullable: false})
    withdrawalAmount!: bigint

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

    @BigIntColumn_({nullable: false})
    escrowHeldEnd!: bigint

    @BigIntColumn_({nullable: false})
    escrowLockedEnd!: bigint
}
