/**
 * `indexed_contract`: each indexed contract's address by its ProtocolContract name (id), for the view protocol_event,
 * which derives the Escrow movement events from escrow_movement and takes their contractAddress from here
 * (db/migrations/1795308991800-ProtocolEventView.js). Written in the first handler call of every process, in its
 * transaction: no row that needs an address commits without it.
 */
import type { EntityManager } from 'typeorm'
import { CONTRACT_ENUM } from '../../mappings/util'

export async function recordIndexedContracts(em: EntityManager, addresses: Partial<Record<string, string>>): Promise<void> {
    const rows = Object.entries(CONTRACT_ENUM).flatMap(([name, contract]) => {
        const address = addresses[name]?.toLowerCase()
        return address ? [[contract, address]] : []
    })
    if (rows.length === 0) return
    await em.query(
        `INSERT INTO indexed_contract (id, address) SELECT * FROM unnest($1::text[], $2::text[]) ` +
            `ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address`,
        [rows.map((r) => r[0]), rows.map((r) => r[1])],
    )
}
