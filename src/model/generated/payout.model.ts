import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, OneToOne as OneToOne_, Index as Index_, JoinColumn as JoinColumn_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {Batch} from "./batch.model"
import {Token} from "./token.model"
import {Claim} from "./claim.model"

/**
 * The payout of a finalised batch. id = batch id.
 */
@Entity_()
export class Payout {
    constructor(props?: Partial<Payout>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @OneToOne_(() => Batch, {nullable: true})
    @JoinColumn_()
    batch!: Batch

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @StringColumn_({nullable: false})
    root!: string

    @BigIntColumn_({nullable: false})
    totalAmount!: bigint

    @BigIntColumn_({nullable: false})
    claimedAmount!: bigint

    @BigIntColumn_({nullable: false})
    feesPaid!: bigint

    @BigIntColumn_({nullable: false})
    remaining!: bigint

    @IntColumn_({nullable: false})
    claimCount!: number

    @Index_()
    @BooleanColumn_({nullable: false})
    fullyClaimed!: boolean

    @Index_()
    @DateTimeColumn_({nullable: false})
    openedAt!: Date

    @IntColumn_({nullable: false})
    openedAtBlock!: number

    @StringColumn_({nullable: false})
    openedTx!: string

    @DateTimeColumn_({nullable: true})
    lastClaimAt!: Date | undefined | null

    /**
     * Last block that changed it (time travel: a version per block, see README).
     */
    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    @OneToMany_(() => Claim, e => e.payout)
    claims!: Claim[]
}
