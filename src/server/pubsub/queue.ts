/**
 * The per-subscriber end of the fan-out: a bounded FIFO that is also the AsyncIterator graphql-js pulls
 * from. graphql-ws pulls the next value only after the previous one was written to the socket, so a
 * client that reads slower than events arrive makes its queue grow; at `capacity` the subscriber is
 * detached, its backlog dropped, and it receives one final `SlowConsumer` value (the resolver turns it
 * into an error) before the iterator ends. Memory per subscriber is therefore bounded by `capacity`.
 *
 * With a sink attached (pubsub/direct.ts: the values are written straight to the subscriber's socket), values go
 * to the sink instead of the buffer and the iterator only yields the end: a SlowConsumer (the sink refused a value:
 * the socket still holds `capacity` values' worth of unwritten bytes) or FeedLost marker, or done.
 */
export class SlowConsumer {
    constructor(
        readonly capacity: number,
        readonly dropped: number,
    ) {}
}

/** The last value of every subscriber when the change feed was lost (LISTEN down too long): its stream ends. */
export class FeedLost {
    constructor(readonly downForMs: number) {}
}

export class SubscriberQueue<T> implements AsyncIterableIterator<T | SlowConsumer> {
    private buf: (T | SlowConsumer)[] = []
    private waiter: ((r: IteratorResult<T | SlowConsumer>) => void) | undefined
    private state: 'open' | 'overflowed' | 'closed' = 'open'
    private detached = false
    /** direct delivery: false = the consumer is too slow (see attachSink) */
    private sink: ((value: T) => boolean) | undefined
    delivered = 0

    constructor(
        readonly capacity: number,
        private onDetach: (q: SubscriberQueue<T>) => void,
    ) {}

    get closed(): boolean {
        return this.state !== 'open'
    }

    get overflowed(): boolean {
        return this.state === 'overflowed'
    }

    get length(): number {
        return this.buf.length
    }

    /** Offer a value; false if the subscriber is gone or was just dropped. */
    push(value: T): boolean {
        if (this.state !== 'open') return false
        if (this.sink) {
            if (this.sink(value)) {
                this.delivered++
                return true
            }
            this.overflow(this.capacity + 1)
            return false
        }
        if (this.waiter) {
            const w = this.waiter
            this.waiter = undefined
            this.delivered++
            w({ value, done: false })
            return true
        }
        if (this.buf.length >= this.capacity) {
            this.overflow(this.buf.length + 1)
            return false
        }
        this.buf.push(value)
        return true
    }

    /**
     * From now on, hand values to `sink` as they are pushed (what is buffered first, in order); the iterator then
     * yields only the end of the stream. Not attached (false) when the stream already ended: the buffer holds its end.
     */
    attachSink(sink: (value: T) => boolean): boolean {
        if (this.state !== 'open') return false
        const queued = this.buf
        this.buf = []
        this.sink = sink
        for (const v of queued) if (!this.push(v as T)) break
        return true
    }

    private overflow(dropped: number): void {
        this.state = 'overflowed'
        this.buf = [new SlowConsumer(this.capacity, dropped)]
        this.detach()
        // with a sink, the consumer may be waiting for the end already
        if (this.waiter) {
            const w = this.waiter
            this.waiter = undefined
            this.delivered++
            w({ value: this.buf.shift()!, done: false })
        }
    }

    /** End the stream (server shutdown); pending values are still delivered. */
    end(): void {
        if (this.state === 'open') this.state = 'closed'
        this.detach()
        if (this.waiter && this.buf.length === 0) {
            const w = this.waiter
            this.waiter = undefined
            w({ value: undefined, done: true })
        }
    }

    /** End the stream with `marker` as its last value, after what is already queued (the resolver turns it into an error). */
    terminate(marker: FeedLost): void {
        if (this.state !== 'open') return
        this.state = 'closed'
        this.detach()
        if (this.waiter) {
            const w = this.waiter
            this.waiter = undefined
            this.delivered++
            w({ value: marker as unknown as T, done: false })
        } else this.buf.push(marker as unknown as T)
    }

    next(): Promise<IteratorResult<T | SlowConsumer>> {
        if (this.buf.length > 0) {
            const value = this.buf.shift()!
            this.delivered++
            return Promise.resolve({ value, done: false })
        }
        if (this.state !== 'open') return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => {
            this.waiter = resolve
        })
    }

    return(): Promise<IteratorResult<T | SlowConsumer>> {
        this.state = 'closed'
        this.buf = []
        this.detach()
        if (this.waiter) {
            const w = this.waiter
            this.waiter = undefined
            w({ value: undefined, done: true })
        }
        return Promise.resolve({ value: undefined, done: true })
    }

    throw(err?: unknown): Promise<IteratorResult<T | SlowConsumer>> {
        void this.return()
        return Promise.reject(err)
    }

    [Symbol.asyncIterator](): this {
        return this
    }

    private detach() {
        if (this.detached) return
        this.detached = true
        this.onDetach(this)
    }
}
