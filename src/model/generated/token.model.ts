import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, IntColumn as IntColumn_, BigIntColumn as BigIntColumn_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {EscrowAccount} from "./escrowAccount.model"
import {Batch} from "./batch.model"
import {TokenDayStat} from "./tokenDayStat.model"

/**
 * An allow-listed (or formerly allow-listed) settlement token. id = token address.
 */
@Entity_()
export class Token {
    constructor(props?: Partial<Token>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @StringColumn_({nullable: false})
    symbol!: string

    @IntColumn_({nullable: false})
    decimals!: number

    @BigIntColumn_({nullable: false})
    minDeposit!: bigint

    @BigIntColumn_({nullable: false})
    maxDeposit!: bigint

    @Index_()
    @BooleanColumn_({nullable: false})
    allowed!: boolean

    @DateTimeColumn_({nullable: true})
    allowedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    allowedAtBlock!: number | undefined | null

    @DateTimeColumn_({nullable: true})
    disallowedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: false})
    updatedAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    /**
     * Sum of available + locked over all escrow accounts (equals Escrow.totalHeld).
     */
    @BigIntColumn_({nullable: false})
    escrowHeld!: bigint

    /**
     * Sum of locked over all escrow accounts.
     */
    @BigIntColumn_({nullable: false})
    escrowLocked!: bigint

    @BigIntColumn_({nullable: false})
    totalDeposited!: bigint

    @BigIntColumn_({nullable: false})
    totalWithdrawn!: bigint

    @BigIntColumn_({nullable: false})
    totalCommitted!: bigint

    @BigIntColumn_({nullable: false})
    totalFinalized!: bigint

    @BigIntColumn_({nullable: false})
    totalRejected!: bigint

    @BigIntColumn_({nullable: false})
    totalClaimed!: bigint

    @BigIntColumn_({nullable: false})
    totalFees!: bigint

    @IntColumn_({nullable: false})
    depositCount!: number

    @IntColumn_({nullable: false})
    withdrawalCount!: number

    @IntColumn_({nullable: false})
    batchCount!: number

    @IntColumn_({nullable: false})
    claimCount!: number

    @OneToMany_(() => EscrowAccount, e => e.token)
    accounts!: EscrowAccount[]

    @OneToMany_(() => Batch, e => e.token)
    batches!: Batch[]

    @OneToMany_(() => TokenDayStat, e => e.token)
    dayStats!: TokenDayStat[]
}
