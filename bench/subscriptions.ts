/**
 * subscriptions: fan-out latency of the API server's push subscriptions at 1,000 and 10,000 graphql-ws clients.
 *
 * Method (server fan-out): N clients (one connection each) subscribe to `batchUpdated` (unfiltered). Each round,
 * the benchmark bumps the batch's claim_count (undone at the end; every client checks it got that round's value) and sends the processor's change notice itself — `SELECT pg_notify('squid_batch', payload)` with
 * the real indexed head and one real batch id, exactly what the processor emits after committing a batch — and
 * takes the time just before; every client records when its `next` arrives. The server goes through its real
 * path: LISTEN connection → change feed → one SQL query for the changed batch → hub → N graphql-ws sends.
 * Rounds are sequential (the next notice only after every client got the previous one or 10 s passed), so
 * arrivals are attributed to their round without any payload tagging. Latency = arrival − notify time.
 * The clients run in worker threads of the benchmark (bench/support/ws-clients.ts, BENCH_WS_CLIENT_THREADS, default
 * 2), each stamping arrivals on the absolute clock, so the thread that sends the NOTIFY does not parse 10,000
 * messages; they still share the 2-core machine with the server and Postgres, so their CPU is in the figures.
 *
 * Also (1,000 clients, `indexerHead`): chain → client with the real processor running: a transaction mined on
 * anvil (automine) → processor polls the head (RPC_HEAD_POLL_MS=200) → indexes → NOTIFY → client; latency from
 * the moment eth_sendTransaction returned (block mined) to the client's arrival of that height.
 *
 * Also live queries (bench/live-queries.ts): 1,000 (quick) / 10,000 clients over 100 variable sets of one live query.
 *
 * Server RSS (after subscribing, peak) and CPU (% of one core during the rounds) come from /proc of the server.
 */
import { Client } from 'pg'
import { Interface, Wallet } from 'ethers'
import { anvilKey, LOCAL_ROLES } from '../src/deploy/local-accounts'
import { rpcCall } from '../src/stack/anvil'
import { BenchError, BenchResult, distribution, Distribution, environment, note, round, sleep } from './support/common'
import { selfCpuMeter } from './support/proc-stats'
import { processorBuildInfo, RunContext } from './support/context'
import { clientThreads, closeClients, connectClients } from './support/ws-clients'
import { indexedHead } from './support/stack'
import { LIVE_QUERY, liveLevel, LiveLevelResult } from './live-queries'

/** claimCount: the benchmark bumps it before each notice, so every client checks it got this round's row */
const FAN_OUT_QUERY = 'subscription { batchUpdated { id status totalAmount claimedAmount claimCount updatedAtBlock } }'

/** unmeasured rounds every client was served in, before the measured ones */
const WARM_ROUNDS = 3

interface LevelResult {
    clients: number
    connectMs: number
    failedConnections: number
    rounds: number
    missed: number
    latencyMs: Distribution
    perRoundP99Ms: number[]
    serverRssMbBefore: number
    serverRssMbSubscribed: number
    serverCpuPercentDuringRounds: number
    /** the benchmark process (its client threads) during the rounds, % of one core */
    clientCpuPercentDuringRounds: number
    clientErrors: number
    /** `next` messages whose batch was not the notified one or whose claimCount was not this round's */
    wrongPayloads: number
    errorSamples: string[]
}

