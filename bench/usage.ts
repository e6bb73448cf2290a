/**
 * usage: the usage pipeline through the API server (HTTP, operator API key): `submitUsage` from 50 concurrent
 * closed-loop bots, each call 100 records with distinct usageIds spread over a few registered, consenting
 * publishers with prices; the server's own batcher (leader-elected, in the same process) closes batches by size and
 * age and commits them through the commitBatch path while the bots submit.
 *
 *   recordsPerSec   records accepted ÷ wall time from the first call sent to the last answer
 *   lastToCommitMs  the last call's answer → every batch holding its records committed (CONFIRMED on chain,
 *                   api.usage_batches.state = 'committed'), polled every 20 ms
 *   drainMs         the last call's answer → no record left queued or in an uncommitted batch
 *   backlogAtLastAnswer  records still queued and batches not yet committed when the bots stopped (the batcher
 *                   commits one batch at a time, each waiting for its receipt, so it trails a fast intake)
 *
 * Its own database in the stack's Postgres, indexed by a processor with the real deployments file (the bench
 * stack's load contract would stand in for the Escrow, and the token allow-list of the real one is needed), so it
 * does not depend on which benchmarks ran before it.
 */
import { Client, Pool } from 'pg'
import { createApiKey } from '../src/server/api-keys'
import { rpcCall } from '../src/stack/anvil'
import { BenchError, BenchResult, distribution, environment, note, round, waitFor } from './support/common'
import { fundPayer, registerPublishers } from './support/chain'
import { RunContext } from './support/context'
import type { NodeChild } from './support/procs'
import { gqlPost } from './support/http-load'

const SUBMIT = `mutation($input: SubmitUsageInput!) { submitUsage(input: $input) { accepted rejected } }`
const BOTS = 50
const RECORDS_PER_CALL = 100
/** anvil accounts of this benchmark (past the simulator's 10..39 and the mutation benchmark's payer 45) */
const PAYER_ACCOUNT = 46
const PUBLISHER_ACCOUNTS = [47, 48, 49, 50]

export async function runUsage(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const quick = ctx.opts.quick
    const callsPerBot = quick ? 4 : 20
    const batch = { BATCH_MAX_RECORDS: '3000', BATCH_MAX_AGE_MS: '1000', BATCH_POLL_MS: '100' }
    const s = await ctx.stack()
    // a block per transaction: "committed" is not paced by an interval
    await rpcCall(s.rpcUrl, 'evm_setIntervalMining', [0])
    await rpcCall(s.rpcUrl, 'evm_setAutomine', [true])
    const dbUrl = await freshDatabase(s.dbUrl, 'usage_bench')
    const payer = await fundPayer(s.rpcUrl, s.deployment, PAYER_ACCOUNT, 10n ** 12n)
    const publishers = await registerPublishers(s.rpcUrl, s.deployment, PUBLISHER_ACCOUNTS, (k) => BigInt(1000 + 500 * k))
    const token = s.deployment.contracts.MockUSDC.toLowerCase()
    const processor = s.startProcessor(await s.processorEnv({ DB_URL: dbUrl, DEPLOYMENTS_FILE: s.realDeploymentsFile, FINALITY_CONFIRMATIONS: '2' }), 'processor-usage')
    const pool = new Pool({ connectionString: dbUrl, max: 2 })
    let server: Awaited<ReturnType<typeof s.startServer>> | undefined
    try {
        await waitIndexed(processor, pool, payer, publishers, token)
        const { key } = await createApiKey(pool, 'operator', 'bench-usage')
        const auth = { authorization: `Bearer ${key}` }
        server = await s.startServer({ DB_URL: dbUrl, ...batch })
        const { latencies, accepted, rejected, started, lastAnswer, lastIds } = await runBots(server.url, auth, payer, token, publishers, callsPerBot)
        const submitMs = lastAnswer - started
        // what the batcher still had to do when the bots stopped: explains lastToCommitMs
        const backlog = (
            await pool.query(
                `SELECT (SELECT count(*)::int FROM api.usage_records WHERE state = 'queued') AS queued,
                        (SELECT count(*)::int FROM api.usage_batches WHERE state <> 'committed') AS open_batches,
                        (SELECT count(*)::int FROM api.usage_batches WHERE state = 'committed') AS committed_batches`,
            )
        ).rows[0]
        const sent = BOTS * callsPerBot * RECORDS_PER_CALL
        if (accepted !== sent || rejected !== 0) throw new BenchError(`${accepted} of ${sent} records accepted, ${rejected} rejected`)
        note('usage', `${accepted} records accepted in ${round(submitMs)} ms (${round((accepted / submitMs) * 1000)} records/s)`)

        // the last call's records → their batches committed; then everything drained
        const { lastToCommitMs, drainMs } = await waitCommitted(pool, lastIds, lastAnswer)
        const batches = (await pool.query(`SELECT closed_by, count(*)::int AS n, sum(record_count)::int AS records FROM api.usage_batches GROUP BY closed_by ORDER BY closed_by`)).rows
        const batchedRecords = batches.reduce((sum, b) => sum + b.records, 0)
        if (batchedRecords !== sent) throw new BenchError(`${batchedRecords} records in batches, ${sent} submitted`)
        const lat = distribution(latencies)
        const recordsPerSec = round((accepted / submitMs) * 1000)
        note('usage', `last record → batch committed ${round(lastToCommitMs)} ms; all drained ${round(drainMs)} ms; batches ${JSON.stringify(batches)}`)
        return {
            name: 'usage',
            quick,
            inputs: {
                bots: BOTS,
                callsPerBot,
                recordsPerCall: RECORDS_PER_CALL,
                records: sent,
                publishers: publishers.length,
                serverEnv: batch,
                chain: 'anvil automine (a block per transaction)',
            },
            environment: environment({ postgres: s.postgresVersion }),
            figures: {
                submit: { accepted, rejected, wallMs: round(submitMs), recordsPerSec, callLatencyMs: lat },
                backlogAtLastAnswer: backlog,
                lastToCommitMs: round(lastToCommitMs),
                commitRecordsPerSec: round((sent / (submitMs + drainMs)) * 1000),
                drainMs: round(drainMs),
                batches,
                serverPeakRssMb: server.child.monitor.peakMb,
            },
            summary: { recordsPerSec, lastToCommitMs: round(lastToCommitMs), callP99Ms: lat.p99, drainMs: round(drainMs) },
            notes: quick ? [`quick: ${callsPerBot} calls per bot`] : [],
            durationMs: Date.now() - t0,
        }
    } finally {
        await server?.child.stop()
        await processor.stop()
        await pool.end()
    }
}

