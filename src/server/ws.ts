/**
 * graphql-ws (protocol `graphql-transport-ws`) on the same HTTP server and path `/graphql`.
 *
 * - Connection: `connectionParams.authorization` (or `Authorization`) = "Bearer <key>" is optional; an
 *   invalid key closes the socket (4403 Forbidden), too many failed keys from one IP 4429. Anonymous connections
 *   may run queries and subscriptions (mutations still need a key: the auth checker answers UNAUTHENTICATED).
 * - The key is checked again at every operation (through the key cache), and a revoked key's sockets are closed
 *   with 4403 as soon as the revocation notice arrives (auth/revocation.ts), or at the latest at the next sweep
 *   (every `revalidateMs`, default 2 s, after the cache TTL of 2 s): within 5 s.
 * - At most `maxConnections` sockets per process (503 on upgrade) and `maxPerIp` per client IP (429 on upgrade).
 * - Every subscribe message takes a rate-limit token (key or IP bucket) and is validated with the same
 *   depth/complexity rules as HTTP; a connection holds at most `maxPerConnection` operations.
 * - Identical subscriptions share one execution (pubsub/shared.ts); each socket has its own bounded queue.
 * - Hand-made subscription events pushed because of a reorg carry `extensions.reorg` (pubsub/reorg-extension.ts).
 * - Results of shared executions and live queries are serialised once and written to the members' sockets
 *   directly, in one loop (pubsub/direct.ts) whose writes go out through writer threads when it is large
 *   (pubsub/fanout-writer.ts); graphql-ws still runs the operations and sends their errors and end.
 * - A subscription on a generated query field is a live query (live/engine.ts), under the same limits.
 * - Results and errors go through the same masking as HTTP.
 */
import type { IncomingMessage, Server } from 'http'
import type { Duplex } from 'stream'
import { ExecutionArgs, getOperationAST, GraphQLError, GraphQLSchema, specifiedRules, ExecutionResult } from 'graphql'
import { WebSocket, WebSocketServer } from 'ws'
import type { Authenticator } from './auth/authenticator'
import type { RevocationFeed } from './auth/revocation'
import type { Caller } from './context'
import { DocumentCache } from './document-cache'
import { apiError } from './errors'
import { executeAndRelease, makeContext, maskResult } from './graphql-execution'
import type { HttpLimits, LogFn } from './http-deps'
import { clientIp, newRequestId } from './http-respond'
import { WsAuth } from './ws-auth'
import { serveGraphqlWs } from './ws-serve'
import { RateLimiter } from './limits/rate-limit'
import { queryLimitsRule } from './limits/validation'
import { Member, SharedSubscriptions } from './pubsub/shared'
import { DirectTarget, ResultFrames, socketSink } from './pubsub/direct'
import { FanOutWriter } from './pubsub/fanout-writer'
import { mapResults, reorgProbe } from './pubsub/reorg-extension'
import { LiveQueries } from './live/engine'
import { CappedOpenreaderContext } from './openreader-context'
import { badInput, endOnBadInput } from './live/bad-input'
import type { ServerCtx, Services } from './services'
import type { Pool } from 'pg'
import type { ApiMetrics } from './metrics'

export interface WsOptions {
    /** results queued per subscriber before it is dropped as too slow */
    queueCapacity: number
    maxConnections: number
    /** graphql-ws connections per client IP (0: no cap) */
    maxPerIp: number
    maxPerConnection: number
    keepAliveMs: number
    /** how often open sockets' keys are checked again (default 2,000 ms) */
    revalidateMs?: number
    /** a live query runs at most once per this many ms (default 250) */
    liveMinIntervalMs?: number
    /** threads writing the frames of a large fan-out (GQL_FANOUT_THREADS, default 2; 0: none; pubsub/fanout-writer.ts) */
    fanOutThreads?: number
}

type Extra = {
    caller?: Caller
    ip: string
}

