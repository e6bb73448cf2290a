import type { IncomingMessage } from 'http'

export class BodyTooLargeError extends Error {
    constructor(readonly limit: number) {
        super(`request body exceeds ${limit} bytes`)
        this.name = 'BodyTooLargeError'
    }
}

export class BodyReadError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'BodyReadError'
    }
}

/**
 * Read a request body as UTF-8, refusing more than `limit` bytes: a Content-Length above the limit fails
 * before reading anything, a chunked body as soon as it crosses the limit (the rest is drained, not kept).
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
        const declared = Number(req.headers['content-length'])
        if (Number.isFinite(declared) && declared > limit) {
            req.resume()
            reject(new BodyTooLargeError(limit))
            return
        }
        const chunks: Buffer[] = []
        let size = 0
        let done = false
        const timer = setTimeout(() => finish(new BodyReadError('request body not received in time')), timeoutMs)
        const finish = (err?: Error, body?: string) => {
            if (done) return
            done = true
            clearTimeout(timer)
            req.removeListener('data', onData)
            if (err) {
                // keep draining so the client can read our response
                req.resume()
                reject(err)
            } else resolve(body!)
        }
        const onData = (chunk: Buffer) => {
            size += chunk.length
            if (size > limit) return finish(new BodyTooLargeError(limit))
            chunks.push(chunk)
        }
        req.on('data', onData)
        req.on('end', () => finish(undefined, Buffer.concat(chunks).toString('utf8')))
        req.on('error', (e) => finish(new BodyReadError(`request body: ${e.message}`)))
        req.on('aborted', () => finish(new BodyReadError('request aborted')))
    })
}
