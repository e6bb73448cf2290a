/**
 * The rows of `api.mutations` (idempotency.ts): their shape and statuses, how a request is hashed (stable JSON),
 * what of a stored result a client sees, and how a stored error is rebuilt.
 */
import { createHash } from 'crypto'
import { GraphQLError } from 'graphql'
import { apiError, ErrorCode } from './errors'

export type MutationRowStatus = 'PENDING' | 'SENT' | 'UNKNOWN' | 'DONE' | 'FAILED'

export interface MutationRow {
    idempotencyKey: string
    scope: string
    kind: string
    requestHash: string
    status: MutationRowStatus
    /** client-visible result; keys starting with "__" are internal (owner token, raw tx, called method) */
    result: Record<string, any> | null
    txHash: string | null
    error: { message: string; extensions: Record<string, unknown> } | null
    createdAt: Date
    /** exact text of updated_at (microseconds), used for compare-and-swap takeovers */
    updatedAtText: string
    /** updated_at is older than the lease */
    stale: boolean
}

/** JSON with sorted object keys and bigints as decimal strings: the same request always hashes the same. */
export function stableJson(value: unknown): string {
    if (typeof value === 'bigint') return JSON.stringify(value.toString())
    if (value === undefined) return 'null'
    if (value === null || typeof value !== 'object') return JSON.stringify(value)
    if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
        .join(',')}}`
}

export function requestHash(kind: string, request: unknown): string {
    return createHash('sha256').update(stableJson({ kind, request })).digest('hex')
}

/** Strip internal ("__") keys from a stored result. */
export function publicResult<T = Record<string, any>>(result: Record<string, any> | null): T {
    const out: Record<string, any> = {}
    for (const [k, v] of Object.entries(result ?? {})) if (!k.startsWith('__')) out[k] = v
    return out as T
}

/** Rebuild the GraphQL error stored for a FAILED row. */
export function storedError(row: MutationRow): GraphQLError {
    const ext = { ...(row.error?.extensions ?? {}) }
    const code = (ext.code as ErrorCode) ?? 'INTERNAL'
    delete ext.code
    return apiError(code, row.error?.message ?? 'the first request with this idempotencyKey failed', { ...ext, idempotentReplay: true })
}

/** A GraphQL error as stored in a FAILED row. */
export function serializeError(err: GraphQLError): { message: string; extensions: Record<string, unknown> } {
    return { message: err.message, extensions: { ...(err.extensions ?? {}) } }
}

/** A row by key and scope ($1, $3), `stale` against the lease ($2 ms). */
export const SELECT_ROW = `SELECT idempotency_key, scope, kind, request_hash, status, result, tx_hash, error, created_at,
                       updated_at::text AS updated_at_text, (now() - updated_at) > ($2::int * interval '1 millisecond') AS stale
                FROM api.mutations WHERE idempotency_key = $1 AND scope = $3`

export function toRow(r: any): MutationRow {
    return {
        idempotencyKey: r.idempotency_key,
        scope: r.scope,
        kind: r.kind,
        requestHash: r.request_hash,
        status: r.status,
        result: r.result,
        txHash: r.tx_hash,
        error: r.error,
        createdAt: r.created_at,
        updatedAtText: r.updated_at_text,
        stale: r.stale,
    }
}
