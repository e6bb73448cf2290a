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
    squidRegistry,
    storeEntityManager,
    storeInternals,
} from '../../src/indexer/sdk-internals'

const ROOT = path.resolve(__dirname, '../..')

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
