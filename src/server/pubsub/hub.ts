/**
 * In-process fan-out. Subscribers register for a topic with an optional key (batch id, payee, payer,
 * validator, `pool:<address>`...); a published value goes to the topic's unkeyed subscribers plus those
 * registered under one of its keys, so a publish costs O(matching subscribers), not O(all subscribers).
 * A subscriber with several criteria registers under its most selective key and passes the rest as a
 * `filter` predicate, checked before its queue is offered the value.
 */
import { FeedLost, SubscriberQueue } from './queue'

export type Topic = 'indexerHead' | 'batchUpdated' | 'payoutClaimed' | 'escrowBalanceChanged' | 'mevDetected' | 'validatorScoreUpdated'
export const TOPICS: Topic[] = ['indexerHead', 'batchUpdated', 'payoutClaimed', 'escrowBalanceChanged', 'mevDetected', 'validatorScoreUpdated']

export type SubscriberFilter = (value: any) => boolean

interface TopicSubs {
    all: Set<SubscriberQueue<unknown>>
    byKey: Map<string, Set<SubscriberQueue<unknown>>>
    filters: Map<SubscriberQueue<unknown>, SubscriberFilter>
    count: number
}

export interface HubOptions {
    /** per-subscriber queue bound (values) */
    queueCapacity: number
    /** cap on simultaneous subscriptions in this process */
    maxSubscribers: number
}

export class TooManySubscribersError extends Error {}

export class Hub {
    private topics = new Map<Topic, TopicSubs>()
    private total = 0
    /** subscribers dropped for being slow, since start */
    droppedSlow = 0

    constructor(readonly options: HubOptions) {
        for (const t of TOPICS) this.topics.set(t, { all: new Set(), byKey: new Map(), filters: new Map(), count: 0 })
    }

    subscribe<T>(topic: Topic, key?: string | null, filter?: SubscriberFilter): SubscriberQueue<T> {
        if (this.total >= this.options.maxSubscribers) throw new TooManySubscribersError(`this server already serves ${this.total} subscriptions`)
        const subs = this.topics.get(topic)!
        const k = key == null ? undefined : key.toLowerCase()
        const q = new SubscriberQueue<T>(this.options.queueCapacity, (queue) => {
            const set = k === undefined ? subs.all : subs.byKey.get(k)
            if (set?.delete(queue as SubscriberQueue<unknown>)) {
                subs.count--
                this.total--
            }
            subs.filters.delete(queue as SubscriberQueue<unknown>)
            if (k !== undefined && set && set.size === 0) subs.byKey.delete(k)
            if (queue.overflowed) this.droppedSlow++
        })
        if (k === undefined) subs.all.add(q as SubscriberQueue<unknown>)
        else {
            let set = subs.byKey.get(k)
            if (!set) subs.byKey.set(k, (set = new Set()))
            set.add(q as SubscriberQueue<unknown>)
        }
        if (filter) subs.filters.set(q as SubscriberQueue<unknown>, filter)
        subs.count++
        this.total++
        return q
    }

    /** Number of subscribers of a topic (0 → the feed skips its query). */
    count(topic: Topic): number {
        return this.topics.get(topic)!.count
    }

    get subscriberCount(): number {
        return this.total
    }

    /**
     * Deliver `value` to the topic's unkeyed subscribers and to those keyed by `key` (or by any of `keys`;
     * a subscriber registered under one key, it gets the value at most once), skipping those whose filter
     * refuses it.
     */
    publish(topic: Topic, key: string | readonly string[] | undefined, value: unknown): number {
        const subs = this.topics.get(topic)!
        let n = 0
        const offer = (q: SubscriberQueue<unknown>) => {
            const f = subs.filters.get(q)
            if (f && !f(value)) return
            if (q.push(value)) n++
        }
        for (const q of [...subs.all]) offer(q)
        const keys = key === undefined ? [] : typeof key === 'string' ? [key] : [...new Set(key.map((k) => k.toLowerCase()))]
        for (const k of keys) {
            const set = subs.byKey.get(k.toLowerCase())
            if (set) for (const q of [...set]) offer(q)
        }
        return n
    }

    /** End every subscription with a FeedLost value (the change feed is gone: they would otherwise go silent). */
    failAll(marker: FeedLost): number {
        let n = 0
        for (const subs of this.topics.values()) {
            for (const q of [...subs.all]) (q.terminate(marker), n++)
            for (const set of [...subs.byKey.values()]) for (const q of [...set]) (q.terminate(marker), n++)
        }
        return n
    }

    /** End every subscription (server shutdown). */
    close(): void {
        for (const subs of this.topics.values()) {
            for (const q of [...subs.all]) q.end()
            for (const set of [...subs.byKey.values()]) for (const q of [...set]) q.end()
        }
    }
}
