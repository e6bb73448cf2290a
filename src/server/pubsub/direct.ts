/**
 * Direct delivery of shared subscription results to graphql-ws sockets: the one place where results bypass
 * graphql-ws's per-message path.
 *
 * graphql-ws sends every result of an operation through a chain of its own per subscriber: it pulls the
 * operation's iterator, awaits `onNext` (masking), validates and JSON-stringifies `{id, type, payload}`, awaits the
 * socket write, then pulls again. With 10,000 members of one shared execution (pubsub/shared.ts, live/engine.ts)
 * that is 10,000 promise chains, maskings and serialisations of the same result per event, spread over many ticks.
 * Here a result is masked and serialised once (cached per result object), each member's message is that JSON
 * wrapped with its operation id — byte for byte what graphql-ws would send — and it is written to the socket in
 * the tick the group pushes it (`SubscriberQueue.push` calls the sink), so one event is one synchronous loop over
 * the members' sockets.
 *
 * graphql-ws still owns the operation: it holds the member's iterator (which then yields only the end of the
 * stream: a SLOW_CONSUMER or FEED_LOST error, sent and masked by graphql-ws as before, or done), counts it against
 * the per-connection cap and ends it on `complete` or close. Direct delivery starts when graphql-ws first pulls
 * the iterator — the operation is registered in its connection context by then — and what was pushed before is
 * written first, in order. A socket with `capacity` frames not yet handed to the kernel refuses the next one: the
 * member is dropped with SLOW_CONSUMER, the bound the queue gives when graphql-ws writes (it pulls the next value
 * only once the previous write completed).
 */
import type { ExecutionResult } from 'graphql'
import type { WebSocket } from 'ws'

/** The masked result as JSON (what graphql-ws' `onNext` would make of it), once per result object. */
export type EncodePayload = (result: ExecutionResult, requestId: string) => string

interface Encoded {
    json: string
    /** the last frame built, for its id: clients that number their operations alike share one buffer */
    id?: string
    frame?: Buffer
}

export class ResultFrames {
    private cache = new WeakMap<object, Encoded>()

    constructor(private encode: EncodePayload) {}

    /** `{"id":…,"type":"next","payload":…}` for this result and operation id */
    frame(result: ExecutionResult, id: string, requestId: string): Buffer {
        let e = this.cache.get(result)
        if (!e) this.cache.set(result, (e = { json: this.encode(result, requestId) }))
        if (e.id !== id || !e.frame) {
            e.id = id
            e.frame = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":${e.json}}`)
        }
        return e.frame
    }
}

/** Where a member's results go: its socket, its graphql-ws operation id. */
export interface DirectTarget {
    socket: WebSocket
    id: string
    requestId: string
}

/** The sink of one member (SubscriberQueue.attachSink): false when `capacity` frames are still unwritten. */
export function socketSink(frames: ResultFrames, target: DirectTarget, capacity: number): (result: ExecutionResult) => boolean {
    const { socket, id, requestId } = target
    let unwritten = 0
    const written = () => {
        unwritten--
    }
    return (result) => {
        // closing: graphql-ws ends the operation when the close event comes
        if (socket.readyState !== socket.OPEN) return true
        if (unwritten >= capacity) return false
        unwritten++
        socket.send(frames.frame(result, id, requestId), { binary: false }, written)
        return true
    }
}
