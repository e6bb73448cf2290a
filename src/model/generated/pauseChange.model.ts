import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, BooleanColumn as BooleanColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {ProtocolContract} from "./_protocolContract"

/**
 * Paused / Unpaused. id = log id.
 */
@Entity_()
export class PauseChange {
    constructor(props?: Partial<PauseChange>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 20, nullable: false})
    contract!: ProtocolContract

    @StringColumn_({nullable: false})
    contractAddress!: string

    @BooleanColumn_({nullable: false})
    paused!: boolean

    @StringColumn_({nullable: false})
    account!: string

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @StringColumn_({nullable: false})
    txHash!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
