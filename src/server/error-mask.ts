/**
 * What a client may see of an error. Errors we raise on purpose carry one of the ErrorCodes and pass
 * through; request errors (syntax, validation, variable coercion: no `path`) describe the client's own
 * input and pass through too. Anything else that escaped a resolver (a bug, a driver error with SQL in its
 * message...) is logged with the request id and answered as INTERNAL, with only the request id.
 * A Postgres statement timeout becomes TIMEOUT. Postgres refusing a value the request carried (a negative offset, a
 * NUL byte, a date out of range...) is BAD_USER_INPUT with Postgres' own message (it names the value, never the
 * statement); a statement beyond Postgres' own limits (stack depth...) is QUERY_TOO_COMPLEX. A database that cannot
 * be reached (connection refused, lost, terminated, too many connections) is UNAVAILABLE: the client should retry,
 * nothing is wrong with its request.
 */
import { GraphQLError } from 'graphql'
import type { ErrorCode } from './errors'

export const ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
    'GRAPHQL_PARSE_FAILED',
    'GRAPHQL_VALIDATION_FAILED',
    'BAD_USER_INPUT',
    'UNAUTHENTICATED',
    'FORBIDDEN',
    'NOT_FOUND',
    'INSUFFICIENT_ESCROW',
    'IDEMPOTENCY_CONFLICT',
    'CONTRACT_REVERT',
    'CHAIN_UNAVAILABLE',
    'UNAVAILABLE',
    'RATE_LIMITED',
    'QUERY_TOO_COMPLEX',
    'TIMEOUT',
    'BLOCK_NOT_INDEXED',
    'BLOCK_PRUNED',
    'INTERNAL',
])

export type ErrorLogger = (message: string, fields: Record<string, unknown>) => void

/** Postgres SQLSTATE of an error or of anything it wraps. */
export function sqlState(err: unknown): string | undefined {
    for (let e: any = err, i = 0; e && i < 8; e = e.originalError ?? e.cause, i++) {
        if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && (e.severity || e.routine || e.file)) return e.code
    }
    return undefined
}

/**
 * SQLSTATEs of class 22 (data exception) that a value from the request causes. Not 22012 division_by_zero and the
 * like: those come from our own SQL and stay INTERNAL.
 */
const INPUT_STATES: ReadonlySet<string> = new Set([
    '22001', // string_data_right_truncation
    '22003', // numeric_value_out_of_range
    '22007', // invalid_datetime_format
    '22008', // datetime_field_overflow
    '2201B', // invalid_regular_expression
    '2201W', // invalid_row_count_in_limit_clause
    '2201X', // invalid_row_count_in_result_offset_clause
    '22021', // character_not_in_repertoire (a NUL byte, invalid UTF-8)
    '22025', // invalid_escape_sequence (LIKE patterns)
    '22P02', // invalid_text_representation
    '22P05', // untranslatable_character
])
/** 54000 program_limit_exceeded, 54001 statement_too_complex (stack depth) */
const LIMIT_STATES: ReadonlySet<string> = new Set(['54000', '54001'])

/** 57014 query_canceled: statement_timeout (or a cancel request). */
export function isStatementTimeout(err: unknown): boolean {
    return sqlState(err) === '57014'
}

/** The Postgres message of an error or of what it wraps (first line, bounded). */
function dbMessage(err: unknown): string {
    for (let e: any = err, i = 0; e && i < 8; e = e.originalError ?? e.cause, i++) {
        if (sqlState(e) && typeof e.message === 'string' && (e.severity || e.routine)) return e.message.split('\n')[0].slice(0, 200)
    }
    return 'invalid value'
}

const NODE_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'])

/** The database could not be reached or the connection died: class 08, admin shutdown/crash (57P0x), too many connections. */
export function isDatabaseUnavailable(err: unknown): boolean {
    const state = sqlState(err)
    if (state) return state.startsWith('08') || /^57P0[1-3]$/.test(state) || state === '53300'
    for (let e: any = err, i = 0; e && i < 8; e = e.originalError ?? e.cause, i++) {
        if (typeof e.code === 'string' && NODE_CONNECTION_CODES.has(e.code)) return true
        if (/^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(String(e.message ?? ''))) return true
    }
    return false
}

function withCode(err: GraphQLError, code: ErrorCode, message = err.message, extra: Record<string, unknown> = {}): GraphQLError {
    return new GraphQLError(message, err.nodes, err.source, err.positions, err.path, undefined, { code, ...extra })
}

export function maskError(err: GraphQLError, requestId: string, log?: ErrorLogger): GraphQLError {
    const original: any = err.originalError
    const code = err.extensions?.code as string | undefined
    if (isStatementTimeout(original)) {
        return withCode(err, 'TIMEOUT', 'the query took too long and was cancelled (statement timeout)', { requestId })
    }
    const state = sqlState(original)
    if (state && INPUT_STATES.has(state)) {
        return withCode(err, 'BAD_USER_INPUT', `the database refused a value of the request: ${dbMessage(original)}`, { requestId })
    }
    if (state && LIMIT_STATES.has(state)) {
        return withCode(err, 'QUERY_TOO_COMPLEX', 'the query is beyond the database\'s own limits: simplify the filter', { limit: 'database', requestId })
    }
    if (!code && isDatabaseUnavailable(original)) {
        log?.('database unavailable', { requestId, path: err.path?.join('.'), message: original?.message ?? err.message })
        return withCode(err, 'UNAVAILABLE', 'the database is unavailable; retry later', { requestId })
    }
    if (code && ERROR_CODES.has(code as ErrorCode)) {
        // OpenReader's response size estimate (when enabled) raises a BAD_USER_INPUT
        if (code === 'BAD_USER_INPUT' && /size limit/.test(err.message)) {
            return withCode(err, 'QUERY_TOO_COMPLEX', 'the response might exceed the size limit: lower limit/first or select fewer nested lists', { limit: 'responseNodes' })
        }
        if (!original) return err
        // keep message + extensions, drop the original (and its stack) from the response
        return new GraphQLError(err.message, err.nodes, err.source, err.positions, err.path, undefined, err.extensions)
    }
    if (err.path === undefined) {
        // graphql-js request errors (no path): variable coercion ("Variable \"$id\" got invalid value..."), an
        // unknown operationName... all about the client's input. Kept, without an original error, and coded.
        return new GraphQLError(err.message, err.nodes, err.source, err.positions, err.path, undefined, { ...err.extensions, code: 'BAD_USER_INPUT' })
    }
    // raised by graphql-js itself while completing a field (no original error): our schema/resolver's fault
    if (!original) return withCode(err, 'INTERNAL', err.message, { requestId })
    log?.('unexpected error in resolver', {
        requestId,
        path: err.path?.join('.'),
        message: original?.message ?? err.message,
        stack: original?.stack,
        sqlState: sqlState(original),
    })
    return withCode(err, 'INTERNAL', `internal error (request id ${requestId})`, { requestId })
}
