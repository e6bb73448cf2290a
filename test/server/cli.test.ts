/**
 * The deployable entry: `node lib/server/index.js` (built by tsc, as `npm test` does first) configured
 * from the environment, answering GraphQL, and exiting 0 on SIGTERM.
 */
import { ChildProcess, spawn } from 'child_process'
import * as fs from 'fs'
import * as path from 'path'
import { freePort } from '../../src/stack/util'
import { PgStack, startPgStack } from './support/stack'

jest.setTimeout(120_000)

const ENTRY = path.resolve(__dirname, '../../lib/server/index.js')
let stack: PgStack
let child: ChildProcess | undefined

beforeAll(async () => {
    stack = await startPgStack()
})

afterAll(async () => {
    if (child && child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
    await stack?.close()
})

test('node lib/server/index.js serves on GQL_PORT and stops cleanly on SIGTERM', async () => {
    expect(fs.existsSync(ENTRY)).toBe(true) // build first: npx tsc -p tsconfig.json
    const port = await freePort()
    const env: Record<string, string | undefined> = { ...process.env, DB_URL: stack.url, GQL_PORT: String(port), RPC_URL: 'http://127.0.0.1:1' }
    for (const v of ['DATABASE_URL', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS']) delete env[v]
    child = spawn(process.execPath, [ENTRY], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    const deadline = Date.now() + 30_000
    while (!/GraphQL API on/.test(out)) {
        if (child.exitCode != null || Date.now() > deadline) throw new Error(`server did not start: ${out}`)
        await new Promise((r) => setTimeout(r, 100))
    }
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ indexerStatus { height chainHead listening } batches(limit: 1) { id } }' }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ data: { indexerStatus: { height: null, chainHead: null, listening: true }, batches: [] } })
    const exited = new Promise<[number | null, string | null]>((r) => child!.once('exit', (code, signal) => r([code, signal])))
    child.kill('SIGTERM')
    expect(await exited).toEqual([0, null])
    expect(out).not.toMatch(/ERROR|Unhandled/)
})
