/**
 * The dashboard: static files from `<project>/dashboard` (plain ES modules, no build step), served at `/` and
 * `/dashboard` (the page) and `/dashboard/<file>` (its assets). The page reads only the public API (/graphql over
 * HTTP and graphql-ws), so the same files work against any deployment.
 *
 * Only files directly in that folder or below it, with a known extension, are served: a path that resolves outside
 * the folder (`..`, encoded or not), a NUL byte or a dotfile answers 404. Responses carry an ETag (size + mtime) and
 * `cache-control: no-cache`, so a browser revalidates (304) instead of showing a stale page after an upgrade.
 */
import * as fs from 'fs'
import type { IncomingMessage, ServerResponse } from 'http'
import * as path from 'path'

export const DASHBOARD_DIR = path.resolve(__dirname, '../../dashboard')

const TYPES: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.json': 'application/json; charset=utf-8',
}

// everything the page needs comes from this server: no CDN, no inline script
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'"

/** The file a dashboard URL path names, or null when it is not one of ours. */
export function dashboardFile(urlPath: string, dir = DASHBOARD_DIR): string | null {
    if (urlPath === '/' || urlPath === '/dashboard' || urlPath === '/dashboard/') return path.join(dir, 'index.html')
    if (!urlPath.startsWith('/dashboard/')) return null
    let rel: string
    try {
        rel = decodeURIComponent(urlPath.slice('/dashboard/'.length))
    } catch {
        return null
    }
    if (rel.includes('\0') || rel.split(/[\\/]/).some((part) => part.startsWith('.'))) return null
    const file = path.resolve(dir, rel)
    if (!file.startsWith(dir + path.sep) || !TYPES[path.extname(file)]) return null
    return file
}

/** Answer a dashboard request; false when the path is not the dashboard's (the router goes on). */
export function serveDashboard(req: IncomingMessage, res: ServerResponse, urlPath: string): boolean {
    const file = dashboardFile(urlPath)
    if (!file) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        res.end('method not allowed\n')
        return true
    }
    let stat: fs.Stats
    try {
        stat = fs.statSync(file)
        if (!stat.isFile()) throw new Error('not a file')
    } catch {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        res.end('not found\n')
        return true
    }
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`
    const headers: Record<string, string> = {
        'content-type': TYPES[path.extname(file)],
        'cache-control': 'no-cache',
        etag,
        'x-content-type-options': 'nosniff',
    }
    if (file.endsWith('.html')) headers['content-security-policy'] = CSP
    if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers)
        res.end()
        return true
    }
    res.writeHead(200, { ...headers, 'content-length': String(stat.size) })
    if (req.method === 'HEAD') res.end()
    else fs.createReadStream(file).pipe(res)
    return true
}
