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
 * Lookups are cached in memory: valid keys for `API_KEY_CACHE_TTL_MS` (2 s), unknown/revoked ones in a separate,
 * bounded negative cache (so a flood of random keys cannot evict valid ones). Revocation (`revokeApiKey`, the
 * apikey CLI) sends `NOTIFY squid_api_keys, '<id>'` in its transaction; every server LISTENs (auth/revocation.ts),
 * evicts the key and closes its graphql-ws sockets at once. The TTL is the fallback when a notification is missed,
 * so a revoked key stops working within 5 s in every server process either way.
 */
export const API_ROLES: readonly ApiRole[] = ['operator', 'relayer', 'read-only']
export const API_KEY_PREFIX = 'sk_'
export const API_KEY_CACHE_TTL_MS = 2_000
/** NOTIFY channel of revocations (payload: the key id) */
export const API_KEYS_CHANNEL = 'squid_api_keys'
const KEY_RE = /^sk_[A-Za-z0-9_-]{43}$/
const CACHE_MAX = 10_000
const NEGATIVE_CACHE_MAX = 10_000

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
    // the notification is delivered at commit, to every server LISTENing on the database
    const r = await db.query(
        `WITH r AS (UPDATE api.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id)
         SELECT id, pg_notify($2, id::text) FROM r`,
        [id, API_KEYS_CHANNEL],
    )
    evictApiKey(id)
    if (r.rowCount === 1) return 'revoked'
    const exists = await db.query(`SELECT 1 FROM api.api_keys WHERE id = $1`, [id])
    return exists.rowCount ? 'already-revoked' : 'not-found'
}

interface CacheEntry {
    caller: Caller
    expires: number
}
/** valid keys, by hash */
const cache = new Map<string, CacheEntry>()
/** unknown or revoked keys, by hash → expiry; separate so that unknown keys never push valid ones out */
const negative = new Map<string, number>()

/** Forget every cached lookup (tests; after bulk revocations; after a missed revocation notice). */
export function clearApiKeyCache(): void {
    cache.clear()
    negative.clear()
}

/** Forget the cached lookups of key `id` (it was revoked). */
export function evictApiKey(id: number): void {
    for (const [hash, entry] of cache) if (entry.caller.keyId === id) cache.delete(hash)
}

function remember<V>(map: Map<string, V>, max: number, hash: string, value: V) {
    map.delete(hash)
    // Map iteration order is insertion order: drop the oldest
    if (map.size >= max) map.delete(map.keys().next().value!)
    map.set(hash, value)
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
    opts: { ttlMs?: number; now?: () => number; beforeLookup?: (recentlyValid: boolean) => void } = {},
): Promise<Caller | undefined> {
    if (authorizationHeader == null) return undefined
    const header = authorizationHeader.trim()
    if (header === '') return undefined
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (!m) throw unauthenticated('malformed Authorization header: expected "Bearer <key>"')
    const key = m[1]
    if (!KEY_RE.test(key)) throw unauthenticated('invalid API key')

    const now = (opts.now ?? Date.now)()
    const ttl = opts.ttlMs ?? API_KEY_CACHE_TTL_MS
    const hash = hashApiKey(key)
    const entry = cache.get(hash)
    if (entry && entry.expires > now) return { ...entry.caller }
    const refusedUntil = negative.get(hash)
    if (refusedUntil !== undefined && refusedUntil > now) throw unauthenticated('invalid or revoked API key')
    // may refuse to spend a lookup (auth/authenticator.ts); an expired entry still in the cache is a key that was
    // valid a moment ago (revocation and failed lookups remove entries)
    opts.beforeLookup?.(entry !== undefined)
    const r = await db.query(`SELECT id, role FROM api.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hash])
    if (!r.rowCount) {
        cache.delete(hash)
        remember(negative, NEGATIVE_CACHE_MAX, hash, now + ttl)
        throw unauthenticated('invalid or revoked API key')
    }
    const caller: Caller = { keyId: r.rows[0].id, role: r.rows[0].role }
    negative.delete(hash)
    remember(cache, CACHE_MAX, hash, { caller, expires: now + ttl })
    return { ...caller }
}
