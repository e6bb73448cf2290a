/**
 * Change notification sent after each handler call: `pg_notify('squid_batch', json)` inside the
 * processor's transaction, so listeners get it only when the batch commits (and never for a batch
 * that rolled back).
 */
import { Store } from '@subsquid/typeorm-store'
import type { ChangedIds } from '../../mappings/index'
import { storeEntityManager } from '../sdk-internals'

export const NOTIFY_CHANNEL = 'squid_batch'
/** Postgres rejects payloads of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7900

export interface NotifyPayload {
    height: number
    hash: string
    /** first block of the batch */
    fromHeight?: number
    /** the batch reached the chain head */
    head: boolean
    /** the first block does not extend the previously processed one: some earlier rows may have been rolled back */
    reorg?: boolean
    /** only non-empty lists are present */
    changed: Partial<ChangedIds>
    /** entity classes (= GraphQL types) written by the batch: the API's live queries re-run only when one they read is here */
    tables?: string[]
    truncated?: boolean
}

/**
 * GraphQL types that show rows of a stored class other than their own (views): ProtocolEvent is its stored rows plus
 * the escrow movements (src/model/protocol-event-row.ts). A class written here is announced as these types.
 */
const SHOWN_AS: Readonly<Record<string, readonly string[]>> = {
    ProtocolEventRow: ['ProtocolEvent'],
    EscrowMovement: ['EscrowMovement', 'ProtocolEvent'],
}

/**
 * GraphQL types a batch wrote: persist()'s per-class timings name every class it wrote (early inserts:
 * ProtocolEventRow), mapped to the types that show them.
 */
export function writtenTables(ms: Record<string, number> | undefined, earlyProtocolEvents: boolean): string[] {
    const written = Object.keys(ms ?? {})
    if (earlyProtocolEvents) written.push('ProtocolEventRow')
    return [...new Set(written.flatMap((c) => SHOWN_AS[c] ?? [c]))].sort()
}

/**
 * JSON for `payload`, shortened to fit `maxBytes`: id lists are cut (longest first) and `truncated`
 * set; listeners that see `truncated` should refetch by block range instead of by id.
 */
export function encodePayload(payload: NotifyPayload, maxBytes = MAX_NOTIFY_BYTES): string {
    const changed: Record<string, string[]> = {}
    for (const [k, v] of Object.entries(payload.changed)) if (v && v.length) changed[k] = [...v]
    const base = { ...payload, changed }
    let json = JSON.stringify(base)
    if (Buffer.byteLength(json) < maxBytes) return json
    base.truncated = true
    // shrink every list by the same factor until the JSON fits
    for (let attempt = 0; attempt < 50; attempt++) {
        json = JSON.stringify(base)
        const size = Buffer.byteLength(json)
        if (size < maxBytes) return json
        const factor = Math.min(0.95, (maxBytes / size) * 0.95)
        // (each list keeps at least one id: consumers see every kind of change that happened)
        for (const k of Object.keys(changed)) changed[k].length = Math.max(Math.min(1, changed[k].length), Math.floor(changed[k].length * factor))
    }
    return JSON.stringify({ height: payload.height, hash: payload.hash, head: payload.head, changed: {}, truncated: true })
}

export async function sendNotify(store: Store, payload: string, channel = NOTIFY_CHANNEL): Promise<void> {
    await storeEntityManager(store).query('SELECT pg_notify($1, $2)', [channel, payload])
}
