/**
 * What the HTTP request listener (http.ts) is given, and the log and limit types the graphql-ws side (ws.ts)
 * shares with it. Types only: the route modules depend on this file, never on http.ts, so no import loop.
 */
import type { GraphQLSchema } from 'graphql'
import type { Pool } from 'pg'
import type { Authenticator } from './auth/authenticator'
import type { DocumentCache } from './document-cache'
import type { RateLimiter } from './limits/rate-limit'
import type { QueryLimits } from './limits/validation'
import type { ApiMetrics } from './metrics'
import type { ResultCache } from './result-cache'
import type { Services } from './services'
import type { SqlEndpoint } from './sql/endpoint'
import type { HealthCheck } from './status/health'

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
