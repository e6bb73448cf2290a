/**
 * Processor configuration: CHAIN_ANALYTICS and the other env switches, what each mode requests from squid, and
 * the backfill ingestion (units, look-ahead, merging into handler calls) against a fake data source.
 */
import { EvmBatchProcessor } from '@subsquid/evm-processor'
import { boolFromEnv, coldIngestFromEnv } from '../../src/config'
import { coldIngest, ColdIngestOptions, tuneColdIngest } from '../../src/indexer/ingest'
import { coldSourceOf } from '../../src/indexer/sdk-internals'
import { buildProcessor, ProcessorSettings } from '../../src/processor'

function settings(over: Partial<ProcessorSettings> = {}): ProcessorSettings {
    const a = (n: number) => '0x' + String(n).repeat(40)
    return {
        rpcUrl: 'http://127.0.0.1:1',
        finalityConfirmations: 10,
        chainId: 31337,
        startBlock: 1,
        deploymentsFile: '/dev/null',
        contracts: {
            ParticipantRegistry: a(1),
            TokenRegistry: a(2),
            Escrow: a(3),
            BatchLedger: a(4),
            Distributor: a(5),
            PlatformTimelock: a(6),
            MockUSDC: a(7),
            ValidatorRegistry: a(8),
            StakeToken: a(9),
        },
        epochBlocks: 32,
        traceApi: 'trace',
        chainAnalytics: true,
        protocolEvents: true,
        ingest: coldIngestFromEnv({}, true),
        ...over,
    }
}

describe('env switches', () => {
    test('CHAIN_ANALYTICS / PROTOCOL_EVENTS: true by default, strict values', () => {
        expect(boolFromEnv({}, 'CHAIN_ANALYTICS', true)).toBe(true)
        for (const v of ['false', 'FALSE', '0', 'no', 'off', ' false ']) expect(boolFromEnv({ X: v }, 'X', true)).toBe(false)
        for (const v of ['true', '1', 'yes', 'on']) expect(boolFromEnv({ X: v }, 'X', false)).toBe(true)
        expect(() => boolFromEnv({ CHAIN_ANALYTICS: 'maybe' }, 'CHAIN_ANALYTICS', true)).toThrow(/CHAIN_ANALYTICS.*true or false/)
    })

    test('backfill ingestion defaults depend on CHAIN_ANALYTICS; overrides are positive integers', () => {
        expect(coldIngestFromEnv({}, false)).toMatchObject({ splitBlocks: 100, concurrency: 2 })
        expect(coldIngestFromEnv({}, true)).toMatchObject({ splitBlocks: 50, concurrency: 2 })
        expect(coldIngestFromEnv({ RPC_SPLIT_BLOCKS: '25', RPC_SPLIT_CONCURRENCY: '4', BATCH_MAX_BLOCKS: '50', BATCH_MAX_LOGS: '1000' }, false)).toEqual({
            splitBlocks: 25,
            concurrency: 4,
            maxBatchBlocks: 50,
            maxBatchLogs: 1000,
        })
        expect(() => coldIngestFromEnv({ RPC_SPLIT_BLOCKS: '0' }, false)).toThrow(/RPC_SPLIT_BLOCKS/)
        expect(() => coldIngestFromEnv({ BATCH_MAX_LOGS: 'lots' }, false)).toThrow(/BATCH_MAX_LOGS/)
    })
})

describe('what the processor requests', () => {
    const requests = (p: EvmBatchProcessor<any>) => (p as any).getBatchRequests() as { request: any }[]

    test('CHAIN_ANALYTICS=true: all blocks, all transactions with receipt fields, all traces, the contracts\' logs', () => {
        const [r] = requests(buildProcessor(settings()))
        expect(r.request.includeAllBlocks).toBe(true)
        expect(r.request.transactions).toHaveLength(1)
        expect(r.request.traces).toHaveLength(1)
        expect(r.request.logs).toHaveLength(7)
        expect(r.request.fields.transaction).toMatchObject({ gasUsed: true, effectiveGasPrice: true, status: true })
        expect(r.request.fields.block).toMatchObject({ miner: true, baseFeePerGas: true })
    })

    test('CHAIN_ANALYTICS=false: only the contracts\' logs with their transaction (hash, sender), no receipt field', () => {
        const [r] = requests(buildProcessor(settings({ chainAnalytics: false, ingest: coldIngestFromEnv({}, false) })))
        expect(r.request.includeAllBlocks).toBeUndefined()
        expect(r.request.transactions ?? []).toHaveLength(0)
        expect(r.request.traces ?? []).toHaveLength(0)
        expect(r.request.logs).toHaveLength(7)
        expect(r.request.logs.every((l: any) => l.transaction === true && l.address.length === 1)).toBe(true)
        // no receipt field: squid takes the logs from eth_getLogs instead of every block's receipts
        expect(r.request.fields.transaction).toMatchObject({ from: true, hash: true })
        for (const f of ['gasUsed', 'cumulativeGasUsed', 'effectiveGasPrice', 'status', 'contractAddress', 'type']) expect(r.request.fields.transaction[f]).toBeUndefined()
        expect(r.request.fields.block.miner).toBeUndefined()
    })

    test('the tuned backfill ingestion is installed on squid\'s RPC data source', () => {
        const p = buildProcessor(settings())
        expect(tuneColdIngest(p, settings().ingest)).toBe(true)
        const ds = (p as any).getHotDataSource()
        expect(ds).toBe((p as any).getHotDataSource())
        expect(Object.prototype.hasOwnProperty.call(ds, 'getFinalizedBlocks')).toBe(true)
        expect(tuneColdIngest({} as any, settings().ingest)).toBe(false)
    })
})

