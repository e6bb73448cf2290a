/**
 * Compression (gzip/brotli over 1 KB when accepted, cached answers included, not graphql-ws), the security
 * headers, and CORS with an origin list (CORS_ORIGINS / GQL_CORS_ORIGIN).
 */
import * as zlib from 'zlib'
import { createHash } from 'crypto'
import WebSocket from 'ws'
import { RunningServer, serverOptionsFromEnv, startServer, ServerOptions } from '../../src/server'
import { parseCorsOrigins } from '../../src/server/http-headers'
import { pickEncoding } from '../../src/server/compression'
import { PgStack, startPgStack } from '../server/support/stack'
import { gqlRaw, raw } from './support/raw-http'

jest.setTimeout(120_000)

let stack: PgStack
const servers: RunningServer[] = []

async function server(opts: Partial<ServerOptions> = {}): Promise<RunningServer> {
    const s = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: stack.url,
        rpcUrl: null,
        log: () => undefined,
        rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } },
        sql: { allowAnonymous: true },
        ...opts,
    })
    servers.push(s)
    return s
}

// an answer of several KB without fixtures
const BIG = `{ __schema { types { name description } } }`
const SMALL = `{ __typename }`

function decode(body: Buffer, encoding: string | undefined): string {
    if (encoding === 'br') return zlib.brotliDecompressSync(body).toString('utf8')
    if (encoding === 'gzip') return zlib.gunzipSync(body).toString('utf8')
    return body.toString('utf8')
}

beforeAll(async () => {
    stack = await startPgStack()
})

afterAll(async () => {
    for (const s of servers) await s.close()
    await stack?.close()
})

test('Accept-Encoding picks brotli or gzip by q-value; none or q=0 → identity', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br')
    expect(pickEncoding('gzip')).toBe('gzip')
    expect(pickEncoding('br;q=0.5, gzip;q=0.8')).toBe('gzip')
    expect(pickEncoding('br;q=0, gzip;q=0')).toBeUndefined()
    expect(pickEncoding('identity')).toBeUndefined()
    expect(pickEncoding('*')).toBe('br')
    expect(pickEncoding(undefined)).toBeUndefined()
})

test('GraphQL answers over 1 KB are compressed as the client accepts; small ones and non-accepting clients get identity', async () => {
    const s = await server({ resultCacheMs: 0 })
    const plain = await gqlRaw(s.url, BIG)
    expect(plain.status).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length)
    expect(plain.body.length).toBeGreaterThan(1024)
    const expected = JSON.parse(plain.body.toString('utf8'))
    expect(expected.data.__schema.types.length).toBeGreaterThan(10)

    for (const [accept, enc] of [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
    ] as const) {
        const r = await gqlRaw(s.url, BIG, { 'accept-encoding': accept })
        expect(r.status).toBe(200)
        expect(r.headers['content-encoding']).toBe(enc)
        expect(r.headers.vary).toMatch(/Accept-Encoding/i)
        expect(Number(r.headers['content-length'])).toBe(r.body.length)
        expect(r.body.length).toBeLessThan(plain.body.length / 2)
        expect(JSON.parse(decode(r.body, enc))).toEqual(expected)
    }

    const small = await gqlRaw(s.url, SMALL, { 'accept-encoding': 'br, gzip' })
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(JSON.parse(small.body.toString()).data.__typename).toBe('Query')
})

test('cached answers are served compressed (and identical) to every encoding', async () => {
    const s = await server({ resultCacheMs: 60_000 })
    const first = await gqlRaw(s.url, BIG, { 'accept-encoding': 'br' })
    expect(first.headers['x-cache']).toBeUndefined()
    const hitBr = await gqlRaw(s.url, BIG, { 'accept-encoding': 'br' })
    const hitBr2 = await gqlRaw(s.url, BIG, { 'accept-encoding': 'br' })
    const hitGz = await gqlRaw(s.url, BIG, { 'accept-encoding': 'gzip' })
    const hitPlain = await gqlRaw(s.url, BIG)
    for (const r of [hitBr, hitBr2, hitGz, hitPlain]) expect(r.headers['x-cache']).toBe('hit')
    expect(hitBr.headers['content-encoding']).toBe('br')
    expect(hitGz.headers['content-encoding']).toBe('gzip')
    expect(hitPlain.headers['content-encoding']).toBeUndefined()
    expect(hitBr2.body.equals(hitBr.body)).toBe(true)
    const text = decode(first.body, 'br')
    expect(decode(hitBr.body, 'br')).toBe(text)
    expect(decode(hitGz.body, 'gzip')).toBe(text)
    expect(hitPlain.body.toString('utf8')).toBe(text)
})

