/**
 * The owner's side of an idempotent mutation (idempotency.ts): the lease it keeps on its `api.mutations` row and
 * every write it makes there, each fenced on its owner token.
 */
import { GraphQLError } from 'graphql'
import type { Pool } from 'pg'
import { apiError } from './errors'
import { serializeError } from './idempotency-rows'

/** What a lease needs of its store (an IdempotencyStore). */
export interface LeaseStore {
    readonly db: Pool
    readonly scope: string
    readonly heartbeatMs: number
}

/**
 * The owner's handle on its row. Every write is fenced on the owner token: an owner that lost its lease (it
 * stalled and someone took over) cannot overwrite the new owner's state.
 */
export class MutationLease {
    private timer: NodeJS.Timeout | undefined
    private ended = false

    constructor(
        private readonly store: LeaseStore,
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
