/**
 * Hardening (issue 16, finding 9): the database going away must be visible, not silent.
 *
 * API (compiled, its own process): after `kill -9` of the postmaster, /health and /ready answer 503 (each probe
 * within 1 s throughout), an open subscription ends with an UNAVAILABLE error (reason FEED_LOST) and `complete`
 * once the change feed has been down for GQL_FEED_LOSS_MS (5 s here; 20 s by default), a new subscription is refused with UNAVAILABLE, queries
 * answer UNAVAILABLE; when Postgres is back, /health and /ready answer 200 again and subscriptions are accepted, all without
 * the API process restarting.
 *
 * Stack (`npm start`'s supervisor, src/stack/postgres-supervisor.ts): a postmaster killed with SIGKILL is logged and
 * started again on the same data (the rows written before are there), and a supervisor that cannot start it gives
 * up loudly after its attempts instead of running on without a database.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Client } from 'pg'
import WebSocket from 'ws'
import { setLogSink } from '../../src/stack/log'
import { startEmbeddedPostgres } from '../../src/stack/postgres'
import { superviseEmbeddedPostgres } from '../../src/stack/postgres-supervisor'
import { resetShutdownState } from '../../src/stack/processes'
import { freePort } from '../../src/stack/util'
import { DbStack, expectAlive, postGql, sleep, startDbStack, watchHealth } from './support/db-stack'

jest.setTimeout(240_000)

let s: DbStack

afterAll(async () => {
    await s?.close()
})

interface WsSub {
    messages: any[]
    closed: boolean
    close(): void
}

/** graphql-ws: connection_init, then one subscribe; records every message. */
async function subscribe(wsUrl: string, query: string): Promise<WsSub> {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws')
    const sub: WsSub = { messages: [], closed: false, close: () => ws.close() }
    ws.on('close', () => (sub.closed = true))
    ws.on('error', () => undefined)
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve, reject) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })))
        ws.on('message', (data) => {
            const m = JSON.parse(data.toString())
            if (m.type === 'ping') return ws.send('{"type":"pong"}')
            if (m.type === 'connection_ack') {
                ws.send(JSON.stringify({ id: 's1', type: 'subscribe', payload: { query } }))
                return resolve()
            }
            sub.messages.push(m)
        })
        // cleared once settled: a pending 10 s timer held jest that long after the last suite
        timer = setTimeout(() => reject(new Error('no connection_ack')), 10_000)
    }).finally(() => clearTimeout(timer))
    return sub
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
    const t0 = Date.now()
    while (!(await cond())) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
        await sleep(100)
    }
    return Date.now() - t0
}

const status = (api: DbStack['api'], p: string) =>
    fetch(`${api.base}${p}`, { signal: AbortSignal.timeout(1_000) })
        .then(async (r) => ({ status: r.status, body: await r.json() }))
        .catch(() => ({ status: 0, body: undefined as any }))