describe('backfill ingestion (fake data source)', () => {
    /** A chain where block h has `logsAt(h)` logs; the finalized head moves with `top`. */
    function source(opts: { top: () => number; logsAt?: (h: number) => number; delayMs?: (from: number) => number; failAt?: number }) {
        const splits: [number, number][] = []
        let inFlight = 0
        let maxInFlight = 0
        return {
            splits,
            maxInFlight: () => maxInFlight,
            headPollInterval: 1,
            getFinalizedHeight: async () => opts.top(),
            toMappingRequest: (r: unknown) => r,
            getFinalizedBlocks: () => {
                throw new Error('replaced')
            },
            async _getColdSplit(split: { range: { from: number; to: number } }) {
                const { from, to } = split.range
                splits.push([from, to])
                inFlight++
                maxInFlight = Math.max(maxInFlight, inFlight)
                await new Promise((r) => setTimeout(r, opts.delayMs?.(from) ?? 1))
                inFlight--
                if (opts.failAt != null && from <= opts.failAt && opts.failAt <= to) throw new Error(`fetch failed at ${opts.failAt}`)
                const blocks = []
                for (let h = from; h <= to; h++) blocks.push({ header: { height: h }, logs: new Array(opts.logsAt?.(h) ?? 1).fill(0) })
                return blocks
            },
        }
    }
    const opts = (o: Partial<ColdIngestOptions> = {}): ColdIngestOptions => ({ splitBlocks: 100, concurrency: 3, maxBatchBlocks: 500, maxBatchLogs: 50_000, ...o })

    async function collect(it: AsyncIterable<{ blocks: { header: { height: number }; logs: unknown[] }[]; isHead: boolean }>, slowHandlerMs = 0) {
        const batches: { from: number; to: number; n: number; logs: number; isHead: boolean }[] = []
        for await (const b of it) {
            const hs = b.blocks.map((x) => x.header.height)
            batches.push({ from: hs[0], to: hs[hs.length - 1], n: hs.length, logs: b.blocks.reduce((s, x) => s + x.logs.length, 0), isHead: b.isHead })
            if (slowHandlerMs) await new Promise((r) => setTimeout(r, slowHandlerMs))
        }
        return batches
    }

    test('every block once, in order; units ramp up from 10 to splitBlocks; stops at the finalized head', async () => {
        const src = source({ top: () => 1000 })
        const batches = await collect(coldIngest(coldSourceOf(src)!, [{ range: { from: 5 }, request: {} }], true, opts()))
        const heights = batches.flatMap((b) => Array.from({ length: b.n }, (_, i) => b.from + i))
        expect(heights).toEqual(Array.from({ length: 996 }, (_, i) => 5 + i))
        expect(src.splits.slice(0, 5).map(([a, b]) => b - a + 1)).toEqual([10, 20, 40, 80, 100])
        expect(batches[batches.length - 1]).toMatchObject({ to: 1000, isHead: true })
        expect(batches.slice(0, -1).every((b) => !b.isHead)).toBe(true)
        expect(src.maxInFlight()).toBeLessThanOrEqual(3)
    })

    test('a slow handler gets the units fetched meanwhile merged, within the block and log bounds', async () => {
        const src = source({ top: () => 2000, logsAt: () => 200 })
        const batches = await collect(coldIngest(coldSourceOf(src)!, [{ range: { from: 1, to: 2000 }, request: {} }], true, opts({ maxBatchLogs: 45_000 })), 20)
        expect(batches.length).toBeLessThan(src.splits.length)
        for (const b of batches) {
            expect(b.n).toBeLessThanOrEqual(500)
            // a single unit may exceed the log bound; merged ones never do
            if (b.n > 100) expect(b.logs).toBeLessThanOrEqual(45_000)
        }
        expect(batches.reduce((s, b) => s + b.n, 0)).toBe(2000)
    })

    test('follows a moving finalized head when not stopping at it; ranges with an end stop there', async () => {
        let top = 50
        const src = source({ top: () => (top += 30) })
        const batches = await collect(coldIngest(coldSourceOf(src)!, [{ range: { from: 1, to: 400 }, request: {} }], false, opts()))
        expect(batches.reduce((s, b) => s + b.n, 0)).toBe(400)
        expect(batches[batches.length - 1].to).toBe(400)
    })

    test('waiting for the head to move never holds back a unit already fetched', async () => {
        const src = { ...source({ top: () => 100 }), headPollInterval: 1000 }
        const t0 = Date.now()
        let last = 0
        for await (const b of coldIngest(coldSourceOf(src)!, [{ range: { from: 1, to: 200 }, request: {} }], false, opts())) {
            last = b.blocks[b.blocks.length - 1].header.height
            if (last >= 100) break
        }
        expect(last).toBe(100)
        expect(Date.now() - t0).toBeLessThan(900)
    })

    test('prepare sees every unit before the handler does; a fetch error reaches the consumer', async () => {
        const prepared: number[] = []
        const src = source({ top: () => 300 })
        const seen: number[] = []
        for await (const b of coldIngest(coldSourceOf(src)!, [{ range: { from: 1 }, request: {} }], true, { ...opts(), prepare: (blocks: any[]) => prepared.push(...blocks.map((x) => x.header.height)) })) {
            for (const x of b.blocks) {
                expect(prepared).toContain(x.header.height)
                seen.push(x.header.height)
            }
        }
        expect(seen).toHaveLength(300)
        const failing = source({ top: () => 300, failAt: 150 })
        await expect(collect(coldIngest(coldSourceOf(failing)!, [{ range: { from: 1 }, request: {} }], true, opts()))).rejects.toThrow(/fetch failed at 150/)
    })
})
