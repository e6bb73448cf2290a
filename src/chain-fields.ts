/**
 * The chain data the indexer asks squid for (the field selections) and the types of what arrives. Shared by the
 * processor configuration (src/processor.ts), the decoder and block facts (src/mappings/) and the engine
 * (src/indexer/), so that none of them has to import another for a type.
 */
import { BlockHeader, DataHandlerContext, Log as _Log, Trace as _Trace, Transaction as _Transaction } from '@subsquid/evm-processor'
import { Store } from '@subsquid/typeorm-store'

/** Fields with CHAIN_ANALYTICS=true (see src/processor.ts). */
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
    // what the MEV classifier reads (src/mev/types.ts Trace), see mappings/block-facts.ts toClassifierTrace
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
 * Fields with CHAIN_ANALYTICS=false: what the settlement mappings read (EventMeta). No receipt field, so squid
 * takes the logs from eth_getLogs instead of fetching every block's receipts.
 */
export const SETTLEMENT_FIELDS = {
    block: { timestamp: true, hash: true, parentHash: true },
    transaction: { hash: true, from: true },
    log: { address: true, topics: true, data: true, transactionHash: true },
} as const

/** The processor is typed with the full selection either way (see buildProcessor). */
export type Fields = typeof FIELDS
export type Block = BlockHeader<Fields>
export type Log = _Log<Fields>
export type Transaction = _Transaction<Fields>
export type Trace = _Trace<Fields>
export type ProcessorContext = DataHandlerContext<Store, Fields>
