import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, StringColumn as StringColumn_, Index as Index_, ManyToOne as ManyToOne_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_, OneToMany as OneToMany_} from "@subsquid/typeorm-store"
import {Token} from "./token.model"
import {EscrowMovement} from "./escrowMovement.model"

/**
 * A payer's escrow balances in one token. id = <payer>-<token>.
 */
@Entity_()
export class EscrowAccount {
    constructor(props?: Partial<EscrowAccount>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @StringColumn_({nullable: false})
    payer!: string

    @Index_()
    @ManyToOne_(() => Token, {nullable: true})
    token!: Token

    @BigIntColumn_({nullable: false})
    available!: bigint

    @BigIntColumn_({nullable: false})
    locked!: bigint

    @BigIntColumn_({nullable: false})
    totalDeposited!: bigint

    @BigIntColumn_({nullable: false})
    totalWithdrawn!: bigint

    @BigIntColumn_({nullable: false})
    totalLocked!: bigint

    @BigIntColumn_({nullable: false})
    totalUnlocked!: bigint

    @BigIntColumn_({nullable: false})
    totalCharged!: bigint

    @IntColumn_({nullable: false})
    movementCount!: number

    @DateTimeColumn_({nullable: false})
    createdAt!: Date

    @Index_()
    @DateTimeColumn_({nullable: false})
    updatedAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    @OneToMany_(() => EscrowMovement, e => e.account)
    movements!: EscrowMovement[]
}
