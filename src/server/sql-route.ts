/** POST /sql (read-only SQL, sql/endpoint.ts) behind the same key check, rate limit and body cap as /graphql. */
import type { IncomingMessage, ServerResponse } from 'http'
import { Authenticator, authFailureHeaders } from './auth/authenticator'
import { sendBody } from './compression'
import type { HttpDeps } from './http-deps'
import { clientIp, retryAfterHeader, sendJson } from './http-respond'
import { BodyReadError, BodyTooLargeError, readBody } from './limits/body'
import { SqlError } from './sql/endpoint'

export type SqlRoute = (req: IncomingMessage, res: ServerResponse) => Promise<unknown>

export function sqlRoute(deps: HttpDeps, authenticator: Authenticator): SqlRoute {
    return async (req, res) => {
        const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
            sendJson(res, status, { error: { code, message } }, headers)
        if (req.method !== 'POST') return fail(405, 'BAD_USER_INPUT', 'use POST with a JSON body { "sql": "...", "params": [...] }', { allow: 'POST' })
        const auth = await authenticator.authenticate(req.headers.authorization, clientIp(req))
        if ('error' in auth) return fail(auth.status, String(auth.error.extensions?.code), auth.error.message, authFailureHeaders(auth))
        const caller = auth.caller
        if (!caller && !deps.sql?.allowAnonymous) return fail(401, 'UNAUTHENTICATED', '/sql needs an API key (any role): send "Authorization: Bearer <key>"')
        const limited = deps.limiter.take(caller ? `key:${caller.keyId}` : `ip:${clientIp(req)}`, !caller)
        if (!limited.ok) return fail(429, 'RATE_LIMITED', 'rate limit exceeded; retry later', retryAfterHeader(limited.retryAfterMs))
        if (!deps.sql?.endpoint) return fail(503, 'INTERNAL', `SQL access is disabled${deps.sql?.unavailableReason ? `: ${deps.sql.unavailableReason}` : ''}`)
        let text: string
        try {
            text = await readBody(req, deps.limits.maxBodyBytes)
        } catch (e) {
            if (e instanceof BodyTooLargeError) return fail(413, 'BAD_USER_INPUT', e.message, { connection: 'close' })
            if (e instanceof BodyReadError) return fail(400, 'BAD_USER_INPUT', e.message, { connection: 'close' })
            throw e
        }
        let parsed: unknown
        try {
            parsed = JSON.parse(text)
        } catch {
            return fail(400, 'BAD_USER_INPUT', 'the body is not valid JSON')
        }
        try {
            const started = performance.now()
            const json = await deps.sql.endpoint.run(parsed)
            deps.metrics?.observe('http', 'sql', 'sql', (performance.now() - started) / 1000)
            await sendBody(req, res, 200, { 'content-type': 'application/json; charset=utf-8' }, json)
        } catch (e) {
            if (e instanceof SqlError) return fail(e.status, e.code, e.message)
            throw e
        }
    }
}
