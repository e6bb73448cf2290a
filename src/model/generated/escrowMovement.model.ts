import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, ManyToOne as ManyToOne_, StringColumn as StringColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {EscrowMovementKind} from "./_escrowMovementKind"
import {EscrowAccount} from "./escrowAccount.model"
import {Token} from "./token.model"
import {Batch} from "./batch.model"

/**
 * One Escrow event. id = log id.
 */
@Entity_()
export class EscrowMovement {
    constructor(props?: Partial<EscrowMovement>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 10, nullable: false})
    kind!: EscrowMovementKind

    @Index_()
    @ManyToOne_(() => EscrowAccount, {nullable: true})
    account!: EscrowAccount

    @Index_()
    @StringColumn_({nullable: false})
    payer!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @BigIntColumn_({nullable: false})
    amount!: bigint

    @BigIntColumn_({nullable: false})
    availableAfter!: bigint

    @BigIntColumn_({nullable: false})
    lockedAfter!: bigint

    /**
     * Withdrawal destination or charge recipient.
     */
    @StringColumn_({nullable: true})
    counterparty!: string | undefined | null

    /**
     * The batch of a LOCK / UNLOCK / CHARGE (column batch_id = the bytes32 batch id).
     */
    @Index_()
    @ManyToOne_(() => Batch, {nullable: true})
    batch!: Batch | undefined | null

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @StringColumn_({nullable: false})
    blockHash!: string

    @IntColumn_({nullable: false})
    logIndex!: number

    @Index_()
    @StringColumn_({nullable: false})
    txHash!: string

    @Index_()
    @StringColumn_({nullable: true})
    txFrom!: string | undefined | null

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
