/**
 * mev: blocks/s of the MEV classifier over the real mainnet blocks in ../shared/fixtures/mev-inspect/
 * (mev-inspect-py's fixtures: traces + receipts), in one process, two ways:
 *  - blocksPerSec: from the file's text to the classification (JSON parsing and input conversion
 *    included, as `mev inspect` does it);
 *  - classifyBlocksPerSec: classifyBlock alone on blocks converted beforehand.
 * Each phase: a warm-up, then rounds over every block until both a minimum round count and a minimum
 * time are reached (bounded by a maximum time). Files are read from disk once, outside the timing.
 */
import * as fs from 'fs'
import * as path from 'path'
import { blockInputFromText, classifyBlock } from '../src/mev/classify'
import type { BlockInput } from '../src/mev/types'
import { BenchError, BenchResult, distribution, environment, ms, note, now, ROOT, round } from './support/common'
import { RunContext } from './support/context'

export function fixtureDir(): string {
    return process.env.MEV_FIXTURES_DIR ?? path.resolve(ROOT, '..', 'shared', 'fixtures', 'mev-inspect')
}

interface Limits {
    minRounds: number
    minMs: number
    maxMs: number
    warmup: number
}

/** Runs `roundFn` (one pass over all blocks) repeatedly; returns per-round milliseconds. */
function timeRounds(limits: Limits, roundFn: () => void): { roundMs: number[]; totalMs: number } {
    for (let i = 0; i < limits.warmup; i++) roundFn()
    const roundMs: number[] = []
    const start = now()
    for (;;) {
        const t = now()
        roundFn()
        roundMs.push(ms(t))
        const elapsed = ms(start)
        if ((roundMs.length >= limits.minRounds && elapsed >= limits.minMs) || elapsed >= limits.maxMs) break
    }
    return { roundMs, totalMs: ms(start) }
}

export async function runMev(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const dir = fixtureDir()
    if (!fs.existsSync(dir)) throw new BenchError(`no fixtures at ${dir} (set MEV_FIXTURES_DIR)`)
    // block files are <number>.json; reference/ and expect/ hold mev-inspect-py's answers
    const files = fs.readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).sort()
    if (!files.length) throw new BenchError(`no <block>.json fixtures in ${dir}`)
    const texts = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    const bytes = texts.reduce((n, t) => n + t.length, 0)
    let traces = 0
    const found: Record<string, number> = {}
    for (const t of texts) {
        const b = blockInputFromText(t)
        traces += b.traces.length
        const c = classifyBlock(b)
        for (const k of ['swaps', 'arbitrages', 'sandwiches', 'jitLiquidity', 'minerPayments'] as const) found[k] = (found[k] ?? 0) + c[k].length
    }

    const limits: Limits = ctx.opts.quick
        ? { minRounds: 20, minMs: 2_000, maxMs: 10_000, warmup: 5 }
        : { minRounds: 200, minMs: 10_000, maxMs: 60_000, warmup: 20 }
    // with parsing first, so the converted blocks of the second phase are not on the heap meanwhile
    const full = timeRounds(limits, () => {
        for (const t of texts) classifyBlock(blockInputFromText(t))
    })
    const blocks: BlockInput[] = texts.map((t) => blockInputFromText(t))
    const alone = timeRounds(limits, () => {
        for (const b of blocks) classifyBlock(b)
    })
    const rate = (r: { roundMs: number[]; totalMs: number }) => (r.roundMs.length * blocks.length) / (r.totalMs / 1000)
    const blocksPerSec = rate(full)
    const classifyBlocksPerSec = rate(alone)
    note('mev', `${round(blocksPerSec)} blocks/s with JSON parsing, ${round(classifyBlocksPerSec)} blocks/s classification alone`)
    return {
        name: 'mev',
        quick: ctx.opts.quick,
        inputs: { fixtures: files, fixtureDir: path.relative(ROOT, dir), tracesPerRound: traces, bytesPerRound: bytes, ...limits },
        environment: environment(),
        figures: {
            blocksPerSec: round(blocksPerSec),
            classifyBlocksPerSec: round(classifyBlocksPerSec),
            withParsing: { rounds: full.roundMs.length, totalMs: round(full.totalMs), msPerBlock: distribution(full.roundMs.map((m) => m / blocks.length)) },
            classificationAlone: {
                rounds: alone.roundMs.length,
                totalMs: round(alone.totalMs),
                tracesPerSec: round((traces * alone.roundMs.length) / (alone.totalMs / 1000)),
                msPerBlock: distribution(alone.roundMs.map((m) => m / blocks.length)),
            },
            found,
        },
        summary: { blocksPerSec: round(blocksPerSec), classifyBlocksPerSec: round(classifyBlocksPerSec) },
        notes: [
            'blocksPerSec: text -> JSON.parse (exact re-parse only for files with integers beyond 2^53) -> BlockInput -> classifyBlock',
            'classifyBlocksPerSec: classifyBlock alone; files are read from disk once, outside the timing',
        ],
        durationMs: Date.now() - t0,
    }
}
