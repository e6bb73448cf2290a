/**
 * The HTTP side of the server (one Node `http` server; graphql-ws shares it, see ws.ts):
 *
 *   POST|GET /graphql   GraphQL over HTTP via graphql-http's spec-compliant handler
 *   GET /graphql        with `Accept: text/html` and no `query`: the GraphiQL console
 *   GET /console/...    the console's static files (@subsquid/graphiql-console)
 *   POST /sql           read-only SQL (sql/endpoint.ts)
 *   GET /, /dashboard   the dashboard page and its files (dashboard.ts)
 *   GET /health         200 / 503: database and change feed up (status/health.ts)
 *   GET /ready          /health plus the schema migrated
 *   GET /metrics        Prometheus metrics (metrics.ts)
 *
 * Per request, before any GraphQL work: resolve the caller from `Authorization` (invalid key → 401
 * UNAUTHENTICATED), take a rate-limit token (→ 429 RATE_LIMITED), read the body with a size cap
 * (→ 413). After execution errors are masked (error-mask.ts) and the serialized response is size-capped.
 */
import { randomUUID } from 'crypto'
import * as fs from 'fs'
import type { IncomingMessage, ServerResponse } from 'http'
import * as path from 'path'
import { execute as graphqlExecute, ExecutionArgs, ExecutionResult, getOperationAST, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql'
import { createHandler, Handler, Request as GqlRequest } from 'graphql-http'
import type { Pool } from 'pg'
import { DocumentCache } from './document-cache'
import { ResultCache } from './result-cache'
import { CappedOpenreaderContext } from './openreader-context'
import { Authenticator, authFailureHeaders, AuthResult } from './auth/authenticator'
import type { Caller } from './context'
import { maskError } from './error-mask'
import { BodyReadError, BodyTooLargeError, readBody } from './limits/body'
import { RateLimiter } from './limits/rate-limit'
import { QueryLimits, queryLimitsRule } from './limits/validation'
import type { ServerCtx, Services } from './services'
import { SqlEndpoint, SqlError } from './sql/endpoint'
import { serveDashboard } from './dashboard'
import type { HealthCheck } from './status/health'
import { addVary, pipeCompressed, sendBody } from './compression'
import { routeContext } from './route-context'
import { applyCors, applySecurityHeaders, consolePolicy, parseCorsOrigins } from './http-headers'
import type { ApiMetrics } from './metrics'

export type LogFn = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void

export interface HttpLimits extends QueryLimits {
    maxBodyBytes: number
    maxResponseBytes: number
    /** rows a generated list query (`batches(...)` etc.) may return; more is QUERY_TOO_COMPLEX */
    maxListRows: number
}

export interface HttpDeps {
    schema: GraphQLSchema
    pool: Pool
    services: Services
    limits: HttpLimits
    limiter: RateLimiter
    /** parsed + validated documents (shared with graphql-ws); default: one for this listener */
    documents?: DocumentCache
    sql?: { endpoint?: SqlEndpoint; unavailableReason?: string; allowAnonymous: boolean }
    graphiql: boolean
    /** `*`, a comma-separated list of origins, or empty/absent: no CORS headers (http-headers.ts) */
    corsOrigin?: string
    /** GET /metrics and the request/error counters (absent: no /metrics route) */
    metrics?: ApiMetrics
    /** when set, GET /metrics needs `Authorization: Bearer <token>` */
    metricsToken?: string
    log: LogFn
    /** successful query responses between two processor commits (result-cache.ts); absent or ttl 0: off */
    resultCache?: ResultCache
    /** key lookups with a per-IP failure budget (default: one with the default limits) */
    auth?: Authenticator
    /** /health and /ready; absent: /health answers from the LISTEN state alone */
    health?: HealthCheck
}

interface RequestContext {
    caller?: Caller
    requestId: string
    /** where to keep this request's response, if it turns out to be a successful query (result-cache.ts) */
    cache?: { key: string; generation: number }
    /** the operation, once graphql-http ran it (for metrics) */
    op?: { type?: string; name?: string | null; clean: boolean }
}

export function clientIp(req: IncomingMessage): string {
    return req.socket.remoteAddress ?? 'unknown'
}

export function newRequestId(): string {
    return randomUUID()
}

/** the metrics of the server a response belongs to (error counts of sendJson) */
const metricsOfResponse = new WeakMap<ServerResponse, ApiMetrics>()

function sendJson(res: ServerResponse, status: number, body: any, headers: Record<string, string> = {}) {
    if (res.headersSent) return res.end()
    const metrics = metricsOfResponse.get(res)
    if (metrics && status >= 400) {
        for (const e of body?.errors ?? [body?.error]) metrics.error(e?.extensions?.code ?? e?.code)
    }
    const text = JSON.stringify(body)
    void sendBody(res.req, res, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, text).catch(() => res.destroy())
}

function gqlError(code: string, message: string, extra: Record<string, unknown> = {}) {
    return { message, extensions: { code, ...extra } }
}

/** The JSON error of a refused authentication (401 UNAUTHENTICATED or 429 RATE_LIMITED). */
function authFailure(auth: Extract<AuthResult, { error: unknown }>) {
    const { code, ...extra } = auth.error.extensions ?? {}
    return gqlError(String(code), auth.error.message, extra)
}

/** The per-operation context: caller, request id, pool, a fresh OpenReader context, services. */
export function makeContext(deps: { pool: Pool; services: Services; limits: HttpLimits }, caller: Caller | undefined, requestId: string): ServerCtx {
    const openreader = new CappedOpenreaderContext(deps.pool, deps.limits.maxListRows, deps.limits.maxResponseBytes)
    return { db: deps.pool, caller, openreader, requestId, services: deps.services }
}

/** graphql `execute` that releases the OpenReader transaction (a pooled connection) afterwards. */
export async function executeAndRelease(args: ExecutionArgs, documents?: DocumentCache): Promise<ExecutionResult> {
    const ctx = args.contextValue as ServerCtx | undefined
    const plan = documents?.plan(args.document, args.operationName)
    // queries read from a replica when there is one; mutations stay on the primary (db-routing.ts)
    if (ctx?.services) routeContext(ctx, plan ? plan.operation : getOperationAST(args.document, args.operationName)?.operation)
    const or = ctx?.openreader as CappedOpenreaderContext | undefined
    if (plan && or instanceof CappedOpenreaderContext) or.singleStatement = plan.singleStatement
    try {
        return await (documents ? documents.execute(args, graphqlExecute) : graphqlExecute(args))
    } finally {
        await or?.close().catch(() => {})
    }
}

/**
 * graphql-http answers a request it cannot run (no query, a body that is not a GraphQL request, a mutation over
 * GET...) by itself, with errors that have no code: those are about the request, so BAD_USER_INPUT.
 */
export function codeRequestErrors(text: string | null | undefined): string | null | undefined {
    if (!text) return text
    let body: any
    try {
        body = JSON.parse(text)
    } catch {
        return text
    }
    if (!Array.isArray(body?.errors) || body.errors.every((e: any) => e?.extensions?.code)) return text
    body.errors = body.errors.map((e: any) => (e?.extensions?.code ? e : { ...e, extensions: { ...e?.extensions, code: 'BAD_USER_INPUT' } }))
    return JSON.stringify(body)
}

export function maskResult(result: ExecutionResult, requestId: string, log: LogFn): ExecutionResult {
    if (!result.errors?.length) return result
    return { ...result, errors: result.errors.map((e) => maskError(e, requestId, (m, f) => log('error', m, f))) }
}

const CONSOLE_DIR = (() => {
    try {
        return path.join(path.dirname(require.resolve('@subsquid/graphiql-console/package.json')), 'build')
    } catch {
        return undefined
    }
})()

let consoleHtml: string | undefined
function graphiqlHtml(): string | undefined {
    if (!CONSOLE_DIR) return undefined
    if (consoleHtml === undefined) {
        try {
            consoleHtml = fs
                .readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8')
                .replace(/\/static\//g, '/console/static/')
                .replace('/manifest.json', '/console/manifest.json')
                .replace('${GRAPHQL_API}', '/graphql')
                .replace('${APP_TITLE}', 'Settlement API')
        } catch {
            consoleHtml = ''
        }
    }
    return consoleHtml || undefined
}

const MIME: Record<string, string> = {
    '.js': 'application/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.map': 'application/json; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.woff2': 'font/woff2',
    '.woff': 'font/woff',
    '.ttf': 'font/ttf',
}

function serveConsoleFile(req: IncomingMessage, res: ServerResponse, urlPath: string) {
    if (!CONSOLE_DIR) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } })
    let rel: string
    try {
        rel = decodeURIComponent(urlPath.replace(/^\/console\/?/, ''))
    } catch {
        return sendJson(res, 400, { error: { code: 'BAD_USER_INPUT', message: 'the path has a malformed %-escape' } })
    }
    const file = path.resolve(CONSOLE_DIR, rel)
    if (!file.startsWith(CONSOLE_DIR + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } })
    }
    const headers = { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=3600' }
    pipeCompressed(req, res, fs.createReadStream(file), headers, fs.statSync(file).size)
}

