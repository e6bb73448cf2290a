/**
 * Live-query level of the subscriptions benchmark: N graphql-ws clients spread over `sets` distinct variable
 * sets of one live query, `subscription($n: Int!) { batches(orderBy: id_ASC, limit: $n) { id claimCount } }`
 * with $n = 1..sets (the quick chain has only a few batches, so the sets differ by their limit). Each round changes
 * the first `sets` batches (claim_count + 1, undone at the end) and sends the processor-format notice naming the
 * `Batch` table; the server re-runs each distinct live query once (shared by its N/sets subscribers) and pushes
 * the changed result. Latency = client arrival − time before the NOTIFY.
 * Rounds are sequential, spaced by more than LIVE_MIN_INTERVAL_MS so that no run is throttled.
 */
import { Client } from 'pg'
import { BenchError, distribution, Distribution, round, sleep } from './support/common'
import { selfCpuMeter } from './support/proc-stats'
import { closeClients, connectClients } from './support/ws-clients'
import { indexedHead } from './support/stack'

export interface LiveLevelResult {
    clients: number
    variableSets: number
    rounds: number
    missed: number
    /** results that were not that client's rows of that round */
    wrongPayloads: number
    connectMs: number
    latencyMs: Distribution
    serverRssMbSubscribed: number
    serverCpuPercentDuringRounds: number
    /** the benchmark process (its client threads) during the rounds, % of one core */
    clientCpuPercentDuringRounds: number
}

export const LIVE_QUERY = 'subscription($n: Int!) { batches(orderBy: id_ASC, limit: $n) { id claimCount } }'

export async function liveLevel(server: { wsUrl: string; child: any }, db: Client, n: number, sets: number, rounds: number): Promise<LiveLevelResult> {
    const first = (await db.query(`SELECT id, claim_count FROM batch ORDER BY id LIMIT $1`, [sets])).rows
    const ids = first.map((r) => r.id as string)
    if (ids.length === 0) throw new BenchError('live queries: no indexed batch')
    // what a client with $n must get in round r: min(n, batches) rows whose claimCounts sum to base[rows] + (r + 1) · rows
    const base = [0]
    for (const r of first) base.push(base[base.length - 1] + Number(r.claim_count))
    let wrong = 0
    let current = -1
    let sentAt = 0
    let received = 0
    const arrivals: number[][] = []
    const per = Math.ceil(n / sets)
    // client i subscribes with $n = floor(i / per) + 1: `per` clients for each variable set
    const variables = Array.from({ length: n }, (_, i) => ({ n: Math.floor(i / per) + 1 }))
    const got = new Int32Array(n).fill(-2)
    const { clients, connectMs, failed } = await connectClients({
        url: server.wsUrl,
        count: n,
        query: LIVE_QUERY,
        variables,
        check: { path: ['batches'], field: 'claimCount' },
        onNext: (i, at, _payload, count, sum) => {
            if (current < 0 || got[i] === current) return
            const rows = Math.min(variables[i].n, ids.length)
            if (count !== rows || sum !== base[rows] + (current + 1) * rows) return void wrong++
            got[i] = current
            arrivals[current].push(at - sentAt)
            received++
        },
    })
    let bumped = 0
    try {
        if (failed) throw new BenchError(`live queries: ${failed} of ${n} clients could not connect`)
        await sleep(2_000) // every first result delivered
        server.child.monitor.sample()
        const rss = server.child.monitor.lastRssMb
        server.child.monitor.mark()
        const clientCpu = selfCpuMeter()
        const head = await indexedHead(db)
        const payload = JSON.stringify({ height: head?.height ?? 0, hash: head?.hash ?? '0x', head: true, changed: { batches: ids }, tables: ['Batch'] })
        let missed = 0
        for (let r = 0; r < rounds; r++) {
            current = r
            arrivals[r] = []
            received = 0
            await db.query(`UPDATE batch SET claim_count = claim_count + 1 WHERE id = ANY($1)`, [ids])
            bumped++
            sentAt = performance.now()
            await db.query(`SELECT pg_notify('squid_batch', $1)`, [payload])
            const until = Date.now() + 10_000
            while (received < n && Date.now() < until) await sleep(5)
            missed += n - received
            await sleep(400)
        }
        return {
            clients: n,
            variableSets: sets,
            rounds,
            missed,
            wrongPayloads: wrong,
            connectMs: round(connectMs),
            latencyMs: distribution(arrivals.slice(0, rounds).flat()),
            serverRssMbSubscribed: rss,
            serverCpuPercentDuringRounds: server.child.monitor.cpuPercentSinceMark(),
            clientCpuPercentDuringRounds: clientCpu.stop(),
        }
    } finally {
        if (bumped) await db.query(`UPDATE batch SET claim_count = claim_count - $2 WHERE id = ANY($1)`, [ids, bumped])
        await closeClients(clients)
        await sleep(500)
    }
}
