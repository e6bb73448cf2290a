/**
 * JSON-RPC over HTTP with failover across an ordered list of endpoints (RPC_URL="url1,url2,..."), shared by the
 * processor (through src/indexer/rpc-failover.ts) and the mutation signer (src/server/chain/failover-provider.ts).
 *
 * - Each request goes to the most preferred endpoint that is not resting; if that attempt fails, to the next one,
 *   and so on. An attempt fails on a transport problem only: connection error, no answer within RPC_TIMEOUT_MS,
 *   an HTTP status other than 2xx, or a body that is not JSON. A JSON-RPC error object (a revert, "nonce too low")
 *   is the node's answer and is returned as is: another node would say the same.
 * - A failed endpoint rests for RPC_RECHECK_MS; after that the next request tries it again in its place in the
 *   order, so traffic comes back to the first endpoint as soon as it answers again.
 * - When every endpoint fails, resting ones included, the request fails with the last error (the caller retries:
 *   squid with its backoff, the signer's queue by answering CHAIN_UNAVAILABLE).
 */
import type { RpcFailoverSettings } from '../config'

export interface RpcAnswer {
    /** the response body, parsed */
    json: unknown
    /** the response body as received */
    text: string
    /** index of the endpoint that answered */
    endpoint: number
    /** attempts on other endpoints that failed first (a request that timed out may still have been delivered) */
    failedAttempts: number
}

export class RpcUnavailableError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'RpcUnavailableError'
    }
}

export type FailoverEvent = { kind: 'failed'; endpoint: number; url: string; reason: string } | { kind: 'recovered'; endpoint: number; url: string }

interface EndpointState {
    url: string
    /** resting until this time (ms since epoch); 0 = healthy */
    restUntil: number
    failures: number
    served: number
}

/** Hide credentials and API-key paths in log lines: scheme, host and port only. */
export function redactRpcUrl(u: string): string {
    try {
        const x = new URL(u)
        return `${x.protocol}//${x.host}${x.pathname.length > 1 ? '/…' : ''}`
    } catch {
        return '<invalid url>'
    }
}

export class FailoverRpc {
    private readonly endpoints: EndpointState[]

    constructor(
        urls: string[],
        private readonly settings: RpcFailoverSettings,
        private readonly onEvent: (e: FailoverEvent) => void = () => {},
        private readonly now: () => number = Date.now,
    ) {
        if (urls.length === 0) throw new Error('FailoverRpc: no endpoints')
        this.endpoints = urls.map((url) => ({ url, restUntil: 0, failures: 0, served: 0 }))
    }

    get urls(): string[] {
        return this.endpoints.map((e) => e.url)
    }

    /** Per endpoint: requests answered, attempts failed, resting now. */
    stats(): { url: string; served: number; failures: number; resting: boolean }[] {
        const t = this.now()
        return this.endpoints.map((e) => ({ url: redactRpcUrl(e.url), served: e.served, failures: e.failures, resting: e.restUntil > t }))
    }

    /** The order this request tries the endpoints in: healthy ones by preference, then resting ones (last resort). */
    private order(): number[] {
        const t = this.now()
        const idx = this.endpoints.map((_, i) => i)
        return [...idx.filter((i) => this.endpoints[i].restUntil <= t), ...idx.filter((i) => this.endpoints[i].restUntil > t)]
    }

    /** POST `body` (a JSON-RPC request or batch, serialized) with failover. */
    async post(body: string): Promise<RpcAnswer> {
        let lastError = ''
        let failedAttempts = 0
        for (const i of this.order()) {
            const ep = this.endpoints[i]
            try {
                const text = await this.attempt(ep.url, body)
                const json = JSON.parse(text)
                if (ep.failures > 0 && ep.restUntil !== 0) this.onEvent({ kind: 'recovered', endpoint: i, url: redactRpcUrl(ep.url) })
                ep.restUntil = 0
                ep.served++
                return { json, text, endpoint: i, failedAttempts }
            } catch (e: any) {
                lastError = e instanceof SyntaxError ? 'the answer is not JSON' : String(e?.message ?? e)
                ep.failures++
                failedAttempts++
                const wasHealthy = ep.restUntil === 0
                ep.restUntil = this.now() + this.settings.recheckMs
                if (wasHealthy) this.onEvent({ kind: 'failed', endpoint: i, url: redactRpcUrl(ep.url), reason: lastError })
            }
        }
        throw new RpcUnavailableError(`every RPC endpoint failed (${this.endpoints.length}); last: ${lastError}`)
    }

    private async attempt(url: string, body: string): Promise<string> {
        let res: Response
        try {
            res = await fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body,
                signal: AbortSignal.timeout(this.settings.timeoutMs),
            })
        } catch (e: any) {
            if (e?.name === 'TimeoutError') throw new Error(`no answer within ${this.settings.timeoutMs} ms`)
            throw new Error(String(e?.cause?.code ?? e?.cause?.message ?? e?.message ?? e))
        }
        const text = await res.text().catch((e) => {
            throw new Error(`the answer was cut off (${e?.name === 'TimeoutError' ? 'timeout' : (e?.message ?? e)})`)
        })
        if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}`)
        return text
    }
}
