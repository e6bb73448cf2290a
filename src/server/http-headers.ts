/**
 * Headers every HTTP response of the API carries: CORS and the standard security headers.
 *
 * CORS: `*` (the default: the API is public chain data and authenticates by header, not cookie, so any page may
 * call it with a key it holds), a list of origins (the request's Origin is echoed when listed, with
 * `Vary: Origin` so caches keep one answer per origin), or off.
 *
 * Security: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and for everything but the GraphiQL
 * page `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (a JSON answer opened as a document
 * can run nothing and be framed by no one). The GraphiQL page gets its own policy (`consolePolicy`): scripts from
 * this origin plus its one inline bootstrap script by hash, inline styles (React/CodeMirror set style attributes),
 * fetch/websocket to this origin only.
 */
import { createHash } from 'crypto'
import type { IncomingMessage, ServerResponse } from 'http'
import { addVary } from './compression'

export type CorsPolicy = { kind: 'any' } | { kind: 'list'; origins: Set<string> } | { kind: 'off' }

/**
 * Parse CORS_ORIGINS / GQL_CORS_ORIGIN: `*`, a comma-separated list of origins (`https://app.example.com`), or
 * empty (no CORS headers). Throws on an entry that is not an origin (scheme://host[:port], no path).
 */
export function parseCorsOrigins(value: string | undefined): CorsPolicy {
    if (value === undefined) return { kind: 'any' }
    const items = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    if (items.length === 0) return { kind: 'off' }
    if (items.includes('*')) {
        if (items.length > 1) throw new Error(`CORS_ORIGINS: "*" cannot be combined with other origins (got "${value}")`)
        return { kind: 'any' }
    }
    const origins = new Set<string>()
    for (const item of items) {
        let u: URL
        try {
            u = new URL(item)
        } catch {
            throw new Error(`CORS_ORIGINS: "${item}" is not an origin like https://app.example.com`)
        }
        if (!/^https?:$/.test(u.protocol) || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || item.replace(/\/$/, '') !== u.origin) {
            throw new Error(`CORS_ORIGINS: "${item}" is not an origin like https://app.example.com (scheme, host and port only)`)
        }
        origins.add(u.origin)
    }
    return { kind: 'list', origins }
}

/** Set the CORS headers of one response; true when the request's origin may read it. */
export function applyCors(policy: CorsPolicy, req: IncomingMessage, res: ServerResponse): boolean {
    if (policy.kind === 'off') return false
    if (policy.kind === 'list') {
        addVary(res, 'Origin')
        const origin = req.headers.origin
        if (!origin || !policy.origins.has(origin)) return false
        res.setHeader('access-control-allow-origin', origin)
    } else res.setHeader('access-control-allow-origin', '*')
    res.setHeader('access-control-expose-headers', 'x-request-id, retry-after, x-cache')
    return true
}

export const JSON_CSP = "default-src 'none'; frame-ancestors 'none'"

export function applySecurityHeaders(res: ServerResponse): void {
    res.setHeader('x-content-type-options', 'nosniff')
    res.setHeader('referrer-policy', 'no-referrer')
    res.setHeader('content-security-policy', JSON_CSP)
}

/** The GraphiQL page's policy: its inline <script> blocks allowed by their sha256, nothing from other origins. */
export function consolePolicy(html: string): string {
    const hashes: string[] = []
    for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
        hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`)
    }
    return [
        "default-src 'self'",
        `script-src 'self' ${hashes.join(' ')}`.trim(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ].join('; ')
}
