/**
 * The private @subsquid (and typeorm) internals that src/indexer/sdk-internals.ts relies on still have the shape
 * it expects. Each failure names the internal and what to do: after an SDK upgrade, re-read the SDK's source for
 * that member and adapt sdk-internals.ts (the only file that touches it), then PINNED_VERSIONS.
 */
import * as fs from 'fs'
import * as path from 'path'
import { EvmBatchProcessor } from '@subsquid/evm-processor'
import { Store } from '@subsquid/typeorm-store'
import {
    PINNED_VERSIONS,
    RPC_SOURCE_METHODS,
    chainHeight,
    coldSourceOf,
    installColdIngest,
    installLinearTraceBlock,
    traceBlockInternals,
    squidRegistry,
    storeEntityManager,
    storeInternals,
    sideConnection,
} from '../../src/indexer/sdk-internals'

const ROOT = path.resolve(__dirname, '../..')
/** squid's own method, before installLinearTraceBlock replaces it (compared with the replacement below) */
const squidTraceBlock = traceBlockInternals().proto.addTraceBlockTraces

function installedVersion(pkg: string): string {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version
}

/** A method `name` with `arity` declared parameters on `obj`, or a message saying what changed. */
function methodProblem(what: string, obj: any, name: string, arity: number): string | undefined {
    const f = obj?.[name]
    if (typeof f !== 'function') return `${what}.${name} is no longer a function (found ${typeof f}): src/indexer/sdk-internals.ts relies on it`
    if (f.length !== arity) return `${what}.${name} now takes ${f.length} parameters instead of ${arity}: check its new signature before trusting sdk-internals.ts`
    return undefined
}

function expectNoProblems(problems: (string | undefined)[]): void {
    expect(problems.filter((p) => p !== undefined)).toEqual([])
}

function processor() {
    return new EvmBatchProcessor().setRpcEndpoint({ url: 'http://127.0.0.1:1' }).setFinalityConfirmation(10).setBlockRange({ from: 0 })
}

test('the installed SDK versions are the pinned ones (sdk-internals.ts was written against them)', () => {
    for (const [pkg, version] of Object.entries(PINNED_VERSIONS)) {
        const installed = installedVersion(pkg)
        if (installed !== version) {
            throw new Error(`${pkg} is ${installed}, sdk-internals.ts was written against ${version}: review every internal listed in its header, then update PINNED_VERSIONS`)
        }
    }
})

test("EvmBatchProcessor: getHotDataSource() and getPrometheusServer().registry (private)", () => {
    const proto = EvmBatchProcessor.prototype as any
    expectNoProblems([methodProblem('EvmBatchProcessor.prototype', proto, 'getHotDataSource', 0), methodProblem('EvmBatchProcessor.prototype', proto, 'getPrometheusServer', 0)])
    const reg = squidRegistry(processor())
    if (!reg) throw new Error('EvmBatchProcessor#getPrometheusServer().registry is not a prom-client Registry any more: settlement_* metrics would be disabled')
    expect(typeof reg.registerMetric).toBe('function')
})

test("EvmRpcDataSource: the methods and field the backfill ingestion uses (private)", () => {
    const ds = (processor() as any).getHotDataSource()
    const proto = Object.getPrototypeOf(ds)
    const arity: Record<(typeof RPC_SOURCE_METHODS)[number], number> = { getFinalizedHeight: 0, toMappingRequest: 1, _getColdSplit: 1, getFinalizedBlocks: 2 }
    expectNoProblems(RPC_SOURCE_METHODS.map((m) => methodProblem(`${proto.constructor.name}.prototype`, proto, m, arity[m])))
    if (typeof ds.headPollInterval !== 'number') throw new Error(`${proto.constructor.name}#headPollInterval is not a number any more (found ${typeof ds.headPollInterval})`)
    expect(coldSourceOf(ds)).toBeDefined()
})

