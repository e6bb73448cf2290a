/**
 * Issue 16 finding 10: failed authentications are limited per IP (429 RATE_LIMITED + retry-after, before any
 * database lookup), unknown keys never push valid ones out of the key cache, and guessing keys costs at most the
 * failure budget in lookups.
 */
import { randomBytes } from 'crypto'
import { clearApiKeyCache, createApiKey, hashApiKey, resolveCaller } from '../../src/server/api-keys'
import { RunningServer, startServer } from '../../src/server'
import { data, firstError, gql, PgStack, post, startPgStack } from '../server/support/stack'
import { openWs } from './support/auth-ws'

jest.setTimeout(60_000)

let stack: PgStack
let server: RunningServer
let keyLookups = 0

const randomKey = () => 'sk_' + randomBytes(32).toString('base64url')

beforeAll(async () => {
    stack = await startPgStack()
    server = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: stack.url,
        rpcUrl: null,
        log: () => undefined,
        // a slow refill (one failure every 20 s) so a loaded machine, slow to send the 300 guesses, cannot refill the
        // budget meanwhile: the counts below then hold however long the attack takes
        auth: { failBurst: 20, failPerSecond: 0.05 },
        rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } },
    })
    // count the server's key lookups
    const query = server.pool.query.bind(server.pool) as any
    ;(server.pool as any).query = (...args: any[]) => {
        if (typeof args[0] === 'string' && args[0].includes('FROM api.api_keys')) keyLookups++
        return query(...args)
    }
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

test('300 random keys from one IP: 20 lookups and 401s, then 429 RATE_LIMITED with retry-after; a valid key still works', async () => {
    const { key } = await createApiKey(stack.pool, 'read-only')
    expect(data(await gql(server.url, '{ __typename }', undefined, { authorization: `Bearer ${key}` }))).toEqual({ __typename: 'Query' })
    const before = keyLookups
    const statuses: number[] = []
    let limited: Awaited<ReturnType<typeof gql>> | undefined
    let attacking = true
    const healthTimes: number[] = []
    const health = (async () => {
        while (attacking) {
            const t = Date.now()
            expect((await fetch(server.url.replace('/graphql', '/health'))).status).toBe(200)
            healthTimes.push(Date.now() - t)
            await new Promise((r) => setTimeout(r, 50))
        }
    })()
    // 10 concurrent guessers
    await Promise.all(
        Array.from({ length: 10 }, async () => {
            for (let i = 0; i < 30; i++) {
                const res = await gql(server.url, '{ __typename }', undefined, { authorization: `Bearer ${randomKey()}` })
                statuses.push(res.status)
                if (res.status === 429) limited ??= res
            }
        }),
    )
    attacking = false
    await health
    expect(healthTimes.length).toBeGreaterThan(0)
    expect(Math.max(...healthTimes)).toBeLessThan(1_000)
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(21) // the budget (+1 refilled meanwhile)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(270)
    expect(keyLookups - before).toBeLessThanOrEqual(21)
    const e = firstError(limited!)
    expect(e.code).toBe('RATE_LIMITED')
    expect(e.extensions).toMatchObject({ reason: 'AUTH_FAILURES' })
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)

    // the valid key of the same address is not locked out, also after its cache entry expired (2 s), and anonymous
    // queries still run
    expect(data(await gql(server.url, '{ __typename }', undefined, { authorization: `Bearer ${key}` }))).toEqual({ __typename: 'Query' })
    expect(data(await gql(server.url, '{ __typename }'))).toEqual({ __typename: 'Query' })
    // /sql and graphql-ws refuse the same way
    const sql = await post(server.url.replace('/graphql', '/sql'), { sql: 'SELECT 1' }, { authorization: `Bearer ${randomKey()}` })
    expect(sql.status).toBe(429)
    expect(sql.body.error.code).toBe('RATE_LIMITED')
    const ws = await openWs(server.wsUrl)
    expect(await ws.init(`Bearer ${randomKey()}`)).toBe(4429)
    await new Promise((r) => setTimeout(r, 2_100))
    // drain what refilled meanwhile, so only the key's standing can let it through
    for (let i = 0; i < 10; i++) if ((await gql(server.url, '{ __typename }', undefined, { authorization: `Bearer ${randomKey()}` })).status === 429) break
    expect(data(await gql(server.url, '{ __typename }', undefined, { authorization: `Bearer ${key}` }))).toEqual({ __typename: 'Query' })
})

test('unknown keys never evict valid ones from the key cache', async () => {
    clearApiKeyCache()
    const key = randomKey()
    const validKeyHash = hashApiKey(key)
    let validLookups = 0
    // a database that knows only `key`
    const db: any = {
        query: async (_sql: string, params: string[]) => {
            if (params[0] !== validKeyHash) return { rowCount: 0, rows: [] }
            validLookups++
            return { rowCount: 1, rows: [{ id: 7, role: 'operator' }] }
        },
    }
    const opts = { ttlMs: 600_000 }
    expect(await resolveCaller(db, `Bearer ${key}`, opts)).toEqual({ keyId: 7, role: 'operator' })
    for (let i = 0; i < 12_000; i++) await expect(resolveCaller(db, `Bearer ${randomKey()}`, opts)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } })
    expect(await resolveCaller(db, `Bearer ${key}`, opts)).toEqual({ keyId: 7, role: 'operator' })
    expect(validLookups).toBe(1)
    clearApiKeyCache()
})
