/**
 * EVERY use of private @subsquid internals (and of typeorm's, reached through typeorm-store) is in this file, so
 * that an SDK upgrade is one file to audit. test/processor/sdk-internals.test.ts fails loudly when one of them
 * changes shape; each use also checks its shape at runtime and falls back to squid's public behaviour.
 *
 * Written against @subsquid/evm-processor 1.27.3 and @subsquid/typeorm-store 1.5.1 (PINNED_VERSIONS).
 *
 *  1. EvmBatchProcessor#getHotDataSource (evm-processor, private method): replaced on our instance to patch the
 *     RPC data source it returns (installColdIngest). Why: squid fetches finalized blocks in fixed units of 10
 *     and calls the handler once per unit; we fetch larger units and merge fetched ones (src/indexer/ingest.ts).
 *  2. EvmRpcDataSource (evm-processor lib/ds-rpc/client, private class): getFinalizedBlocks (replaced),
 *     getFinalizedHeight, toMappingRequest, _getColdSplit (called: squid's own fetch, validation and
 *     mapping of one range of finalized blocks) and headPollInterval (read). Why: as 1, without re-implementing
 *     squid's RPC fetching.
 *  3. EvmBatchProcessor#getPrometheusServer().registry (evm-processor, private): our settlement_* metrics are
 *     registered in squid's registry, so one /metrics serves both (squidRegistry).
 *  4. DataHandlerContext#_chain.client (underscore field): the processor's own RPC client, to ask the chain
 *     height for the progress lines and the deferred-index lag (chainHeight).
 *  5. typeorm-store Store#em() and Store#changes (private fields): the handler transaction's EntityManager (for
 *     NOTIFY, deferred indexes and the bulk writer) and the hot-block change tracker (trackInsert / trackUpsert),
 *     which the bulk writer calls before each write exactly as Store#insert / #upsert do (storeEntityManager,
 *     storeInternals).
 *  6. typeorm EntityManager#queryRunner.databaseConnection (typeorm, private): the raw node-postgres client of
 *     the transaction, for pipelined statements and COPY (storeInternals).
 *  7. Rpc#addTraceBlockTraces (evm-processor lib/ds-rpc/rpc, private class; with lib/ds-rpc/rpc-data TraceFrame):
 *     replaced by a linear version (installLinearTraceBlock). Why: 1.27.3 regroups all of a block's trace_block
 *     frames by transaction once per frame (O(frames²) per block: a 150-transaction DEX block has ~1,000 frames),
 *     which made trace ingestion the analytics mode's bottleneck. Same validation, same result.
 */
import type { EvmBatchProcessor } from '@subsquid/evm-processor'
import type { Store } from '@subsquid/typeorm-store'
import type { Registry } from 'prom-client'
import type { EntityManager } from 'typeorm'

/** The versions these internals were written against; the shape test checks the installed ones. */
export const PINNED_VERSIONS = { '@subsquid/evm-processor': '1.27.3', '@subsquid/typeorm-store': '1.5.1' } as const

// ------------------------------------------------------------------------------------------------
// 1, 2: backfill ingestion

/** Finalized blocks as squid's data source yields them (only what the ingestion reads is typed). */
export interface ColdBatch {
    blocks: { header: { height: number }; logs: unknown[] }[]
    isHead: boolean
}

/** A range request as squid hands it to getFinalizedBlocks (`request` is opaque to us). */
export interface ColdRequest {
    range: { from: number; to?: number }
    request: unknown
}

/** What our backfill ingestion needs from squid's RPC data source, under our own names. */
export interface ColdSource {
    /** head polling interval, ms */
    pollMs: number
    finalizedHeight(): Promise<number>
    /** squid's per-range request → the form fetchSplit takes */
    mappingRequest(request: unknown): unknown
    /** blocks [from, to] of `request`, fetched, validated and mapped by squid */
    fetchSplit(from: number, to: number, request: unknown): Promise<ColdBatch['blocks']>
}

/** The private shape of evm-processor's EvmRpcDataSource that we use (2). */
interface SquidRpcSource {
    getFinalizedHeight(): Promise<number>
    toMappingRequest(req: unknown): unknown
    _getColdSplit(split: { range: { from: number; to: number }; request: unknown }): Promise<ColdBatch['blocks']>
    getFinalizedBlocks(requests: ColdRequest[], stopOnHead?: boolean): AsyncIterable<ColdBatch>
    headPollInterval?: number
}

