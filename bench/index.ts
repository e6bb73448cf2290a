/**
 * index: backfill a chain holding ≥ 1,000,000 settlement events with the real processor (`node lib/main.js`)
 * into embedded Postgres, against a baseline measured in the same run on the same chain and database: raw
 * `eth_getLogs` over the same block range (same contracts), decoded and bulk-loaded with `COPY FROM STDIN`.
 *
 * Figures: processor events/s and blocks/s (wall clock from spawn to "indexed head = chain head", so startup and
 * migrations count), peak RSS (max VmHWM of the process), CPU; baseline events/s; ratio processor ÷ baseline.
 * The baseline runs after the processor (its RPC and Postgres caches are warm: the ratio errs against us).
 * Then what time-travel history costs (support/history-cost.ts): the backfill again with HISTORY=false and with
 * history on, each into a fresh database (`figures.history`, `summary.historyCost`).
 */
import { Client } from 'pg'
import * as fs from 'fs'
import * as os from 'os'
import { BenchResult, environment, ms, note, now, round, sleep } from './support/common'
import { cpuWindow, procSample } from './support/proc-stats'
import { processorBuildInfo, RunContext, TRACE_SWITCH, waitIndexed } from './support/context'
import { copyFrom } from '../src/indexer/write/pg-copy'
import { rpcBatch } from './support/settlement-load'
import { BenchStack } from './support/stack'
import { measureHistoryCost } from './support/history-cost'

interface RawLog {
    blockNumber: string
    logIndex: string
    transactionHash: string
    address: string
    topics: string[]
    data: string
}

