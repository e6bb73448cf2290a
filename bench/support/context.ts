/**
 * What the benchmarks of one run share: the stack (started on first use), the load plan, whether the chain
 * has been indexed into the stack's database yet.
 */
import * as fs from 'fs'
import * as path from 'path'
import { Client } from 'pg'
import { BenchError, BenchOptions, note, ROOT, sleep } from './common'
import { currentLibDir, NodeChild } from './procs'
import type { LoadPlan } from './settlement-load'
import { BenchStack, indexedHead } from './stack'

export const FULL_PLAN: LoadPlan = { events: 1_000_000, eventsPerTx: 100, txsPerBlock: 2, payers: 1_000, spanDays: 85, simulateSeconds: 45 }
export const QUICK_PLAN: LoadPlan = { events: 50_000, eventsPerTx: 100, txsPerBlock: 2, payers: 200, spanDays: 85, simulateSeconds: 12 }

/** Name of the processor switch that turns off the validator/MEV chain data (all blocks, transactions, traces). */
export const TRACE_SWITCH = 'CHAIN_ANALYTICS'

export interface ProcessorBuildInfo {
    /** lib/processor.js requests call traces */
    traces: boolean
    /** lib/processor.js reads TRACE_SWITCH */
    traceSwitch: boolean
    /** env given to the processor for the settlement-only index benchmark */
    env: Record<string, string>
}

export function processorBuildInfo(): ProcessorBuildInfo {
    const file = path.join(currentLibDir(), 'processor.js')
    const src = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
    const traceSwitch = src.includes(TRACE_SWITCH)
    const env: Record<string, string> = {}
    if (traceSwitch) env[TRACE_SWITCH] = 'false'
    // BENCH_PROCESSOR_ENV="A=1,B=2" adds/overrides processor variables
    for (const kv of (process.env.BENCH_PROCESSOR_ENV ?? '').split(',').filter(Boolean)) {
        const i = kv.indexOf('=')
        if (i > 0) env[kv.slice(0, i).trim()] = kv.slice(i + 1).trim()
    }
    return { traces: /\.addTrace\(/.test(src), traceSwitch, env }
}

export class RunContext {
    private stackPromise?: Promise<BenchStack>
    indexed = false

    constructor(readonly opts: BenchOptions) {}

    get plan(): LoadPlan {
        return this.opts.quick ? QUICK_PLAN : FULL_PLAN
    }

    get started(): boolean {
        return this.stackPromise !== undefined
    }

    stack(): Promise<BenchStack> {
        return (this.stackPromise ??= (async () => {
            const s = await BenchStack.start({ verbose: this.opts.verbose })
            await s.deploy()
            return s
        })())
    }

    /** Stack + chain with the load mined. */
    async chainReady(): Promise<BenchStack> {
        const s = await this.stack()
        await s.prepareChain(this.plan)
        return s
    }

    /** Stack + chain + the processor caught up with it once (unmeasured, when the index benchmark did not run). */
    async indexedStack(): Promise<BenchStack> {
        const s = await this.chainReady()
        if (this.indexed) return s
        note('stack', 'indexing the chain (not measured: the index benchmark is not part of this run)')
        const p = s.startProcessor(await s.processorEnv(processorBuildInfo().env), 'processor-prep')
        try {
            await waitIndexed(s, p, this.opts.quick ? 15 * 60_000 : 90 * 60_000)
        } finally {
            await p.stop()
        }
        this.indexed = true
        return s
    }

    async close(): Promise<void> {
        if (!this.stackPromise) return
        const s = await this.stackPromise.catch(() => undefined)
        await s?.stop(this.opts.keep)
    }
}

/** Wait until the processor's indexed head is the chain head (same hash); bounded. */
export async function waitIndexed(
    s: BenchStack,
    p: NodeChild | undefined,
    timeoutMs: number,
    onTick?: (height: number) => void,
    dbUrl = s.dbUrl,
): Promise<{ height: number; hash: string }> {
    const c = new Client({ connectionString: dbUrl })
    await c.connect()
    const deadline = Date.now() + timeoutMs
    try {
        for (;;) {
            if (p && !p.running()) throw new BenchError(`the processor exited:\n${p.lines.slice(-30).join('\n')}`)
            const [idx, head] = await Promise.all([
                indexedHead(c).catch(() => undefined),
                fetch(s.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['latest', false] }) })
                    .then((r) => r.json() as any)
                    .then((j) => ({ height: Number(j.result.number), hash: j.result.hash as string })),
            ])
            if (idx) onTick?.(idx.height)
            if (idx && idx.height === head.height && idx.hash === head.hash) return idx
            if (Date.now() > deadline) throw new BenchError(`the processor did not catch up within ${timeoutMs} ms (indexed ${idx?.height}, head ${head.height})`)
            await sleep(200)
        }
    } finally {
        await c.end()
    }
}
