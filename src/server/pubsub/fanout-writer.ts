/**
 * The socket writes of one fan-out loop, done by writer threads (GQL_FANOUT_THREADS, default 2; 0: off).
 *
 * Profiled at 10,000 sockets, 95 % of an event's server time is the `write` of the shared frame, and a net.Socket
 * write also pays Node's stream machinery (Writable state, a write request, an after-write tick) per socket. Inside a
 * `fanOut(loop)` scope the sinks (pubsub/direct.ts) hand their frames here instead; every `chunk` sockets the loop
 * reaches go to the next writer thread, which `write(2)`s the frames to the sockets' file descriptors while the loop
 * goes on; at its end this thread writes the rest itself and waits for the writers (Atomics.wait). So the writes run
 * in parallel on several cores and skip the stream machinery. The thread that owns the sockets runs only the rest of
 * the loop meanwhile (whose writes come here too) and returns to its event loop only when the writers are done, so no
 * socket is closed (no descriptor reused) and nothing else is written to one while a writer holds it.
 *
 * Only a socket with nothing queued in Node (writableLength 0: every earlier byte is in the kernel) is written this
 * way, so the bytes keep their order. A frame the kernel did not take whole (a full socket buffer: short write,
 * EAGAIN) or at all (an error), and every later frame of that socket in the batch, goes through `socket.write`
 * afterwards, in order: Node queues it, reports the error, or drops the slow consumer as before. Loops of fewer than
 * `chunk` sockets, sockets without a descriptor (TLS, Windows) and writes outside a scope use `socket.write`
 * directly; so does a frame that comes after its socket was handed over (written once the writers are done).
 */
import type { Socket } from 'net'
import { Worker } from 'worker_threads'

/** the writer thread: for each entry [fd, offset, length] write the frame; result = bytes written or −errno */
const WORKER_SOURCE = `
const { parentPort } = require('worker_threads')
const fs = require('fs')
parentPort.on('message', ({ frames, entries, results, control, from, to }) => {
    const bytes = Buffer.from(frames)
    let stoppedFd = -1
    for (let i = from; i < to; i++) {
        // given up by the owner thread (control[1]): it writes what is left
        if (Atomics.load(control, 1) !== 0) break
        const fd = entries[3 * i], off = entries[3 * i + 1], len = entries[3 * i + 2]
        // after a short or failed write, this socket's later frames are left to the owner thread (order)
        if (fd === stoppedFd) continue
        let r
        try {
            r = fs.writeSync(fd, bytes, off, len)
        } catch (e) {
            r = typeof e.errno === 'number' && e.errno < 0 ? e.errno : -1
        }
        results[i] = r
        if (r !== len) stoppedFd = fd
    }
    Atomics.add(control, 0, 1)
    Atomics.notify(control, 0)
})
`

/** results[i] before a writer reported on entry i */
const NOT_WRITTEN = -0x7fffffff

/** A batch of sockets handed to one writer thread. */
interface Chunk {
    results: Int32Array
}

interface Pending {
    socket: Socket
    /** frames handed to a writer (from entry `first` of `chunk`), or to be */
    frames: Buffer[]
    chunk?: Chunk
    first: number
    /** frames that came after the socket's chunk was handed over: written by this thread once the writers are done */
    late: Buffer[]
}

interface Batch {
    sockets: Map<Socket, Pending>
    /** sockets not handed to a writer yet, in order */
    waiting: Pending[]
    chunks: { chunk: Chunk; sockets: Pending[] }[]
    /** [chunks done, given up] */
    control: Int32Array
}

export interface FanOutWriterOptions {
    /** writer threads (0: every write through socket.write) */
    threads: number
    /** sockets handed to a writer at once; a loop with fewer sockets is written by this thread (default 256) */
    chunk?: number
    /** a writer thread that has not answered in this long (default 1 s) is given up (its frames go through socket.write) */
    timeoutMs?: number
    log?: (msg: string, fields?: Record<string, unknown>) => void
}

export class FanOutWriter {
    private workers: Worker[] = []
    private batch: Batch | undefined
    private depth = 0
    private next = 0
    /** loops written by the threads / sockets written by them / frames left to socket.write after a short write or error */
    readonly stats = { batches: 0, sockets: 0, fallbacks: 0 }

    constructor(private options: FanOutWriterOptions) {
        for (let k = 0; k < Math.min(options.threads, 16); k++) {
            const w = new Worker(WORKER_SOURCE, { eval: true })
            w.unref()
            w.on('error', (e) => options.log?.('fan-out writer thread failed; writing on the main thread from now on', { error: e.message }))
            // a writer gone (error, terminate): no more batches to the threads
            w.on('exit', () => this.close())
            this.workers.push(w)
        }
    }

    /**
     * Run `loop`; the frames its sinks write (through `write`) go to the writer threads in chunks as the loop goes,
     * and this thread waits for them before returning.
     */
    fanOut(loop: () => void): void {
        if (this.workers.length === 0) return loop()
        if (this.depth++ === 0) this.batch = { sockets: new Map(), waiting: [], chunks: [], control: new Int32Array(new SharedArrayBuffer(8)) }
        try {
            loop()
        } finally {
            if (--this.depth === 0) {
                const batch = this.batch!
                this.batch = undefined
                this.finish(batch)
            }
        }
    }

