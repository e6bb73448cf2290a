import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, OneToOne as OneToOne_, Index as Index_, JoinColumn as JoinColumn_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"
import {Batch} from "./batch.model"
import {Token} from "./token.model"
import {DisputeOutcome} from "./_disputeOutcome"
import {BatchStatus} from "./_batchStatus"

/**
 * The (single) dispute of a batch. id = batch id.
 */
@Entity_()
export class Dispute {
    constructor(props?: Partial<Dispute>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @OneToOne_(() => Batch, {nullable: true})
    @JoinColumn_()
    batch!: Batch

    @Index_()
    @StringColumn_({nullable: false})
    payer!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @Index_()
    @StringColumn_({nullable: false})
    disputant!: string

    @BooleanColumn_({nullable: false})
    byPayer!: boolean

    @StringColumn_({nullable: false})
    reason!: string

    @Index_()
    @Column_("varchar", {length: 9, nullable: false})
    outcome!: DisputeOutcome

    /**
     * The batch status the resolution led to (COMMITTED when dismissed, REJECTED when upheld).
     */
    @Column_("varchar", {length: 9, nullable: true})
    resolvedStatus!: BatchStatus | undefined | null

    @StringColumn_({nullable: true})
    resolver!: string | undefined | null

    @Index_()
    @DateTimeColumn_({nullable: false})
    openedAt!: Date

    @IntColumn_({nullable: false})
    openedAtBlock!: number

    @StringColumn_({nullable: false})
    openedTx!: string

    @DateTimeColumn_({nullable: true})
    resolvedAt!: Date | undefined | null

    @IntColumn_({nullable: true})
    resolvedAtBlock!: number | undefined | null

    @StringColumn_({nullable: true})
    resolvedTx!: string | undefined | null

    /**
     * Last block that changed it (time travel: a version per block, see README).
     */
    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