test('the API reports a dead database (503), ends subscriptions with a coded error, and recovers without a restart', async () => {
    s = await startDbStack('health', { GQL_FEED_LOSS_MS: '5000' })
    const wsUrl = `ws://127.0.0.1:${s.api.port}/graphql`
    expect(await status(s.api, '/health')).toMatchObject({ status: 200, body: { ok: true, db: true, listening: true } })
    expect(await status(s.api, '/ready')).toMatchObject({ status: 200, body: { ok: true, migrated: true } })
    const before = await subscribe(wsUrl, 'subscription { indexerHead { height } }')

    const health = watchHealth(s.api)
    process.kill(s.pg.pid, 'SIGKILL')
    await waitFor('/health 503', async () => (await status(s.api, '/health')).status === 503, 5_000)
    // the database check is reused for 1 s: within ~1 s it reports the database itself
    await waitFor('/ready db: false', async () => (await status(s.api, '/ready')).body?.db === false, 3_000)
    expect(await status(s.api, '/ready')).toMatchObject({ status: 503, body: { ok: false, db: false, listening: false } })
    // a query meanwhile: a coded, retryable error, not INTERNAL
    const q = await postGql(s.api, '{ a: batches(limit: 1) { id } b: tokens(limit: 1) { id } }', 10_000)
    expect(q.body?.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE')

    // the feed is lost after 5 s down: the open subscription gets one coded error, then complete
    await waitFor('subscription ended', () => before.messages.some((m) => m.type === 'complete'), 10_000)
    const err = before.messages.find((m) => m.type === 'next' && m.payload?.errors)
    expect(err?.payload.errors[0].extensions).toMatchObject({ code: 'UNAVAILABLE', reason: 'FEED_LOST' })
    const during = await subscribe(wsUrl, 'subscription { indexerHead { height } }')
    await waitFor('new subscription refused', () => during.messages.length > 0, 5_000)
    expect(JSON.stringify(during.messages[0])).toContain('UNAVAILABLE')
    during.close()
    before.close()

    s.pg = await startEmbeddedPostgres(s.pgOptions)
    await waitFor('/health 200 again', async () => (await status(s.api, '/health')).status === 200, 30_000)
    expect(await status(s.api, '/ready')).toMatchObject({ status: 200, body: { ok: true, db: true, listening: true, feedLost: false, migrated: true } })
    const h = await health.stop()
    expect(h.statuses.filter((x) => x === 0)).toEqual([])
    expect(h.slowest).toBeLessThan(1_000)
    expect(h.statuses).toContain(503)

    const after = await subscribe(wsUrl, 'subscription { indexerHead { height } }')
    await sleep(1_000)
    expect(after.messages).toEqual([])
    expect(after.closed).toBe(false)
    after.close()
    expectAlive(s.api)
})

test('npm start’s supervisor restarts a killed postmaster, and gives up loudly when it cannot', async () => {
    const logs: string[] = []
    setLogSink((l) => logs.push(l))
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sec-pgsup-'))
    fs.chmodSync(tmp, 0o755)
    const opts = { dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid', noFsync: true }
    const gaveUp: Error[] = []
    const sup = await superviseEmbeddedPostgres(opts, { initialBackoffMs: 200, maxFailures: 2, onGiveUp: (e) => gaveUp.push(e) })
    try {
        const query = async (sql: string) => {
            const c = new Client({ connectionString: sup.current().url, connectionTimeoutMillis: 2_000 })
            c.on('error', () => undefined)
            await c.connect()
            try {
                return (await c.query(sql)).rows
            } finally {
                await c.end().catch(() => undefined)
            }
        }
        // CHECKPOINT: the cluster runs without fsync / synchronous_commit, what SIGKILL may lose is not the point here
        await query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)')
        await query('CHECKPOINT')
        const first = sup.current().pid
        process.kill(first, 'SIGKILL')
        await waitFor('restarted', () => sup.current().pid !== first, 30_000)
        expect(await query('SELECT v FROM kept')).toEqual([{ v: 42 }])
        expect(sup.restarts).toBe(1)
        expect(logs.some((l) => /exited unexpectedly; restarting/.test(l))).toBe(true)
        expect(logs.some((l) => /Postgres \(embedded\) restarted/.test(l))).toBe(true)

        // a postmaster that cannot come back (its data dir made unusable): the supervisor gives up, loudly
        const second = sup.current().pid
        fs.writeFileSync(path.join(opts.dataDir, 'PG_VERSION'), '1\n')
        process.kill(second, 'SIGKILL')
        await waitFor('gave up', () => gaveUp.length > 0, 30_000)
        expect(gaveUp[0].message).toMatch(/PostgreSQL 1 cluster/)
        expect(logs.some((l) => /Postgres restart failed/.test(l))).toBe(true)
    } finally {
        await sup.stop().catch(() => undefined)
        resetShutdownState()
        setLogSink(null)
        fs.rmSync(tmp, { recursive: true, force: true })
    }
})
