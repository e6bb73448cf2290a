/** Small pieces every HTTP route uses: the caller's address, request ids, JSON answers and their error shapes. */
import { randomUUID } from 'crypto'
import type { IncomingMessage, ServerResponse } from 'http'
import type { AuthResult } from './auth/authenticator'
import { sendBody } from './compression'
import type { ApiMetrics } from './metrics'

export function clientIp(req: IncomingMessage): string {
    return req.socket.remoteAddress ?? 'unknown'
}

export function newRequestId(): string {
    return randomUUID()
}

/** the metrics of the server a response belongs to (error counts of sendJson) */
const metricsOfResponse = new WeakMap<ServerResponse, ApiMetrics>()

/** Error answers sent with sendJson on `res` count in `metrics`. */
export function countErrorsIn(res: ServerResponse, metrics: ApiMetrics) {
    metricsOfResponse.set(res, metrics)
}

export function sendJson(res: ServerResponse, status: number, body: any, headers: Record<string, string> = {}) {
    if (res.headersSent) return res.end()
    const metrics = metricsOfResponse.get(res)
    if (metrics && status >= 400) {
        for (const e of body?.errors ?? [body?.error]) metrics.error(e?.extensions?.code ?? e?.code)
    }
    const text = JSON.stringify(body)
    void sendBody(res.req, res, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, text).catch(() => res.destroy())
}

export function gqlError(code: string, message: string, extra: Record<string, unknown> = {}) {
    return { message, extensions: { code, ...extra } }
}

/** The JSON error of a refused authentication (401 UNAUTHENTICATED or 429 RATE_LIMITED). */
export function authFailure(auth: Extract<AuthResult, { error: unknown }>) {
    const { code, ...extra } = auth.error.extensions ?? {}
    return gqlError(String(code), auth.error.message, extra)
}

/** `retry-after` in whole seconds, at least 1, for a rate-limit refusal that frees a token in `ms` */
export function retryAfterHeader(ms: number): { 'retry-after': string } {
    return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) }
}
