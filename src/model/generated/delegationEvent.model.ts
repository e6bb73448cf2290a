import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, ManyToOne as ManyToOne_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {DelegationEventKind} from "./_delegationEventKind"
import {Validator} from "./validator.model"
import {UnbondingRequest} from "./unbondingRequest.model"

/**
 * Delegated / Undelegated / Redelegated / UnbondingWithdrawn. id = log id.
 */
@Entity_()
export class DelegationEvent {
    constructor(props?: Partial<DelegationEvent>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 10, nullable: false})
    kind!: DelegationEventKind

    @Index_()
    @StringColumn_({nullable: false})
    delegator!: string

    /**
     * Where the stake went (DELEGATE) or came from (UNDELEGATE, REDELEGATE, WITHDRAW).
     */
    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    validator!: Validator

    /**
     * REDELEGATE: where the stake went.
     */
    @Index_()
    @ManyToOne_(() => Validator, {nullable: true})
    toValidator!: Validator | undefined | null

    @BigIntColumn_({nullable: false})
    amount!: bigint

    /**
     * Shares minted (DELEGATE) or burned (UNDELEGATE, REDELEGATE); 0 for WITHDRAW.
     */
    @BigIntColumn_({nullable: false})
    shares!: bigint

    /**
     * REDELEGATE: shares minted in toValidator's pool.
     */
    @BigIntColumn_({nullable: true})
    sharesMinted!: bigint | undefined | null

    /**
     * UNDELEGATE / WITHDRAW.
     */
    @Index_()
    @ManyToOne_(() => UnbondingRequest, {nullable: true})
    unbondingRequest!: UnbondingRequest | undefined | null

    /**
     * The delegator's delegation to `validator` after, in tokens (null for WITHDRAW).
     */
    @BigIntColumn_({nullable: true})
    delegationAfter!: bigint | undefined | null

    /**
     * `validator`'s stake after (null for WITHDRAW).
     */
    @BigIntColumn_({nullable: true})
    stakeAfter!: bigint | undefined | null

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @Index_()
    @IntColumn_({nullable: false})
    epoch!: number

    @Index_()
    @StringColumn_({nullable: false})
    txHash!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
