import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, JSONColumn as JSONColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {ProtocolContract} from "./_protocolContract"

/**
 * Every decoded protocol log, for activity feeds. id = log id. (Read-only view: Escrow movement events are derived from escrow_movement, the other logs are rows of protocol_event_row; see db/migrations ProtocolEventView.)
 */
@Entity_()
export class ProtocolEvent {
    constructor(props?: Partial<ProtocolEvent>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 20, nullable: false})
    contract!: ProtocolContract

    @StringColumn_({nullable: false})
    contractAddress!: string

    @Index_()
    @StringColumn_({nullable: false})
    name!: string

    /**
     * Decoded arguments; uint256 values as decimal strings.
     */
    @JSONColumn_({nullable: false})
    args!: unknown

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
