/**
 * index-analytics: the real processor (`node lib/main.js`) with CHAIN_ANALYTICS=true (every block, transaction,
 * receipt and call trace; blocks, swaps, arbitrages, sandwiches, MEV events) backfilling a chain of realistic
 * DEX blocks (support/dex-load.ts: ≥ 150 transactions per block, swaps, one arbitrage and one sandwich per block),
 * against a baseline measured in the same run on the same chain and database: raw `eth_getBlockByNumber` (with
 * transactions) + `eth_getBlockReceipts` + `trace_block` for the same block range, written with `COPY FROM STDIN`.
 *
 * Its own stack (anvil + Postgres), not the settlement chain of the other benchmarks. Figures: processor blocks/s
 * and transactions/s (wall clock from spawn to "indexed head = chain head"), peak RSS, CPU, the MEV rows it wrote;
 * baseline blocks/s; ratio processor ÷ baseline.
 */
import { Client } from 'pg'
import { deployUniswap } from '../src/deploy/uniswap'
import { copyFrom } from '../src/indexer/write/pg-copy'
import { BenchResult, environment, ms, note, now, round } from './support/common'
import { procSample } from './support/proc-stats'
import { RunContext, processorBuildInfo, waitIndexed } from './support/context'
import { DexLoadPlan, mineDexLoad } from './support/dex-load'
import { rpcBatch } from './support/settlement-load'
import { BenchStack } from './support/stack'

const FULL: DexLoadPlan = { blocks: 300, swapsPerBlock: 150, traders: 160, seconds: 300 * 12 }
const QUICK: DexLoadPlan = { blocks: 40, swapsPerBlock: 150, traders: 160, seconds: 40 * 12 }

export async function runIndexAnalytics(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const plan = ctx.opts.quick ? QUICK : FULL
    const s = await BenchStack.start({ verbose: ctx.opts.verbose })
    try {
        await s.deploy()
        const uniswap = await deployUniswap(s.rpcUrl, s.deployment, (m) => note('dex', m))
        const load = await mineDexLoad(s.rpcUrl, uniswap, plan)
        note('dex', `mined ${load.transactions} transactions in blocks ${load.firstBlock}..${load.lastBlock} (${load.arbitrages} arbitrages, ${load.sandwiches} sandwiches)`)

        const build = processorBuildInfo()
        const env = await s.processorEnv({ ...build.env, CHAIN_ANALYTICS: 'true', DEPLOYMENTS_FILE: s.realDeploymentsFile })
        if (process.env.BENCH_PROCESSOR_ENV?.includes('CHAIN_ANALYTICS=')) env.CHAIN_ANALYTICS = build.env.CHAIN_ANALYTICS
        const startBlock = s.deployment.startBlock
        note('index-analytics', `processor backfill of blocks ${startBlock}..${load.lastBlock} with CHAIN_ANALYTICS=${env.CHAIN_ANALYTICS}`)
        const started = now()
        const p = s.startProcessor(env, 'processor-analytics')
        let head: { height: number; hash: string }
        try {
            head = await waitIndexed(s, p, ctx.opts.quick ? 15 * 60_000 : 60 * 60_000)
        } catch (e) {
            await p.stop()
            throw e
        }
        const wallMs = ms(started)
        p.monitor.sample()
        const cpuSec = procSample(p.pid)?.cpuSec
        const peakRssMb = p.monitor.peakMb
        await p.stop()

        const db = new Client({ connectionString: s.dbUrl })
        await db.connect()
        const rows: Record<string, number> = {}
        for (const t of ['block', 'swap', 'arbitrage', 'sandwich', 'mev_event']) {
            rows[t] = Number((await db.query(`SELECT count(*) AS n FROM ${t}`).catch(() => ({ rows: [{ n: -1 }] }))).rows[0].n)
        }
        const baseline = await runBaseline(s, db, startBlock, head.height)
        await db.end()

        const blocks = head.height - startBlock + 1
        const blocksPerSec = blocks / (wallMs / 1000)
        const txPerSec = baseline.transactions / (wallMs / 1000)
        return {
            name: 'index-analytics',
            quick: ctx.opts.quick,
            inputs: {
                ...plan,
                startBlock,
                head: head.height,
                blocks,
                dexBlocks: { from: load.firstBlock, to: load.lastBlock },
                processorEnv: Object.fromEntries(Object.entries(env).filter(([k]) => !/URL/.test(k))),
                postgresFsync: process.env.BENCH_PG_NOFSYNC !== '1',
            },
            environment: environment({ postgres: s.postgresVersion, anvil: s.anvilVersion }),
            figures: {
                chain: { ...load, signMs: round(load.signMs), mineMs: round(load.mineMs), txPerDexBlock: round(load.transactions / plan.blocks, 1) },
                processor: { wallMs: round(wallMs), blocks, transactions: baseline.transactions, blocksPerSec: round(blocksPerSec), txPerSec: round(txPerSec), peakRssMb, cpuSec, rows },
                baseline: { ...baseline, blocksPerSec: round(baseline.blocksPerSec), txPerSec: round(baseline.txPerSec) },
            },
            summary: {
                blocksPerSec: round(blocksPerSec),
                txPerSec: round(txPerSec),
                ratioToBaseline: round(blocksPerSec / baseline.blocksPerSec, 3),
                peakRssMb,
            },
            notes: [
                'processor time: from spawn (migrations, startup included) until its indexed head equals the chain head',
                'transactions = all transactions of the range (what the baseline fetched)',
                'baseline: eth_getBlockByNumber(full) + eth_getBlockReceipts + trace_block per block, batches of 10 blocks, 2 in flight, COPY over 2 connections into block/transaction/log/trace tables with primary keys',
            ],
            durationMs: Date.now() - t0,
        }
    } finally {
        await s.stop(ctx.opts.keep)
    }
}

