/**
 * Processor configuration only: where to read from, which logs and fields to fetch.
 * The batch handler lives in main.ts / mappings/.
 *
 * Settings come from src/config.ts (RPC_URL, RPC_RATE_LIMIT, FINALITY_CONFIRMATIONS, START_BLOCK,
 * CHAIN_ID, DEPLOYMENTS_FILE) plus processor-only knobs:
 *   RPC_HEAD_POLL_MS   head polling interval over HTTP (default: squid's, 5000 ms; the local stack may lower it)
 *   RPC_CAPACITY       max concurrent RPC requests (default: squid's)
 *   PROMETHEUS_PORT    read by squid itself for the metrics server
 *   EPOCH_BLOCKS       blocks per epoch for the proposer schedule, rollups and scores (default 32)
 *   TRACE_API          `trace` (default: Parity `trace_block`, which anvil also serves for blocks from before a
 *                      restart from its state file) or `debug` (`debug_traceBlockByHash` with callTracer, for
 *                      geth-style nodes without the trace namespace)
 *
 * Data requested: every block (header with miner, base fee, gas), every transaction with its receipt fields,
 * every call trace (for the MEV classifier and coinbase transfers) and the logs of the indexed contracts.
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

/** The processor for `s`: chain data for validator/MEV analytics plus the indexed contracts' logs. */
export function buildProcessor(s: ProcessorSettings) {
    const p = new EvmBatchProcessor()
        .setRpcEndpoint({
            url: s.rpcUrl,
            rateLimit: s.rateLimit,
            capacity: s.capacity,
        })
        .setFinalityConfirmation(s.finalityConfirmations)
        .setBlockRange({ from: s.startBlock })
        .setFields(FIELDS)
    requestChainData(p, s.traceApi, s.headPollInterval)
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
export type Fields = EvmBatchProcessorFields<Processor>
export type Block = BlockHeader<Fields>
export type Log = _Log<Fields>
export type Transaction = _Transaction<Fields>
export type Trace = _Trace<Fields>
export type ProcessorContext = DataHandlerContext<Store, Fields>
