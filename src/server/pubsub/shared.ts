/**
 * Shared execution of identical subscriptions. Clients that subscribe with the same document, operation
 * name and variables join one group: the operation is subscribed (and each event executed) once, and
 * the result objects are fanned out to every member. With 1,000 dashboards on `batchUpdated { ... }`
 * an event costs one graphql execution plus 1,000 socket writes instead of 1,000 executions.
 * Sharing is sound because subscription fields carry no per-caller data (they are not @Authorized and
 * read nothing from the caller).
 *
 * Each member has its own bounded queue (the socket pulls from it): a member that does not keep up is
 * dropped with a RATE_LIMITED / SLOW_CONSUMER error, without slowing the group. The group's source is
 * closed when its last member leaves.
 *
 * Over graphql-ws a member's results skip graphql-ws's per-message path: they are serialised once per result and
 * written to every member's socket in one loop (pubsub/direct.ts, `Member.deliverTo`).
 */
import { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLSchema, print, subscribe as graphqlSubscribe } from 'graphql'
import { apiError } from '../errors'
import { FeedLost, SlowConsumer, SubscriberQueue } from './queue'

type Source = AsyncIterableIterator<ExecutionResult> | ExecutionResult

/** Runs one push loop over a group's members (pubsub/fanout-writer.ts batches the socket writes it makes). */
export type FanOut = (loop: () => void) => void
/** the loop run as it is, its writes made by this thread */
export const inline: FanOut = (loop) => loop()

function isAsyncIterable(v: unknown): v is AsyncIterableIterator<ExecutionResult> {
    return v != null && typeof (v as any)[Symbol.asyncIterator] === 'function'
}

const printed = new WeakMap<DocumentNode, string>()
function keyOf(args: ExecutionArgs): string {
    let doc = printed.get(args.document)
    if (doc === undefined) printed.set(args.document, (doc = print(args.document)))
    return JSON.stringify([doc, args.operationName ?? null, args.variableValues ?? null])
}

/** A member's view: results of the group, then (if it fell behind or the change feed was lost) one error, then the end. */
export class Member implements AsyncIterableIterator<ExecutionResult> {
    readonly queue: SubscriberQueue<ExecutionResult>
    private sink: ((result: ExecutionResult) => boolean) | undefined

    constructor(capacity: number, onDetach: (m: Member) => void) {
        this.queue = new SubscriberQueue<ExecutionResult>(capacity, () => onDetach(this))
    }

    /**
     * Results go to `sink` (pubsub/direct.ts) from the first `next()` on, i.e. once graphql-ws iterates this
     * member; the iterator then yields only the end of the stream.
     */
    deliverTo(sink: (result: ExecutionResult) => boolean): void {
        this.sink = sink
    }

    async next(): Promise<IteratorResult<ExecutionResult>> {
        if (this.sink) {
            this.queue.attachSink(this.sink)
            this.sink = undefined
        }
        const r = await this.queue.next()
        if (r.done) return { value: undefined, done: true }
        if (r.value instanceof FeedLost) {
            const s = Math.round(r.value.downForMs / 1000)
            return { value: { errors: [apiError('UNAVAILABLE', `subscription ended: the change feed was lost (no database notifications for ${s} s); resubscribe`, { reason: 'FEED_LOST' })] }, done: false }
        }
        if (r.value instanceof SlowConsumer) {
            return {
                value: {
                    errors: [apiError('RATE_LIMITED', `subscription dropped: the client did not keep up (${r.value.capacity} events queued)`, { reason: 'SLOW_CONSUMER' })],
                },
                done: false,
            }
        }
        return { value: r.value, done: false }
    }

    async return(): Promise<IteratorResult<ExecutionResult>> {
        await this.queue.return()
        return { value: undefined, done: true }
    }

    async throw(err?: unknown): Promise<IteratorResult<ExecutionResult>> {
        await this.queue.return()
        throw err
    }

    [Symbol.asyncIterator](): this {
        return this
    }
}

class Group {
    readonly members = new Set<Member>()
    private source: AsyncIterableIterator<ExecutionResult> | undefined
    private closed = false

    constructor(
        readonly key: string,
        private ready: Promise<Source>,
        private capacity: number,
        private onClose: (g: Group) => void,
        private fanOut: FanOut,
    ) {}

    /** undefined when the group closed meanwhile (the caller starts a new one) */
    async join(): Promise<Source | undefined> {
        const src = await this.ready
        if (!isAsyncIterable(src)) {
            // an error result (bad argument, too many subscriptions...): everyone gets it, nobody stays
            this.close()
            return src
        }
        if (this.closed) return undefined
        const m = new Member(this.capacity, (member) => this.leave(member))
        this.members.add(m)
        if (!this.source) {
            this.source = src
            void this.pump(src)
        }
        return m
    }

    private async pump(src: AsyncIterableIterator<ExecutionResult>) {
        try {
            for await (const result of src) {
                this.fanOut(() => {
                    for (const m of [...this.members]) m.queue.push(result)
                })
                if (this.closed) break
            }
        } catch {
            // the source failed: end every member below
        }
        this.close()
        for (const m of [...this.members]) m.queue.end()
    }

    private leave(m: Member) {
        this.members.delete(m)
        if (this.members.size === 0) this.close()
    }

    close() {
        if (this.closed) return
        this.closed = true
        this.onClose(this)
        void this.source?.return?.()
    }
}

export class SharedSubscriptions {
    private groups = new Map<string, Group>()

    constructor(
        private schema: GraphQLSchema,
        private capacity: number,
        private fanOut: FanOut = inline,
    ) {}

    /** Drop-in for graphql `subscribe`. */
    subscribe = async (args: ExecutionArgs): Promise<Source> => {
        if (args.schema !== this.schema) return graphqlSubscribe(args) as Promise<Source>
        const key = keyOf(args)
        for (;;) {
            let g = this.groups.get(key)
            if (!g) {
                const ready = Promise.resolve(graphqlSubscribe(args) as Promise<Source>)
                g = new Group(
                    key,
                    ready,
                    this.capacity,
                    (closed) => {
                        if (this.groups.get(closed.key) === closed) this.groups.delete(closed.key)
                    },
                    this.fanOut,
                )
                this.groups.set(key, g)
            }
            const joined = await g.join()
            if (joined !== undefined) return joined
        }
    }

    /** number of distinct executions / members (metrics, tests) */
    get stats(): { groups: number; members: number } {
        let members = 0
        for (const g of this.groups.values()) members += g.members.size
        return { groups: this.groups.size, members }
    }

    close(): void {
        for (const g of [...this.groups.values()]) g.close()
    }
}