export async function runSubscriptions(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const s = await ctx.indexedStack()
    const db = new Client({ connectionString: s.dbUrl })
    await db.connect()
    const batchRow = (await db.query(`SELECT id FROM batch ORDER BY committed_at_block DESC LIMIT 1`)).rows[0]
    if (!batchRow) throw new BenchError('no indexed batch to notify about')
    const levels = ctx.opts.quick ? [1_000] : [1_000, 10_000]
    const rounds = ctx.opts.quick ? 10 : 30
    const server = await s.startServer({ GQL_MAX_WS_CONNECTIONS: '12000' })
    const results: Record<string, LevelResult> = {}
    let e2e: Record<string, unknown> | undefined
    let live: LiveLevelResult | undefined
    try {
        for (const n of levels) {
            results[`c${n}`] = await fanOutLevel(server, db, batchRow.id, n, rounds)
            const r = results[`c${n}`]
            note('subscriptions', `${n} clients: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, missed ${r.missed}, server RSS ${r.serverRssMbSubscribed} MB, CPU ${r.serverCpuPercentDuringRounds}% (clients ${r.clientCpuPercentDuringRounds}%)`)
        }
        live = await liveLevel(server, db, ctx.opts.quick ? 1_000 : 10_000, 100, rounds)
        note('subscriptions', `live: ${live.clients} clients over ${live.variableSets} variable sets: p50 ${live.latencyMs.p50} ms, p99 ${live.latencyMs.p99} ms, missed ${live.missed}, server RSS ${live.serverRssMbSubscribed} MB`)
        e2e = await chainToClient(ctx, server, ctx.opts.quick ? 5 : 15)
    } finally {
        await server.child.stop()
        await db.end()
    }
    const serverPeakRssMb = server.child.monitor.peakMb
    return {
        name: 'subscriptions',
        quick: ctx.opts.quick,
        inputs: {
            levels,
            roundsPerLevel: rounds,
            subscription: FAN_OUT_QUERY,
            liveQuery: `${LIVE_QUERY} ($n = 1..100: 100 variable sets; bench/live-queries.ts)`,
            method: "pg_notify('squid_batch', <processor-format notice with the indexed head and one batch id>) from a pg client; latency = client arrival − time before the NOTIFY; rounds sequential",
            serverEnv: { GQL_MAX_WS_CONNECTIONS: '12000 (default 5,000)' },
            clients: `bench/support/ws-clients.ts: one graphql-transport-ws connection per client, in ${clientThreads()} worker threads of the benchmark process (arrival stamped on the absolute clock)`,
        },
        environment: environment({ postgres: s.postgresVersion }),
        figures: { ...results, live: live ?? null, chainToClient: e2e ?? null, serverPeakRssMb },
        summary: {
            p99Ms1000: results.c1000.latencyMs.p99,
            p99Ms10000: results.c10000?.latencyMs.p99 ?? null,
            p50Ms1000: results.c1000.latencyMs.p50,
            p50Ms10000: results.c10000?.latencyMs.p50 ?? null,
            serverRssMb10000: results.c10000?.serverRssMbSubscribed ?? null,
            p99MsLive1000: ctx.opts.quick ? (live?.latencyMs.p99 ?? null) : null,
            p99MsLive10000: ctx.opts.quick ? null : (live?.latencyMs.p99 ?? null),
            chainToClientP99Ms: (e2e?.latencyMs as Distribution | undefined)?.p99 ?? null,
        },
        notes: ctx.opts.quick ? ['quick: 1,000 clients only'] : [],
        durationMs: Date.now() - t0,
    }
}