const CHUNK_BLOCKS = 10

/** Raw blocks + receipts + traces (2 batches in flight) → COPY (2 connections), pipelined. */
async function runBaseline(s: BenchStack, db: Client, from: number, to: number) {
    await db.query(`DROP SCHEMA IF EXISTS bench CASCADE`)
    await db.query(`CREATE SCHEMA bench`)
    await db.query(`CREATE TABLE bench.raw_block (number integer PRIMARY KEY, hash text NOT NULL, parent_hash text NOT NULL, ts integer NOT NULL, miner text NOT NULL, gas_used numeric NOT NULL, base_fee numeric)`)
    await db.query(`CREATE TABLE bench.raw_tx (hash text PRIMARY KEY, block_number integer NOT NULL, idx integer NOT NULL, "from" text NOT NULL, "to" text, value numeric NOT NULL, gas_price numeric, gas_used numeric, status integer, input text NOT NULL)`)
    await db.query(`CREATE TABLE bench.raw_log (id text PRIMARY KEY, block_number integer NOT NULL, tx_hash text NOT NULL, address text NOT NULL, topics text NOT NULL, data text NOT NULL)`)
    await db.query(`CREATE TABLE bench.raw_trace (id text PRIMARY KEY, block_number integer NOT NULL, tx_hash text, type text NOT NULL, "from" text, "to" text, value numeric, input text, output text)`)
    const copiers = [new Client({ connectionString: s.dbUrl }), new Client({ connectionString: s.dbUrl })]
    await Promise.all(copiers.map((c) => c.connect()))
    const ranges: [number, number][] = []
    for (let a = from; a <= to; a += CHUNK_BLOCKS) ranges.push([a, Math.min(to, a + CHUNK_BLOCKS - 1)])
    const t = now()
    let transactions = 0
    let fetchMs = 0
    let copyMs = 0
    let next = 0
    const n = (v: unknown) => (v == null ? '\\N' : String(v))
    const big = (v: string | null | undefined) => (v == null ? '\\N' : BigInt(v).toString())
    const worker = async (c: Client) => {
        while (next < ranges.length) {
            const [a, b] = ranges[next++]
            const tf = now()
            const calls: unknown[] = []
            for (let h = a; h <= b; h++) {
                const q = '0x' + h.toString(16)
                calls.push({ jsonrpc: '2.0', id: calls.length, method: 'eth_getBlockByNumber', params: [q, true] })
                calls.push({ jsonrpc: '2.0', id: calls.length, method: 'eth_getBlockReceipts', params: [q] })
                calls.push({ jsonrpc: '2.0', id: calls.length, method: 'trace_block', params: [q] })
            }
            const res = await rpcBatch(s.rpcUrl, calls, 120_000)
            const bad = res.find((r) => r.error)
            if (bad) throw new Error(`baseline ${a}-${b}: ${JSON.stringify(bad.error)}`)
            fetchMs += ms(tf)
            const tc = now()
            const byId = new Map(res.map((r) => [r.id, r.result]))
            const lines = { block: [] as string[], tx: [] as string[], log: [] as string[], trace: [] as string[] }
            for (let i = 0; i < calls.length; i += 3) {
                const blk = byId.get(i)
                const receipts = (byId.get(i + 1) ?? []) as any[]
                const traces = (byId.get(i + 2) ?? []) as any[]
                const bn = Number(blk.number)
                lines.block.push(`${bn}\t${blk.hash}\t${blk.parentHash}\t${Number(blk.timestamp)}\t${blk.miner}\t${big(blk.gasUsed)}\t${big(blk.baseFeePerGas)}\n`)
                const rcpt = new Map(receipts.map((r) => [r.transactionHash, r]))
                for (const tx of blk.transactions) {
                    const r = rcpt.get(tx.hash)
                    lines.tx.push(`${tx.hash}\t${bn}\t${Number(tx.transactionIndex)}\t${tx.from}\t${n(tx.to)}\t${big(tx.value)}\t${big(r?.effectiveGasPrice ?? tx.gasPrice)}\t${big(r?.gasUsed)}\t${r ? Number(r.status) : '\\N'}\t${tx.input}\n`)
                    transactions++
                }
                for (const r of receipts) for (const l of r.logs) lines.log.push(`${bn}-${Number(l.logIndex)}\t${bn}\t${l.transactionHash}\t${l.address}\t${l.topics.join(',')}\t${l.data}\n`)
                for (const tr of traces) {
                    const act = tr.action ?? {}
                    lines.trace.push(`${bn}-${tr.transactionPosition ?? 'r'}-${(tr.traceAddress ?? []).join('.')}\t${bn}\t${n(tr.transactionHash)}\t${tr.type}\t${n(act.from)}\t${n(act.to ?? tr.result?.address)}\t${big(act.value)}\t${n(act.input ?? act.init)}\t${n(tr.result?.output)}\n`)
                }
            }
            for (const [table, cols, rows] of [
                ['raw_block', 'number, hash, parent_hash, ts, miner, gas_used, base_fee', lines.block],
                ['raw_tx', 'hash, block_number, idx, "from", "to", value, gas_price, gas_used, status, input', lines.tx],
                ['raw_log', 'id, block_number, tx_hash, address, topics, data', lines.log],
                ['raw_trace', 'id, block_number, tx_hash, type, "from", "to", value, input, output', lines.trace],
            ] as const) {
                if (rows.length) await copyFrom(c, `COPY bench.${table} (${cols}) FROM STDIN`, [Buffer.from(rows.join(''))])
            }
            copyMs += ms(tc)
        }
    }
    await Promise.all(copiers.map((c) => worker(c)))
    const totalMs = ms(t)
    const counts: Record<string, number> = {}
    for (const table of ['raw_block', 'raw_tx', 'raw_log', 'raw_trace']) counts[table] = Number((await db.query(`SELECT count(*) AS n FROM bench.${table}`)).rows[0].n)
    const failedTransactions = Number((await db.query(`SELECT count(*) AS n FROM bench.raw_tx WHERE status = 0`)).rows[0].n)
    await Promise.all(copiers.map((c) => c.end()))
    await db.query(`DROP SCHEMA bench CASCADE`)
    if (counts.raw_tx !== transactions) throw new Error(`baseline stored ${counts.raw_tx} transactions of ${transactions}`)
    const blocks = to - from + 1
    return {
        ms: round(totalMs),
        blocks,
        transactions,
        rows: counts,
        failedTransactions,
        blocksPerSec: blocks / (totalMs / 1000),
        txPerSec: transactions / (totalMs / 1000),
        chunkBlocks: CHUNK_BLOCKS,
        fetchMsSum: round(fetchMs),
        copyMsSum: round(copyMs),
        requestsInFlight: 2,
        copyConnections: 2,
    }
}
