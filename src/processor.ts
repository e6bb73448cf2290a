/**
 * Processor configuration only: where to read from, which logs and fields to fetch.
 * The batch handler lives in main.ts / mappings/.
 *
 * Settings come from src/config.ts (RPC_URL, RPC_RATE_LIMIT, FINALITY_CONFIRMATIONS, START_BLOCK,
 * CHAIN_ID, DEPLOYMENTS_FILE) plus processor-only knobs:
 *   CHAIN_ANALYTICS    `true` (default) or `false`. The switch for the validator/MEV chain data:
 *                      - true: every block (header with miner, base fee, gas), every transaction with its receipt
 *                        fields and every call trace are requested, for Block rows, MEV (classifier, coinbase
 *                        transfers), the proposer schedule, epoch rollups and delegation scores;
 *                      - false: only the indexed contracts' logs (eth_getLogs), each with its transaction's hash and
 *                        sender, and the headers of the blocks that carry them. Block, MEV, schedule, epoch
 *                        snapshot/stat/score rows are not written and proposer counters not updated;
 *                        ValidatorRegistry events (they are logs) are indexed as usual. For settlement-only
 *                        deployments and the index benchmark (`BENCH_PROCESSOR_ENV=CHAIN_ANALYTICS=false`).
 *                      Keep one setting for the life of a database: switching it on later leaves the
 *                      analytics tables without the blocks indexed while it was off (re-index to fill them).
 *   PROTOCOL_EVENTS    `true` (default) or `false`: also write the generic ProtocolEvent row (decoded args as
 *                      JSON) for every log. Off halves the rows written per escrow movement; the typed tables
 *                      (EscrowMovement, Batch, Claim, ...) are written either way.
 *   RPC_HEAD_POLL_MS   head polling interval over HTTP (default: squid's, 5000 ms; the local stack may lower it)
 *   RPC_CAPACITY       max concurrent RPC requests (default: squid's, 10)
 *   RPC_BATCH_SIZE     max calls in one JSON-RPC batch (default: squid's, 100)
 *   RPC_SPLIT_BLOCKS   finalized (backfill) blocks fetched per unit: one eth_getLogs range (or receipts) and one
 *                      batch of eth_getBlockByNumber (default 100 with CHAIN_ANALYTICS=false, 50 with true, where
 *                      every block also costs a trace call; squid's own is 10); the first units are smaller
 *   RPC_SPLIT_CONCURRENCY  units fetched ahead of the handler (default 2)
 *   BATCH_MAX_BLOCKS   backfill units already fetched are merged into one handler call (one transaction) up to
 *                      this many blocks (default 500) ...
 *   BATCH_MAX_LOGS     ... or this many logs (default 25,000; bounds the memory of a batch)
 *   PROMETHEUS_PORT    read by squid itself for the metrics server
 *   EPOCH_BLOCKS       blocks per epoch for the proposer schedule, rollups and scores (default 32)
 *   TRACE_API          `trace` (default: Parity `trace_block`, which anvil also serves for blocks from before a
 *                      restart from its state file) or `debug` (`debug_traceBlockByHash` with callTracer, for
 *                      geth-style nodes without the trace namespace)
 *
 * Data requested (CHAIN_ANALYTICS=true): every block (header with miner, base fee, gas), every transaction with
 * its receipt fields, every call trace (for the MEV classifier and coinbase transfers) and the logs of the
 * indexed contracts.
 */
import * as fs from 'fs'
import {
    BlockHeader,
    DataHandlerContext,
    EvmBatchProcessor,
    EvmBatchProcessorFields,
    Log as _Log,
    Trace as _Trace,
    Transaction as _Transaction,
} from '@subsquid/evm-processor'
import { Store } from '@subsquid/typeorm-store'
import * as batchLedgerAbi from './abi/BatchLedger'
import * as distributorAbi from './abi/Distributor'
import * as escrowAbi from './abi/Escrow'
import * as participantRegistryAbi from './abi/ParticipantRegistry'
import * as timelockAbi from './abi/PlatformTimelock'
import * as tokenRegistryAbi from './abi/TokenRegistry'
import * as validatorRegistryAbi from './abi/ValidatorRegistry'
import { chainFromEnv, deploymentsFileFor } from './config'
import { ContractName } from './mappings/util'

