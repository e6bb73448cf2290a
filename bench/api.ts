/**
 * api: latency percentiles and requests/s of the dashboard queries on the indexed ≥1M-event database, at 1, 50
 * and 200 concurrent closed-loop clients (keep-alive HTTP, each client sends its next query when the previous
 * answer arrived). The server is the compiled one (`node lib/server/index.js`) in its own process, so its CPU
 * and RSS are measured apart from the load generator. The mix, round-robin with varying arguments:
 *   participantBatches    a payer's latest batches (OpenReader, where + orderBy + limit)
 *   participantMovements  a payer's latest escrow movements (OpenReader over the ~1M-row table)
 *   dailyVolume90d        tokenActivity over 90 days, daily buckets (rollup)
 *   topPublishers         topPublishers over 90 days (rollup aggregate)
 *   payoutProof           amount + Merkle proof of a payee in a stored batch
 *   validatorRankings     latest validator scores (only when the schema has them)
 */
import { Client } from 'pg'
import { BenchError, BenchResult, environment, note, rng } from './support/common'
import { cpuMeter, selfCpuMeter } from './support/proc-stats'
import { RunContext } from './support/context'
import { closedLoop, gqlPost, LoadRequest, LoadResult } from './support/http-load'

const DAY = 86_400_000

export async function runApi(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const s = await ctx.indexedStack()
    const db = new Client({ connectionString: s.dbUrl })
    await db.connect()
    const q = async (sql: string, args: unknown[] = []) => (await db.query(sql, args)).rows
    const payers = (await q(`SELECT DISTINCT payer FROM batch ORDER BY payer`)).map((r) => r.payer as string)
    const movementPayers = (await q(`SELECT payer FROM escrow_account ORDER BY id LIMIT 500`)).map((r) => r.payer as string)
    const leaves = await q(`SELECT batch_id, leaves FROM api.batch_leaves ORDER BY batch_id LIMIT 200`)
    const proofs: { batchId: string; payee: string }[] = []
    for (const l of leaves) for (const [payee] of l.leaves as [string, string][]) proofs.push({ batchId: l.batch_id, payee })
    const lastDay = await q(`SELECT max(day) AS d FROM token_day_stat`)
    const token = s.deployment.contracts.MockUSDC.toLowerCase()
    const rows: Record<string, number> = {}
    for (const t of ['escrow_movement', 'escrow_account', 'batch', 'claim', 'participant_day_stat', 'token_day_stat', 'token_hour_stat']) rows[t] = Number((await q(`SELECT count(*) AS n FROM ${t}`))[0].n)
    await db.end()
    if (!payers.length || !proofs.length || !movementPayers.length) throw new BenchError(`the database lacks dashboard data (payers ${payers.length}, proofs ${proofs.length}, accounts ${movementPayers.length})`)
    const to = new Date(Math.floor((new Date(lastDay[0].d ?? Date.now()).getTime() + DAY) / DAY) * DAY)
    const from = new Date(to.getTime() - 90 * DAY)

    const server = await s.startServer()
    try {
        const fields: string[] = (await gqlPost(server.url, '{ __schema { queryType { fields { name } } } }')).__schema.queryType.fields.map((f: any) => f.name)
        // the dashboard query when the API has it, else the generated list
        const rankings = fields.includes('validatorRankings') ? 'validatorRankings' : fields.includes('validatorScores') ? 'validatorScores' : undefined
        const hasValidators = rankings !== undefined
        const rand = rng(42)
        const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]
        const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables })
        const kinds: { kind: string; make: () => string }[] = [
            {
                kind: 'participantBatches',
                make: () =>
                    body(`query($p: String!) { batches(where: { payer_eq: $p }, orderBy: committedAt_DESC, limit: 20) { id status totalAmount recordCount committedAt finalizedAt claimedAmount } }`, { p: pick(payers) }),
            },
            {
                kind: 'participantMovements',
                make: () => body(`query($p: String!) { escrowMovements(where: { payer_eq: $p }, orderBy: timestamp_DESC, limit: 20) { id kind amount availableAfter timestamp } }`, { p: pick(movementPayers) }),
            },
            {
                kind: 'dailyVolume90d',
                make: () =>
                    body(`query($from: DateTime!, $to: DateTime!, $t: String) { tokenActivity(from: $from, to: $to, interval: DAY, token: $t) { bucket depositCount depositAmount committedAmount claimedAmount feesAmount } }`, {
                        from: from.toISOString(),
                        to: to.toISOString(),
                        t: token,
                    }),
            },
            {
                kind: 'topPublishers',
                make: () => body(`query($from: DateTime!, $to: DateTime!, $t: String) { topPublishers(from: $from, to: $to, token: $t, limit: 10) { rank account receivedAmount claimCount } }`, { from: from.toISOString(), to: to.toISOString(), t: token }),
            },
            {
                kind: 'payoutProof',
                make: () => {
                    const p = pick(proofs)
                    return body(`query($b: String!, $p: String!) { payoutProof(batchId: $b, payee: $p) { amount proof root claimable } }`, { b: p.batchId, p: p.payee })
                },
            },
        ]
        if (rankings === 'validatorRankings') {
            kinds.push({ kind: 'validatorRankings', make: () => body(`{ validatorRankings(limit: 20) { epoch rank total validator { address stake commissionBps } } }`, {}) })
        } else if (rankings === 'validatorScores') {
            kinds.push({ kind: 'validatorRankings', make: () => body(`{ validatorScores(orderBy: [epoch_DESC, rank_ASC], limit: 20) { rank total epoch validator { id stake commissionBps } } }`, {}) })
        }
        // every query once, to fail early on a schema mismatch
        for (const k of kinds) {
            const r = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: k.make() })
            const j: any = await r.json()
            if (j.errors?.length) throw new BenchError(`${k.kind}: ${JSON.stringify(j.errors).slice(0, 500)}`)
        }
        const next = (c: number, i: number): LoadRequest => {
            const k = kinds[(c + i) % kinds.length]
            return { kind: k.kind, body: k.make() }
        }
        const durationMs = ctx.opts.quick ? 5_000 : 20_000
        // warm-up: connection pools, JIT, Postgres caches
        await closedLoop(server.url, { concurrency: 10, durationMs: ctx.opts.quick ? 1_000 : 3_000, next })
        // a live chain: the processor commits (and NOTIFYs squid_batch, which drops the API's result cache) about
        // once per block; the benchmark's processor is stopped, so the notices are sent here, every 2 s (Base)
        const notifier = new Client({ connectionString: s.dbUrl })
        await notifier.connect()
        let notices = 0
        const notifyTimer = setInterval(() => {
            notices++
            notifier.query(`SELECT pg_notify('squid_batch', $1)`, [JSON.stringify({ height: 0, hash: '0x', head: true, changed: {} })]).catch(() => {})
        }, NOTIFY_EVERY_MS)
        const levels: Record<string, LoadResult & { serverCpuPercent: number; postgresCpuPercent: number; loadGeneratorCpuPercent: number; serverRssMb: number }> = {}
        for (const concurrency of [1, 50, 200]) {
            server.child.monitor.mark()
            const pgCpu = cpuMeter(s.pg.pid)
            const selfCpu = selfCpuMeter()
            const r = await closedLoop(server.url, { concurrency, durationMs, next })
            const cpu = server.child.monitor.cpuPercentSinceMark()
            server.child.monitor.sample()
            levels[`c${concurrency}`] = { ...r, serverCpuPercent: cpu, postgresCpuPercent: pgCpu.stop(), loadGeneratorCpuPercent: selfCpu.stop(), serverRssMb: server.child.monitor.lastRssMb }
            const l = levels[`c${concurrency}`]
            note('api', `${concurrency} clients: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.errors} errors; CPU server ${l.serverCpuPercent}% postgres ${l.postgresCpuPercent}% load generator ${l.loadGeneratorCpuPercent}%`)
            if (r.errors) note('api', `errors: ${r.errorSamples.join(' | ')}`)
        }
        clearInterval(notifyTimer)
        await notifier.end()
        await server.child.stop()

        // the same 50 clients against a server without the result cache: what every request costs to compute
        const uncachedServer = await s.startServer({ API_RESULT_CACHE_MS: '0' }, 'api-uncached')
        let uncached: (LoadResult & { serverCpuPercent: number }) | undefined
        try {
            await closedLoop(uncachedServer.url, { concurrency: 10, durationMs: ctx.opts.quick ? 1_000 : 3_000, next })
            uncachedServer.child.monitor.mark()
            const r = await closedLoop(uncachedServer.url, { concurrency: 50, durationMs, next })
            uncached = { ...r, serverCpuPercent: uncachedServer.child.monitor.cpuPercentSinceMark() }
            note('api', `50 clients, result cache off: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.errors} errors`)
        } finally {
            await uncachedServer.child.stop()
        }
        const c50 = levels.c50
        return {
            name: 'api',
            quick: ctx.opts.quick,
            inputs: {
                queries: kinds.map((k) => k.kind),
                validatorRankingsVia: rankings ?? null,
                mix: 'round-robin per client, arguments drawn at random',
                durationMsPerLevel: durationMs,
                levels: [1, 50, 200],
                range: { from: from.toISOString(), to: to.toISOString() },
                argumentPools: { payers: payers.length, movementPayers: movementPayers.length, proofs: proofs.length },
                rows,
                rateLimits: 'disabled (GQL_ANON_RATE_LIMIT_RPS=0): every client is 127.0.0.1',
                loadGenerator: 'bench/support/http-load.ts (closed loop, keep-alive, one socket per client)',
                resultCache: `API default (API_RESULT_CACHE_MS 1000), dropped by a NOTIFY squid_batch sent every ${NOTIFY_EVERY_MS} ms during the load (${notices} in all), as a live chain's processor commits; c50Uncached: a second server with API_RESULT_CACHE_MS=0`,
            },
            environment: environment({ postgres: s.postgresVersion }),
            figures: {
                levels,
                c50Uncached: uncached,
                serverPeakRssMb: server.child.monitor.peakMb,
                slowestAt1: Object.entries(levels.c1.perKind).sort((a, b) => b[1].latencyMs.p50 - a[1].latencyMs.p50).map(([k, v]) => `${k} p50 ${v.latencyMs.p50} ms`),
            },
            summary: {
                p99Ms50: c50.latencyMs.p99,
                rps50: c50.rps,
                p50Ms50: c50.latencyMs.p50,
                p99Ms1: levels.c1.latencyMs.p99,
                p99Ms200: levels.c200.latencyMs.p99,
                rps200: levels.c200.rps,
                p99Ms50Uncached: uncached?.latencyMs.p99 ?? null,
                rps50Uncached: uncached?.rps ?? null,
                errors: Object.values(levels).reduce((n, l) => n + l.errors, 0) + (uncached?.errors ?? 0),
            },
            notes: hasValidators ? [`validator rankings via ${rankings}; the load chain has no validator activity, so it answers from few or no rows`] : ['no validator rankings query in this build: not measured'],
            durationMs: Date.now() - t0,
        }
    } finally {
        await server.child.stop()
    }
}

/** how often the benchmark stands in for the processor's commit notice (a Base block) */
const NOTIFY_EVERY_MS = 2_000