export async function runIndex(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const s = await ctx.chainReady()
    const chain = s.chain!
    const build = processorBuildInfo()
    const notes: string[] = []
    if (build.traces && !build.traceSwitch) {
        notes.push(`lib/processor.js requests call traces, all blocks and all transactions and offers no ${TRACE_SWITCH} switch: this run measures the processor WITH validator/MEV chain data, while the baseline fetches only the settlement logs`)
    } else if (build.traces) {
        notes.push(`validator/MEV chain data off for this settlement-only benchmark (${TRACE_SWITCH}=false)`)
    }

    // --- processor ----------------------------------------------------------------------------------------
    const env = await s.processorEnv(build.env)
    note('index', `processor backfill of blocks ${chain.startBlock}..${chain.head} (${chain.loadEvents} load events)`)
    const started = now()
    const p = s.startProcessor(env, 'processor-index')
    const processorCpu = cpuWindow({ processor: p.pid, postgres: s.pg.pid, anvil: s.anvil.pid })
    let firstIndexedAt: number | undefined
    let head: { height: number; hash: string }
    try {
        head = await waitIndexed(s, p, ctx.opts.quick ? 15 * 60_000 : 90 * 60_000, () => {
            firstIndexedAt ??= ms(started)
        })
    } catch (e) {
        await p.stop()
        throw e
    }
    const wallMs = ms(started)
    const processorRunCpu = processorCpu.stop()
    p.monitor.sample()
    const cpuSec = procSample(p.pid)?.cpuSec
    const metrics = await fetch(`http://127.0.0.1:${env.PROMETHEUS_PORT}/metrics`).then((r) => r.text()).catch(() => '')
    const peakRssMb = p.monitor.peakMb
    await p.stop()
    const processorEvents = sumMetric(metrics, 'settlement_events_total')
    const progressLines = p.lines.filter((l) => /progress/.test(l)).length

    const db = new Client({ connectionString: s.dbUrl })
    await db.connect()
    const movements = Number((await db.query(`SELECT count(*) AS n FROM escrow_movement`)).rows[0].n)

    // --- baseline: eth_getLogs + COPY ------------------------------------------------------------------------
    const addresses = Object.entries(JSON.parse(fs.readFileSync(s.indexDeploymentsFile, 'utf8')).contracts as Record<string, string>)
        .filter(([name]) => ['ParticipantRegistry', 'TokenRegistry', 'Escrow', 'BatchLedger', 'Distributor', 'PlatformTimelock', 'ValidatorRegistry'].includes(name))
        .map(([, a]) => a.toLowerCase())
    const baselineCpu = cpuWindow({ postgres: s.pg.pid, anvil: s.anvil.pid })
    const baseline = await runBaseline(s, db, addresses, chain.startBlock, head.height, Math.max(1, Math.floor(20_000 / (chain.loadEvents / chain.loadBlocks))))
    const baselineRunCpu = baselineCpu.stop()
    await db.end()

    // --- time-travel history: the same backfill with HISTORY=false and with it on, in fresh databases -------------
    const history = await measureHistoryCost(s, build.env, baseline.events, ctx.opts.quick ? 15 * 60_000 : 90 * 60_000)

    const blocks = head.height - chain.startBlock + 1
    const events = baseline.events
    const eventsPerSec = events / (wallMs / 1000)
    const cpu = {
        processorRun: cpuPerEvent(processorRunCpu, events, wallMs),
        // the baseline's own decoding and COPY run in this process ("bench")
        baselineRun: cpuPerEvent(baselineRunCpu, events, baseline.ms),
    }
    const result: BenchResult = {
        name: 'index',
        quick: ctx.opts.quick,
        inputs: {
            ...ctx.plan,
            blocks,
            startBlock: chain.startBlock,
            head: head.height,
            finalityConfirmations: Number(env.FINALITY_CONFIRMATIONS),
            processorEnv: Object.fromEntries(Object.entries(env).filter(([k]) => !/URL/.test(k))),
            processorRequestsTraces: build.traces,
            traceSwitch: build.traceSwitch ? `${TRACE_SWITCH}=false` : null,
            postgresFsync: process.env.BENCH_PG_NOFSYNC !== '1',
        },
        environment: environment({ postgres: s.postgresVersion, anvil: s.anvilVersion }),
        figures: {
            mining: { ms: chain.mineMs, eventsPerSec: round(chain.loadEvents / (chain.mineMs / 1000)), simulatorMs: chain.simulateMs, simulator: chain.simulator },
            processor: {
                wallMs: round(wallMs),
                firstBatchMs: firstIndexedAt !== undefined ? round(firstIndexedAt) : null,
                events,
                eventsFromMetrics: processorEvents,
                escrowMovements: movements,
                blocks,
                eventsPerSec: round(eventsPerSec),
                blocksPerSec: round(blocks / (wallMs / 1000)),
                peakRssMb,
                cpuSec,
                cpuPercent: cpuSec !== undefined ? round((cpuSec / (wallMs / 1000)) * 100, 1) : null,
                progressLogLines: progressLines,
            },
            baseline: { ...baseline, eventsPerSec: round(baseline.eventsPerSec) },
            history,
            cpu,
        },
        summary: {
            eventsPerSec: round(eventsPerSec),
            ratioToBaseline: round(eventsPerSec / baseline.eventsPerSec, 3),
            peakRssMb,
            blocksPerSec: round(blocks / (wallMs / 1000)),
            historyCost: history.cost,
            cpuUsPerEvent: cpu.processorRun.usPerEvent.total,
            postgresCpuUsPerEvent: cpu.processorRun.usPerEvent.postgres,
            processorCpuUsPerEvent: cpu.processorRun.usPerEvent.processor,
            baselineCpuUsPerEvent: cpu.baselineRun.usPerEvent.total,
            eventsPerSecAtFullCpu: cpu.processorRun.eventsPerSecAtFullCpu,
        },
        notes: [
            'events = logs of the indexed contracts in the range (what the baseline fetched); the processor count from its settlement_events_total metric is in figures.processor.eventsFromMetrics',
            'processor time: from spawn (migrations, startup included) until its indexed head equals the chain head',
            'figures.cpu: CPU seconds of each process tree (Postgres: the postmaster and every backend; anvil; the processor; "bench" is this process, which does the baseline\'s decoding and COPY) over each run, per event; eventsPerSecAtFullCpu = cores × 10^6 ÷ total µs per event, the rate if every core were busy for the whole run: no overlap or pipelining can pass it without less work per event',
            'figures.history: the same backfill again into fresh databases (migrations applied before the spawn), HISTORY=false then history on; cost = on ÷ off − 1 (the main run above writes history too)',
            ...notes,
        ],
        durationMs: Date.now() - t0,
    }
    ctx.indexed = true
    return result
}