type Env = Record<string, string | undefined>

/** Contracts whose logs the processor requests, with the typegen'd ABI module of each. */
export const INDEXED_CONTRACTS = {
    ParticipantRegistry: participantRegistryAbi,
    TokenRegistry: tokenRegistryAbi,
    Escrow: escrowAbi,
    BatchLedger: batchLedgerAbi,
    Distributor: distributorAbi,
    PlatformTimelock: timelockAbi,
    ValidatorRegistry: validatorRegistryAbi,
} as const
export type IndexedContract = keyof typeof INDEXED_CONTRACTS

export interface ProcessorSettings {
    rpcUrl: string
    rateLimit?: number
    capacity?: number
    headPollInterval?: number
    finalityConfirmations: number
    chainId: number
    startBlock: number
    deploymentsFile: string
    /** lowercase addresses by contract name */
    contracts: Record<ContractName, string>
    /** blocks per epoch (EPOCH_BLOCKS) */
    epochBlocks: number
    /** how call traces are fetched (TRACE_API) */
    traceApi: TraceApi
    /** CHAIN_ANALYTICS: request all blocks, transactions and traces for the validator/MEV analytics */
    chainAnalytics: boolean
    /** PROTOCOL_EVENTS: write a ProtocolEvent row per log */
    protocolEvents: boolean
    /** RPC_BATCH_SIZE */
    maxBatchCallSize?: number
    /** backfill ingestion (RPC_SPLIT_BLOCKS, RPC_SPLIT_CONCURRENCY, BATCH_MAX_BLOCKS, BATCH_MAX_LOGS) */
    ingest: ColdIngestOptions
}

/** How finalized blocks are fetched and grouped into handler calls during a backfill. */
export interface ColdIngestOptions {
    /** blocks per fetch unit (one eth_getLogs range, one eth_getBlockByNumber batch) */
    splitBlocks: number
    /** fetch units in flight ahead of the handler */
    concurrency: number
    /** fetched units are merged into one handler call up to this many blocks ... */
    maxBatchBlocks: number
    /** ... or this many logs */
    maxBatchLogs: number
    /**
     * Called with each unit's blocks as soon as they are fetched, ahead of the handler (which is then usually
     * waiting for the database): pure preparation such as decoding. Must not throw.
     */
    prepare?: (blocks: unknown[]) => void
}

export type TraceApi = 'trace' | 'debug'

export const DEFAULT_EPOCH_BLOCKS = 32

/** EPOCH_BLOCKS (default 32): a positive integer. */
export function epochBlocksFromEnv(env: Env = process.env): number {
    const v = env.EPOCH_BLOCKS?.trim()
    if (!v) return DEFAULT_EPOCH_BLOCKS
    if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
        throw new ProcessorConfigError(`Invalid EPOCH_BLOCKS=${JSON.stringify(v)}: expected a positive integer`)
    }
    return Number(v)
}

/** A `true`/`false` switch (also 1/0, yes/no, on/off); unset → `fallback`. */
export function boolFromEnv(env: Env, name: string, fallback: boolean): boolean {
    const v = env[name]?.trim().toLowerCase()
    if (!v) return fallback
    if (['true', '1', 'yes', 'on'].includes(v)) return true
    if (['false', '0', 'no', 'off'].includes(v)) return false
    throw new ProcessorConfigError(`Invalid ${name}=${JSON.stringify(env[name])}: expected true or false`)
}

function positiveIntFromEnv(env: Env, name: string, fallback: number): number {
    const v = optInt(env, name)
    if (v === undefined) return fallback
    if (v < 1) throw new ProcessorConfigError(`Invalid ${name}=${JSON.stringify(env[name])}: expected a positive integer`)
    return v
}