export async function fanOutLevel(server: { wsUrl: string; child: any }, db: Client, batchId: string, n: number, rounds: number): Promise<LevelResult> {
    server.child.monitor.sample()
    const rssBefore = server.child.monitor.lastRssMb
    let current = -1
    let sentAt = 0
    const arrivals: number[][] = []
    const gotRound = new Int32Array(n).fill(-2)
    let receivedThisRound = 0
    let wrong = 0
    // the claimCount every client must see this round (the row is bumped before each notice, undone at the end)
    let expected = Number((await db.query(`SELECT claim_count FROM batch WHERE id = $1`, [batchId])).rows[0].claim_count)
    let bumped = 0
    const { clients, connectMs, failed, errors } = await connectClients({
        url: server.wsUrl,
        count: n,
        query: FAN_OUT_QUERY,
        check: { path: ['batchUpdated'], field: 'claimCount' },
        onNext: (i, at, _payload, count, claimCount) => {
            if (current < 0 || gotRound[i] === current) return
            if (count !== 1 || claimCount !== expected) return void wrong++
            gotRound[i] = current
            arrivals[current].push(at - sentAt)
            receivedThisRound++
        },
    })
    try {
        if (failed) throw new BenchError(`${failed} of ${n} clients could not connect: ${errors.slice(0, 3).join('; ')}`)
        const head = await indexedHead(db)
        const payload = JSON.stringify({ height: head?.height ?? 0, hash: head?.hash ?? '0x', head: true, changed: { batches: [batchId] } })
        const notify = async () => {
            receivedThisRound = 0
            await db.query(`UPDATE batch SET claim_count = claim_count + 1 WHERE id = $1`, [batchId])
            bumped++
            expected++
            sentAt = performance.now()
            await db.query(`SELECT pg_notify('squid_batch', $1)`, [payload])
        }
        // warm-up rounds until every client is subscribed and served once (subscribe has no acknowledgement), then
        // WARM_ROUNDS − 1 more: the first pushes on fresh connections were slower in the runs we looked at (10k: round 1 ~110 ms,
        // later rounds ~80 ms, on a second set of clients in the same server too), a one-off per connection
        const warmDeadline = Date.now() + 120_000
        for (let w = 0, full = 0; ; w++) {
            current = 1_000_000 + w
            arrivals[current] = []
            await notify()
            const until = Date.now() + 3_000
            while (receivedThisRound < n && Date.now() < until) await sleep(20)
            if (receivedThisRound === n && ++full >= WARM_ROUNDS) break
            await sleep(150)
            if (Date.now() > warmDeadline) throw new BenchError(`after 120 s only ${receivedThisRound} of ${n} subscribers got a warm-up notice`)
        }
        await sleep(300)
        wrong = 0
        server.child.monitor.sample()
        const rssSubscribed = server.child.monitor.lastRssMb
        server.child.monitor.mark()
        const clientCpu = selfCpuMeter()
        let missed = 0
        const perRoundP99: number[] = []
        for (let r = 0; r < rounds; r++) {
            current = r
            arrivals[r] = []
            await notify()
            const until = Date.now() + 10_000
            while (receivedThisRound < n && Date.now() < until) await sleep(5)
            missed += n - receivedThisRound
            perRoundP99.push(distribution(arrivals[r]).p99)
            await sleep(150)
        }
        const cpu = server.child.monitor.cpuPercentSinceMark()
        const clientCpuPercent = clientCpu.stop()
        const all = arrivals.slice(0, rounds).flat()
        return {
            clients: n,
            connectMs: round(connectMs),
            failedConnections: failed,
            rounds,
            missed,
            latencyMs: distribution(all),
            perRoundP99Ms: perRoundP99,
            serverRssMbBefore: rssBefore,
            serverRssMbSubscribed: rssSubscribed,
            serverCpuPercentDuringRounds: cpu,
            clientCpuPercentDuringRounds: clientCpuPercent,
            clientErrors: clients.errors,
            wrongPayloads: wrong,
            errorSamples: errors,
        }
    } finally {
        if (bumped) await db.query(`UPDATE batch SET claim_count = claim_count - $2 WHERE id = $1`, [batchId, bumped])
        await closeClients(clients)
        await sleep(500)
    }
}

/** 1,000 indexerHead subscribers, the real processor running, a transaction per round. */
async function chainToClient(ctx: RunContext, server: { wsUrl: string }, rounds: number): Promise<Record<string, unknown>> {
    const s = await ctx.indexedStack()
    const p = s.startProcessor(await s.processorEnv(processorBuildInfo().env), 'processor-subscriptions')
    const n = 1_000
    let target = Number.MAX_SAFE_INTEGER
    let minedAt = 0
    const lat: number[] = []
    const got = new Int32Array(n).fill(-1)
    let count = 0
    const { clients, failed } = await connectClients({
        url: server.wsUrl,
        count: n,
        query: 'subscription { indexerHead { height hash } }',
        payloads: true,
        onNext: (i, at, payload) => {
            const h = payload?.data?.indexerHead?.height
            if (typeof h !== 'number' || h < target || got[i] === target) return
            got[i] = target
            lat.push(at - minedAt)
            count++
        },
    })
    try {
        if (failed) throw new BenchError(`${failed} indexerHead clients could not connect`)
        const iface = new Interface(['function emitDeposits(address token, uint256 count, uint256 payers)'])
        const from = new Wallet(anvilKey(LOCAL_ROLES.deployer)).address
        const data = iface.encodeFunctionData('emitDeposits', [s.deployment.contracts.MockUSDC, 1, 1])
        let missed = 0
        // first tx: wait for the processor to be at the head and the subscriptions to be live
        for (let r = -1; r < rounds; r++) {
            count = 0
            const before = Number(await rpcCall(s.rpcUrl, 'eth_blockNumber'))
            target = before + 1
            await rpcCall(s.rpcUrl, 'eth_sendTransaction', [{ from, to: s.loadAddress, data, gas: '0x50000' }])
            minedAt = performance.now()
            const until = Date.now() + (r < 0 ? 60_000 : 10_000)
            while (count < n && Date.now() < until) await sleep(5)
            if (r < 0) {
                if (count < n) throw new BenchError(`warm-up: ${count} of ${n} indexerHead subscribers saw block ${target}`)
                lat.length = 0
            } else missed += n - count
            await sleep(300)
        }
        return { clients: n, rounds, missed, latencyMs: distribution(lat), processorEnv: { RPC_HEAD_POLL_MS: '200' } }
    } finally {
        await closeClients(clients)
        await p.stop()
    }
}