test('installColdIngest replaces getFinalizedBlocks on the data source, and only there', async () => {
    const p = processor()
    const seen: unknown[] = []
    expect(
        installColdIngest(p, async function* (src, requests) {
            seen.push(src.pollMs, requests)
        }),
    ).toBe(true)
    const ds = (p as any).getHotDataSource()
    expect((p as any).getHotDataSource()).toBe(ds)
    expect(Object.prototype.hasOwnProperty.call(ds, 'getFinalizedBlocks')).toBe(true)
    for await (const _ of ds.getFinalizedBlocks([{ range: { from: 1 }, request: {} }], true)) void _
    expect(seen).toEqual([5000, [{ range: { from: 1 }, request: {} }]])
    expect(installColdIngest({} as any, async function* () {})).toBe(false)
})

test('typeorm-store Store: em() and changes (private fields) and the EntityManager internals', () => {
    const em = { query: async () => [], connection: { driver: {} }, queryRunner: { databaseConnection: { query: async () => undefined } } }
    const tracker = { trackInsert: async () => {}, trackUpsert: async () => {} }
    // the constructor is what puts em / changes on the instance: same call as typeorm-store's database does
    expect(Store.length).toBe(2)
    const store = new (Store as any)(() => em, tracker) as Store
    if (typeof (store as any).em !== 'function') throw new Error('typeorm-store Store#em is not a function any more: NOTIFY, deferred indexes and the bulk writer cannot reach the transaction')
    expect(storeEntityManager(store)).toBe(em)
    const s = storeInternals(store)
    expect(s?.em).toBe(em)
    expect(s?.client).toBe(em.queryRunner.databaseConnection)
    expect(s?.tracker).toBe(tracker)
    // a finalized block's store has no tracker
    expect(storeInternals(new (Store as any)(() => em, undefined))?.tracker).toBeUndefined()
})

test("typeorm PostgresQueryRunner: connect() sets databaseConnection, the raw client the side connection COPYs on", async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { PostgresQueryRunner } = require('typeorm/driver/postgres/PostgresQueryRunner')
    expectNoProblems([methodProblem('PostgresQueryRunner.prototype', PostgresQueryRunner.prototype, 'connect', 0), methodProblem('PostgresQueryRunner.prototype', PostgresQueryRunner.prototype, 'release', 0)])
    if (!String(PostgresQueryRunner.prototype.connect).includes('this.databaseConnection =')) {
        throw new Error('typeorm PostgresQueryRunner#connect no longer sets databaseConnection: sideConnection (sdk-internals.ts) cannot reach the raw client')
    }
    const client = { query: async () => undefined }
    let released = 0
    const runner = { databaseConnection: undefined as unknown, connect: async () => void (runner.databaseConnection = client), release: async () => void released++ }
    const side = await sideConnection({ connection: { createQueryRunner: () => runner } } as any)
    expect(side?.client).toBe(client)
    await side!.release()
    expect(released).toBe(1)
    // no raw client: none, and the runner is given back
    const bare = { connect: async () => {}, release: async () => void released++ }
    expect(await sideConnection({ connection: { createQueryRunner: () => bare } } as any)).toBeUndefined()
    expect(released).toBe(2)
})

test("typeorm-store's ChangeTracker: trackInsert / trackUpsert (what the bulk writer calls for hot blocks)", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { ChangeTracker } = require('@subsquid/typeorm-store/lib/hot')
    expectNoProblems([methodProblem('ChangeTracker.prototype', ChangeTracker.prototype, 'trackInsert', 2), methodProblem('ChangeTracker.prototype', ChangeTracker.prototype, 'trackUpsert', 2)])
})

test('chainHeight asks the processor context\'s RPC client for eth_blockNumber', async () => {
    const calls: string[] = []
    const ctx = { _chain: { client: { call: async <T>(m: string) => (calls.push(m), '0x2a' as T) } } }
    expect(await chainHeight(ctx)).toBe(42)
    expect(calls).toEqual(['eth_blockNumber'])
})

