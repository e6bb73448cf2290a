/**
 * Fault: Postgres goes away mid-run (fast shutdown of the embedded server) and comes back on the same port and
 * data directory a few seconds later, while the simulator keeps the chain busy, the processor indexes and the API
 * server serves queries and a graphql-ws subscription.
 *
 * Proved:
 * - the API server stays up: during the outage a query gets a coded error quickly (no hang, no crash), afterwards
 *   queries answer again without any restart, and its LISTEN connection comes back by itself: the subscription
 *   opened before the outage receives new heads indexed after it;
 * - the processor: either it survives or it exits and a supervisor restarts it (which one is printed; in
 *   production the supervisor is SQD Cloud / docker `restart:` / systemd; `npm start` restarts it with backoff,
 *   src/stack/supervise.ts). Today it exits (squid's typeorm-store does not reconnect) and the restart resumes from
 *   the last committed batch. Either way, after catching up the index reconciles at 0 mismatches and equals a fresh
 *   index of the same chain.
 */
import WebSocket from 'ws'
import { startEmbeddedPostgres } from '../../src/stack/postgres'
import {
    expectReconciled,
    expectSameAsFreshIndex,
    FaultStack,
    freezeChain,
    gql,
    simulate,
    sleep,
    startApiServer,
    startFaultStack,
    stopProcessor,
    waitCaughtUp,
} from './support/stack'

jest.setTimeout(300_000)

let s: FaultStack

beforeAll(async () => {
    s = await startFaultStack('pg')
})

afterAll(async () => {
    await s?.close()
})

/** One graphql-ws client subscribed to indexerHead, recording heights. */
function headSubscriber(wsUrl: string): { heights: number[]; errors: string[]; close(): void; ready: Promise<void> } {
    const heights: number[] = []
    const errors: string[] = []
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws')
    const ready = new Promise<void>((resolve, reject) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })))
        ws.on('message', (data) => {
            const m = JSON.parse(data.toString())
            if (m.type === 'connection_ack') {
                ws.send(JSON.stringify({ id: 'h', type: 'subscribe', payload: { query: 'subscription { indexerHead { height hash } }' } }))
                resolve()
            } else if (m.type === 'next') {
                if (m.payload?.data?.indexerHead) heights.push(m.payload.data.indexerHead.height)
                else errors.push(JSON.stringify(m.payload))
            } else if (m.type === 'error' || m.type === 'complete') errors.push(JSON.stringify(m))
            else if (m.type === 'ping') ws.send('{"type":"pong"}')
        })
        ws.on('error', reject)
        ws.on('close', (code) => errors.push(`closed ${code}`))
    })
    return { heights, errors, ready, close: () => ws.terminate() }
}

test('Postgres restarted mid-run: processor and API server recover without manual steps', async () => {
    await simulate(s, 5_000, 31)
    let p = await s.launch('p-before')
    await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)
    const api = await startApiServer(s, 'api')
    const sub = headSubscriber(api.wsUrl)
    await sub.ready

    let stop = false
    const sim = simulate(s, 120_000, 32, { stop: () => stop })
    await sleep(3_000)
    const before = await gql(api.url, '{ indexerStatus { height } }')
    expect(before.body?.data?.indexerStatus?.height).toBeGreaterThan(0)
    const heightsBefore = sub.heights.length

    // --- the outage -----------------------------------------------------------------------------------------
    const downAt = Date.now()
    await s.pg.stop()
    await sleep(1_000)
    const during = await gql(api.url, '{ batches(limit: 1) { id } }', {}, {}, 30_000)
    const duringMs = Date.now() - downAt
    await sleep(2_000)
    s.pg = await startEmbeddedPostgres(s.pgOptions)
    const upAt = Date.now()

    // --- recovery --------------------------------------------------------------------------------------------
    // the API answers again (pool reconnects on demand)
    let apiRecoveredMs = -1
    for (let i = 0; i < 150; i++) {
        const r = await gql(api.url, '{ batches(limit: 1) { id } }').catch(() => undefined)
        if (r?.status === 200 && r.body?.data?.batches) {
            apiRecoveredMs = Date.now() - upAt
            break
        }
        await sleep(200)
    }
    // the processor: survived, or exited and is restarted by the supervisor (this loop)
    const restarts: string[] = []
    const superviseUntil = Date.now() + 30_000
    while (Date.now() < superviseUntil) {
        if (p.proc.exitCode != null || p.proc.signalCode != null) {
            restarts.push(`exit ${p.proc.exitCode ?? p.proc.signalCode} at +${Date.now() - upAt} ms: ${lastLine(p.output())}`)
            p = await s.launch(`p-after-${restarts.length}`)
        }
        if (sub.heights.length > heightsBefore + 3 && Math.max(...sub.heights) > before.body.data.indexerStatus.height + 3) break
        await sleep(250)
    }
    stop = true
    await sim
    await freezeChain(s)
    const head = await waitCaughtUp(s.dbUrl, s.anvil.url, 120_000, p)
    await sleep(1_000)

    expect(api.handle.proc.exitCode).toBeNull()
    // during the outage: a prompt, coded error, not a hang and not a stack trace
    expect(duringMs).toBeLessThan(25_000)
    expect(during.body?.errors?.[0]?.extensions?.code).toEqual(expect.any(String))
    expect(during.text).not.toMatch(/\bat \S+\.js:\d+/)
    expect(apiRecoveredMs).toBeGreaterThanOrEqual(0)
    // LISTEN re-established: the subscription opened before the outage sees the head indexed after it
    expect(Math.max(...sub.heights)).toBe(head.height)
    sub.close()

    await stopProcessor(p)
    const r = await expectReconciled(s)
    const eq = await expectSameAsFreshIndex(s)
    console.log(
        `faults/postgres: outage ${upAt - downAt} ms; during it the API answered in ${duringMs} ms with ${during.body?.errors?.[0]?.extensions?.code}: ` +
            `"${during.body?.errors?.[0]?.message}"; API recovered ${apiRecoveredMs} ms after Postgres was back; processor ` +
            `${restarts.length ? `exited and was restarted: ${restarts.join(' | ')}` : 'survived without a restart'}; subscription saw ${sub.heights.length} heads ` +
            `(last ${Math.max(...sub.heights)}); head ${head.height}; reconcile ${r.checked} checked, 0 mismatches; equal to a fresh index (${eq.tables} tables, ${eq.rows} rows)`,
    )
})

function lastLine(out: string): string {
    const lines = out.trim().split('\n')
    const fatal = lines.reverse().find((l) => /"level":[45]/.test(l)) ?? lines[0] ?? ''
    return fatal.slice(0, 300)
}
