/**
 * The GraphQL-over-HTTP audit suite shipped with graphql-http, run against the composed server: every
 * MUST audit has to pass (SHOULD/MAY results are printed).
 */
import { serverAudits } from 'graphql-http'
import { RunningServer, startServer } from '../../src/server'
import { PgStack, startPgStack } from './support/stack'

jest.setTimeout(120_000)

let stack: PgStack
let server: RunningServer

beforeAll(async () => {
    stack = await startPgStack()
    server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: stack.url, rpcUrl: null, log: () => undefined, rateLimit: { anonymous: { burst: 10_000, perSecond: 10_000 } } })
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

test('graphql-http serverAudits: all MUST audits pass', async () => {
    const audits = serverAudits({ url: server.url, fetchFn: fetch })
    const results = []
    for (const audit of audits) results.push(await audit.fn())
    const failed = results.filter((r) => r.status !== 'ok')
    const mustFailures = failed.filter((r) => r.name.startsWith('MUST')).map((r) => `${r.id} ${r.name}: ${(r as any).reason}`)
    const summary = {
        total: results.length,
        must: results.filter((r) => r.name.startsWith('MUST')).length,
        ok: results.filter((r) => r.status === 'ok').length,
        notOk: failed.map((r) => `${r.status} ${r.name}`),
    }
    console.log(JSON.stringify(summary, null, 2))
    expect(mustFailures).toEqual([])
    expect(summary.must).toBeGreaterThan(10)
})