/** Backfill ingestion settings; the defaults depend on CHAIN_ANALYTICS (see the header). */
export function coldIngestFromEnv(env: Env, chainAnalytics: boolean): ColdIngestOptions {
    return {
        splitBlocks: positiveIntFromEnv(env, 'RPC_SPLIT_BLOCKS', chainAnalytics ? 50 : 100),
        concurrency: positiveIntFromEnv(env, 'RPC_SPLIT_CONCURRENCY', 2),
        maxBatchBlocks: positiveIntFromEnv(env, 'BATCH_MAX_BLOCKS', 500),
        maxBatchLogs: positiveIntFromEnv(env, 'BATCH_MAX_LOGS', 25_000),
    }
}

function traceApiFromEnv(env: Env): TraceApi {
    const v = env.TRACE_API?.trim().toLowerCase()
    if (!v) return 'trace'
    if (v !== 'trace' && v !== 'debug') throw new ProcessorConfigError(`Invalid TRACE_API=${JSON.stringify(env.TRACE_API)}: expected "trace" or "debug"`)
    return v
}

export class ProcessorConfigError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'ProcessorConfigError'
    }
}

/** eth_chainId of an RPC endpoint (http only; for ws set CHAIN_ID). */
export async function fetchChainId(rpcUrl: string, timeoutMs = 10_000): Promise<number> {
    if (!/^https?:/.test(rpcUrl)) {
        throw new ProcessorConfigError(`cannot ask ${rpcUrl} for its chain id over a websocket: set CHAIN_ID`)
    }
    let res: Response
    try {
        res = await fetch(rpcUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
            signal: AbortSignal.timeout(timeoutMs),
        })
    } catch (e: any) {
        throw new ProcessorConfigError(`RPC ${rpcUrl} is unreachable (${e?.cause?.code ?? e?.message ?? e})`)
    }
    const body: any = await res.json().catch(() => undefined)
    if (!res.ok || typeof body?.result !== 'string') {
        throw new ProcessorConfigError(`RPC ${rpcUrl} answered eth_chainId with HTTP ${res.status}`)
    }
    return Number(BigInt(body.result))
}

interface DeploymentsFile {
    chainId: number
    startBlock: number
    contracts: Record<string, string>
}

