/**
 * Issue 16 finding 14 (ws part): graphql-ws connections are capped per client IP (HTTP 429 on the upgrade), and an
 * oversized frame is logged as one line (no stack trace, nothing on the console), the socket closed with 1009.
 */
import { RunningServer, startServer } from '../../src/server'
import { PgStack, startPgStack } from '../server/support/stack'
import { openWs, RawWs } from './support/auth-ws'

jest.setTimeout(60_000)

let stack: PgStack
let server: RunningServer
const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = []

beforeAll(async () => {
    stack = await startPgStack()
    server = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: stack.url,
        rpcUrl: null,
        log: (level, message, fields) => logs.push({ level, message, fields }),
        limits: { maxBodyBytes: 4096 },
        subscriptions: { maxPerIp: 5 },
    })
})

afterAll(async () => {
    await server?.close()
    await stack?.close()
})

test('at most maxPerIp graphql-ws connections per IP; a closed one frees its place', async () => {
    const open: RawWs[] = []
    for (let i = 0; i < 5; i++) {
        const ws = await openWs(server.wsUrl)
        expect(await ws.init()).toBe('ack')
        open.push(ws)
    }
    await expect(openWs(server.wsUrl)).rejects.toMatchObject({ status: 429 })
    open[0].close()
    await open[0].closed
    // the server sees the close a moment later
    let again: RawWs | undefined
    for (let i = 0; i < 50 && !again; i++) {
        again = await openWs(server.wsUrl).catch(() => undefined)
        if (!again) await new Promise((r) => setTimeout(r, 20))
    }
    expect(again).toBeDefined()
    expect(await again!.init()).toBe('ack')
    for (const ws of [...open.slice(1), again!]) ws.close()
    await Promise.all([...open.slice(1), again!].map((w) => w.closed))
})

test('oversized frames: closed with 1009, one log line each without a stack, nothing on the console', async () => {
    const consoleError = jest.spyOn(console, 'error')
    try {
        const before = logs.length
        for (let i = 0; i < 3; i++) {
            const ws = await openWs(server.wsUrl)
            expect(await ws.init()).toBe('ack')
            ws.socket.send(JSON.stringify({ id: 'x', type: 'subscribe', payload: { query: `{ __typename } #${'x'.repeat(8192)}` } }))
            expect((await ws.closed).code).toBe(1009)
        }
        // the server's close handling runs after the client saw the close frame
        await new Promise((r) => setTimeout(r, 100))
        const lines = logs.slice(before).filter((l) => /socket error/.test(l.message))
        expect(lines).toHaveLength(3)
        for (const l of lines) {
            expect(l.level).toBe('warn')
            expect(JSON.stringify(l.fields)).not.toMatch(/\n\s+at /) // no stack trace
            expect(l.fields).toMatchObject({ code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' })
        }
        expect(consoleError).not.toHaveBeenCalled()
    } finally {
        consoleError.mockRestore()
    }
    const health = await fetch(server.url.replace('/graphql', '/health'))
    expect(health.status).toBe(200)
})