/** CPU seconds per process over a run → µs per event, the share of the machine used, and the full-CPU rate. */
function cpuPerEvent(sec: Record<string, number>, events: number, wallMs: number) {
    const total = Object.values(sec).reduce((a, b) => a + b, 0)
    const cores = os.cpus().length
    const usPerEvent = Object.fromEntries([...Object.entries(sec), ['total', total]].map(([k, v]) => [k, round(((v as number) * 1e6) / events, 1)]))
    return {
        seconds: { ...sec, total: round(total) },
        usPerEvent,
        coresBusy: round(total / (wallMs / 1000), 2),
        eventsPerSecAtFullCpu: round((cores * events) / total),
    }
}

function sumMetric(text: string, name: string): number | null {
    let sum = 0
    let found = false
    for (const line of text.split('\n')) {
        if (line.startsWith(name + '{') || line.startsWith(name + ' ')) {
            sum += Number(line.slice(line.lastIndexOf(' ') + 1))
            found = true
        }
    }
    return found ? sum : null
}

/** Raw eth_getLogs (2 requests in flight) → decode → COPY (2 connections), pipelined. */
async function runBaseline(s: BenchStack, db: Client, addresses: string[], from: number, to: number, chunkBlocks: number) {
    await db.query(`DROP SCHEMA IF EXISTS bench CASCADE`)
    await db.query(`CREATE SCHEMA bench`)
    await db.query(`CREATE TABLE bench.raw_log (
        id text PRIMARY KEY, block_number integer NOT NULL, tx_hash text NOT NULL, address text NOT NULL, topic0 text NOT NULL,
        payer text, token text, amount numeric, available_after numeric, locked_after numeric)`)
    await db.query(`CREATE INDEX ON bench.raw_log (payer)`)
    const copiers = [new Client({ connectionString: s.dbUrl }), new Client({ connectionString: s.dbUrl })]
    await Promise.all(copiers.map((c) => c.connect()))
    const ranges: [number, number][] = []
    for (let a = from; a <= to; a += chunkBlocks) ranges.push([a, Math.min(to, a + chunkBlocks - 1)])

    const t = now()
    let events = 0
    let fetchMs = 0
    let copyMs = 0
    let next = 0
    const worker = async (c: Client) => {
        while (next < ranges.length) {
            const [a, b] = ranges[next++]
            const tf = now()
            const [res] = await rpcBatch(s.rpcUrl, [{ jsonrpc: '2.0', id: 1, method: 'eth_getLogs', params: [{ fromBlock: hex(a), toBlock: hex(b), address: addresses }] }], 120_000)
            if (res.error) throw new Error(`eth_getLogs ${a}-${b}: ${JSON.stringify(res.error)}`)
            fetchMs += ms(tf)
            const logs = res.result as RawLog[]
            const tc = now()
            const lines: string[] = []
            for (const l of logs) {
                const w = (i: number) => (l.data.length >= 2 + 64 * (i + 1) ? BigInt('0x' + l.data.slice(2 + 64 * i, 2 + 64 * (i + 1))).toString() : '\\N')
                const topicAddr = (i: number) => (l.topics[i] ? '0x' + l.topics[i].slice(26) : '\\N')
                const bn = Number(l.blockNumber)
                lines.push(
                    `${bn}-${Number(l.logIndex)}\t${bn}\t${l.transactionHash}\t${l.address}\t${l.topics[0]}\t${topicAddr(1)}\t${topicAddr(2)}\t${w(0)}\t${w(1)}\t${w(2)}\n`,
                )
            }
            if (lines.length) {
                await copyFrom(c, `COPY bench.raw_log (id, block_number, tx_hash, address, topic0, payer, token, amount, available_after, locked_after) FROM STDIN`, [Buffer.from(lines.join(''))])
            }
            copyMs += ms(tc)
            events += logs.length
        }
    }
    await Promise.all(copiers.map((c) => worker(c)))
    const totalMs = ms(t)
    const stored = Number((await db.query(`SELECT count(*) AS n FROM bench.raw_log`)).rows[0].n)
    await Promise.all(copiers.map((c) => c.end()))
    await db.query(`DROP SCHEMA bench CASCADE`)
    await sleep(10)
    if (stored !== events) throw new Error(`baseline stored ${stored} rows for ${events} logs`)
    return { ms: round(totalMs), events, eventsPerSec: events / (totalMs / 1000), chunks: ranges.length, chunkBlocks, fetchMsSum: round(fetchMs), copyMsSum: round(copyMs), requestsInFlight: 2, copyConnections: 2 }
}

const hex = (n: number) => '0x' + n.toString(16)
