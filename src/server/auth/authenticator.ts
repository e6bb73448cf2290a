import { GraphQLError } from 'graphql'
import type { Pool } from 'pg'
import { resolveCaller } from '../api-keys'
import type { Caller } from '../context'
import { apiError } from '../errors'
import { RateLimiter } from '../limits/rate-limit'

/**
 * Authentication with a per-IP budget of failures. Every key lookup in the database takes a token from the caller
 * IP's bucket before it runs (given back when the key turns out valid), and every other refused header (malformed,
 * a key in the negative cache) takes one too; once the bucket is empty, a header that would need a lookup is
 * answered 429 RATE_LIMITED (with the wait) without one, so guessing keys costs the database at most the budget,
 * even from concurrent requests. Keys known to be valid (in the key cache, even past its TTL: they are looked up again)
 * still pass: a legitimate client behind the same address keeps working.
 */
export interface AuthLimits {
    /** failed authentications an IP may make back to back (0 disables the limit) */
    failBurst: number
    /** failures per second refilled */
    failPerSecond: number
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = { failBurst: 20, failPerSecond: 1 }

export type AuthResult = { caller?: Caller } | { error: GraphQLError; status: 401 | 429; retryAfterMs?: number }

class Throttled extends Error {
    constructor(readonly retryAfterMs: number) {
        super('throttled')
    }
}

export class Authenticator {
    private readonly failures: RateLimiter

    constructor(
        private readonly db: Pool,
        limits: Partial<AuthLimits> = {},
    ) {
        const l = { ...DEFAULT_AUTH_LIMITS, ...limits }
        const rule = { burst: l.failBurst, perSecond: l.failPerSecond }
        this.failures = new RateLimiter({ key: rule, anonymous: rule, maxBuckets: 100_000 })
    }

    /** The caller behind `header` (undefined: anonymous), or the refusal to answer (401 or 429). */
    async authenticate(header: string | string[] | undefined, ip: string): Promise<AuthResult> {
        const value = Array.isArray(header) ? header[0] : header
        const bucket = `ip:${ip}`
        let paid = false
        try {
            const caller = await resolveCaller(this.db, value, {
                beforeLookup: (recentlyValid) => {
                    if (recentlyValid) return
                    const taken = this.failures.take(bucket, true)
                    if (!taken.ok) throw new Throttled(taken.retryAfterMs)
                    paid = true
                },
            })
            if (paid) this.failures.refund(bucket)
            return { caller }
        } catch (e) {
            if (e instanceof Throttled) {
                const error = apiError('RATE_LIMITED', 'too many failed authentications from this address; retry later', {
                    retryAfterMs: e.retryAfterMs,
                    reason: 'AUTH_FAILURES',
                })
                return { error, status: 429, retryAfterMs: e.retryAfterMs }
            }
            if (e instanceof GraphQLError && e.extensions?.code === 'UNAUTHENTICATED') {
                if (!paid) this.failures.take(bucket, true)
                return { error: e, status: 401 }
            }
            if (paid) this.failures.refund(bucket) // the lookup failed (database down): not the caller's failure
            throw e
        }
    }

    close(): void {
        this.failures.close()
    }
}

/** HTTP headers of a refused authentication (retry-after for 429). */
export function authFailureHeaders(auth: { retryAfterMs?: number }): Record<string, string> {
    return auth.retryAfterMs ? { 'retry-after': String(Math.max(1, Math.ceil(auth.retryAfterMs / 1000))) } : {}
}
