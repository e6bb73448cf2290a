import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, BooleanColumn as BooleanColumn_, DateTimeColumn as DateTimeColumn_, IntColumn as IntColumn_} from "@subsquid/typeorm-store"
import {ProtocolContract} from "./_protocolContract"

/**
 * Who currently holds (or held) a role on a contract. id = <contract address>-<role>-<account>.
 */
@Entity_()
export class RoleAssignment {
    constructor(props?: Partial<RoleAssignment>) {
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
    role!: string

    @Index_()
    @StringColumn_({nullable: false})
    roleName!: string

    @Index_()
    @StringColumn_({nullable: false})
    account!: string

    @Index_()
    @BooleanColumn_({nullable: false})
    active!: boolean

    @DateTimeColumn_({nullable: true})
    grantedAt!: Date | undefined | null

    @StringColumn_({nullable: true})
    grantedBy!: string | undefined | null

    @DateTimeColumn_({nullable: true})
    revokedAt!: Date | undefined | null

    @StringColumn_({nullable: true})
    revokedBy!: string | undefined | null

    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
