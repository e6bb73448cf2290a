import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, BooleanColumn as BooleanColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {ProtocolContract} from "./_protocolContract"

/**
 * RoleGranted / RoleRevoked. id = log id.
 */
@Entity_()
export class RoleChange {
    constructor(props?: Partial<RoleChange>) {
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
    role!: string

    @Index_()
    @StringColumn_({nullable: false})
    roleName!: string

    @Index_()
    @StringColumn_({nullable: false})
    account!: string

    @StringColumn_({nullable: false})
    sender!: string

    @BooleanColumn_({nullable: false})
    granted!: boolean

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    @StringColumn_({nullable: false})
    txHash!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    timestamp!: Date
}
