/**
 * The HTTP side of the server (one Node `http` server; graphql-ws shares it, see ws.ts): routing.
 *
 *   POST|GET /graphql   GraphQL over HTTP (graphql-route.ts → graphql-http-handler.ts)
 *   GET /graphql        with `Accept: text/html` and no `query`: the GraphiQL console (graphiql-console.ts)
 *   GET /console/...    the console's static files
 *   POST /sql           read-only SQL (sql-route.ts → sql/endpoint.ts)
 *   GET /, /dashboard   the dashboard page and its files (dashboard.ts)
 *   GET /health         200 / 503: database and change feed up (status/health.ts)
 *   GET /ready          /health plus the schema migrated
 *   GET /metrics        Prometheus metrics (metrics.ts)
 *
 * Every answer carries `x-request-id` and the security headers (http-headers.ts); a route that throws is logged
 * and answered 500 INTERNAL with the request id.
 */
import type { IncomingMessage, ServerResponse } from 'http'
import { Authenticator } from './auth/authenticator'
import { serveDashboard } from './dashboard'
import { DocumentCache } from './document-cache'
import { serveConsoleFile } from './graphiql-console'
import { graphqlRoute } from './graphql-route'
import { applyCors, applySecurityHeaders, parseCorsOrigins } from './http-headers'
import type { HttpDeps } from './http-deps'
import { clientIp, countErrorsIn, gqlError, newRequestId, sendJson } from './http-respond'
import { sqlRoute } from './sql-route'

// the types are defined with the listener's other inputs (http-deps.ts); ws-serve.ts imports LogFn from here
export type { HttpDeps, HttpLimits, LogFn } from './http-deps'

export function createRequestListener(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
    const documents = deps.documents ?? new DocumentCache(deps.schema, { limits: deps.limits })
    const authenticator = deps.auth ?? new Authenticator(deps.pool)
    const cors = deps.corsOrigin ? parseCorsOrigins(deps.corsOrigin) : ({ kind: 'off' } as const)
    const graphql = graphqlRoute(deps, documents, authenticator)
    const sql = sqlRoute(deps, authenticator)

    const route = async (req: IncomingMessage, res: ServerResponse, requestId: string, corsAllowed: boolean) => {
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
                return graphql(req, res, requestId)
            case '/sql':
                return sql(req, res)
            case '/health':
            case '/ready':
                return health(deps, res, url.pathname === '/ready')
            case '/metrics':
                if (!deps.metrics || req.method !== 'GET') break
                // rendering every series costs CPU: the anonymous per-IP bucket (a scraper needs one every few seconds)
                if (!deps.limiter.take(`ip:${clientIp(req)}`, true).ok) return sendJson(res, 429, { error: { code: 'RATE_LIMITED', message: 'rate limit exceeded; retry later' } })
                return deps.metrics.handle(req, res, deps.metricsToken)
            default:
                if (url.pathname.startsWith('/console/') && req.method === 'GET') return serveConsoleFile(req, res, url.pathname)
        }
        return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${url.pathname}` } })
    }

    return (req, res) => {
        const requestId = newRequestId()
        res.setHeader('x-request-id', requestId)
        applySecurityHeaders(res)
        if (deps.metrics) countErrorsIn(res, deps.metrics)
        const corsAllowed = applyCors(cors, req, res)
        route(req, res, requestId, corsAllowed).catch((e: any) => {
            deps.log('error', 'request failed', { requestId, url: req.url, message: e?.message, stack: e?.stack })
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

/** GET /health and /ready: the health check's state, or without one the LISTEN state alone */
async function health(deps: HttpDeps, res: ServerResponse, ready: boolean) {
    if (deps.health) {
        const state = await deps.health.state(ready)
        return sendJson(res, state.ok ? 200 : 503, state, { 'cache-control': 'no-store' })
    }
    return sendJson(res, 200, {
        ok: true,
        listening: deps.services.listening(),
        subscribers: deps.services.hub.subscriberCount,
    })
}
