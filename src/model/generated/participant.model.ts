import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, BooleanColumn as BooleanColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_} from "@subsquid/typeorm-store"
import {ParticipantKind} from "./_participantKind"

/**
 * A registered account (AI platform, publisher or advertiser). id = account address.
 */
@Entity_()
export class Participant {
    constructor(props?: Partial<Participant>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_("varchar", {length: 11, nullable: false})
    kind!: ParticipantKind

    @Index_()
    @StringColumn_({nullable: false})
    payoutAddress!: string

    @StringColumn_({nullable: false})
    metadataURI!: string

    @Index_()
    @BooleanColumn_({nullable: false})
    active!: boolean

    /**
     * Publisher price per thousand records (token units); 0 until terms are set (reset on re-registration).
     */
    @BigIntColumn_({nullable: false})
    pricePerThousand!: bigint

    /**
     * Publisher consent; false until given (reset on re-registration).
     */
    @Index_()
    @BooleanColumn_({nullable: false})
    consent!: boolean

    /**
     * How many times the account was (re-)registered.
     */
    @IntColumn_({nullable: false})
    registrationCount!: number

    @StringColumn_({nullable: false})
    registeredBy!: string

    @Index_()
    @DateTimeColumn_({nullable: false})
    registeredAt!: Date

    @IntColumn_({nullable: false})
    registeredAtBlock!: number

    @Index_()
    @DateTimeColumn_({nullable: false})
    updatedAt!: Date

    @IntColumn_({nullable: false})
    updatedAtBlock!: number

    @DateTimeColumn_({nullable: true})
    termsUpdatedAt!: Date | undefined | null

    @DateTimeColumn_({nullable: true})
    deactivatedAt!: Date | undefined | null

    @StringColumn_({nullable: true})
    deactivatedBy!: string | undefined | null
}