export function readDeploymentsFile(file: string, chainId: number): DeploymentsFile {
    if (!fs.existsSync(file)) {
        throw new ProcessorConfigError(`no deployments file at ${file}: deploy the contracts first or set DEPLOYMENTS_FILE`)
    }
    let d: DeploymentsFile
    try {
        d = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (e: any) {
        throw new ProcessorConfigError(`deployments file ${file} is not valid JSON: ${e.message}`)
    }
    if (d.chainId !== chainId) {
        throw new ProcessorConfigError(`deployments file ${file} is for chain ${d.chainId}, but the RPC is chain ${chainId}`)
    }
    if (!Number.isSafeInteger(d.startBlock) || d.startBlock < 0) {
        throw new ProcessorConfigError(`deployments file ${file} has no valid startBlock`)
    }
    for (const name of [...Object.keys(INDEXED_CONTRACTS), 'MockUSDC']) {
        if (!/^0x[0-9a-fA-F]{40}$/.test(d.contracts?.[name] ?? '')) {
            throw new ProcessorConfigError(`deployments file ${file} has no valid address for ${name}`)
        }
    }
    return d
}

function optInt(env: Env, name: string): number | undefined {
    const v = env[name]?.trim()
    if (!v) return undefined
    if (!/^\d+$/.test(v)) throw new ProcessorConfigError(`Invalid ${name}=${JSON.stringify(v)}: expected a non-negative integer`)
    return Number(v)
}

/** Resolve everything the processor needs; asks the RPC for its chain id unless CHAIN_ID is set. */
export async function loadProcessorSettings(env: Env = process.env): Promise<ProcessorSettings> {
    const chain = chainFromEnv(env)
    const chainId = chain.chainId ?? (await fetchChainId(chain.rpcUrl))
    const deploymentsFile = chain.deploymentsFile ?? deploymentsFileFor(chainId, env)
    const d = readDeploymentsFile(deploymentsFile, chainId)
    const contracts = {} as Record<ContractName, string>
    for (const [name, addr] of Object.entries(d.contracts)) contracts[name as ContractName] = addr.toLowerCase()
    const chainAnalytics = boolFromEnv(env, 'CHAIN_ANALYTICS', true)
    return {
        rpcUrl: chain.rpcUrl,
        rateLimit: chain.rateLimit,
        capacity: optInt(env, 'RPC_CAPACITY'),
        headPollInterval: optInt(env, 'RPC_HEAD_POLL_MS'),
        finalityConfirmations: chain.finalityConfirmations,
        chainId,
        startBlock: chain.startBlock ?? d.startBlock,
        deploymentsFile,
        contracts,
        epochBlocks: epochBlocksFromEnv(env),
        traceApi: traceApiFromEnv(env),
        chainAnalytics,
        protocolEvents: boolFromEnv(env, 'PROTOCOL_EVENTS', true),
        maxBatchCallSize: optInt(env, 'RPC_BATCH_SIZE') || undefined,
        ingest: coldIngestFromEnv(env, chainAnalytics),
    }
}

export const FIELDS = {
    block: { timestamp: true, hash: true, parentHash: true, baseFeePerGas: true, miner: true, gasUsed: true, gasLimit: true },
    transaction: {
        hash: true,
        from: true,
        to: true,
        gasUsed: true,
        effectiveGasPrice: true,
        gasPrice: true,
        status: true,
    },
    log: { address: true, topics: true, data: true, transactionHash: true },
    // what the MEV classifier reads (src/mev/types.ts Trace), see mappings/blocks.ts toClassifierTrace
    trace: {
        subtraces: true,
        error: true,
        callFrom: true,
        callTo: true,
        callValue: true,
        callInput: true,
        callSighash: true,
        callCallType: true,
        callGas: true,
        callResultOutput: true,
        callResultGasUsed: true,
        createFrom: true,
        createValue: true,
        createGas: true,
        createResultGasUsed: true,
        createResultAddress: true,
        suicideAddress: true,
        suicideRefundAddress: true,
        suicideBalance: true,
    },
} as const

/**
 * The chain data every block is indexed with: all blocks, all transactions (receipt fields), all call
 * traces. Shared with tests that run the bare data source against anvil.
 */
export function requestChainData<P extends EvmBatchProcessor<any>>(p: P, traceApi: TraceApi = 'trace', headPollInterval?: number): P {
    p.includeAllBlocks()
    p.addTransaction({})
    p.addTrace({})
    // preferTraceApi: `trace_block` for hot and finalized blocks alike (squid uses trace_replayBlockTransactions
    // only when state diffs are requested too); without it `debug_traceBlockByHash` (callTracer).
    p.setRpcDataIngestionSettings({
        preferTraceApi: traceApi === 'trace',
        ...(headPollInterval != null ? { headPollInterval } : {}),
    })
    return p
}

/**
 * Fields with CHAIN_ANALYTICS=false: what the settlement mappings read (EventMeta). No receipt field, so squid
 * takes the logs from eth_getLogs instead of fetching every block's receipts.
 */
export const SETTLEMENT_FIELDS = {
    block: { timestamp: true, hash: true, parentHash: true },
    transaction: { hash: true, from: true },
    log: { address: true, topics: true, data: true, transactionHash: true },
} as const

/**
 * The processor for `s`: the indexed contracts' logs, plus chain data for validator/MEV analytics when on.
 * `prepare`: see ColdIngestOptions.
 */
export function buildProcessor(s: ProcessorSettings, prepare?: (blocks: unknown[]) => void) {
    const p = new EvmBatchProcessor()
        .setRpcEndpoint({
            url: s.rpcUrl,
            rateLimit: s.rateLimit,
            capacity: s.capacity,
            maxBatchCallSize: s.maxBatchCallSize,
        })
        .setFinalityConfirmation(s.finalityConfirmations)
        .setBlockRange({ from: s.startBlock })
        // Typed with the full selection either way; with CHAIN_ANALYTICS=false the analytics-only fields are
        // absent at runtime, and only the settlement mappings, which never read them, run.
        .setFields((s.chainAnalytics ? FIELDS : SETTLEMENT_FIELDS) as typeof FIELDS)
    if (s.chainAnalytics) requestChainData(p, s.traceApi, s.headPollInterval)
    else if (s.headPollInterval != null) p.setRpcDataIngestionSettings({ headPollInterval: s.headPollInterval })
    for (const [name, abi] of Object.entries(INDEXED_CONTRACTS)) {
        p.addLog({
            address: [s.contracts[name as ContractName]],
            topic0: Object.values(abi.events).map((e) => e.topic),
            transaction: true,
        })
    }
    tuneColdIngest(p, { ...s.ingest, prepare })
    return p
}

// ------------------------------------------------------------------------------------------------
// backfill ingestion
//
// squid 1.27's RPC source fetches finalized blocks in fixed units of 10 (one eth_getLogs range and one batch of
// eth_getBlockByNumber), 5 units ahead, and calls the handler once per unit: for a dense backfill that is one
// database transaction per 10 blocks, each paying the fixed costs (SERIALIZABLE transaction, status checks, one
// query per entity class, NOTIFY). Here the same units are fetched with the data source's own split fetcher
// (so validation, mapping and filtering are squid's), only larger and configurable, and units that are already
// fetched when the handler asks for the next batch are merged into one handler call (bounded in blocks and
// logs). Hot blocks (the unfinalized tail) are untouched. If the data source does not have the expected
// (internal) shape, squid's own ingestion is kept.

interface ColdRange {
    from: number
    to?: number
}
interface ColdRequest {
    range: ColdRange
    request: unknown
}
interface ColdBatch {
    blocks: { header: { height: number }; logs: unknown[] }[]
    isHead: boolean
}
interface SquidRpcSource {
    getFinalizedHeight(): Promise<number>
    toMappingRequest(req: unknown): unknown
    _getColdSplit(split: { range: { from: number; to: number }; request: unknown }): Promise<ColdBatch['blocks']>
    getFinalizedBlocks(requests: ColdRequest[], stopOnHead?: boolean): AsyncIterable<ColdBatch>
    headPollInterval?: number
}

function isSquidRpcSource(ds: any): ds is SquidRpcSource {
    return (
        ds != null &&
        typeof ds.getFinalizedHeight === 'function' &&
        typeof ds.toMappingRequest === 'function' &&
        typeof ds._getColdSplit === 'function' &&
        typeof ds.getFinalizedBlocks === 'function'
    )
}

/** Install the tuned backfill ingestion on `p` (see above); returns whether it was installed. */
export function tuneColdIngest(p: EvmBatchProcessor<any>, opts: ColdIngestOptions): boolean {
    const original = (p as any).getHotDataSource
    if (typeof original !== 'function') return false
    let ds: unknown
    ;(p as any).getHotDataSource = function (this: unknown) {
        if (ds !== undefined) return ds
        ds = original.call(this)
        if (isSquidRpcSource(ds)) {
            const src = ds
            src.getFinalizedBlocks = (requests, stopOnHead) => coldIngest(src, requests, !!stopOnHead, opts)
        }
        return ds
    }
    return true
}

/** Time the backfill consumer spent waiting for units to be fetched (for the debug timings in main.ts). */
export const coldIngestStats = { waitMs: 0 }

/** Size of the first backfill unit (then doubled per unit up to splitBlocks). */
const FIRST_UNIT_BLOCKS = 10

/** A fetch unit: blocks [from, to] of one request, fetched in the background. */
interface Unit {
    to: number
    isHead: boolean
    done: boolean
    result: Promise<ColdBatch['blocks']>
}

/**
 * Finalized blocks of `requests` in units of `splitBlocks`, `concurrency` units in flight, yielded in order;
 * each yield merges the next unit with the following ones that are already fetched (up to the batch bounds).
 */
export async function* coldIngest(src: SquidRpcSource, requests: ColdRequest[], stopOnHead: boolean, opts: ColdIngestOptions): AsyncGenerator<ColdBatch> {
    const pollMs = src.headPollInterval || 5000
    let top = await src.getFinalizedHeight()
    let topAt = Date.now()
    const refreshTop = async (force: boolean) => {
        if (!force && Date.now() - topAt < pollMs) return
        top = await src.getFinalizedHeight()
        topAt = Date.now()
    }
    // the units to fetch, in order (lazily: the finalized head moves while we go); the first ones are small and
    // double up to splitBlocks, so that the handler starts early instead of waiting for a full unit
    let size = Math.min(opts.splitBlocks, FIRST_UNIT_BLOCKS)
    /** the consumer is gone: stop waiting for the head */
    let stopped = false
    async function* units(): AsyncGenerator<{ from: number; to: number; request: unknown; isHead: boolean }> {
        for (const req of requests) {
            const request = src.toMappingRequest(req.request)
            let beg = req.range.from
            const end = req.range.to ?? Infinity
            while (beg <= end) {
                if (top < beg) await refreshTop(true)
                while (top < beg) {
                    if (stopOnHead || stopped) return
                    await new Promise((r) => setTimeout(r, pollMs))
                    if (stopped) return
                    await refreshTop(true)
                }
                const to = Math.min(top, end, beg + size - 1)
                size = Math.min(opts.splitBlocks, size * 2)
                const from = beg
                beg = to + 1
                if (beg > top) await refreshTop(false)
                yield { from, to, request, isHead: beg > top }
            }
        }
    }
    const queue: Unit[] = []
    const gen = units()
    let exhausted = false
    let fillError: { error: unknown } | undefined
    let filling: Promise<void> | undefined
    // keeps `concurrency` units in flight; runs in the background (it may wait for the head to move), so an
    // already fetched unit is never held back by it
    const doFill = async () => {
        while (!exhausted && queue.length < opts.concurrency) {
            const n = await gen.next()
            if (n.done) {
                exhausted = true
                break
            }
            const u: Unit = { to: n.value.to, isHead: n.value.isHead, done: false, result: undefined as any }
            u.result = src._getColdSplit({ range: { from: n.value.from, to: n.value.to }, request: n.value.request })
            if (opts.prepare) {
                const prepare = opts.prepare
                u.result = u.result.then((blocks) => {
                    try {
                        prepare(blocks)
                    } catch {
                        // preparation is an optimisation only
                    }
                    return blocks
                })
            }
            // (also marks the rejection as handled: it is thrown where the unit is awaited)
            u.result.then(
                () => (u.done = true),
                () => (u.done = true),
            )
            queue.push(u)
        }
    }
    const fill = (): Promise<void> =>
        (filling ??= doFill()
            .catch((error) => {
                fillError ??= { error }
            })
            .finally(() => {
                filling = undefined
            }))
    try {
        for (;;) {
            if (queue.length === 0) {
                await fill()
                if (fillError) throw fillError.error
                if (queue.length === 0) return
            } else {
                void fill()
            }
            const first = queue.shift()!
            const waitFrom = first.done ? 0 : performance.now()
            let blocks = await first.result
            if (waitFrom) coldIngestStats.waitMs += performance.now() - waitFrom
            let isHead = first.isHead
            let logs = 0
            for (const b of blocks) logs += b.logs.length
            // merge what is already fetched, keeping the look-ahead going meanwhile
            for (;;) {
                void fill()
                const next = queue[0]
                if (!next || !next.done || blocks.length >= opts.maxBatchBlocks || logs >= opts.maxBatchLogs) break
                const more = await next.result
                let moreLogs = 0
                for (const b of more) moreLogs += b.logs.length
                if (blocks.length && (blocks.length + more.length > opts.maxBatchBlocks || logs + moreLogs > opts.maxBatchLogs)) break
                queue.shift()
                blocks = blocks.concat(more)
                logs += moreLogs
                isHead = next.isHead
            }
            if (blocks.length) yield { blocks, isHead }
        }
    } finally {
        // nothing to cancel: units in flight finish and are dropped
        exhausted = true
        stopped = true
        void gen.return(undefined).catch(() => {})
    }
}

export type Processor = ReturnType<typeof buildProcessor>
export type Fields = EvmBatchProcessorFields<Processor>
export type Block = BlockHeader<Fields>
export type Log = _Log<Fields>
export type Transaction = _Transaction<Fields>
export type Trace = _Trace<Fields>
export type ProcessorContext = DataHandlerContext<Store, Fields>
