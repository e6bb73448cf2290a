/**
 * Benchmark runner: `node bench/dist/bench/run.js [name...] [--quick] [--keep] [--verbose]`
 * (npm: `npm run bench -- [name] [--quick]`).
 *
 *   index          processor backfill of ≥ 1M settlement events vs raw eth_getLogs + COPY
 *   index-analytics  processor with CHAIN_ANALYTICS=true over DEX blocks (≥ 150 tx) vs raw blocks + receipts + traces + COPY
 *   api            dashboard queries at 1 / 50 / 200 concurrent clients
 *   time-travel    as-of queries (`block: { number }`) next to the same queries on the current state
 *   history-writes the history writes of the index benchmark's shape, statement by statement, per index set
 *   subscriptions  graphql-ws fan-out latency at 1,000 and 10,000 clients
 *   mutation       commitBatch with 10k / 100k records, payoutProof latency
 *   mev            classifyBlock over the real mev-inspect fixture blocks
 *   usage          submitUsage records/s at 50 bots; last record → its batch committed
 *
 * Needs the compiled project (`npm run build`: lib/ and contracts/out). Results: bench/results/<name>.json
 * (--quick: bench/results/quick/<name>.json); one summary line per benchmark on stdout, progress on stderr.
 * Every process started (Postgres, anvil, processor, API server) is stopped at the end, on Ctrl-C too.
 */
import 'reflect-metadata'
import { installSignalHandlers, shutdownAll } from '../src/stack/processes'
import { runApi } from './api'
import { BenchOptions, BenchResult, summaryLine, writeResult } from './support/common'
import { RunContext } from './support/context'
import { snapshotLib } from './support/procs'
import { runIndex } from './index'
import { runIndexAnalytics } from './index-analytics'
import { runMev } from './mev'
import { runMutation } from './mutation'
import { runSubscriptions } from './subscriptions'
import { runTimeTravel } from './time-travel'
import { runHistoryWrites } from './history-writes'
import { runUsage } from './usage'

const BENCHES: Record<string, (ctx: RunContext) => Promise<BenchResult>> = {
    index: runIndex,
    'index-analytics': runIndexAnalytics,
    api: runApi,
    'time-travel': runTimeTravel,
    'history-writes': runHistoryWrites,
    subscriptions: runSubscriptions,
    mutation: runMutation,
    mev: runMev,
    usage: runUsage,
}

const USAGE = `usage: run.js [${Object.keys(BENCHES).join('|')}]... [--quick] [--keep] [--verbose]`

async function main(argv: string[]): Promise<number> {
    const flags = argv.filter((a) => a.startsWith('--'))
    const names = argv.filter((a) => !a.startsWith('--'))
    const unknownFlag = flags.find((f) => !['--quick', '--keep', '--verbose', '--help'].includes(f))
    if (unknownFlag || flags.includes('--help')) {
        ;(unknownFlag ? console.error : console.log)(unknownFlag ? `unknown option ${unknownFlag}; ${USAGE}` : USAGE)
        return unknownFlag ? 2 : 0
    }
    const unknown = names.find((n) => !BENCHES[n])
    if (unknown) {
        console.error(`unknown benchmark "${unknown}"; ${USAGE}`)
        return 2
    }
    const opts: BenchOptions = { quick: flags.includes('--quick'), keep: flags.includes('--keep'), verbose: flags.includes('--verbose') }
    const selected = names.length ? Object.keys(BENCHES).filter((n) => names.includes(n)) : Object.keys(BENCHES)
    installSignalHandlers()
    // the processor/server code of this run, safe from rebuilds of lib/ meanwhile (BENCH_SNAPSHOT_LIB=0: run lib/ itself)
    let releaseLib: (() => void) | undefined
    const needsLib = selected.some((n) => n !== 'mev')
    if (needsLib && process.env.BENCH_SNAPSHOT_LIB !== '0') {
        try {
            releaseLib = snapshotLib()
        } catch (e: any) {
            console.error(`bench: ${e.message}`)
            return 2
        }
    }
    const ctx = new RunContext(opts)
    const t0 = Date.now()
    let failed = 0
    try {
        for (const name of selected) {
            process.stderr.write(`[bench] ${name}${opts.quick ? ' (quick)' : ''} ...\n`)
            try {
                const r = await BENCHES[name](ctx)
                const file = writeResult(r)
                console.log(summaryLine(r))
                process.stderr.write(`[bench] ${name}: ${file}\n`)
            } catch (e: any) {
                failed++
                console.log(`bench ${name}${opts.quick ? ' (quick)' : ''}: FAILED: ${String(e?.message ?? e).split('\n')[0]}`)
                process.stderr.write(`[bench] ${name} failed: ${e?.stack ?? e}\n`)
            }
        }
    } finally {
        await ctx.close()
        releaseLib?.()
        await shutdownAll()
    }
    process.stderr.write(`[bench] done in ${Math.round((Date.now() - t0) / 1000)} s${failed ? `, ${failed} failed` : ''}\n`)
    return failed ? 1 : 0
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        console.error(e?.stack ?? e)
        void shutdownAll().finally(() => process.exit(1))
    },
)
