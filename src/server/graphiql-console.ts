/**
 * The GraphiQL console (@subsquid/graphiql-console): its page on GET /graphql for a browser, its static files
 * under /console/. Without the package installed, browsers get the plain GraphQL answer and /console/ is 404.
 */
import * as fs from 'fs'
import type { IncomingMessage, ServerResponse } from 'http'
import * as path from 'path'
import { pipeCompressed } from './compression'
import { consolePolicy } from './http-headers'
import { sendJson } from './http-respond'

const CONSOLE_DIR = (() => {
    try {
        return path.join(path.dirname(require.resolve('@subsquid/graphiql-console/package.json')), 'build')
    } catch {
        return undefined
    }
})()

let page: { html: string; csp: string } | null | undefined

/** The console's page, pointed at /graphql and /console/, with the content security policy it needs. */
export function consolePage(): { html: string; csp: string } | undefined {
    if (!CONSOLE_DIR) return undefined
    if (page === undefined) {
        try {
            const html = fs
                .readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8')
                .replace(/\/static\//g, '/console/static/')
                .replace('/manifest.json', '/console/manifest.json')
                .replace('${GRAPHQL_API}', '/graphql')
                .replace('${APP_TITLE}', 'Settlement API')
            page = html ? { html, csp: consolePolicy(html) } : null
        } catch {
            page = null
        }
    }
    return page ?? undefined
}

const MIME: Record<string, string> = {
    '.js': 'application/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
    '.map': 'application/json; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.woff2': 'font/woff2',
    '.woff': 'font/woff',
    '.ttf': 'font/ttf',
}

export function serveConsoleFile(req: IncomingMessage, res: ServerResponse, urlPath: string) {
    if (!CONSOLE_DIR) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } })
    let rel: string
    try {
        rel = decodeURIComponent(urlPath.replace(/^\/console\/?/, ''))
    } catch {
        return sendJson(res, 400, { error: { code: 'BAD_USER_INPUT', message: 'the path has a malformed %-escape' } })
    }
    const file = path.resolve(CONSOLE_DIR, rel)
    if (!file.startsWith(CONSOLE_DIR + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } })
    }
    const headers = { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=3600' }
    pipeCompressed(req, res, fs.createReadStream(file), headers, fs.statSync(file).size)
}
