/**
 * The stored part of ProtocolEvent (hand-written, not generated): `protocol_event` is a read-only view
 * (db/migrations/1795308991800-ProtocolEventView.js) over this table, which holds the logs that have no row of
 * their own, and over `escrow_movement`, from which the Escrow movement events (Deposited, Withdrawn, Locked,
 * Unlocked, Charged) are derived with the same columns and args. Why: those events are almost every log of a
 * busy chain, and a second, JSON row per event was a third of the backfill's database work. The handlers write
 * this class; the API reads the generated ProtocolEvent (the view). Columns: exactly ProtocolEvent's.
 */
import { Entity as Entity_, Column as Column_, PrimaryColumn as PrimaryColumn_, Index as Index_, StringColumn as StringColumn_, JSONColumn as JSONColumn_, IntColumn as IntColumn_, DateTimeColumn as DateTimeColumn_ } from '@subsquid/typeorm-store'
import { ProtocolContract } from './generated/_protocolContract'

@Entity_('protocol_event_row')
export class ProtocolEventRow {
    constructor(props?: Partial<ProtocolEventRow>) {
        Object.assign(this, props)
    }

    @PrimaryColumn_()
    id!: string

    @Index_()
    @Column_('varchar', { length: 20, nullable: false })
    contract!: ProtocolContract

    @StringColumn_({ nullable: false })
    contractAddress!: string

    @Index_()
    @StringColumn_({ nullable: false })
    name!: string

    @JSONColumn_({ nullable: false })
    args!: unknown

    @Index_()
    @IntColumn_({ nullable: false })
    blockNumber!: number

    @StringColumn_({ nullable: false })
    blockHash!: string

    @IntColumn_({ nullable: false })
    logIndex!: number

    @Index_()
    @StringColumn_({ nullable: false })
    txHash!: string

    @Index_()
    @StringColumn_({ nullable: true })
    txFrom!: string | undefined | null

    @Index_()
    @DateTimeColumn_({ nullable: false })
    timestamp!: Date
}
