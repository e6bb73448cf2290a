/**
 * time-travel: as-of queries (`block: { number: N }`, N drawn at random in the indexed range) next to the same
 * queries on the current state, on the indexed ≥1M-event database (about a million escrow-account versions).
 * The compiled server in its own process with the result cache off (API_RESULT_CACHE_MS=0: a random N is never
 * reused, the current-state query would be; with the cache off both are computed every time). Closed loop, each
 * mode on its own for the same time, at 1 client (latency) and 20 clients (throughput). The queries:
 *   accountsByPayer  escrowAccounts(where: { payer_eq }) — a payer's accounts (no payer index on the history table)
 *   batchById        batchById(id)
 *   batchesPage      batches(orderBy: committedAt_DESC, limit: 20)
 */
import { Client } from 'pg'
import { BenchError, BenchResult, environment, note, rng, round } from './support/common'
import { cpuMeter } from './support/proc-stats'
import { RunContext } from './support/context'
import { closedLoop, LoadRequest, LoadResult } from './support/http-load'

type Mode = 'current' | 'asOf'
type Run = LoadResult & { postgresCpuPercent: number; serverCpuPercent: number }
type Server = Awaited<ReturnType<Awaited<ReturnType<RunContext['indexedStack']>>['startServer']>>

/** Per level (1 and 20 clients): the current-state mode, then the as-of mode, for the same time. */
async function measureLevels(server: Server, pgPid: number, next: (mode: Mode) => (c: number, i: number) => LoadRequest, durationMs: number) {
    const levels: Record<string, Record<Mode, Run>> = {}
    for (const concurrency of [1, 20]) {
        const level = {} as Record<Mode, Run>
        for (const mode of ['current', 'asOf'] as Mode[]) {
            server.child.monitor.mark()
            const pgCpu = cpuMeter(pgPid)
            const r = await closedLoop(server.url, { concurrency, durationMs, next: next(mode) })
            level[mode] = { ...r, serverCpuPercent: server.child.monitor.cpuPercentSinceMark(), postgresCpuPercent: pgCpu.stop() }
            note('time-travel', `${concurrency} clients, ${mode}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.errors} errors`)
            if (r.errors) note('time-travel', `errors: ${r.errorSamples.join(' | ')}`)
        }
        levels[`c${concurrency}`] = level
    }
    return levels
}

export async function runTimeTravel(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const s = await ctx.indexedStack()
    const db = new Client({ connectionString: s.dbUrl })
    await db.connect()
    const q = async (sql: string, args: unknown[] = []) => (await db.query(sql, args)).rows
    const payers = (await q(`SELECT DISTINCT payer FROM escrow_account ORDER BY payer`)).map((r) => r.payer as string)
    const batches = (await q(`SELECT id FROM batch ORDER BY id`)).map((r) => r.id as string)
    const [range] = await q(`SELECT min(lower(block_range)) AS lo, max(lower(block_range)) AS hi FROM escrow_account_history`)
    const rows: Record<string, number> = {}
    for (const t of ['escrow_account', 'escrow_account_history', 'batch', 'batch_history']) rows[t] = Number((await q(`SELECT count(*) AS n FROM ${t}`))[0].n)
    await db.end()
    if (!payers.length || !batches.length || range.lo == null) throw new BenchError(`the database lacks versioned data (payers ${payers.length}, batches ${batches.length})`)
    const lo = Number(range.lo)
    const hi = Number(range.hi)

    const rand = rng(11)
    const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]
    const block = () => lo + Math.floor(rand() * (hi - lo + 1))
    // one query text per mode: the as-of one differs only by the block argument
    const kinds: { kind: string; query: (b: string) => string; vars: () => Record<string, unknown> }[] = [
        { kind: 'accountsByPayer', query: (b) => `query($p: String!${b ? ', $n: Int!' : ''}) { escrowAccounts(where: { payer_eq: $p }${b}) { id available locked updatedAtBlock } }`, vars: () => ({ p: pick(payers) }) },
        { kind: 'batchById', query: (b) => `query($id: String!${b ? ', $n: Int!' : ''}) { batchById(id: $id${b}) { id status claimedAmount updatedAtBlock } }`, vars: () => ({ id: pick(batches) }) },
        { kind: 'batchesPage', query: (b) => `query${b ? '($n: Int!)' : ''} { batches(orderBy: committedAt_DESC, limit: 20${b}) { id status totalAmount claimedAmount } }`, vars: () => ({}) },
    ]
    const next =
        (mode: Mode) =>
        (c: number, i: number): LoadRequest => {
            const k = kinds[(c + i) % kinds.length]
            const asOf = mode === 'asOf'
            const variables = { ...k.vars(), ...(asOf ? { n: block() } : {}) }
            return { kind: k.kind, body: JSON.stringify({ query: k.query(asOf ? ', block: { number: $n }' : ''), variables }) }
        }

    const server = await s.startServer({ API_RESULT_CACHE_MS: '0' }, 'api-time-travel')
    try {
        for (const mode of ['current', 'asOf'] as Mode[]) {
            for (let i = 0; i < kinds.length; i++) {
                const r = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: next(mode)(i, 0).body })
                const j: any = await r.json()
                if (j.errors?.length) throw new BenchError(`${mode} ${kinds[i].kind}: ${JSON.stringify(j.errors).slice(0, 500)}`)
            }
        }
        const durationMs = ctx.opts.quick ? 3_000 : 15_000
        await closedLoop(server.url, { concurrency: 10, durationMs: ctx.opts.quick ? 1_000 : 3_000, next: next('asOf') })
        await closedLoop(server.url, { concurrency: 10, durationMs: ctx.opts.quick ? 1_000 : 3_000, next: next('current') })
        const levels = await measureLevels(server, s.pg.pid, next, durationMs)
        const perKind = (c: string) =>
            Object.fromEntries(
                kinds.map((k) => {
                    const cur = levels[c].current.perKind[k.kind].latencyMs
                    const old = levels[c].asOf.perKind[k.kind].latencyMs
                    return [k.kind, { currentP50Ms: cur.p50, asOfP50Ms: old.p50, currentP99Ms: cur.p99, asOfP99Ms: old.p99, p50Ratio: round(old.p50 / cur.p50, 2) }]
                }),
            )
        const c20 = levels.c20
        return {
            name: 'time-travel',
            quick: ctx.opts.quick,
            inputs: {
                queries: kinds.map((k) => k.kind),
                blocks: { from: lo, to: hi, draw: 'uniform per request' },
                argumentPools: { payers: payers.length, batches: batches.length },
                rows,
                durationMsPerRun: durationMs,
                levels: [1, 20],
                resultCache: 'off (API_RESULT_CACHE_MS=0)',
                mix: 'round-robin per client; current and as-of runs one after the other, same queries, same durations',
            },
            environment: environment({ postgres: s.postgresVersion }),
            figures: { levels, perKindAt1: perKind('c1'), perKindAt20: perKind('c20') },
            summary: {
                p50MsCurrent1: levels.c1.current.latencyMs.p50,
                p50MsAsOf1: levels.c1.asOf.latencyMs.p50,
                p99MsCurrent20: c20.current.latencyMs.p99,
                p99MsAsOf20: c20.asOf.latencyMs.p99,
                rpsCurrent20: c20.current.rps,
                rpsAsOf20: c20.asOf.rps,
                rpsRatio20: round(c20.asOf.rps / c20.current.rps, 3),
                errors: Object.values(levels).reduce((n, l) => n + l.current.errors + l.asOf.errors, 0),
            },
            notes: [],
            durationMs: Date.now() - t0,
        }
    } finally {
        await server.child.stop()
    }
}
