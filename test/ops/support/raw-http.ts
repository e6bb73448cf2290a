/** Raw HTTP requests (no automatic decompression, unlike fetch) for header/encoding tests. */
import * as http from 'http'

export interface RawResponse {
    status: number
    headers: http.IncomingHttpHeaders
    body: Buffer
}

export function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c) => chunks.push(c))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
            res.on('error', reject)
        })
        req.on('error', reject)
        if (opts.body !== undefined) req.write(opts.body)
        req.end()
    })
}

export function gqlRaw(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>): Promise<RawResponse> {
    return raw(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
    })
}
