import { randomUUID } from 'crypto'
import { GraphQLError } from 'graphql'
import type { Pool } from 'pg'
import { apiError } from './errors'
import { MutationLease } from './idempotency-lease'
import { MutationRow, SELECT_ROW, serializeError, storedError, toRow } from './idempotency-rows'

export { MutationLease } from './idempotency-lease'
export { publicResult, requestHash, stableJson, storedError } from './idempotency-rows'
export type { MutationRow, MutationRowStatus } from './idempotency-rows'

/**
 * Idempotent mutations, stored in `api.mutations` (one row per scope and idempotency key, so it survives restarts
 * and is shared by every server process on the same database).
 *
 * Keys are scoped (`scope` = "<caller role>:<mutation>", see tx-mutation.ts; '' for callers that give none): a key
 * used by a relayer's claimPayouts is another key than the same text in an operator's commitBatch, so one role
 * cannot squat another's keys (nor the batch id commitBatch derives from its key). Within a scope, a key used for
 * one kind of mutation conflicts with every other kind.
 *
 * Row lifecycle (`status`):
 *   PENDING  claimed by an owner, nothing broadcast yet
 *   SENT     the owner signed a transaction and recorded its hash (and raw bytes) BEFORE broadcasting it
 *   UNKNOWN  the owner gave up without knowing whether its transaction reached the node (no owner now)
 *   DONE     final result stored (`result`)
 *   FAILED   final error stored (`error`): the transaction was sent and reverted on chain
 *
 * - The first request inserts the row (`INSERT ... ON CONFLICT DO NOTHING`) and owns it. While it works it refreshes
 *   `updated_at` (a lease); its token is kept in `result.__owner`, and every write of the owner is fenced on it.
 * - A duplicate with the same key and request hash waits (polls) for the final state and returns it; with another
 *   request hash (or kind) it gets IDEMPOTENCY_CONFLICT at once.
 * - A row whose lease expired (the owner's process died) or that is UNKNOWN is taken over by the next duplicate,
 *   which then finishes the job (`previous` tells it what the dead owner had recorded).
 * - An owner that fails BEFORE broadcasting anything releases the key (deletes the row): nothing was sent, so the
 *   client may retry with the same key (e.g. after topping up its escrow).
 *
 * Files: idempotency-rows.ts (row shape, request hash, stored results and errors), idempotency-lease.ts (the
 * owner's fenced writes); this one claims keys.
 */
export interface IdempotencyOptions {
    /** an owner that has not refreshed its row for this long is presumed dead (default 15 s) */
    leaseMs?: number
    /** how often an owner refreshes its lease (default leaseMs / 3) */
    heartbeatMs?: number
    /** how often a duplicate polls for the first request's result (default 100 ms) */
    pollMs?: number
    /** how long a duplicate waits for the first request before answering "still in progress" (default 60 s) */
    waitMs?: number
}

export type Claim =
    | { state: 'owner'; lease: MutationLease; previous?: MutationRow }
    | { state: 'done'; row: MutationRow }
    | { state: 'failed'; row: MutationRow; error: GraphQLError }
    | { state: 'in-flight'; row: MutationRow }

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export class IdempotencyStore {
    readonly leaseMs: number
    readonly heartbeatMs: number
    readonly pollMs: number
    readonly waitMs: number

    constructor(
        readonly db: Pool,
        opts: IdempotencyOptions = {},
        /** the namespace of the keys (see the module comment) */
        readonly scope = '',
    ) {
        this.leaseMs = opts.leaseMs ?? 15_000
        this.heartbeatMs = opts.heartbeatMs ?? Math.max(50, Math.floor(this.leaseMs / 3))
        this.pollMs = opts.pollMs ?? 100
        this.waitMs = opts.waitMs ?? 60_000
    }

    async get(key: string): Promise<MutationRow | undefined> {
        const r = await this.db.query(SELECT_ROW, [key, this.leaseMs, this.scope])
        return r.rowCount ? toRow(r.rows[0]) : undefined
    }

    /**
     * Claim `key` for a request of `kind` with hash `hash`: become its owner, or get the first request's outcome
     * (waiting for it while it is in progress). Throws IDEMPOTENCY_CONFLICT when the key was used for another request.
     */
    async claim(key: string, kind: string, hash: string): Promise<Claim> {
        const started = Date.now()
        for (;;) {
            const token = randomUUID()
            const ins = await this.db.query(
                `INSERT INTO api.mutations (idempotency_key, kind, request_hash, status, result, scope)
                 VALUES ($1, $2, $3, 'PENDING', jsonb_build_object('__owner', $4::text), $5)
                 ON CONFLICT (idempotency_key, scope) DO NOTHING`,
                [key, kind, hash, token, this.scope],
            )
            if (ins.rowCount === 1) return { state: 'owner', lease: new MutationLease(this, key, token) }

            const row = await this.get(key)
            if (!row) continue // released between our insert and select: try again
            if (row.kind !== kind || row.requestHash !== hash) {
                throw apiError(
                    'IDEMPOTENCY_CONFLICT',
                    `idempotencyKey "${key}" was already used for a different ${row.kind === kind ? 'request' : `mutation (${row.kind})`}; use a new key`,
                    { idempotencyKey: key, firstKind: row.kind },
                )
            }
            if (row.status === 'DONE') return { state: 'done', row }
            if (row.status === 'FAILED') return { state: 'failed', row, error: storedError(row) }

            if (row.status === 'UNKNOWN' || row.stale) {
                // the owner is gone: take over (compare-and-swap on updated_at so only one duplicate wins)
                const took = await this.db.query(
                    `UPDATE api.mutations
                     SET updated_at = now(), status = CASE WHEN status = 'UNKNOWN' THEN 'SENT' ELSE status END,
                         result = jsonb_set(coalesce(result, '{}'::jsonb), '{__owner}', to_jsonb($3::text))
                     WHERE idempotency_key = $1 AND updated_at = $2::timestamptz AND status = $4 AND scope = $5`,
                    [key, row.updatedAtText, token, row.status, this.scope],
                )
                if (took.rowCount === 1) return { state: 'owner', lease: new MutationLease(this, key, token), previous: row }
                continue
            }
            if (Date.now() - started >= this.waitMs) return { state: 'in-flight', row }
            await sleep(this.pollMs)
        }
    }

    /** Replace the result of a DONE row (status refresh SUBMITTED → CONFIRMED). */
    async updateDone(key: string, result: Record<string, any>): Promise<void> {
        await this.db.query(
            `UPDATE api.mutations SET result = $2::jsonb, updated_at = now() WHERE idempotency_key = $1 AND status = 'DONE' AND scope = $3`,
            [key, JSON.stringify(result), this.scope],
        )
    }

    /** Turn a DONE row into FAILED (its transaction turned out to revert). */
    async failDone(key: string, err: GraphQLError): Promise<void> {
        await this.db.query(
            `UPDATE api.mutations SET status = 'FAILED', error = $2::jsonb, updated_at = now() WHERE idempotency_key = $1 AND status = 'DONE' AND scope = $3`,
            [key, JSON.stringify(serializeError(err)), this.scope],
        )
    }
}