export const RPC_SOURCE_METHODS = ['getFinalizedHeight', 'toMappingRequest', '_getColdSplit', 'getFinalizedBlocks'] as const

function isSquidRpcSource(ds: any): ds is SquidRpcSource {
    return ds != null && RPC_SOURCE_METHODS.every((m) => typeof ds[m] === 'function')
}

/** Our names for squid's RPC data source `ds`, or undefined when it does not have the expected shape. */
export function coldSourceOf(ds: unknown): ColdSource | undefined {
    if (!isSquidRpcSource(ds)) return undefined
    const src = ds
    return {
        pollMs: src.headPollInterval || 5000,
        finalizedHeight: () => src.getFinalizedHeight(),
        mappingRequest: (request) => src.toMappingRequest(request),
        fetchSplit: (from, to, request) => src._getColdSplit({ range: { from, to }, request }),
    }
}

export type ColdIngest = (src: ColdSource, requests: ColdRequest[], stopOnHead: boolean) => AsyncIterable<ColdBatch>

/**
 * Have `p`'s RPC data source yield finalized blocks from `ingest` instead of squid's own loop. Returns whether it
 * was installed (false: `p` does not have the expected private shape; squid's ingestion is kept, as it is when
 * the data source turns out not to be the expected one).
 */
export function installColdIngest(p: EvmBatchProcessor<any>, ingest: ColdIngest): boolean {
    const original = (p as any).getHotDataSource
    if (typeof original !== 'function') return false
    let ds: unknown
    ;(p as any).getHotDataSource = function (this: unknown) {
        if (ds !== undefined) return ds
        ds = original.call(this)
        const cold = coldSourceOf(ds)
        if (cold) (ds as SquidRpcSource).getFinalizedBlocks = (requests, stopOnHead) => ingest(cold, requests, !!stopOnHead)
        return ds
    }
    return true
}

// ------------------------------------------------------------------------------------------------
// 3, 4: metrics and chain height

/** The registry of squid's built-in Prometheus server (3), or undefined when not reachable. */
export function squidRegistry(processor: unknown): Registry | undefined {
    try {
        const server = (processor as { getPrometheusServer?: () => { registry?: Registry } }).getPrometheusServer?.()
        const reg = server?.registry
        return reg && typeof reg.registerMetric === 'function' ? reg : undefined
    } catch {
        return undefined
    }
}

/** The chain's current height, from the processor's own RPC client (4). */
export async function chainHeight(ctx: { _chain: { client: { call<T>(method: string, params?: unknown[]): Promise<T> } } }): Promise<number> {
    return Number(BigInt(await ctx._chain.client.call<string>('eth_blockNumber')))
}

// ------------------------------------------------------------------------------------------------
// 5, 6: the handler's transaction

type Row = { id: string }
type Cls = { new (...args: any[]): any; name: string }

/** typeorm-store's hot-block change tracker (what its Store calls before each write). */
export interface ChangeTracker {
    trackInsert(cls: Cls, rows: Row[]): Promise<void>
    trackUpsert(cls: Cls, rows: Row[]): Promise<void>
}

/** The raw node-postgres client of the transaction (typeorm's PostgresQueryRunner#databaseConnection). */
export interface PgClient {
    query(sql: string, params: unknown[]): Promise<unknown>
}

/** The EntityManager behind squid's Store (the handler's transaction) (5). */
export function storeEntityManager(store: Store): EntityManager {
    const em = (store as unknown as { em?: () => EntityManager }).em
    if (typeof em !== 'function') throw new Error('cannot reach the EntityManager of @subsquid/typeorm-store Store (API changed?)')
    return em()
}

export interface StoreInternals {
    em: EntityManager
    /** raw connection, when reachable (6) */
    client?: PgClient
    /** set for hot blocks only */
    tracker?: ChangeTracker
}

/**
 * The transaction's EntityManager, raw connection and change tracker (5, 6); undefined for stores without an
 * EntityManager (the tests' in-memory store) or whose internals are not as expected.
 */