function refuseUpgrade(socket: Duplex, status: string, headers = '') {
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n${headers}content-length: 0\r\n\r\n`)
}

export function attachGraphqlWs(
    server: Server,
    deps: {
        schema: GraphQLSchema
        pool: Pool
        services: Services
        limits: HttpLimits
        limiter: RateLimiter
        log: LogFn
        documents?: DocumentCache
        auth: Authenticator
        revocations?: RevocationFeed
        metrics?: ApiMetrics
    },
    options: WsOptions,
): { close(): Promise<void>; wss: WebSocketServer; shared: SharedSubscriptions; live: LiveQueries; writer: FanOutWriter } {
    const wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxBodyBytes })
    const writer = new FanOutWriter({ threads: options.fanOutThreads ?? 2, log: (m, f) => deps.log('warn', m, f) })
    const fanOut = (loop: () => void) => writer.fanOut(loop)
    const shared = new SharedSubscriptions(deps.schema, options.queueCapacity, fanOut)
    const documents = deps.documents ?? new DocumentCache(deps.schema)
    // a live query re-runs right after a commit notice: it reads a replica only when that replica has replayed the
    // notified commits (live/replica-reads.ts), else the primary, never the per-operation routing of route-context.ts
    const primaryDeps = { ...deps, services: { ...deps.services, reads: undefined } }
    const liveDeps = async () => {
        const replica = await deps.services.reads?.live.pool()
        return replica ? { ...primaryDeps, pool: replica, services: { ...primaryDeps.services, db: replica } } : primaryDeps
    }
    const live = new LiveQueries(
        deps.schema,
        async (document, variableValues, operationName, caller, statements) => {
            const contextValue = makeContext(await liveDeps(), caller, newRequestId())
            // its SQL goes through the live batch, which multiplexes the statements of the same document
            if (statements && contextValue.openreader instanceof CappedOpenreaderContext) contextValue.openreader.via = statements
            return executeAndRelease({ schema: deps.schema, document, variableValues, operationName, contextValue }, documents)
        },
        { minIntervalMs: options.liveMinIntervalMs ?? 250, queueCapacity: options.queueCapacity, fanOut, log: (m, f) => deps.log('warn', m, f) },
    )
    // masked and serialised once per result, whatever the number of members (pubsub/direct.ts)
    const frames = new ResultFrames(
        (result, requestId) => {
            const masked = maskResult(result, requestId, deps.log)
            return { json: JSON.stringify(masked), codes: (masked.errors ?? []).map((e) => e.extensions?.code as string | undefined) }
        },
        (codes) => {
            for (const code of codes) deps.metrics?.error(code)
        },
    )
    // the socket and operation id of each subscription's context (set in onSubscribe, read in subscribe)
    const targets = new WeakMap<object, DirectTarget>()
    const isDirect = (source: unknown, contextValue: unknown): source is Member => source instanceof Member && targets.has(contextValue as object)
    // results written straight to the socket: `map` is applied to each (cached per result object, so once per shared
    // execution), and after a result `endAfter` accepts, the subscription completes
    const direct = (member: Member, contextValue: unknown, map?: (r: ExecutionResult) => ExecutionResult, endAfter?: (r: ExecutionResult) => boolean): Member => {
        const sink = socketSink(frames, targets.get(contextValue as object)!, options.queueCapacity, writer)
        if (!map && !endAfter) member.deliverTo(sink)
        else
            member.deliverTo((result) => {
                const out = map ? map(result) : result
                const ok = sink(out)
                if (ok && endAfter?.(out)) queueMicrotask(() => member.queue.end())
                return ok
            })
        return member
    }
    const perIp = new Map<string, number>()
    const keys = new WsAuth(deps.pool, deps.log, options.revalidateMs ?? 2_000)
    const unsubscribe = deps.revocations?.onRevoked((id) => keys.revoked(id))

    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
        if (pathname !== '/graphql' && pathname !== '/graphql/') {
            socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
            return
        }
        if (wss.clients.size >= options.maxConnections) return refuseUpgrade(socket, '503 Service Unavailable')
        const ip = clientIp(req)
        const open = perIp.get(ip) ?? 0
        if (options.maxPerIp > 0 && open >= options.maxPerIp) return refuseUpgrade(socket, '429 Too Many Requests', 'retry-after: 10\r\n')
        perIp.set(ip, open + 1)
        let counted = true
        const release = () => {
            if (!counted) return
            counted = false
            const n = (perIp.get(ip) ?? 1) - 1
            if (n > 0) perIp.set(ip, n)
            else perIp.delete(ip)
        }
        socket.once('close', release)
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
            ws.once('close', release)
            wss.emit('connection', ws, req)
        })
    }
    server.on('upgrade', onUpgrade)

    const disposable = serveGraphqlWs<Record<string, unknown> | undefined, Extra>(
        {
            schema: deps.schema,
            context: (ctx) => makeContext(deps, ctx.extra.caller, newRequestId()),
            onConnect: async (ctx) => {
                ctx.extra.ip = clientIp(ctx.extra.request)
                const params = ctx.connectionParams ?? {}
                const header = params.authorization ?? params.Authorization
                if (header != null && typeof header !== 'string') return false
                try {
                    const auth = await deps.auth.authenticate(header as string | undefined, ctx.extra.ip)
                    if ('error' in auth) {
                        if (auth.status === 429) ctx.extra.socket.close(4429, 'Too many failed authentications')
                        return false
                    }
                    ctx.extra.caller = auth.caller
                    if (auth.caller) keys.track(ctx.extra.socket, header as string, auth.caller)
                    return true
                } catch (e: any) {
                    deps.log('error', 'graphql-ws connection auth failed', { message: e?.message })
                    return false
                }
            },
            onSubscribe: async (ctx, msg) => {
                if (ctx.extra.caller) {
                    // the key may have been revoked since connection_init
                    let current: Caller | undefined
                    try {
                        current = await keys.recheck(ctx.extra.socket)
                    } catch (e: any) {
                        deps.log('error', 'graphql-ws key re-check failed', { message: e?.message })
                        return [apiError('INTERNAL', 'cannot check the API key of this connection; retry later')]
                    }
                    if (!current) return [apiError('UNAUTHENTICATED', 'the API key of this connection was revoked')]
                    ctx.extra.caller = current
                }
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
                const errors = documents.validate(deps.schema, document, [...specifiedRules, queryLimitsRule(deps.limits, variables, msg.payload.operationName)])
                if (errors.length) return errors
                const contextValue = makeContext(deps, caller, newRequestId())
                targets.set(contextValue, { socket: ctx.extra.socket, id: msg.id, requestId: contextValue.requestId })
                return {
                    schema: deps.schema,
                    document,
                    variableValues: variables,
                    operationName: msg.payload.operationName ?? undefined,
                    contextValue,
                }
            },
            execute: (async (args: ExecutionArgs) => {
                const started = performance.now()
                try {
                    return await executeAndRelease(args, documents)
                } finally {
                    const op = deps.metrics && getOperationAST(args.document, args.operationName)
                    if (op) deps.metrics!.observe('ws', op.operation, op.name?.value, (performance.now() - started) / 1000)
                }
            }) as any,
            subscribe: (async (args: ExecutionArgs) => {
                if (!live.isLive(args.document, args.operationName)) {
                    // hub events caused by a reorg carry `extensions.reorg` (pubsub/reorg-extension.ts)
                    const probed = reorgProbe(args)
                    const source = await shared.subscribe(probed.args)
                    if (isDirect(source, args.contextValue)) return direct(source, args.contextValue, probed.rewrite)
                    return probed.rewrite ? mapResults(source, probed.rewrite) : source
                }
                if (deps.services.feedLost?.()) return { errors: [apiError('UNAVAILABLE', 'the change feed is down: live queries are refused until it is back; retry later', { reason: 'FEED_LOST' })] }
                // one cap for hub subscriptions and live queries together
                if (deps.services.hub.subscriberCount + live.memberCount >= deps.services.hub.options.maxSubscribers) {
                    return { errors: [apiError('RATE_LIMITED', 'the server has too many subscriptions open; retry later')] }
                }
                const source = live.subscribe(args, (args.contextValue as ServerCtx).caller)
                if (isDirect(source, args.contextValue)) return direct(source, args.contextValue, undefined, badInput)
                return endOnBadInput(source)
            }) as any,
            // refusals before execution (rate limit, validation, revoked key): counted like HTTP's
            onError: (_ctx, _msg, errors) => {
                for (const e of errors) deps.metrics?.error(e.extensions?.code as string | undefined)
            },
            onNext: (_ctx, _msg, args, result) => {
                const masked = maskResult(result as ExecutionResult, (args.contextValue as ServerCtx).requestId, deps.log)
                for (const e of masked.errors ?? []) deps.metrics?.error(e.extensions?.code as string | undefined)
                return masked
            },
        },
        wss,
        options.keepAliveMs,
        deps.log,
    )

    return {
        wss,
        shared,
        live,
        writer,
        async close() {
            server.off('upgrade', onUpgrade)
            unsubscribe?.()
            keys.close()
            shared.close()
            live.close()
            writer.close()
            await disposable.dispose()
            for (const c of wss.clients) c.terminate()
            await new Promise<void>((resolve) => wss.close(() => resolve()))
        },
    }
}