/** A new, empty database next to the stack's (dropped first if a previous run left it). */
async function freshDatabase(stackUrl: string, name: string): Promise<string> {
    const c = new Client({ connectionString: stackUrl })
    await c.connect()
    try {
        await c.query(`DROP DATABASE IF EXISTS ${name}`)
        await c.query(`CREATE DATABASE ${name}`)
    } finally {
        await c.end()
    }
    const u = new URL(stackUrl)
    u.pathname = `/${name}`
    return u.toString()
}

/** Until the processor has indexed the payer, the publishers with their terms and the allow-listed token. */
async function waitIndexed(processor: NodeChild, pool: Pool, payer: string, publishers: string[], token: string): Promise<void> {
    await waitFor('the processor to index the payer, the publishers and the token', 120_000, async () => {
        if (!processor.running()) throw new BenchError(`the processor exited:\n${processor.lines.slice(-20).join('\n')}`)
        const r = await pool
            .query(`SELECT count(*)::int AS n FROM participant WHERE (id = $1 AND active) OR (id = ANY($2) AND consent AND price_per_thousand > 0)`, [payer, publishers])
            .catch(() => undefined)
        const t = await pool.query(`SELECT 1 FROM token WHERE id = $1 AND allowed`, [token]).catch(() => undefined)
        return r?.rows[0].n === publishers.length + 1 && t?.rowCount ? true : undefined
    }, 200)
}

/** 50 closed-loop bots; every record a distinct usageId, publishers round-robin, units 1..1000. */
async function runBots(url: string, auth: Record<string, string>, payer: string, token: string, publishers: string[], callsPerBot: number) {
    const latencies: number[] = []
    let accepted = 0
    let rejected = 0
    let lastAnswer = 0
    let lastIds: string[] = []
    const started = performance.now()
    await Promise.all(
        Array.from({ length: BOTS }, async (_, bot) => {
            for (let c = 0; c < callsPerBot; c++) {
                const records = Array.from({ length: RECORDS_PER_CALL }, (_, i) => ({
                    publisher: publishers[(bot + c + i) % publishers.length],
                    units: String(1 + ((bot * 7919 + c * 104729 + i * 31) % 1000)),
                    usageId: `b${bot}-c${c}-r${i}`,
                }))
                const t = performance.now()
                const r = (await gqlPost(url, SUBMIT, { input: { payer, token, records } }, auth, 120_000)).submitUsage
                const now = performance.now()
                latencies.push(now - t)
                accepted += r.accepted
                rejected += r.rejected
                if (now > lastAnswer) [lastAnswer, lastIds] = [now, records.map((x) => x.usageId)]
            }
        }),
    )
    return { latencies, accepted, rejected, started, lastAnswer, lastIds }
}

/** The last call's answer → its records' batches committed, and → nothing queued or uncommitted left. */
async function waitCommitted(pool: Pool, lastIds: string[], lastAnswer: number): Promise<{ lastToCommitMs: number; drainMs: number }> {
    let lastToCommitMs = 0
    await waitFor('the last records committed', 120_000, async () => {
        const r = await pool.query(
            `SELECT count(*)::int AS n FROM api.usage_records r JOIN api.usage_batches b ON b.batch_key = r.batch_key WHERE r.usage_id = ANY($1) AND b.state = 'committed'`,
            [lastIds],
        )
        if (r.rows[0].n !== lastIds.length) return undefined
        lastToCommitMs = performance.now() - lastAnswer
        return true
    }, 20)
    await waitFor('every record committed', 180_000, async () => {
        const r = await pool.query(`SELECT count(*)::int AS n FROM api.usage_batches WHERE state <> 'committed'`)
        const q = await pool.query(`SELECT count(*)::int AS n FROM api.usage_records WHERE state = 'queued'`)
        return r.rows[0].n === 0 && q.rows[0].n === 0 ? true : undefined
    }, 50)
    const drainMs = performance.now() - lastAnswer
    return { lastToCommitMs, drainMs }
}