export function storeInternals(store: Store): StoreInternals | undefined {
    const s = store as unknown as { em?: () => EntityManager; changes?: any }
    if (typeof s.em !== 'function') return undefined
    let tracker: ChangeTracker | undefined
    if (s.changes != null) {
        if (typeof s.changes.trackInsert !== 'function' || typeof s.changes.trackUpsert !== 'function') return undefined
        tracker = s.changes
    }
    const em = s.em()
    if (!em || typeof (em as any).query !== 'function' || !(em as any).connection?.driver) return undefined
    const client = (em as any).queryRunner?.databaseConnection
    return { em, client: client && typeof client.query === 'function' ? client : undefined, tracker }
}

/**
 * A second connection of the store's DataSource pool, outside the handler's transaction (autocommit), with its raw
 * client (6); undefined when the pool or the client cannot be reached.
 */
export async function sideConnection(em: EntityManager): Promise<{ client: PgClient; release: () => Promise<void> } | undefined> {
    try {
        const runner = em.connection.createQueryRunner()
        await runner.connect()
        const client = (runner as any).databaseConnection
        if (!client || typeof client.query !== 'function') {
            await runner.release()
            return undefined
        }
        return { client, release: () => runner.release() }
    } catch {
        return undefined
    }
}

// ------------------------------------------------------------------------------------------------
// 7: trace_block frames grouped once per block

/** The private module and members installLinearTraceBlock replaces or uses (checked by the shape test). */
export function traceBlockInternals(): { proto: any; traceFrame: { validate(v: unknown): unknown } | undefined; validation: any } {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const proto = require('@subsquid/evm-processor/lib/ds-rpc/rpc').Rpc?.prototype
    const traceFrame = require('@subsquid/evm-processor/lib/ds-rpc/rpc-data').TraceFrame
    const validation = require('@subsquid/util-internal-validation')
    return { proto, traceFrame, validation }
}

let linearTraceBlock: boolean | undefined

/**
 * Replace squid's Rpc#addTraceBlockTraces (7) with one that checks every frame's block hash and then groups the
 * frames by transaction once (squid regroups them once per frame). Idempotent; returns whether it is installed
 * (false: the internals are not as expected, squid's own method is kept).
 */
export function installLinearTraceBlock(): boolean {
    if (linearTraceBlock !== undefined) return linearTraceBlock
    linearTraceBlock = false
    let internals: ReturnType<typeof traceBlockInternals>
    try {
        internals = traceBlockInternals()
    } catch {
        return false
    }
    const { proto, traceFrame, validation } = internals
    const original = proto?.addTraceBlockTraces
    if (typeof original !== 'function' || original.length !== 1 || typeof proto.batchCall !== 'function') return false
    if (!traceFrame || typeof validation?.array !== 'function' || typeof validation?.DataValidationError !== 'function') return false
    const frames = validation.array(traceFrame)
    const validateResult = (result: unknown) => {
        const err = frames.validate(result)
        if (err) throw new validation.DataValidationError(`server returned unexpected result: ${err.toString()}`)
        return result
    }
    proto.addTraceBlockTraces = async function (this: any, blocks: any[]): Promise<void> {
        const results: any[][] = await this.batchCall(
            blocks.map((block) => ({ method: 'trace_block', params: [block.block.number] })),
            { validateResult },
        )
        for (let i = 0; i < blocks.length; i++) {
            const block = blocks[i]
            const list = results[i]
            if (list.length == 0) {
                if (!this.validation.disableMissingTracesCheck && block.block.transactions.length > 0) {
                    block._isInvalid = true
                    block._errorMessage = 'missing traces for some transactions'
                }
                continue
            }
            if (!this.validation.disableTraceBlockHashCheck && list.some((f) => f.blockHash !== block.hash)) {
                block._isInvalid = true
                block._errorMessage = 'trace_block returned a trace of a different block'
                continue
            }
            if (block._isInvalid) continue
            const byTx = new Map<string, any[]>()
            for (const f of list) {
                let g = byTx.get(f.transactionHash)
                if (!g) byTx.set(f.transactionHash, (g = []))
                g.push(f)
            }
            block.traceReplays = []
            for (const [transactionHash, trace] of byTx) if (transactionHash) block.traceReplays.push({ transactionHash, trace })
        }
    }
    linearTraceBlock = true
    return true
}
