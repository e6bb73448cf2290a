/**
 * Closed-loop HTTP load: `concurrency` clients, each sending its next request as soon as the previous answer
 * arrived, over keep-alive connections (one socket per client), for a fixed duration (bounded by a request
 * cap). Latency = request written → full body received. A response counts as an error when it is not HTTP 200
 * or its JSON has `errors`.
 */
import * as http from 'http'
import { distribution, Distribution, round } from './common'

export interface LoadRequest {
    /** label for per-kind figures */
    kind: string
    body: string
    headers?: Record<string, string>
}

export interface LoadResult {
    concurrency: number
    durationMs: number
    requests: number
    errors: number
    rps: number
    latencyMs: Distribution
    perKind: Record<string, { requests: number; errors: number; latencyMs: Distribution }>
    errorSamples: string[]
}

export async function closedLoop(
    url: string,
    opts: { concurrency: number; durationMs: number; maxRequests?: number; next: (client: number, i: number) => LoadRequest; timeoutMs?: number },
): Promise<LoadResult> {
    const u = new URL(url)
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency })
    const latencies: number[] = []
    const byKind = new Map<string, { lat: number[]; errors: number }>()
    const errorSamples: string[] = []
    let errors = 0
    let issued = 0
    const maxRequests = opts.maxRequests ?? 5_000_000
    const start = Date.now()
    const end = start + opts.durationMs

    const one = (req: LoadRequest) =>
        new Promise<{ ok: boolean; ms: number; detail?: string }>((resolve) => {
            const t = process.hrtime.bigint()
            const r = http.request(
                {
                    host: u.hostname,
                    port: u.port,
                    path: u.pathname,
                    method: 'POST',
                    agent,
                    headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(req.body), ...req.headers },
                    timeout: opts.timeoutMs ?? 30_000,
                },
                (res) => {
                    const chunks: Buffer[] = []
                    res.on('data', (c) => chunks.push(c))
                    res.on('end', () => {
                        const elapsed = Number(process.hrtime.bigint() - t) / 1e6
                        const text = Buffer.concat(chunks).toString('utf8')
                        let ok = res.statusCode === 200
                        if (ok) {
                            // cheap check first: only parse when the body mentions errors
                            if (text.includes('"errors"')) ok = !(JSON.parse(text).errors?.length > 0)
                        }
                        resolve({ ok, ms: elapsed, detail: ok ? undefined : `HTTP ${res.statusCode}: ${text.slice(0, 300)}` })
                    })
                    res.on('error', (e) => resolve({ ok: false, ms: Number(process.hrtime.bigint() - t) / 1e6, detail: e.message }))
                },
            )
            r.on('timeout', () => r.destroy(new Error('timeout')))
            r.on('error', (e) => resolve({ ok: false, ms: Number(process.hrtime.bigint() - t) / 1e6, detail: e.message }))
            r.end(req.body)
        })

    const client = async (c: number) => {
        let i = 0
        while (Date.now() < end && issued < maxRequests) {
            issued++
            const req = opts.next(c, i++)
            const res = await one(req)
            latencies.push(res.ms)
            let k = byKind.get(req.kind)
            if (!k) byKind.set(req.kind, (k = { lat: [], errors: 0 }))
            k.lat.push(res.ms)
            if (!res.ok) {
                errors++
                k.errors++
                if (errorSamples.length < 5) errorSamples.push(`${req.kind}: ${res.detail}`)
            }
        }
    }
    await Promise.all(Array.from({ length: opts.concurrency }, (_, c) => client(c)))
    const durationMs = Date.now() - start
    agent.destroy()
    return {
        concurrency: opts.concurrency,
        durationMs,
        requests: latencies.length,
        errors,
        rps: round(latencies.length / (durationMs / 1000)),
        latencyMs: distribution(latencies),
        perKind: Object.fromEntries([...byKind].map(([k, v]) => [k, { requests: v.lat.length, errors: v.errors, latencyMs: distribution(v.lat) }])),
        errorSamples,
    }
}

/** One GraphQL POST, parsed; throws on HTTP or GraphQL errors. */
export async function gqlPost<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}, timeoutMs = 120_000): Promise<T> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    let json: any
    try {
        json = JSON.parse(text)
    } catch {
        throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`)
    }
    if (json.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(json.errors).slice(0, 600)}`)
    return json.data as T
}
