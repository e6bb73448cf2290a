/**
 * Running one GraphQL operation, the same over HTTP (graphql-http-handler.ts) and graphql-ws (ws.ts): the
 * per-operation context, execution that gives its pooled connection back, and error masking.
 */
import { execute as graphqlExecute, ExecutionArgs, ExecutionResult, getOperationAST } from 'graphql'
import type { Pool } from 'pg'
import type { Caller } from './context'
import type { DocumentCache } from './document-cache'
import { maskError } from './error-mask'
import type { HttpLimits, LogFn } from './http-deps'
import { CappedOpenreaderContext } from './openreader-context'
import { routeContext } from './route-context'
import type { ServerCtx, Services } from './services'

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

export function maskResult(result: ExecutionResult, requestId: string, log: LogFn): ExecutionResult {
    if (!result.errors?.length) return result
    return { ...result, errors: result.errors.map((e) => maskError(e, requestId, (m, f) => log('error', m, f))) }
}
