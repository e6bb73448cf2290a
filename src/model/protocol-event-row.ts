/**
 * The stored part of ProtocolEvent (hand-written, not generated): `protocol_event` is a read-only view
 * (db/migrations/1795308991800-ProtocolEventView.js) over this table, which holds the logs that have no row of
 * their own, and over `escrow_movement`, from which the Escrow movement events (Deposited, Withdrawn, Locked,
 * Unlocked, Charged) are derived with the same columns and args. Why: those events are almost every log of a
 * busy chain, and a second, JSON row per event was a third of the backfill's database work. The handlers write
 * this class; the API reads the generated ProtocolEvent (the view). The columns are ProtocolEvent's, inherited
 * (TypeORM reads an entity's columns from its whole class chain), so schema.graphql stays their one source.
 */
import { Entity as Entity_ } from '@subsquid/typeorm-store'
import { ProtocolEvent } from './generated/protocolEvent.model'

@Entity_('protocol_event_row')
export class ProtocolEventRow extends ProtocolEvent {
    constructor(props?: Partial<ProtocolEventRow>) {
        super(props)
    }
}
