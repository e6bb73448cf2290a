/**
 * Token-bucket rate limiting, in process: one bucket per API key (`key:<id>`) or, for anonymous callers,
 * per client IP (`ip:<addr>`). A bucket holds up to `burst` tokens and refills at `perSecond`; every HTTP
 * request (GraphQL or /sql) and every graphql-ws `subscribe` message takes one token.
 *
 * Memory is bounded: buckets that refilled completely carry no information and are swept, and the map
 * never holds more than `maxBuckets` entries (the oldest are evicted first).
 */
export interface RateLimitRule {
    /** bucket size: requests allowed back to back */
    burst: number
    /** sustained requests per second */
    perSecond: number
}

export interface RateLimitConfig {
    /** callers with a valid API key */
    key: RateLimitRule
    /** anonymous callers, per IP */
    anonymous: RateLimitRule
    /** cap on tracked buckets */
    maxBuckets?: number
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
    key: { burst: 100, perSecond: 50 },
    anonymous: { burst: 40, perSecond: 10 },
    maxBuckets: 100_000,
}

interface Bucket {
    tokens: number
    at: number
    rule: RateLimitRule
}

export interface RateDecision {
    ok: boolean
    /** when refused: ms until one token is available */
    retryAfterMs: number
}

export class RateLimiter {
    private buckets = new Map<string, Bucket>()
    private sweeper: NodeJS.Timeout
    private readonly maxBuckets: number

    constructor(
        private config: RateLimitConfig,
        private now: () => number = () => Date.now(),
    ) {
        this.maxBuckets = config.maxBuckets ?? 100_000
        this.sweeper = setInterval(() => this.sweep(), 30_000)
        this.sweeper.unref()
    }

    /** Take one token for `id` (`key:..` / `ip:..`) under the anonymous or key rule. */
    take(id: string, anonymous: boolean): RateDecision {
        const rule = anonymous ? this.config.anonymous : this.config.key
        if (!(rule.perSecond > 0) || !(rule.burst > 0)) return { ok: true, retryAfterMs: 0 }
        const t = this.now()
        let b = this.buckets.get(id)
        if (!b) {
            if (this.buckets.size >= this.maxBuckets) {
                // Map iteration order is insertion order: drop the oldest
                const oldest = this.buckets.keys().next().value
                if (oldest !== undefined) this.buckets.delete(oldest)
            }
            b = { tokens: rule.burst, at: t, rule }
            this.buckets.set(id, b)
        } else {
            b.tokens = Math.min(rule.burst, b.tokens + ((t - b.at) / 1000) * rule.perSecond)
            b.at = t
            b.rule = rule
        }
        if (b.tokens >= 1) {
            b.tokens -= 1
            return { ok: true, retryAfterMs: 0 }
        }
        return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) / rule.perSecond) * 1000) }
    }

    /** Give back a token taken for `id` (the work it paid for turned out not to count). */
    refund(id: string): void {
        const b = this.buckets.get(id)
        if (b) b.tokens = Math.min(b.rule.burst, b.tokens + 1)
    }

    /** Forget buckets that are full again. */
    sweep(): void {
        const t = this.now()
        for (const [id, b] of this.buckets) {
            if (b.tokens + ((t - b.at) / 1000) * b.rule.perSecond >= b.rule.burst) this.buckets.delete(id)
        }
    }

    get size(): number {
        return this.buckets.size
    }

    close(): void {
        clearInterval(this.sweeper)
        this.buckets.clear()
    }
}
