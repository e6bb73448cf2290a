import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_, OneToOne as OneToOne_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {BatchStatus} from "./_batchStatus"
import {Token} from "./token.model"
import {Dispute} from "./dispute.model"
import {Payout} from "./payout.model"
import {Claim} from "./claim.model"
import {EscrowMovement} from "./escrowMovement.model"

/**
 * A committed batch of usage. id = bytes32 batch id (hex).
 */
@Entity_()
export class Batch {
    constructor(props?: Partial<Batch>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 9, nullable: false})
    status!: BatchStatus

    @Index_()
    @StringColumn_({nullable: false})
    payer!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @StringColumn_({nullable: false})
    root!: string

    @BigIntColumn_({nullable: false})
    totalAmount!: bigint

    @IntColumn_({nullable: false})
    recordCount!: number

    @StringColumn_({nullable: false})
    dataURI!: string

    @Index_()
    @StringColumn_({nullable: false})
    operator!: string

    @Index_()
    @BooleanColumn_({nullable: false})
    disputed!: boolean

    @Index_()
    @DateTimeColumn_({nullable: false})
    committedAt!: Date

    @Index_()
    @IntColumn_({nullable: false})
    committedAtBlock!: number

    @StringColumn_({nullable: false})
    committedTx!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    disputeDeadline!: Date

    @DateTimeColumn_({nullable: true})
    disputedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    disputedAtBlock!: number | undefined | null

    @DateTimeColumn_({nullable: true})
    resolvedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    resolvedAtBlock!: number | undefined | null

    @Index_()
    @DateTimeColumn_({nullable: true})
    finalizedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    finalizedAtBlock!: number | undefined | null

    @StringColumn_({nullable: true})
    finalizedTx!: string | undefined | null

    @StringColumn_({nullable: true})
    finalizer!: string | undefined | null

    @DateTimeColumn_({nullable: true})
    rejectedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    rejectedAtBlock!: number | undefined | null

    /**
     * Gross amount claimed from this batch's payout.
     */
    @BigIntColumn_({nullable: false})
    claimedAmount!: bigint

    @IntColumn_({nullable: false})
    claimCount!: number

    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    @OneToOne_(() => Dispute, e => e.batch)
    dispute!: Dispute | undefined | null

    @OneToOne_(() => Payout, e => e.batch)
    payout!: Payout | undefined | null

    @OneToMany_(() => Claim, e => e.batch)
    claims!: Claim[]

    @OneToMany_(() => EscrowMovement, e => e.batch)
    movements!: EscrowMovement[]
}
