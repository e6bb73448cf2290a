/**
 * The graphql-http handler behind POST|GET /graphql: parse and validate through the shared document cache with
 * the query limits, execute with a per-operation context, mask errors, keep successful query answers in the
 * result cache. The request-level steps before it (auth, rate limit, body, cache lookup) are in graphql-route.ts.
 */
import { ExecutionArgs, ExecutionResult, getOperationAST, ValidationRule } from 'graphql'
import { createHandler, Handler, Request as GqlRequest } from 'graphql-http'
import type { IncomingMessage } from 'http'
import type { Caller } from './context'
import type { DocumentCache } from './document-cache'
import { executeAndRelease, makeContext, maskResult } from './graphql-execution'
import type { HttpDeps } from './http-deps'
import { queryLimitsRule } from './limits/validation'

export interface RequestContext {
    caller?: Caller
    requestId: string
    /** where to keep this request's response, if it turns out to be a successful query (result-cache.ts) */
    cache?: { key: string; generation: number }
    /** the operation, once graphql-http ran it (for metrics) */
    op?: { type?: string; name?: string | null; clean: boolean }
}

export type GraphqlHttpHandler = Handler<IncomingMessage, RequestContext>

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

export function createGraphqlHttpHandler(deps: HttpDeps, documents: DocumentCache): GraphqlHttpHandler {
    const { schema, limits } = deps
    return createHandler<IncomingMessage, RequestContext, any>({
        schema,
        context: (req: GqlRequest<IncomingMessage, RequestContext>) => makeContext(deps, req.context.caller, req.context.requestId),
        parse: documents.parse as any,
        validate: documents.validate as any,
        validationRules: (_req: unknown, args: { variableValues?: unknown; operationName?: string | null }, specified: readonly ValidationRule[]) => [
            ...specified,
            queryLimitsRule(limits, args.variableValues as Record<string, unknown> | undefined, args.operationName),
        ],
        execute: ((args: ExecutionArgs) => executeAndRelease(args, documents)) as any,
        onOperation: (req: GqlRequest<IncomingMessage, RequestContext>, args: ExecutionArgs, result: unknown) => answer(deps, documents, req, args, result as ExecutionResult),
    })
}

/** What graphql-http sends for an executed operation (onOperation): the masked result, serialized here when clean. */
function answer(deps: HttpDeps, documents: DocumentCache, req: GqlRequest<IncomingMessage, RequestContext>, args: ExecutionArgs, result: ExecutionResult) {
    const masked = maskResult(result, req.context.requestId, deps.log)
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
}