    /** A whole frame for this socket: into the open batch, else written now. */
    write(socket: Socket, frame: Buffer): void {
        const batch = this.batch
        if (!batch) {
            socket.write(frame)
            return
        }
        const pending = batch.sockets.get(socket)
        if (pending) (pending.chunk ? pending.late : pending.frames).push(frame)
        else {
            const p: Pending = { socket, frames: [frame], first: 0, late: [] }
            batch.sockets.set(socket, p)
            batch.waiting.push(p)
            if (batch.waiting.length >= (this.options.chunk ?? 256)) this.dispatch(batch)
        }
    }

    close(): void {
        for (const w of this.workers) void w.terminate()
        this.workers = []
    }

    /** Hand the waiting sockets that may be written past Node to the next writer; the others are written here, now. */
    private dispatch(batch: Batch): void {
        const sockets: Pending[] = []
        const fds: number[] = []
        for (const p of batch.waiting) {
            const fd = descriptor(p.socket)
            if (fd < 0) {
                for (const f of p.frames) p.socket.write(f)
                p.frames = []
                continue
            }
            sockets.push(p)
            fds.push(fd)
        }
        batch.waiting = []
        if (sockets.length === 0 || this.workers.length === 0) {
            for (const p of sockets) for (const f of p.frames) p.socket.write(f)
            return
        }
        // the distinct frames once in shared memory (members of one execution share a frame), entries [fd, offset, length]
        const offsets = new Map<Buffer, number>()
        let size = 0
        let count = 0
        for (const p of sockets)
            for (const f of p.frames) {
                count++
                if (!offsets.has(f)) (offsets.set(f, size), (size += f.length))
            }
        const frames = new SharedArrayBuffer(size)
        const bytes = Buffer.from(frames)
        for (const [f, off] of offsets) f.copy(bytes, off)
        const entries = new Int32Array(new SharedArrayBuffer(12 * count))
        const chunk: Chunk = { results: new Int32Array(new SharedArrayBuffer(4 * count)).fill(NOT_WRITTEN) }
        let i = 0
        sockets.forEach((p, s) => {
            p.chunk = chunk
            p.first = i
            for (const f of p.frames) {
                entries[3 * i] = fds[s]
                entries[3 * i + 1] = offsets.get(f)!
                entries[3 * i + 2] = f.length
                i++
            }
        })
        batch.chunks.push({ chunk, sockets })
        const w = this.workers[this.next++ % this.workers.length]
        w.postMessage({ frames, entries, results: chunk.results, control: batch.control, from: 0, to: count })
    }

    private wait(batch: Batch): void {
        if (!waitFor(batch.chunks.length, batch.control, this.options.timeoutMs ?? 1_000, this.options.log)) this.close()
    }

    private finish(batch: Batch): void {
        if (batch.chunks.length === 0) {
            // a small loop: not worth the threads
            for (const p of batch.waiting) for (const f of p.frames) p.socket.write(f)
            return
        }
        // the rest is written here while the writers work (no writer holds these sockets)
        for (const p of batch.waiting) for (const f of p.frames) p.socket.write(f)
        this.wait(batch)
        this.stats.batches++
        for (const { chunk, sockets } of batch.chunks) {
            for (const p of sockets) {
                let fallBack = false
                p.frames.forEach((f, k) => {
                    const r = chunk.results[p.first + k]
                    if (!fallBack && r === f.length) return
                    // short write: the rest; failed or not reached: the whole frame; and every later frame of this socket
                    if (!fallBack) this.stats.fallbacks++
                    fallBack = true
                    p.socket.write(r > 0 && r < f.length ? f.subarray(r) : f)
                })
                for (const f of p.late) p.socket.write(f)
                if (!fallBack) this.stats.sockets++
            }
        }
    }
}

/**
 * Wait for every chunk handed out. A writer that has not answered by the timeout is told to stop (it checks before
 * each write) and waited for once more, so that no writer still holds a descriptor this thread may close and the
 * kernel reuse for another client; the threaded path is then given up.
 */
function waitFor(chunks: number, control: Int32Array, timeoutMs: number, log?: FanOutWriterOptions['log']): boolean {
    let deadline = performance.now() + timeoutMs
    let cancelled = false
    for (let done = 0; (done = Atomics.load(control, 0)) < chunks; ) {
        const left = deadline - performance.now()
        if (left > 0) {
            Atomics.wait(control, 0, done, left)
            continue
        }
        if (cancelled) {
            log?.('fan-out writer threads did not stop', { answered: done, of: chunks })
            break
        }
        cancelled = true
        Atomics.store(control, 1, 1)
        deadline = performance.now() + timeoutMs
        log?.('fan-out writer threads did not answer; writing on the main thread from now on', { answered: done, of: chunks })
    }
    return !cancelled
}

/** The socket's file descriptor when its bytes may be written past Node (nothing queued, plain TCP), else −1. */
function descriptor(socket: Socket): number {
    const s = socket as Socket & { _handle?: { fd?: number }; encrypted?: boolean }
    if (s.encrypted || s.destroyed || s.writableLength !== 0 || !s.writable) return -1
    const fd = s._handle?.fd
    return typeof fd === 'number' && fd >= 0 ? fd : -1
}
