/**
 * Processor configuration only: where to read from, which logs and fields to fetch. The engine that runs it
 * (batch loop, ingestion, write path) is src/indexer/; the per-contract handlers are src/mappings/.
 *
 * Settings are parsed in src/config.ts (RPC_URL (one or several: failover, src/indexer/rpc-failover.ts),
 * SQD_GATEWAY (SQD Network for finalized blocks), RPC_RATE_LIMIT, FINALITY_CONFIRMATIONS, START_BLOCK,
 * CHAIN_ID, DEPLOYMENTS_FILE, and the processor knobs below: indexerFromEnv):
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
 *                      JSON) for every log that has no row of its own. Escrow movement events are always in
 *                      ProtocolEvent: that view derives them from EscrowMovement (src/model/protocol-event-row.ts);
 *                      the typed tables (EscrowMovement, Batch, Claim, ...) are written either way.
 *   RPC_HEAD_POLL_MS   head polling interval over HTTP (default: squid's, 5000 ms; the local stack may lower it)
 *   RPC_CAPACITY       max concurrent RPC requests (default: squid's, 10)
 *   RPC_BATCH_SIZE     max calls in one JSON-RPC batch (default: squid's, 100)
 *   RPC_SPLIT_BLOCKS   finalized (backfill) blocks fetched per unit (src/indexer/ingest.ts): one eth_getLogs range (or receipts) and one
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
import { EvmBatchProcessor } from '@subsquid/evm-processor'
import { FIELDS, SETTLEMENT_FIELDS } from './chain-fields'
import { ColdIngestSettings, ConfigError, Env, TraceApi, chainFromEnv, deploymentsFileFor, indexerFromEnv } from './config'
import { ContractName, INDEXED_CONTRACTS } from './contracts'

export interface ProcessorSettings {
    /** the preferred RPC endpoint (first of rpcUrls) */
    rpcUrl: string
    /** RPC_URL: every endpoint, in order of preference (default [rpcUrl]) */
    rpcUrls?: string[]
    /** SQD_GATEWAY */
    gateway?: string
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
    /** PROTOCOL_EVENTS: write a ProtocolEvent row per log that has no row of its own */
    protocolEvents: boolean
    /** RPC_BATCH_SIZE */
    maxBatchCallSize?: number
    /** backfill ingestion (RPC_SPLIT_BLOCKS, RPC_SPLIT_CONCURRENCY, BATCH_MAX_BLOCKS, BATCH_MAX_LOGS) */
    ingest: ColdIngestSettings
}

