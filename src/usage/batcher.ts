import { GraphQLError } from 'graphql'
import type { Pool, PoolClient } from 'pg'
import type { UsageBatchSettings } from '../config'
import { commitBatchWith } from '../server/chain/commit-batch'
import type { TxMutationDeps } from '../server/chain/tx-mutation'
import { batchLeaves, closeBatch, dueQueues, markCommitted, markWaiting, OpenBatch, openBatches } from './batch-store'

/** Advisory lock key of the batcher leader (one per database, across API replicas). */
export const BATCHER_LOCK_KEY = 7_406_123_914_001n

export interface BatcherOptions {
    db: Pool
    settings: UsageBatchSettings
    /** the commitBatch dependencies (chain, confirm timeout), role operator */
    deps: () => TxMutationDeps
    log?: (message: string, error?: unknown) => void
    /** told after each batch is committed (for subscriptions / tests) */
    onCommitted?: (batchKey: string, batchId: string | null) => void
}

/**
 * Closes usage batches and commits them. Crash safety comes from the database: a batch is closed in one
 * transaction (records queued → batching with the batch key), committed with an idempotency key derived from that
 * key (a retry replays, never sends twice), and marked committed (records → batched) in one transaction. After a
 * restart the leader simply resumes every batch that is not committed.
 */
export class UsageBatcher {
    private lock: PoolClient | undefined
    private timer: NodeJS.Timeout | undefined
    private running: Promise<void> | undefined
    private stopped = false

    constructor(private readonly opts: BatcherOptions) {}

    start(): void {
        this.stopped = false
        const loop = () => {
            if (this.stopped) return
            this.running = this.tick()
                // 42P01: the api.usage_* tables do not exist yet (the processor applies the migrations at its start)
                .catch((e) => {
                    if (e?.code !== '42P01') this.log('[usage] batcher tick failed', e)
                })
                .finally(() => {
                    if (!this.stopped) this.timer = setTimeout(loop, this.opts.settings.pollMs)
                })
        }
        loop()
    }

    async stop(): Promise<void> {
        this.stopped = true
        if (this.timer) clearTimeout(this.timer)
        await this.running?.catch(() => undefined)
        await this.releaseLock()
    }

    get isLeader(): boolean {
        return this.lock !== undefined
    }

    /** One round: become (or stay) leader, close due batches, commit open ones. */
    async tick(): Promise<void> {
        if (!(await this.lead())) return
        const { db, settings } = this.opts
        for (const q of await dueQueues(db, settings.maxRecords, settings.maxAgeMs)) {
            let left = q.queued
            // full batches first; the remainder by age only when the queue's oldest record is in it (next round)
            let closed = 0
            while (left >= settings.maxRecords && (await closeBatch(db, q.payer, q.token, settings.maxRecords, 'size'))) {
                left -= settings.maxRecords
                closed++
            }
            if (left > 0 && closed === 0 && q.old) await closeBatch(db, q.payer, q.token, settings.maxRecords, 'age')
        }
        for (const b of await openBatches(db)) {
            if (this.stopped) return
            await this.commit(b)
        }
    }

    private async commit(b: OpenBatch): Promise<void> {
        const { db } = this.opts
        const leaves = await batchLeaves(db, b.batchKey)
        if (leaves.length === 0) {
            await markCommitted(db, b.batchKey, null, null, 'nothing to pay: every amount rounds to 0')
            this.opts.onCommitted?.(b.batchKey, null)
            return
        }
        try {
            const r = await commitBatchWith(this.opts.deps(), {
                payer: b.payer,
                token: b.token,
                idempotencyKey: `usage:${b.batchKey}`,
                dataURI: `usage-batch:${b.batchKey}`,
                records: leaves,
                recordCount: b.recordCount,
            })
            if (r.status === 'CONFIRMED') {
                await markCommitted(db, b.batchKey, r.batchId, r.txHash, null)
                this.opts.onCommitted?.(b.batchKey, r.batchId)
            } else {
                await markWaiting(db, b.batchKey, 'closed', `commit ${r.txHash} sent, not mined yet`)
            }
        } catch (e) {
            const code = e instanceof GraphQLError ? String(e.extensions?.code ?? 'INTERNAL') : 'INTERNAL'
            const message = e instanceof Error ? e.message : String(e)
            if (code === 'INTERNAL') this.log(`[usage] commit of batch ${b.batchKey} failed`, e)
            await markWaiting(db, b.batchKey, code === 'INSUFFICIENT_ESCROW' ? 'waiting' : 'closed', `${code}: ${message}`)
        }
    }

    /** Hold the advisory lock on a dedicated connection; a lost connection means leadership is lost too. */
    private async lead(): Promise<boolean> {
        if (this.lock) {
            const alive = await this.lock.query('SELECT 1').then(() => true, () => false)
            if (alive) return true
            const dead = this.lock
            this.lock = undefined
            dead.release(true)
        }
        const c = await this.opts.db.connect()
        try {
            const r = await c.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [BATCHER_LOCK_KEY.toString()])
            if (!r.rows[0].ok) {
                c.release()
                return false
            }
        } catch (e) {
            c.release(true)
            throw e
        }
        c.on('error', () => undefined) // noticed by the next round's liveness query
        this.lock = c
        return true
    }

    private async releaseLock(): Promise<void> {
        const c = this.lock
        this.lock = undefined
        if (!c) return
        await c.query('SELECT pg_advisory_unlock($1::bigint)', [BATCHER_LOCK_KEY.toString()]).catch(() => undefined)
        c.release()
    }

    private log(message: string, error?: unknown) {
        ;(this.opts.log ?? ((m: string, e?: unknown) => console.error(m, e ?? '')))(message, error)
    }
}
