/**
 * Per-block facts, computed from the squid block alone (no store): header fields, priority-fee revenue
 * from the receipts, and the MEV classifier's result on the block's call traces. The classifier takes
 * Parity `trace_block` shaped traces (src/mev/types.ts); `toClassifierTrace` converts squid's trace
 * objects (whichever RPC method fetched them) into that shape. Recording the facts against the indexed state
 * (Block row, proposer, MEV rows) is blocks.ts.
 */
import { classifyBlock, emptyClassification } from '../mev/classify'
import { BlockClassification, BlockInput, Receipt, Trace as ClassifierTrace, TraceAction, TraceResult } from '../mev/types'

/** The parts of a squid trace the conversion reads (squid's Trace satisfies it). */
export interface SquidTraceLike {
    type: string
    transactionIndex: number
    traceAddress: number[]
    subtraces?: number
    error?: string | null
    action?: Record<string, any>
    result?: Record<string, any> | null
}

export interface SquidTxLike {
    transactionIndex: number
    hash?: string
    from?: string
    to?: string
    gasUsed?: bigint
    effectiveGasPrice?: bigint
    gasPrice?: bigint
    status?: number
}

export interface SquidBlockLike {
    header: {
        height: number
        hash: string
        timestamp: number
        miner?: string
        baseFeePerGas?: bigint
        gasUsed?: bigint
        gasLimit?: bigint
    }
    transactions: SquidTxLike[]
    traces: SquidTraceLike[]
}

const low = (a: unknown): string | null => (typeof a === 'string' ? a.toLowerCase() : null)
const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v)

/** One squid trace → the classifier's (Parity) trace. `transactionHash` comes from the block's transactions. */
export function toClassifierTrace(t: SquidTraceLike, transactionHash: string | null, blockNumber?: number, blockHash?: string): ClassifierTrace {
    const a = t.action ?? {}
    const r = t.result ?? null
    let action: TraceAction
    let result: TraceResult | null = null
    switch (t.type) {
        case 'call':
            action = {
                from: low(a.from),
                to: low(a.to),
                callType: opt(a.callType),
                input: opt(a.input),
                value: opt(a.value),
                gas: opt(a.gas),
            }
            if (r) result = { output: opt(r.output), gasUsed: opt(r.gasUsed) }
            break
        case 'create':
            action = { from: low(a.from), value: opt(a.value), gas: opt(a.gas), init: opt(a.init) }
            if (r) result = { gasUsed: opt(r.gasUsed), code: opt(r.code), address: low(r.address) }
            break
        case 'suicide':
            action = { address: low(a.address), refundAddress: low(a.refundAddress), balance: opt(a.balance) }
            break
        case 'reward':
            action = { author: low(a.author), value: opt(a.value), rewardType: opt(a.type) }
            break
        default:
            action = {}
    }
    return {
        type: t.type,
        action,
        result,
        subtraces: t.subtraces,
        traceAddress: [...t.traceAddress],
        transactionHash: transactionHash?.toLowerCase() ?? null,
        transactionPosition: t.transactionIndex,
        blockNumber,
        blockHash,
        error: t.error ?? null,
    }
}

/** The classifier's input for a squid block: its traces, and its transactions' receipt fields (miner payments, gas cost). */
export function blockInputOf(block: SquidBlockLike): BlockInput {
    const hashes = new Map<number, string>()
    for (const tx of block.transactions) if (tx.hash) hashes.set(tx.transactionIndex, tx.hash.toLowerCase())
    const h = block.header
    return {
        blockNumber: h.height,
        blockTimestamp: Math.floor(h.timestamp / 1000),
        miner: low(h.miner),
        baseFeePerGas: h.baseFeePerGas ?? null,
        traces: block.traces.map((t) => toClassifierTrace(t, hashes.get(t.transactionIndex) ?? null, h.height, h.hash)),
        receipts: receiptsOf(block.transactions),
    }
}

/** The receipt fields squid puts on its transactions; a transaction without its hash or gas used has none. */
function receiptsOf(txs: SquidTxLike[]): Receipt[] {
    const out: Receipt[] = []
    for (const tx of txs) {
        if (!tx.hash || tx.gasUsed == null) continue
        out.push({
            transactionHash: tx.hash.toLowerCase(),
            transactionIndex: tx.transactionIndex,
            gasUsed: tx.gasUsed,
            // pre-London receipts have no effectiveGasPrice: the gas price is what was paid
            effectiveGasPrice: tx.effectiveGasPrice ?? tx.gasPrice ?? null,
            from: low(tx.from),
            to: low(tx.to),
            status: tx.status ?? null,
        })
    }
    return out
}

/** Σ (effectiveGasPrice − baseFee) × gasUsed: what the fee recipient earned on top of the burnt base fee. */
export function priorityFeesOf(txs: SquidTxLike[], baseFee: bigint): bigint {
    let sum = 0n
    for (const tx of txs) {
        const price = tx.effectiveGasPrice ?? tx.gasPrice
        if (price == null || tx.gasUsed == null) continue
        const tip = price - baseFee
        if (tip > 0n) sum += tip * tx.gasUsed
    }
    return sum
}

export interface BlockFacts {
    height: number
    hash: string
    /** ms */
    timestamp: number
    miner: string
    baseFee: bigint
    gasUsed: bigint
    gasLimit: bigint
    txCount: number
    priorityFees: bigint
    /** tx hash → position in the block */
    txPositions: Map<string, number>
    mev: BlockClassification
    /** set when the classifier threw on this block's traces (the block then counts no MEV) */
    mevError?: string
}

/** Everything about a block that needs no indexed state. Pure. */
export function blockFacts(block: SquidBlockLike): BlockFacts {
    const h = block.header
    const baseFee = h.baseFeePerGas ?? 0n
    const txPositions = new Map<string, number>()
    for (const tx of block.transactions) if (tx.hash) txPositions.set(tx.hash.toLowerCase(), tx.transactionIndex)
    let mev: BlockClassification
    let mevError: string | undefined
    try {
        mev = classifyBlock(blockInputOf(block))
    } catch (e: any) {
        mevError = e?.message ?? String(e)
        mev = emptyClassification(h.height)
    }
    return {
        height: h.height,
        hash: h.hash,
        timestamp: h.timestamp,
        miner: (h.miner ?? '').toLowerCase(),
        baseFee,
        gasUsed: h.gasUsed ?? 0n,
        gasLimit: h.gasLimit ?? 0n,
        txCount: block.transactions.length,
        priorityFees: priorityFeesOf(block.transactions, baseFee),
        txPositions,
        mev,
        mevError,
    }
}
