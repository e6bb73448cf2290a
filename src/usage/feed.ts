import type { Pool } from 'pg'
import { NotifyListener } from '../server/pubsub/listener'

/** NOTIFY channel the batcher signals on when a batch is committed (payload: the batch key). */
export const USAGE_BATCHED_CHANNEL = 'squid_usage_batched'
/** events one subscriber may have queued before it is dropped */
const QUEUE_CAPACITY = 1000

/** What a publisher learns when records of its were committed in a batch. */
export interface UsageBatchedEvent {
    publisher: string
    payee: string
    batchKey: string
    batchId: string | null
    recordCount: number
    units: string
    amount: string
}

type Sink = { publisher?: string; push: (e: UsageBatchedEvent | Error) => void; end: () => void }

/**
 * Tells subscribers when a publisher's records were batched. The batcher (whichever replica leads) sends
 * `NOTIFY squid_usage_batched, '<batchKey>'` in the transaction that marks the batch committed; every API replica
 * LISTENs, reads that batch's per-publisher sums once and hands them to its subscribers.
 */
export class UsageFeed {
    private readonly listener: NotifyListener
    private readonly sinks = new Set<Sink>()

    constructor(
        private readonly db: Pool,
        databaseUrl: string,
        log?: (message: string, fields?: Record<string, unknown>) => void,
    ) {
        this.listener = new NotifyListener({
            connection: { connectionString: databaseUrl, application_name: 'settlement-api-usage' },
            channel: USAGE_BATCHED_CHANNEL,
            onNotify: (payload) => {
                if (payload && this.sinks.size > 0) this.publish(payload).catch((e) => log?.('usage feed: cannot read a batch', { error: e?.message }))
            },
            log,
        })
    }

    start(): Promise<void> {
        return this.listener.start()
    }

    async stop(): Promise<void> {
        for (const s of [...this.sinks]) s.end()
        await this.listener.stop()
    }

    private async publish(batchKey: string): Promise<void> {
        const r = await this.db.query(
            `SELECT r.publisher, r.payee, count(*)::int AS n, sum(r.units)::text AS units,
                    b.batch_id
               FROM api.usage_records r JOIN api.usage_batches b ON b.batch_key = r.batch_key
              WHERE r.batch_key = $1 GROUP BY r.publisher, r.payee, b.batch_id`,
            [batchKey],
        )
        const amounts = await this.amounts(batchKey)
        for (const row of r.rows) {
            const e: UsageBatchedEvent = {
                publisher: row.publisher,
                payee: row.payee,
                batchKey,
                batchId: row.batch_id,
                recordCount: row.n,
                units: row.units,
                amount: (amounts.get(row.publisher) ?? 0n).toString(),
            }
            for (const s of this.sinks) if (!s.publisher || s.publisher === e.publisher) s.push(e)
        }
    }

    /** The publisher's amount by the pricing rule (floored once per price in force), as in the batch's leaves. */
    private async amounts(batchKey: string): Promise<Map<string, bigint>> {
        const r = await this.db.query(
            `SELECT publisher, price_per_thousand::text AS price, sum(units)::text AS units FROM api.usage_records
              WHERE batch_key = $1 GROUP BY publisher, payee, price_per_thousand`,
            [batchKey],
        )
        const out = new Map<string, bigint>()
        for (const x of r.rows) out.set(x.publisher, (out.get(x.publisher) ?? 0n) + (BigInt(x.units) * BigInt(x.price)) / 1000n)
        return out
    }

    /** An async iterator of the events of `publisher` (all publishers when undefined). */
    subscribe(publisher?: string): AsyncIterableIterator<UsageBatchedEvent | Error> {
        const queue: (UsageBatchedEvent | Error)[] = []
        let wake: (() => void) | undefined
        let done = false
        const sink: Sink = {
            publisher,
            end: () => void finish(),
            push: (e) => {
                if (queue.length >= QUEUE_CAPACITY) {
                    queue.length = 0
                    queue.push(new Error(`subscription dropped: the client did not keep up (${QUEUE_CAPACITY} events queued)`))
                    this.sinks.delete(sink)
                } else queue.push(e)
                wake?.()
            },
        }
        this.sinks.add(sink)
        const finish = () => {
            done = true
            this.sinks.delete(sink)
            wake?.()
            return Promise.resolve({ value: undefined, done: true as const })
        }
        const it: AsyncIterableIterator<UsageBatchedEvent | Error> = {
            next: async () => {
                while (!done && queue.length === 0) await new Promise<void>((res) => (wake = res))
                if (done) return { value: undefined, done: true }
                return { value: queue.shift()!, done: false }
            },
            return: finish,
            throw: finish,
            [Symbol.asyncIterator]: () => it,
        }
        return it
    }
}