test('/sql and the console files are compressed; graphql-ws negotiates no compression', async () => {
    const s = await server()
    const sqlUrl = new URL('/sql', s.url).toString()
    const r = await raw(sqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' }, body: JSON.stringify({ sql: 'SELECT g FROM generate_series(1, 500) g' }) })
    expect(r.status).toBe(200)
    expect(r.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(decode(r.body, 'gzip')).rows).toHaveLength(500)

    const page = await raw(s.url, { headers: { accept: 'text/html', 'accept-encoding': 'br' } })
    expect(page.status).toBe(200) // @subsquid/graphiql-console is a dependency
    {
        const html = decode(page.body, page.headers['content-encoding'])
        const script = html.match(/<script src="(\/console\/static\/js\/[^"]+)"/)?.[1]
        expect(script).toBeDefined()
        const js = await raw(new URL(script!, s.url).toString(), { headers: { 'accept-encoding': 'gzip' } })
        expect(js.status).toBe(200)
        expect(js.headers['content-encoding']).toBe('gzip')
        expect(decode(js.body, 'gzip').length).toBeGreaterThan(js.body.length)
    }

    const ws = new WebSocket(s.wsUrl, 'graphql-transport-ws', { perMessageDeflate: true })
    await new Promise((resolve, reject) => {
        ws.once('open', resolve)
        ws.once('error', reject)
    })
    expect(ws.extensions).toBe('')
    ws.close()
})

test('security headers: nosniff, no referrer, a deny-all CSP on JSON; GraphiQL allows only its own inline script by hash', async () => {
    const s = await server()
    for (const r of [await gqlRaw(s.url, SMALL), await raw(new URL('/health', s.url).toString()), await raw(new URL('/nope', s.url).toString())]) {
        expect(r.headers['x-content-type-options']).toBe('nosniff')
        expect(r.headers['referrer-policy']).toBe('no-referrer')
        expect(r.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'")
    }
    const page = await raw(s.url, { headers: { accept: 'text/html' } })
    expect(page.status).toBe(200)
    const csp = String(page.headers['content-security-policy'])
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    const html = page.body.toString('utf8')
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1])
    expect(inline.length).toBeGreaterThan(0)
    for (const code of inline) expect(csp).toContain(`'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`)
    expect(csp).toContain("connect-src 'self'")
    expect(page.headers['x-content-type-options']).toBe('nosniff')
})

test('CORS: * by default; an origin list echoes a listed Origin with Vary: Origin and answers others without CORS', async () => {
    const any = await server()
    const a = await gqlRaw(any.url, SMALL, { origin: 'https://anything.example' })
    expect(a.headers['access-control-allow-origin']).toBe('*')

    const listed = await server({ corsOrigin: 'https://app.example.com, http://localhost:3000' })
    const ok = await gqlRaw(listed.url, SMALL, { origin: 'http://localhost:3000' })
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3000')
    expect(ok.headers.vary).toMatch(/Origin/)
    const other = await gqlRaw(listed.url, SMALL, { origin: 'https://evil.example' })
    expect(other.status).toBe(200)
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
    expect(other.headers.vary).toMatch(/Origin/)
    const pre = await raw(listed.url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } })
    expect(pre.status).toBe(204)
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/)

    // Vary keeps every reason: Origin (CORS list), Accept (GraphiQL vs JSON), Accept-Encoding
    const page = await raw(listed.url, { headers: { accept: 'text/html', origin: 'https://app.example.com', 'accept-encoding': 'gzip' } })
    expect(page.status).toBe(200)
    expect(String(page.headers.vary).split(/,\s*/).sort()).toEqual(['Accept', 'Accept-Encoding', 'Origin'])

    const off = await server({ corsOrigin: '' })
    expect((await gqlRaw(off.url, SMALL, { origin: 'https://app.example.com' })).headers['access-control-allow-origin']).toBeUndefined()
})

test('CORS_ORIGINS (or GQL_CORS_ORIGIN) from the environment; bad origins are refused at startup', () => {
    expect(serverOptionsFromEnv({ CORS_ORIGINS: 'https://a.example,https://b.example' }).corsOrigin).toBe('https://a.example,https://b.example')
    expect(serverOptionsFromEnv({ GQL_CORS_ORIGIN: 'https://a.example' }).corsOrigin).toBe('https://a.example')
    expect(serverOptionsFromEnv({ CORS_ORIGINS: 'https://a.example', GQL_CORS_ORIGIN: '*' }).corsOrigin).toBe('https://a.example')
    expect(serverOptionsFromEnv({}).corsOrigin).toBeUndefined()
    const list = parseCorsOrigins('https://a.example, http://localhost:3000')
    expect(list.kind === 'list' && [...list.origins]).toEqual(['https://a.example', 'http://localhost:3000'])
    expect(parseCorsOrigins('').kind).toBe('off')
    expect(parseCorsOrigins('*').kind).toBe('any')
    expect(() => parseCorsOrigins('https://a.example/path')).toThrow(/not an origin/)
    expect(() => parseCorsOrigins('app.example.com')).toThrow(/not an origin/)
    expect(() => parseCorsOrigins('*, https://a.example')).toThrow(/cannot be combined/)
})
