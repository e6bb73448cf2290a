import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, BooleanColumn as BooleanColumn_, StringColumn as StringColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {ProtocolContract} from "./_protocolContract"

/**
 * Current state of a protocol contract. id = contract address.
 */
@Entity_()
export class ContractState {
    constructor(props?: Partial<ContractState>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 20, nullable: false})
    contract!: ProtocolContract

    @BooleanColumn_({nullable: false})
    paused!: boolean

    @StringColumn_({nullable: true})
    implementation!: string | undefined | null

    @IntColumn_({nullable: false})
    upgradeCount!: number

    @DateTimeColumn_({nullable: true})
    lastPausedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: true})
    lastUnpausedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: true})
    lastUpgradedAt!: Date | undefined | null

    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
