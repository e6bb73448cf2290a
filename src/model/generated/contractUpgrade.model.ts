import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {ProtocolContract} from "./_protocolContract"

/**
 * Upgraded (UUPS). id = log id.
 */
@Entity_()
export class ContractUpgrade {
    constructor(props?: Partial<ContractUpgrade>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 20, nullable: false})
    contract!: ProtocolContract

    @StringColumn_({nullable: false})
    contractAddress!: string

    @StringColumn_({nullable: false})
    implementation!: string

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @StringColumn_({nullable: false})
    txHash!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