/** The response media type graphql-http picks for this `Accept` header (null: it answers 406). */
export function acceptedMediaType(headers: GqlRequest<unknown, unknown>['headers']): 'application/graphql-response+json' | 'application/json' | null {
    const h = typeof (headers as any).get === 'function' ? (headers as any).get('accept') : (headers as Record<string, string | string[] | undefined>).accept
    const accept = (Array.isArray(h) ? h[0] : h) || '*/*'
    for (const item of accept.replace(/\s/g, '').toLowerCase().split(',')) {
        const [mediaType, ...params] = item.split(';')
        const charset = params.find((p: string) => p.includes('charset=')) || 'charset=utf-8'
        if (mediaType === 'application/graphql-response+json' && charset === 'charset=utf-8') return 'application/graphql-response+json'
        if ((mediaType === 'application/json' || mediaType === 'application/*' || mediaType === '*/*') && (charset === 'charset=utf-8' || charset === 'charset=utf8')) return 'application/json'
    }
    return null
}

export function createRequestListener(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
    const { schema, limits, log } = deps
    const documents = deps.documents ?? new DocumentCache(schema, { limits })
    const authenticator = deps.auth ?? new Authenticator(deps.pool)
    const cors = deps.corsOrigin ? parseCorsOrigins(deps.corsOrigin) : ({ kind: 'off' } as const)
    const metrics = deps.metrics

    const handler: Handler<IncomingMessage, RequestContext> = createHandler<IncomingMessage, RequestContext, any>({
        schema,
        context: (req: GqlRequest<IncomingMessage, RequestContext>) => makeContext(deps, req.context.caller, req.context.requestId),
        parse: documents.parse as any,
        validate: documents.validate as any,
        validationRules: (_req: unknown, args: { variableValues?: unknown; operationName?: string | null }, specified: readonly ValidationRule[]) => [
            ...specified,
            queryLimitsRule(limits, args.variableValues as Record<string, unknown> | undefined, args.operationName),
        ],
        execute: ((args: ExecutionArgs) => executeAndRelease(args, documents)) as any,
        onOperation: (req: GqlRequest<IncomingMessage, RequestContext>, args: ExecutionArgs, result: unknown) => {
            const masked = maskResult(result as ExecutionResult, req.context.requestId, log)
            const operation = documents.plan(args.document, args.operationName).operation
            req.context.op = { type: operation, name: getOperationAST(args.document, args.operationName)?.name?.value, clean: !masked.errors?.length }
            // a mutation may have changed what queries read (stored leaves, API keys): start afresh
            if (operation === 'mutation') deps.resultCache?.invalidate()
            const type = acceptedMediaType(req.headers)
            // a result without errors: serialized here with plain JSON.stringify (graphql-http's serializer runs a
            // replacer function on every value, for Error objects that such a result does not hold)
            if (!masked.errors?.length && masked.data !== undefined && type) {
                const json = JSON.stringify(masked)
                const contentType = `${type}; charset=utf-8`
                const cache = req.context.cache
                if (cache && operation === 'query') deps.resultCache!.set(cache.key, cache.generation, json, contentType, undefined, req.context.op.name ?? undefined)
                return [json, { status: 200, statusText: 'OK', headers: { 'content-type': contentType } }] as const
            }
            // execution never started (variables that do not coerce, an unknown operationName): no `data`. The
            // GraphQL-over-HTTP spec wants a 4xx for that with application/graphql-response+json (200 with JSON)
            if (masked.data === undefined && type === 'application/graphql-response+json') {
                return [JSON.stringify(masked), { status: 400, statusText: 'Bad Request', headers: { 'content-type': `${type}; charset=utf-8` } }] as const
            }
            return masked
        },
    })

    let consoleCsp: string | undefined

    async function handleGraphql(req: IncomingMessage, res: ServerResponse, requestId: string) {
        const started = performance.now()
        const url = new URL(req.url ?? '/', 'http://localhost')
        const accept = String(req.headers.accept ?? '')
        if (req.method === 'GET' && deps.graphiql && !url.searchParams.has('query') && /text\/html/.test(accept)) {
            const html = graphiqlHtml()
            if (html) {
                addVary(res, 'Accept')
                return sendBody(req, res, 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': (consoleCsp ??= consolePolicy(html)) }, html)
            }
        }
        const auth = await authenticator.authenticate(req.headers.authorization, clientIp(req))
        if ('error' in auth) return sendJson(res, auth.status, { errors: [authFailure(auth)] }, authFailureHeaders(auth))
        const caller = auth.caller
        const limited = deps.limiter.take(caller ? `key:${caller.keyId}` : `ip:${clientIp(req)}`, !caller)
        if (!limited.ok) {
            return sendJson(res, 429, { errors: [gqlError('RATE_LIMITED', 'rate limit exceeded; retry later', { retryAfterMs: limited.retryAfterMs })] }, {
                'retry-after': String(Math.max(1, Math.ceil(limited.retryAfterMs / 1000))),
            })
        }
        let body = ''
        if (req.method === 'POST') {
            try {
                body = await readBody(req, limits.maxBodyBytes)
            } catch (e) {
                if (e instanceof BodyTooLargeError) {
                    return sendJson(res, 413, { errors: [gqlError('BAD_USER_INPUT', e.message, { maxBytes: e.limit })] }, { connection: 'close' })
                }
                if (e instanceof BodyReadError) return sendJson(res, 400, { errors: [gqlError('BAD_USER_INPUT', e.message)] }, { connection: 'close' })
                throw e
            }
        }
        let cache: RequestContext['cache']
        const resultCache = deps.resultCache
        if (resultCache?.enabled && req.method === 'POST' && body) {
            const type = acceptedMediaType(req.headers)
            if (type) {
                const key = ResultCache.key(body, caller ? String(caller.keyId) : undefined, type)
                const hit = resultCache.get(key)
                if (hit) {
                    metrics?.observe('http', 'query', hit.operation, (performance.now() - started) / 1000)
                    return sendBody(req, res, 200, { 'content-type': hit.contentType, 'x-cache': 'hit' }, hit.body, { statusText: 'OK', cacheEntry: hit })
                }
                cache = { key, generation: resultCache.generation }
            }
        }
        const context: RequestContext = { caller, requestId, cache }
        const [text, init] = await handler({
            method: req.method ?? 'GET',
            url: req.url ?? '/graphql',
            headers: req.headers,
            body,
            raw: req,
            context,
        })
        const headers: Record<string, string> = { ...(init.headers ?? {}) }
        let out = init.status >= 400 ? codeRequestErrors(text) : text
        if (out != null && Buffer.byteLength(out) > limits.maxResponseBytes) {
            out = JSON.stringify({
                data: null,
                errors: [gqlError('QUERY_TOO_COMPLEX', `the response exceeds ${limits.maxResponseBytes} bytes: lower limit/first or select fewer fields`, { limit: 'responseBytes' })],
            })
        }
        if (metrics) {
            metrics.observe('http', context.op?.type, context.op?.name, (performance.now() - started) / 1000)
            if (!context.op?.clean) metrics.errorsInText(out)
        }
        await sendBody(req, res, init.status, headers, out, { statusText: init.statusText })
    }

    async function handleSql(req: IncomingMessage, res: ServerResponse) {
        const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
            sendJson(res, status, { error: { code, message } }, headers)
        if (req.method !== 'POST') return fail(405, 'BAD_USER_INPUT', 'use POST with a JSON body { "sql": "...", "params": [...] }', { allow: 'POST' })
        const auth = await authenticator.authenticate(req.headers.authorization, clientIp(req))
        if ('error' in auth) return fail(auth.status, String(auth.error.extensions?.code), auth.error.message, authFailureHeaders(auth))
        const caller = auth.caller
        if (!caller && !deps.sql?.allowAnonymous) return fail(401, 'UNAUTHENTICATED', '/sql needs an API key (any role): send "Authorization: Bearer <key>"')
        const limited = deps.limiter.take(caller ? `key:${caller.keyId}` : `ip:${clientIp(req)}`, !caller)
        if (!limited.ok) return fail(429, 'RATE_LIMITED', 'rate limit exceeded; retry later', { 'retry-after': String(Math.max(1, Math.ceil(limited.retryAfterMs / 1000))) })
        if (!deps.sql?.endpoint) return fail(503, 'INTERNAL', `SQL access is disabled${deps.sql?.unavailableReason ? `: ${deps.sql.unavailableReason}` : ''}`)
        let text: string
        try {
            text = await readBody(req, limits.maxBodyBytes)
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
            metrics?.observe('http', 'sql', 'sql', (performance.now() - started) / 1000)
            await sendBody(req, res, 200, { 'content-type': 'application/json; charset=utf-8' }, json)
        } catch (e) {
            if (e instanceof SqlError) return fail(e.status, e.code, e.message)
            throw e
        }
    }

    return (req, res) => {
        const requestId = newRequestId()
        res.setHeader('x-request-id', requestId)
        applySecurityHeaders(res)
        if (metrics) metricsOfResponse.set(res, metrics)
        const corsAllowed = applyCors(cors, req, res)
        const run = async () => {
            const url = new URL(req.url ?? '/', 'http://localhost')
            if (req.method === 'OPTIONS' && corsAllowed) {
                res.writeHead(204, {
                    'access-control-allow-methods': 'GET, POST, OPTIONS',
                    'access-control-allow-headers': 'content-type, authorization, accept',
                    'access-control-max-age': '600',
                })
                return res.end()
            }
            if (serveDashboard(req, res, url.pathname)) return // `/`, `/dashboard`, `/dashboard/*` (dashboard.ts)
            switch (url.pathname) {
                case '/graphql':
                case '/graphql/':
                    return handleGraphql(req, res, requestId)
                case '/sql':
                    return handleSql(req, res)
                case '/health':
                case '/ready':
                    if (deps.health) {
                        const state = await deps.health.state(url.pathname === '/ready')
                        return sendJson(res, state.ok ? 200 : 503, state, { 'cache-control': 'no-store' })
                    }
                    return sendJson(res, 200, {
                        ok: true,
                        listening: deps.services.listening(),
                        subscribers: deps.services.hub.subscriberCount,
                    })
                case '/metrics':
                    if (!metrics || req.method !== 'GET') break
                    // rendering every series costs CPU: the anonymous per-IP bucket (a scraper needs one every few seconds)
                    if (!deps.limiter.take(`ip:${clientIp(req)}`, true).ok) return sendJson(res, 429, { error: { code: 'RATE_LIMITED', message: 'rate limit exceeded; retry later' } })
                    return metrics.handle(req, res, deps.metricsToken)
                default:
                    if (url.pathname.startsWith('/console/') && req.method === 'GET') return serveConsoleFile(req, res, url.pathname)
            }
            return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${url.pathname}` } })
        }
        run().catch((e: any) => {
            log('error', 'request failed', { requestId, url: req.url, message: e?.message, stack: e?.stack })
            if (res.headersSent) return res.destroy()
            const isSql = (req.url ?? '').startsWith('/sql')
            sendJson(
                res,
                500,
                isSql
                    ? { error: { code: 'INTERNAL', message: `internal error (request id ${requestId})` } }
                    : { errors: [gqlError('INTERNAL', `internal error (request id ${requestId})`, { requestId })] },
            )
        })
    }
}
