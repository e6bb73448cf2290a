import { createHash, randomUUID } from 'crypto'
import { GraphQLError } from 'graphql'
import type { Pool } from 'pg'
import { apiError, ErrorCode } from './errors'

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
 */
export type MutationRowStatus = 'PENDING' | 'SENT' | 'UNKNOWN' | 'DONE' | 'FAILED'

export interface MutationRow {
    idempotencyKey: string
    scope: string
    kind: string
    requestHash: string
    status: MutationRowStatus
    /** client-visible result; keys starting with "__" are internal (owner token, raw tx, called method) */
    result: Record<string, any> | null
    txHash: string | null
    error: { message: string; extensions: Record<string, unknown> } | null
    createdAt: Date
    /** exact text of updated_at (microseconds), used for compare-and-swap takeovers */
    updatedAtText: string
    /** updated_at is older than the lease */
    stale: boolean
}

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

/** JSON with sorted object keys and bigints as decimal strings: the same request always hashes the same. */
export function stableJson(value: unknown): string {
    if (typeof value === 'bigint') return JSON.stringify(value.toString())
    if (value === undefined) return 'null'
    if (value === null || typeof value !== 'object') return JSON.stringify(value)
    if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
        .join(',')}}`
}

export function requestHash(kind: string, request: unknown): string {
    return createHash('sha256').update(stableJson({ kind, request })).digest('hex')
}

/** Strip internal ("__") keys from a stored result. */
export function publicResult<T = Record<string, any>>(result: Record<string, any> | null): T {
    const out: Record<string, any> = {}
    for (const [k, v] of Object.entries(result ?? {})) if (!k.startsWith('__')) out[k] = v
    return out as T
}

/** Rebuild the GraphQL error stored for a FAILED row. */
export function storedError(row: MutationRow): GraphQLError {
    const ext = { ...(row.error?.extensions ?? {}) }
    const code = (ext.code as ErrorCode) ?? 'INTERNAL'
    delete ext.code
    return apiError(code, row.error?.message ?? 'the first request with this idempotencyKey failed', { ...ext, idempotentReplay: true })
}

function serializeError(err: GraphQLError): { message: string; extensions: Record<string, unknown> } {
    return { message: err.message, extensions: { ...(err.extensions ?? {}) } }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const SELECT = `SELECT idempotency_key, scope, kind, request_hash, status, result, tx_hash, error, created_at,
                       updated_at::text AS updated_at_text, (now() - updated_at) > ($2::int * interval '1 millisecond') AS stale
                FROM api.mutations WHERE idempotency_key = $1 AND scope = $3`

function toRow(r: any): MutationRow {
    return {
        idempotencyKey: r.idempotency_key,
        scope: r.scope,
        kind: r.kind,
        requestHash: r.request_hash,
        status: r.status,
        result: r.result,
        txHash: r.tx_hash,
        error: r.error,
        createdAt: r.created_at,
        updatedAtText: r.updated_at_text,
        stale: r.stale,
    }
}

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
        const r = await this.db.query(SELECT, [key, this.leaseMs, this.scope])
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

/**
 * The owner's handle on its row. Every write is fenced on the owner token: an owner that lost its lease (it
 * stalled and someone took over) cannot overwrite the new owner's state.
 */
export class MutationLease {
    private timer: NodeJS.Timeout | undefined
    private ended = false

    constructor(
        private readonly store: IdempotencyStore,
        readonly key: string,
        private readonly token: string,
    ) {
        this.timer = setInterval(() => {
            this.store.db
                .query(
                    `UPDATE api.mutations SET updated_at = now()
                     WHERE idempotency_key = $1 AND scope = $3 AND status IN ('PENDING', 'SENT') AND result->>'__owner' = $2`,
                    [this.key, this.token, this.store.scope],
                )
                .catch(() => undefined)
        }, this.store.heartbeatMs)
        this.timer.unref()
    }

    private stop() {
        this.ended = true
        if (this.timer) clearInterval(this.timer)
        this.timer = undefined
    }

    private async write(sql: string, params: unknown[]): Promise<boolean> {
        const r = await this.store.db.query(sql, [this.key, this.token, ...params])
        return r.rowCount === 1
    }

    /** Record the signed transaction (before broadcasting it) and the result the client will get if it is mined. */
    async markSent(txHash: string, raw: string, result: Record<string, any>): Promise<void> {
        const ok = await this.write(
            `UPDATE api.mutations SET status = 'SENT', tx_hash = $3, result = $4::jsonb, updated_at = now()
             WHERE idempotency_key = $1 AND result->>'__owner' = $2 AND status IN ('PENDING', 'SENT')`,
            [txHash, JSON.stringify({ ...result, __owner: this.token, __raw: raw })],
        )
        if (!ok) throw apiError('INTERNAL', 'lost the idempotency lease before sending; nothing was sent')
    }

    /** Back to PENDING with nothing sent (the recorded transaction was dropped and can never be mined). */
    async resetToPending(): Promise<void> {
        await this.write(
            `UPDATE api.mutations SET status = 'PENDING', tx_hash = NULL, result = jsonb_build_object('__owner', $2::text), updated_at = now()
             WHERE idempotency_key = $1 AND result->>'__owner' = $2`,
            [],
        )
    }

    /** Final result. Internal keys other than "__call" are dropped. */
    async complete(result: Record<string, any>): Promise<void> {
        this.stop()
        const stored: Record<string, any> = {}
        for (const [k, v] of Object.entries(result)) if (!k.startsWith('__') || k === '__call') stored[k] = v
        await this.write(
            `UPDATE api.mutations SET status = 'DONE', result = $3::jsonb, tx_hash = $4, updated_at = now()
             WHERE idempotency_key = $1 AND result->>'__owner' = $2`,
            [JSON.stringify(stored), result.txHash ?? null],
        )
    }

    /** Final error (the transaction was sent and reverted). */
    async fail(err: GraphQLError): Promise<void> {
        this.stop()
        await this.write(
            `UPDATE api.mutations SET status = 'FAILED', error = $3::jsonb, result = NULL, updated_at = now()
             WHERE idempotency_key = $1 AND result->>'__owner' = $2`,
            [JSON.stringify(serializeError(err))],
        )
    }

    /** Nothing was sent: free the key so the client can retry with it. */
    async release(): Promise<void> {
        this.stop()
        await this.write(`DELETE FROM api.mutations WHERE idempotency_key = $1 AND result->>'__owner' = $2`, []).catch(() => false)
    }

    /** Give up without knowing whether the recorded transaction was broadcast: the next duplicate resolves it. */
    async orphan(): Promise<void> {
        this.stop()
        await this.write(
            `UPDATE api.mutations SET status = 'UNKNOWN', updated_at = now() WHERE idempotency_key = $1 AND result->>'__owner' = $2`,
            [],
        ).catch(() => false)
    }

    get active(): boolean {
        return !this.ended
    }
}
