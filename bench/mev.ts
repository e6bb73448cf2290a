/**
 * mev: blocks/s of the MEV classifier (`classifyBlock`) over the real mainnet blocks in
 * ../shared/fixtures/mev-inspect/ (mev-inspect-py's fixtures: traces + receipts). Parsing the JSON is done
 * once, outside the timing; each round classifies every block; rounds repeat until both a minimum round
 * count and a minimum time are reached (bounded by a maximum time), after a warm-up.
 */
import * as fs from 'fs'
import * as path from 'path'
import { blockInputFromJson, classifyBlock } from '../src/mev/classify'
import type { BlockInput } from '../src/mev/types'
import { BenchError, BenchResult, distribution, environment, ms, note, now, ROOT, round } from './support/common'
import { RunContext } from './support/context'

export function fixtureDir(): string {
    return process.env.MEV_FIXTURES_DIR ?? path.resolve(ROOT, '..', 'shared', 'fixtures', 'mev-inspect')
}

export async function runMev(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const dir = fixtureDir()
    if (!fs.existsSync(dir)) throw new BenchError(`no fixtures at ${dir} (set MEV_FIXTURES_DIR)`)
    // block files are <number>.json; <number>.<kind>.json are expected results
    const files = fs.readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).sort()
    if (!files.length) throw new BenchError(`no <block>.json fixtures in ${dir}`)
    const blocks: BlockInput[] = files.map((f) => blockInputFromJson(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))))
    const traces = blocks.reduce((n, b) => n + b.traces.length, 0)

    const minRounds = ctx.opts.quick ? 200 : 2_000
    const minMs = ctx.opts.quick ? 2_000 : 10_000
    const maxMs = ctx.opts.quick ? 10_000 : 60_000
    // warm-up (JIT)
    for (let i = 0; i < Math.min(100, minRounds); i++) for (const b of blocks) classifyBlock(b)

    const roundMs: number[] = []
    let found = { swaps: 0, arbitrages: 0, sandwiches: 0 }
    const start = now()
    for (let r = 0; ; r++) {
        const t = now()
        for (const b of blocks) {
            const c = classifyBlock(b)
            if (r === 0) found = { swaps: found.swaps + c.swaps.length, arbitrages: found.arbitrages + c.arbitrages.length, sandwiches: found.sandwiches + c.sandwiches.length }
        }
        roundMs.push(ms(t))
        const elapsed = ms(start)
        if ((r + 1 >= minRounds && elapsed >= minMs) || elapsed >= maxMs) break
    }
    const totalMs = ms(start)
    const classified = roundMs.length * blocks.length
    const blocksPerSec = classified / (totalMs / 1000)
    const perBlock = distribution(roundMs.map((m) => m / blocks.length))
    note('mev', `${classified} blocks in ${round(totalMs)} ms`)
    return {
        name: 'mev',
        quick: ctx.opts.quick,
        inputs: { fixtures: files, fixtureDir: path.relative(ROOT, dir), tracesPerRound: traces, rounds: roundMs.length, minRounds, minMs, maxMs },
        environment: environment(),
        figures: { blocksClassified: classified, totalMs: round(totalMs), blocksPerSec: round(blocksPerSec), tracesPerSec: round((traces * roundMs.length) / (totalMs / 1000)), msPerBlock: perBlock, found },
        summary: { blocksPerSec: round(blocksPerSec) },
        notes: ['JSON parsing excluded; one warm-up pass of 100 rounds before timing'],
        durationMs: Date.now() - t0,
    }
}
