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
 * the members' sockets; in a large loop the writes themselves go to writer threads (pubsub/fanout-writer.ts).
 *
 * graphql-ws still owns the operation: it holds the member's iterator (which then yields only the end of the
 * stream: a SLOW_CONSUMER or FEED_LOST error, sent and masked by graphql-ws as before, or done), counts it against
 * the per-connection cap and ends it on `complete` or close. Direct delivery starts when graphql-ws first pulls
 * the iterator — the operation is registered in its connection context by then — and what was pushed before is
 * written first, in order. A socket still holding `capacity` frames' worth of bytes not yet handed to the kernel
 * refuses the next one: the member is dropped with SLOW_CONSUMER, the bound the queue gives when graphql-ws writes
 * (it pulls the next value only once the previous write completed).
 */
import type { ExecutionResult } from 'graphql'
import type { WebSocket } from 'ws'
import type { FanOutWriter } from './fanout-writer'

/** The masked result as JSON (what graphql-ws' `onNext` would make of it) and its error codes, once per result object. */
export type EncodePayload = (result: ExecutionResult, requestId: string) => { json: string; codes: (string | undefined)[] }

interface Encoded {
    json: string
    codes: (string | undefined)[]
    /** the last frame built, for its id: clients that number their operations alike share one buffer */
    id?: string
    frame?: Buffer
}

/**
 * A complete WebSocket text message (RFC 6455 §5.2: FIN, opcode 1, unmasked as a server sends, payload length),
 * so that a member's send is a single socket write of a shared buffer.
 */
export function textFrame(text: string): Buffer {
    const n = Buffer.byteLength(text)
    const head = n < 126 ? 2 : n < 65_536 ? 4 : 10
    const f = Buffer.allocUnsafe(head + n)
    f[0] = 0x81
    if (n < 126) f[1] = n
    else if (n < 65_536) {
        f[1] = 126
        f.writeUInt16BE(n, 2)
    } else {
        f[1] = 127
        f.writeUInt32BE(Math.floor(n / 2 ** 32), 2)
        f.writeUInt32BE(n >>> 0, 6)
    }
    f.write(text, head)
    return f
}

export class ResultFrames {
    private cache = new WeakMap<object, Encoded>()

    constructor(
        private encode: EncodePayload,
        /** error codes of each message sent (counted per member, as graphql-ws' `onNext` did) */
        private countErrors?: (codes: (string | undefined)[]) => void,
    ) {}

    /** the framed message `{"id":…,"type":"next","payload":…}` for this result and operation id */
    frame(result: ExecutionResult, id: string, requestId: string): Buffer {
        let e = this.cache.get(result)
        if (!e) this.cache.set(result, (e = this.encode(result, requestId)))
        if (e.codes.length) this.countErrors?.(e.codes)
        if (e.id !== id || !e.frame) {
            e.id = id
            e.frame = textFrame(`{"id":${JSON.stringify(id)},"type":"next","payload":${e.json}}`)
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

/**
 * The sink of one member (SubscriberQueue.attachSink). The frame goes to the TCP socket under the WebSocket:
 * what `ws` itself does for a text message when no extension is negotiated (the server enables none; with one,
 * `ws.send` frames it) and nothing is queued in its sender (which happens only while compressing or reading a
 * Blob: this server sends neither). False when the socket still holds `capacity` frames' worth of unwritten bytes.
 */
export function socketSink(frames: ResultFrames, target: DirectTarget, capacity: number, writer?: FanOutWriter): (result: ExecutionResult) => boolean {
    const { socket, id, requestId } = target
    const tcp = (socket as unknown as { _socket?: import('net').Socket })._socket
    const raw = socket.extensions === '' && typeof tcp?.write === 'function'
    return (result) => {
        // closing: graphql-ws ends the operation when the close event comes
        if (socket.readyState !== socket.OPEN) return true
        const frame = frames.frame(result, id, requestId)
        if (socket.bufferedAmount >= capacity * frame.length) return false
        if (raw) {
            // the writer batches it with the other members' frames of this loop (pubsub/fanout-writer.ts)
            if (writer) writer.write(tcp!, frame)
            else tcp!.write(frame)
        } else socket.send(frame.subarray(frame[1] === 127 ? 10 : frame[1] === 126 ? 4 : 2), { binary: false })
        return true
    }
}