/** eth_chainId of an RPC endpoint (http only; for ws set CHAIN_ID). */
export async function fetchChainId(rpcUrl: string, timeoutMs = 10_000): Promise<number> {
    if (!/^https?:/.test(rpcUrl)) {
        throw new ConfigError('CHAIN_ID', `cannot ask ${rpcUrl} for its chain id over a websocket: set CHAIN_ID`)
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
        throw new ConfigError('RPC_URL', `RPC ${rpcUrl} is unreachable (${e?.cause?.code ?? e?.message ?? e})`)
    }
    const body: any = await res.json().catch(() => undefined)
    if (!res.ok || typeof body?.result !== 'string') {
        throw new ConfigError('RPC_URL', `RPC ${rpcUrl} answered eth_chainId with HTTP ${res.status}`)
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
        throw new ConfigError('DEPLOYMENTS_FILE', `no deployments file at ${file}: deploy the contracts first or set DEPLOYMENTS_FILE`)
    }
    let d: DeploymentsFile
    try {
        d = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (e: any) {
        throw new ConfigError('DEPLOYMENTS_FILE', `deployments file ${file} is not valid JSON: ${e.message}`)
    }
    if (d.chainId !== chainId) {
        throw new ConfigError('DEPLOYMENTS_FILE', `deployments file ${file} is for chain ${d.chainId}, but the RPC is chain ${chainId}`)
    }
    if (!Number.isSafeInteger(d.startBlock) || d.startBlock < 0) {
        throw new ConfigError('DEPLOYMENTS_FILE', `deployments file ${file} has no valid startBlock`)
    }
    for (const name of [...Object.keys(INDEXED_CONTRACTS), 'MockUSDC']) {
        if (!/^0x[0-9a-fA-F]{40}$/.test(d.contracts?.[name] ?? '')) {
            throw new ConfigError('DEPLOYMENTS_FILE', `deployments file ${file} has no valid address for ${name}`)
        }
    }
    return d
}

/** eth_chainId of the first of `urls` that answers (each endpoint of an RPC_URL list serves the same chain). */
async function firstChainId(urls: string[]): Promise<number> {
    let last: unknown
    for (const u of urls) {
        try {
            return await fetchChainId(u)
        } catch (e) {
            last = e
        }
    }
    throw last
}

/** Resolve everything the processor needs; asks the RPC for its chain id unless CHAIN_ID is set. */
export async function loadProcessorSettings(env?: Env): Promise<ProcessorSettings> {
    const chain = chainFromEnv(env)
    // (parsed before any I/O: a bad knob is reported without asking the RPC first)
    const knobs = indexerFromEnv(env)
    const chainId = chain.chainId ?? (await firstChainId(chain.rpcUrls))
    const deploymentsFile = chain.deploymentsFile ?? deploymentsFileFor(chainId, env)
    const d = readDeploymentsFile(deploymentsFile, chainId)
    const contracts = {} as Record<ContractName, string>
    for (const [name, addr] of Object.entries(d.contracts)) contracts[name as ContractName] = addr.toLowerCase()
    return {
        rpcUrl: chain.rpcUrl,
        rpcUrls: chain.rpcUrls,
        ...(chain.gateway ? { gateway: chain.gateway } : {}),
        rateLimit: chain.rateLimit,
        capacity: knobs.capacity,
        headPollInterval: knobs.headPollInterval,
        finalityConfirmations: chain.finalityConfirmations,
        chainId,
        startBlock: chain.startBlock ?? d.startBlock,
        deploymentsFile,
        contracts,
        epochBlocks: knobs.epochBlocks,
        traceApi: knobs.traceApi,
        chainAnalytics: knobs.chainAnalytics,
        protocolEvents: knobs.protocolEvents,
        maxBatchCallSize: knobs.maxBatchCallSize,
        ingest: knobs.ingest,
    }
}

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
 * The processor for `s`: the indexed contracts' logs, plus chain data for validator/MEV analytics when on.
 * (The engine installs its backfill ingestion on it: src/indexer/ingest.ts.) `rpcEndpoint` replaces s.rpcUrl
 * (the failover forwarder's URL when RPC_URL lists several endpoints).
 */
export function buildProcessor(s: ProcessorSettings, rpcEndpoint: string = s.rpcUrl) {
    const p = new EvmBatchProcessor()
        .setRpcEndpoint({
            url: rpcEndpoint,
            rateLimit: s.rateLimit,
            capacity: s.capacity,
            maxBatchCallSize: s.maxBatchCallSize,
        })
        .setFinalityConfirmation(s.finalityConfirmations)
        .setBlockRange({ from: s.startBlock })
        // Typed with the full selection either way; with CHAIN_ANALYTICS=false the analytics-only fields are
        // absent at runtime, and only the settlement mappings, which never read them, run.
        .setFields((s.chainAnalytics ? FIELDS : SETTLEMENT_FIELDS) as typeof FIELDS)
    // finalized blocks from the SQD Network while it has them, the rest (and hot blocks) from the RPC
    if (s.gateway) p.setGateway(s.gateway)
    if (s.chainAnalytics) requestChainData(p, s.traceApi, s.headPollInterval)
    else if (s.headPollInterval != null) p.setRpcDataIngestionSettings({ headPollInterval: s.headPollInterval })
    for (const [name, abi] of Object.entries(INDEXED_CONTRACTS)) {
        p.addLog({
            address: [s.contracts[name as ContractName]],
            topic0: Object.values(abi.events).map((e) => e.topic),
            transaction: true,
        })
    }
    return p
}

export type Processor = ReturnType<typeof buildProcessor>
