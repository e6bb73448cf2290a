import {Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, BigIntColumn as BigIntColumn_, IntColumn as IntColumn_, StringColumn as StringColumn_} from "@subsquid/typeorm-store"

/**
 * Protocol-wide parameters, a single row with id = 'protocol'.
 */
@Entity_()
export class ProtocolParams {
    constructor(props?: Partial<ProtocolParams>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    /**
     * BatchLedger dispute window, seconds.
     */
    @BigIntColumn_({nullable: true})
    disputeWindow!: bigint | undefined | null

    /**
     * Distributor platform fee, basis points.
     */
    @IntColumn_({nullable: true})
    feeBps!: number | undefined | null

    @StringColumn_({nullable: true})
    treasury!: string | undefined | null

    /**
     * PlatformTimelock minimum delay, seconds.
     */
    @BigIntColumn_({nullable: true})
    timelockMinDelay!: bigint | undefined | null

    /**
     * ValidatorRegistry configuration (ConfigChanged): staking token, slashing treasury, unbonding period and commission change delay (seconds), highest commission (bps).
     */
    @StringColumn_({nullable: true})
    stakingToken!: string | undefined | null

    @StringColumn_({nullable: true})
    validatorTreasury!: string | undefined | null

    @BigIntColumn_({nullable: true})
    unbondingPeriod!: bigint | undefined | null

    @BigIntColumn_({nullable: true})
    commissionChangeDelay!: bigint | undefined | null

    @IntColumn_({nullable: true})
    maxCommissionBps!: number | undefined | null

    @IntColumn_({nullable: false})
    updatedAtBlock!: number
}
