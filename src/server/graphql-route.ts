/**
 * POST|GET /graphql, per request before any GraphQL work: the GraphiQL page for a browser, the caller from
 * `Authorization` (invalid key → 401 UNAUTHENTICATED), a rate-limit token (→ 429 RATE_LIMITED), the body with a
 * size cap (→ 413), a result-cache lookup; then the graphql-http handler (graphql-http-handler.ts), whose
 * serialized answer is size-capped (→ QUERY_TOO_COMPLEX).
 */
import type { IncomingMessage, ServerResponse } from 'http'
import type { Authenticator } from './auth/authenticator'
import { authFailureHeaders } from './auth/authenticator'
import { addVary, sendBody } from './compression'
import type { Caller } from './context'
import type { DocumentCache } from './document-cache'
import { consolePage } from './graphiql-console'
import { acceptedMediaType, codeRequestErrors, createGraphqlHttpHandler, RequestContext } from './graphql-http-handler'
import type { HttpDeps } from './http-deps'
import { authFailure, clientIp, gqlError, retryAfterHeader, sendJson } from './http-respond'
import { BodyReadError, BodyTooLargeError, readBody } from './limits/body'
import { ResultCache } from './result-cache'

export type GraphqlRoute = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>

/** marks a request already answered (refused) by one of the steps */
const ANSWERED = Symbol('answered')

export function graphqlRoute(deps: HttpDeps, documents: DocumentCache, authenticator: Authenticator): GraphqlRoute {
    const handler = createGraphqlHttpHandler(deps, documents)
    return async (req, res, requestId) => {
        const started = performance.now()
        if (wantsConsole(deps, req)) {
            const page = consolePage()
            if (page) {
                addVary(res, 'Accept')
                return sendBody(req, res, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp }, page.html)
            }
        }
        const caller = await admit(deps, authenticator, req, res)
        if (caller === ANSWERED) return
        const body = await graphqlBody(deps, req, res)
        if (body === ANSWERED) return
        const cache = await cacheSlot(deps, req, res, body, caller, started)
        if (cache === ANSWERED) return
        const context: RequestContext = { caller, requestId, cache }
        const [text, init] = await handler({ method: req.method ?? 'GET', url: req.url ?? '/graphql', headers: req.headers, body, raw: req, context })
        const out = capResponse(deps, init.status >= 400 ? codeRequestErrors(text) : text)
        if (deps.metrics) {
            deps.metrics.observe('http', context.op?.type, context.op?.name, (performance.now() - started) / 1000)
            if (!context.op?.clean) deps.metrics.errorsInText(out)
        }
        await sendBody(req, res, init.status, { ...(init.headers ?? {}) }, out, { statusText: init.statusText })
    }
}

/** a browser opening /graphql without a query gets the console (when it is on and installed) */
function wantsConsole(deps: HttpDeps, req: IncomingMessage): boolean {
    if (req.method !== 'GET' || !deps.graphiql) return false
    const url = new URL(req.url ?? '/', 'http://localhost')
    return !url.searchParams.has('query') && /text\/html/.test(String(req.headers.accept ?? ''))
}

/** The caller (undefined: anonymous) once the key checks out and a rate-limit token is taken. */
async function admit(deps: HttpDeps, authenticator: Authenticator, req: IncomingMessage, res: ServerResponse): Promise<Caller | undefined | typeof ANSWERED> {
    const auth = await authenticator.authenticate(req.headers.authorization, clientIp(req))
    if ('error' in auth) {
        sendJson(res, auth.status, { errors: [authFailure(auth)] }, authFailureHeaders(auth))
        return ANSWERED
    }
    const caller = auth.caller
    const limited = deps.limiter.take(caller ? `key:${caller.keyId}` : `ip:${clientIp(req)}`, !caller)
    if (!limited.ok) {
        sendJson(res, 429, { errors: [gqlError('RATE_LIMITED', 'rate limit exceeded; retry later', { retryAfterMs: limited.retryAfterMs })] }, retryAfterHeader(limited.retryAfterMs))
        return ANSWERED
    }
    return caller
}

/** A POST's body within the size cap ('' for GET, whose request is in the URL). */
async function graphqlBody(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<string | typeof ANSWERED> {
    if (req.method !== 'POST') return ''
    try {
        return await readBody(req, deps.limits.maxBodyBytes)
    } catch (e) {
        if (e instanceof BodyTooLargeError) {
            sendJson(res, 413, { errors: [gqlError('BAD_USER_INPUT', e.message, { maxBytes: e.limit })] }, { connection: 'close' })
            return ANSWERED
        }
        if (e instanceof BodyReadError) {
            sendJson(res, 400, { errors: [gqlError('BAD_USER_INPUT', e.message)] }, { connection: 'close' })
            return ANSWERED
        }
        throw e
    }
}

/** Answers a result-cache hit; else where a successful query's answer is to be kept (undefined: not cached). */
async function cacheSlot(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, body: string, caller: Caller | undefined, started: number): Promise<RequestContext['cache'] | typeof ANSWERED> {
    const resultCache = deps.resultCache
    if (!resultCache?.enabled || req.method !== 'POST' || !body) return undefined
    const type = acceptedMediaType(req.headers)
    if (!type) return undefined
    const key = ResultCache.key(body, caller ? String(caller.keyId) : undefined, type)
    const hit = resultCache.get(key)
    if (hit) {
        deps.metrics?.observe('http', 'query', hit.operation, (performance.now() - started) / 1000)
        await sendBody(req, res, 200, { 'content-type': hit.contentType, 'x-cache': 'hit' }, hit.body, { statusText: 'OK', cacheEntry: hit })
        return ANSWERED
    }
    return { key, generation: resultCache.generation }
}

/** an answer over the byte cap is replaced by a QUERY_TOO_COMPLEX error */
function capResponse(deps: HttpDeps, out: string | null | undefined): string | null | undefined {
    const max = deps.limits.maxResponseBytes
    if (out == null || Buffer.byteLength(out) <= max) return out
    return JSON.stringify({
        data: null,
        errors: [gqlError('QUERY_TOO_COMPLEX', `the response exceeds ${max} bytes: lower limit/first or select fewer fields`, { limit: 'responseBytes' })],
    })
}
