import { createHash, randomBytes } from 'crypto'
import type { Pool } from 'pg'
import type { ApiRole, Caller } from './context'
import { apiError } from './errors'

/**
 * API keys: `sk_` + 32 random bytes (base64url), shown once at creation; only their SHA-256 is stored
 * (`api.api_keys.key_hash`). A key carries one role: operator (commit/finalise/dispute), relayer (claim payouts),
 * read-only (queries).
 *
 * Authentication (`resolveCaller`):
 * - no Authorization header (or an empty one) → anonymous (undefined): queries work, mutations get UNAUTHENTICATED
 *   from the auth checker;
 * - a header that is present but not `Bearer <valid key>` (malformed, unknown or revoked key) → UNAUTHENTICATED
 *   error for the whole request, queries included. A bot whose key was revoked or mistyped learns it at once
 *   instead of silently running as anonymous.
 * Lookups are cached in memory for `API_KEY_CACHE_TTL_MS` (5 s; unknown keys too), so a revocation takes effect
 * within seconds in every server process.
 */
export const API_ROLES: readonly ApiRole[] = ['operator', 'relayer', 'read-only']
export const API_KEY_PREFIX = 'sk_'
export const API_KEY_CACHE_TTL_MS = 5_000
const KEY_RE = /^sk_[A-Za-z0-9_-]{43}$/
const CACHE_MAX = 10_000

export class ApiKeyError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'ApiKeyError'
    }
}

export interface ApiKeyInfo {
    id: number
    role: ApiRole
    label: string | null
    createdAt: Date
    revokedAt: Date | null
}

export function isApiRole(v: unknown): v is ApiRole {
    return typeof v === 'string' && (API_ROLES as readonly string[]).includes(v)
}

export function parseRole(v: string | undefined): ApiRole {
    if (!isApiRole(v)) throw new ApiKeyError(`invalid role ${JSON.stringify(v ?? '')}: expected one of ${API_ROLES.join(', ')}`)
    return v
}

/** A new random key (never stored). */
export function generateApiKey(): string {
    return API_KEY_PREFIX + randomBytes(32).toString('base64url')
}

export function hashApiKey(key: string): string {
    return createHash('sha256').update(key, 'utf8').digest('hex')
}

function toInfo(r: any): ApiKeyInfo {
    return { id: r.id, role: r.role, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }
}

/** Create a key; the returned `key` is the only copy of it. */
export async function createApiKey(db: Pool, role: ApiRole, label?: string): Promise<{ key: string; info: ApiKeyInfo }> {
    parseRole(role)
    if (label !== undefined && label.length > 200) throw new ApiKeyError('label is longer than 200 characters')
    const key = generateApiKey()
    const r = await db.query(
        `INSERT INTO api.api_keys (key_hash, role, label) VALUES ($1, $2, $3) RETURNING id, role, label, created_at, revoked_at`,
        [hashApiKey(key), role, label ?? null],
    )
    return { key, info: toInfo(r.rows[0]) }
}

export async function listApiKeys(db: Pool): Promise<ApiKeyInfo[]> {
    const r = await db.query(`SELECT id, role, label, created_at, revoked_at FROM api.api_keys ORDER BY id`)
    return r.rows.map(toInfo)
}

/** Revoke key `id`: 'revoked', 'already-revoked' or 'not-found'. */
export async function revokeApiKey(db: Pool, id: number): Promise<'revoked' | 'already-revoked' | 'not-found'> {
    const r = await db.query(
        `UPDATE api.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
        [id],
    )
    for (const [hash, entry] of cache) if (entry.caller?.keyId === id) cache.delete(hash)
    if (r.rowCount === 1) return 'revoked'
    const exists = await db.query(`SELECT 1 FROM api.api_keys WHERE id = $1`, [id])
    return exists.rowCount ? 'already-revoked' : 'not-found'
}

interface CacheEntry {
    caller: Caller | null
    expires: number
}
const cache = new Map<string, CacheEntry>()

/** Forget every cached lookup (tests; after bulk revocations). */
export function clearApiKeyCache(): void {
    cache.clear()
}

function unauthenticated(message: string) {
    return apiError('UNAUTHENTICATED', message)
}

/**
 * The caller behind an `Authorization` header value. Undefined when there is none; throws UNAUTHENTICATED for a
 * header that is present but not a valid, unrevoked key (see the module comment).
 */
export async function resolveCaller(
    db: Pool,
    authorizationHeader?: string,
    opts: { ttlMs?: number; now?: () => number } = {},
): Promise<Caller | undefined> {
    if (authorizationHeader == null) return undefined
    const header = authorizationHeader.trim()
    if (header === '') return undefined
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (!m) throw unauthenticated('malformed Authorization header: expected "Bearer <key>"')
    const key = m[1]
    if (!KEY_RE.test(key)) throw unauthenticated('invalid API key')

    const now = (opts.now ?? Date.now)()
    const hash = hashApiKey(key)
    let entry = cache.get(hash)
    if (!entry || entry.expires <= now) {
        const r = await db.query(`SELECT id, role FROM api.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hash])
        entry = { caller: r.rowCount ? { keyId: r.rows[0].id, role: r.rows[0].role } : null, expires: now + (opts.ttlMs ?? API_KEY_CACHE_TTL_MS) }
        cache.delete(hash)
        if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!)
        cache.set(hash, entry)
    }
    if (!entry.caller) throw unauthenticated('invalid or revoked API key')
    return { ...entry.caller }
}
