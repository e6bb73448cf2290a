/**
 * graphql-ws (protocol `graphql-transport-ws`) on the same HTTP server and path `/graphql`.
 *
 * - Connection: `connectionParams.authorization` (or `Authorization`) = "Bearer <key>" is optional; an
 *   invalid key closes the socket (4403 Forbidden). Anonymous connections may run queries and
 *   subscriptions (mutations still need a key: the auth checker answers UNAUTHENTICATED).
 * - Every subscribe message takes a rate-limit token (key or IP bucket) and is validated with the same
 *   depth/complexity rules as HTTP; a connection holds at most `maxPerConnection` operations.
 * - Identical subscriptions share one execution (pubsub/shared.ts); each socket has its own bounded queue.
 * - Results and errors go through the same masking as HTTP.
 */
import type { IncomingMessage, Server } from 'http'
import type { Duplex } from 'stream'
import { ExecutionArgs, GraphQLError, GraphQLSchema, specifiedRules, ExecutionResult } from 'graphql'
import { useServer } from 'graphql-ws/lib/use/ws'
import { WebSocketServer } from 'ws'
import type { Caller } from './context'
import { DocumentCache } from './document-cache'
import { apiError } from './errors'
import { authenticate, clientIp, executeAndRelease, HttpLimits, LogFn, makeContext, maskResult, newRequestId } from './http'
import { RateLimiter } from './limits/rate-limit'
import { queryLimitsRule } from './limits/validation'
import { SharedSubscriptions } from './pubsub/shared'
import type { ServerCtx, Services } from './services'
import type { Pool } from 'pg'

export interface WsOptions {
    /** results queued per subscriber before it is dropped as too slow */
    queueCapacity: number
    maxConnections: number
    maxPerConnection: number
    keepAliveMs: number
}

type Extra = {
    caller?: Caller
    ip: string
}

export function attachGraphqlWs(
    server: Server,
    deps: { schema: GraphQLSchema; pool: Pool; services: Services; limits: HttpLimits; limiter: RateLimiter; log: LogFn; documents?: DocumentCache },
    options: WsOptions,
): { close(): Promise<void>; wss: WebSocketServer; shared: SharedSubscriptions } {
    const wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxBodyBytes })
    const shared = new SharedSubscriptions(deps.schema, options.queueCapacity)
    const documents = deps.documents ?? new DocumentCache(deps.schema)

    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
        if (pathname !== '/graphql' && pathname !== '/graphql/') {
            socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
            return
        }
        if (wss.clients.size >= options.maxConnections) {
            socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
            return
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    }
    server.on('upgrade', onUpgrade)

    const disposable = useServer<Record<string, unknown> | undefined, Extra>(
        {
            schema: deps.schema,
            context: (ctx) => makeContext(deps, ctx.extra.caller, newRequestId()),
            onConnect: async (ctx) => {
                ctx.extra.ip = clientIp(ctx.extra.request)
                const params = ctx.connectionParams ?? {}
                const header = params.authorization ?? params.Authorization
                if (header != null && typeof header !== 'string') return false
                try {
                    const auth = await authenticate(deps.pool, header as string | undefined)
                    if ('error' in auth) return false
                    ctx.extra.caller = auth.caller
                    return true
                } catch (e: any) {
                    deps.log('error', 'graphql-ws connection auth failed', { message: e?.message })
                    return false
                }
            },
            onSubscribe: (ctx, msg) => {
                const caller = ctx.extra.caller
                const limited = deps.limiter.take(caller ? `key:${caller.keyId}` : `ip:${ctx.extra.ip}`, !caller)
                if (!limited.ok) return [apiError('RATE_LIMITED', 'rate limit exceeded; retry later', { retryAfterMs: limited.retryAfterMs })]
                // the new operation is already reserved in ctx.subscriptions
                if (Object.keys(ctx.subscriptions).length > options.maxPerConnection) {
                    return [apiError('RATE_LIMITED', `at most ${options.maxPerConnection} operations per connection`)]
                }
                let document
                try {
                    document = documents.parse(msg.payload.query)
                } catch (e) {
                    return [e instanceof GraphQLError ? e : new GraphQLError('invalid query')]
                }
                const variables = (msg.payload.variables ?? undefined) as Record<string, unknown> | undefined
                const errors = documents.validate(deps.schema, document, [...specifiedRules, queryLimitsRule(deps.limits, variables)])
                if (errors.length) return errors
                return {
                    schema: deps.schema,
                    document,
                    variableValues: variables,
                    operationName: msg.payload.operationName ?? undefined,
                    contextValue: makeContext(deps, caller, newRequestId()),
                }
            },
            execute: ((args: ExecutionArgs) => executeAndRelease(args, documents)) as any,
            subscribe: shared.subscribe as any,
            onNext: (_ctx, _msg, args, result) => maskResult(result as ExecutionResult, (args.contextValue as ServerCtx).requestId, deps.log),
        },
        wss,
        options.keepAliveMs,
    )

    return {
        wss,
        shared,
        async close() {
            server.off('upgrade', onUpgrade)
            shared.close()
            await disposable.dispose()
            for (const c of wss.clients) c.terminate()
            await new Promise<void>((resolve) => wss.close(() => resolve()))
        },
    }
}