test("evm-processor Rpc#addTraceBlockTraces and rpc-data TraceFrame (private): what installLinearTraceBlock replaces", () => {
    const { proto, traceFrame, validation } = traceBlockInternals()
    expectNoProblems([methodProblem('Rpc.prototype', proto, 'batchCall', 2)])
    if (typeof traceFrame?.validate !== 'function') throw new Error('evm-processor lib/ds-rpc/rpc-data TraceFrame is no longer a validator')
    if (typeof validation?.array !== 'function' || typeof validation?.DataValidationError !== 'function') throw new Error('@subsquid/util-internal-validation no longer exports array / DataValidationError')
    const before = proto.addTraceBlockTraces
    if (typeof before !== 'function') throw new Error('Rpc.prototype.addTraceBlockTraces is gone: trace_block ingestion changed, review installLinearTraceBlock')
    // the method replaced is the quadratic one this file was written against (groups all frames inside the per-frame loop)
    if (!String(before).includes('trace_block')) throw new Error('Rpc.prototype.addTraceBlockTraces no longer calls trace_block: review installLinearTraceBlock')
    expect(installLinearTraceBlock()).toBe(true)
    expect(proto.addTraceBlockTraces).not.toBe(before)
    expect(installLinearTraceBlock()).toBe(true)
})

test('the linear trace_block ingestion groups frames by transaction as squid does, and validates the same way', async () => {
    installLinearTraceBlock()
    const { proto } = traceBlockInternals()
    const frame = (tx: string | null, traceAddress: number[], blockHash = '0xb1') => ({
        blockHash,
        transactionHash: tx,
        transactionPosition: 0,
        type: 'call',
        subtraces: 0,
        traceAddress,
        action: { from: '0x01', to: '0x02', value: '0x0', gas: '0x0', input: '0x', callType: 'call' },
        result: { gasUsed: '0x0', output: '0x' },
    })
    const answers: unknown[][] = [[frame('0xa', []), frame('0xb', []), frame('0xa', [0]), frame(null, [])], [], [frame('0xc', [], '0xff')]]
    const rpc = Object.create(proto)
    rpc.validation = {}
    rpc.batchCall = async (calls: { method: string; params: unknown[] }[], opts: { validateResult: (r: unknown) => unknown }) => {
        expect(calls).toEqual(blocks.slice(0, calls.length).map((b) => ({ method: 'trace_block', params: [b.block.number] })))
        return calls.map((_, k) => opts.validateResult(answers[k]))
    }
    const blocks: any[] = [
        { hash: '0xb1', block: { number: '0x1', transactions: [{}] } },
        { hash: '0xb2', block: { number: '0x2', transactions: [{}] } },
        { hash: '0xb3', block: { number: '0x3', transactions: [] } },
    ]
    const squidBlocks = structuredClone(blocks)
    await rpc.addTraceBlockTraces(blocks)
    await squidTraceBlock.call(rpc, squidBlocks)
    expect(blocks).toEqual(squidBlocks)
    expect(blocks[0].traceReplays.map((r: any) => [r.transactionHash, r.trace.map((f: any) => f.traceAddress.join('.'))])).toEqual([
        ['0xa', ['', '0']],
        ['0xb', ['']],
    ])
    expect(blocks[0]._isInvalid).toBeUndefined()
    expect(blocks[1]._isInvalid).toBe(true)
    expect(blocks[1]._errorMessage).toBe('missing traces for some transactions')
    expect(blocks[2]._isInvalid).toBe(true)
    expect(blocks[2]._errorMessage).toBe('trace_block returned a trace of a different block')
    // a malformed answer is rejected by squid's own validator
    answers[0] = [{ nonsense: true }]
    await expect(rpc.addTraceBlockTraces([blocks[0]])).rejects.toThrow(/unexpected result/)
})
