import { GraphQLError } from 'graphql'

/**
 * Every error a client can receive carries one of these codes in `extensions.code`. Messages never include
 * stack traces, SQL or internal addresses; unexpected errors are logged server-side and answered INTERNAL.
 */
export type ErrorCode =
    | 'GRAPHQL_PARSE_FAILED' // the query text is not GraphQL (syntax error)
    | 'GRAPHQL_VALIDATION_FAILED' // the document does not fit the schema (unknown field, wrong argument type...)
    | 'BAD_USER_INPUT' // malformed argument or variable (address, amount, empty batch, variable of the wrong type...)
    | 'UNAUTHENTICATED' // no or unknown API key
    | 'FORBIDDEN' // valid key, insufficient role
    | 'NOT_FOUND' // batch / payee / leaf does not exist
    | 'INSUFFICIENT_ESCROW' // payer's free escrow balance is short (checked before sending)
    | 'IDEMPOTENCY_CONFLICT' // same idempotency key, different request
    | 'CONTRACT_REVERT' // the chain rejected the transaction; extensions.revert has the decoded custom error
    | 'CHAIN_UNAVAILABLE' // RPC unreachable or the signer is not configured
    | 'UNAVAILABLE' // the database or the change feed is down (subscriptions end with it); retry later
    | 'RATE_LIMITED' // per-key rate limit exceeded
    | 'QUERY_TOO_COMPLEX' // depth / complexity / alias limits
    | 'TIMEOUT' // statement timeout
    | 'BLOCK_NOT_INDEXED' // a time-travel `block` above the indexed head, or an unknown block hash (src/server/time-travel.ts)
    | 'BLOCK_PRUNED' // a time-travel `block` below the history kept (HISTORY_BLOCKS); extensions.block, extensions.prunedBelow
    | 'INTERNAL'

/** Positional GraphQLError arguments (graphql 15): message, nodes, source, positions, path, originalError, extensions. */
export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
    return new GraphQLError(message, undefined, undefined, undefined, undefined, undefined, { code, ...extensions })
}

/** The same error with `extensions.code` set (graphql 15 errors are immutable: a copy). */
export function withErrorCode(err: GraphQLError, code: ErrorCode): GraphQLError {
    return new GraphQLError(err.message, err.nodes, err.source, err.positions, err.path, err.originalError ?? undefined, { ...err.extensions, code })
}
