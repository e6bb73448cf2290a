import { findArbitragesInTransaction } from './arbitrages'
import { findJitLiquidity } from './jit'
import { findLiquidationsInTransaction } from './liquidations'
import { findCoinbaseTransfers, gasCostLookup, liquidationNetProfit, minerPayments, netProfit, totalGasCost } from './miner-payments'
import { findNftTradesInTransaction } from './nft-trades'
import { findPunkBidAcceptances, findPunkBids, punkSnipesFrom } from './punks'
import { findSandwiches } from './sandwiches'
import { compareSwaps, findSwapsInTransaction } from './swaps'
import { Arbitrage, BlockClassification, BlockInput, Liquidation, NftTrade, Quantity, Receipt, Swap, Trace } from './types'
import { groupByTransaction } from './util'

export { findCoinbaseTransfers } from './miner-payments'

/** Classifies one block's traces (and receipts, for miner payments and gas costs). Pure: no I/O. */
export function classifyBlock(block: BlockInput): BlockClassification {
    const txs = groupByTransaction(block.traces)
    const swaps: Swap[] = []
    const arbitrages: Arbitrage[] = []
    const liquidations: Liquidation[] = []
    const nftTrades: NftTrade[] = []
    for (const tx of txs) {
        const txSwaps = findSwapsInTransaction(tx)
        swaps.push(...txSwaps)
        arbitrages.push(...findArbitragesInTransaction(tx, txSwaps))
        liquidations.push(...findLiquidationsInTransaction(tx, block.blockNumber))
        nftTrades.push(...findNftTradesInTransaction(tx, block.blockNumber))
    }
    swaps.sort(compareSwaps)
    const coinbaseTransfers = findCoinbaseTransfers(block, txs)
    const payments = minerPayments(block, txs, coinbaseTransfers)
    const cost = gasCostLookup(payments)
    for (const a of arbitrages) {
        const c = cost(a.transactionHash)
        a.gasCost = c === null ? null : c.toString()
        a.netProfit = netProfit(a.profitTokenAddress, a.profitAmount, c)
    }
    const sandwiches = findSandwiches(swaps)
    for (const s of sandwiches) {
        const c = totalGasCost(cost, [s.frontrunSwap.transactionHash, s.backrunSwap.transactionHash])
        s.gasCost = c === null ? null : c.toString()
        s.netProfit = netProfit(s.profitTokenAddress, s.profitAmount, c)
    }
    for (const l of liquidations) {
        const c = cost(l.transactionHash)
        l.gasCost = c === null ? null : c.toString()
        l.netProfit = liquidationNetProfit(l, c)
    }
    const punkBids = findPunkBids(block, txs)
    const punkBidAcceptances = findPunkBidAcceptances(block, txs)
    return {
        blockNumber: block.blockNumber,
        swaps,
        arbitrages,
        sandwiches,
        liquidations,
        jitLiquidity: findJitLiquidity(txs, swaps),
        nftTrades,
        punkBids,
        punkBidAcceptances,
        punkSnipes: punkSnipesFrom(punkBids, punkBidAcceptances),
        minerPayments: payments,
        coinbaseTransfers,
    }
}

/** A block with nothing found (used when classification fails). */
export function emptyClassification(blockNumber: number): BlockClassification {
    return {
        blockNumber,
        swaps: [],
        arbitrages: [],
        sandwiches: [],
        liquidations: [],
        jitLiquidity: [],
        nftTrades: [],
        punkBids: [],
        punkBidAcceptances: [],
        punkSnipes: [],
        minerPayments: [],
        coinbaseTransfers: [],
    }
}

// ---------------------------------------------------------------------------------------------
// Input conversion

export class BlockInputError extends Error {}

type Obj = Record<string, unknown>

function isObj(x: unknown): x is Obj {
    return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function pick(o: Obj, camel: string, snake: string): unknown {
    return o[camel] !== undefined ? o[camel] : o[snake]
}

/** Where a value sits: `trace 3: action.from`; built only for an error message (normalising is hot). */
type Ctx = string | number | null
function label(ctx: Ctx, field: string): string {
    return ctx === null ? field : `${typeof ctx === 'number' ? `trace ${ctx}` : ctx}: ${field}`
}

function optString(v: unknown, ctx: Ctx, field: string): string | null {
    if (v === undefined || v === null) return null
    if (typeof v !== 'string') throw new BlockInputError(`${label(ctx, field)} must be a string`)
    return v
}

/** A JSON number too large to have been parsed exactly (see blockInputFromText). */
export class InexactNumberError extends BlockInputError {}

function optQuantity(v: unknown, ctx: Ctx, field: string): Quantity | null {
    if (v === undefined || v === null) return null
    if (typeof v === 'string' || typeof v === 'bigint') return v
    if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) throw new InexactNumberError(`${label(ctx, field)}: ${v} is not an exact integer`)
        return v
    }
    throw new BlockInputError(`${label(ctx, field)} must be a number or a hex/decimal string`)
}

function toInt(v: unknown, ctx: Ctx, field: string): number {
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v
    if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return Number(v)
    throw new BlockInputError(`${label(ctx, field)} must be an integer`)
}

/**
 * Normalises one Parity `trace_block` trace. Accepts the RPC's camelCase keys and the snake_case
 * keys of mev-inspect-py's fixtures (trace_address, transaction_hash, transaction_position, ...).
 */
export function normalizeTrace(raw: unknown, i = 0): Trace {
    if (!isObj(raw)) throw new BlockInputError(`trace ${i} is not an object`)
    const action = raw.action
    if (!isObj(action)) throw new BlockInputError(`trace ${i}: missing action`)
    const ta = pick(raw, 'traceAddress', 'trace_address')
    if (!Array.isArray(ta) || !ta.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
        throw new BlockInputError(`trace ${i}: missing or invalid traceAddress`)
    }
    const type = raw.type
    if (typeof type !== 'string') throw new BlockInputError(`trace ${i}: missing type`)
    const result = isObj(raw.result) ? raw.result : null
    const pos = pick(raw, 'transactionPosition', 'transaction_position')
    const bn = pick(raw, 'blockNumber', 'block_number')
    return {
        type,
        action: {
            from: optString(action.from, i, 'action.from'),
            to: optString(action.to, i, 'action.to'),
            callType: optString(pick(action, 'callType', 'call_type'), i, 'action.callType'),
            input: optString(action.input, i, 'action.input'),
            value: optQuantity(action.value, i, 'action.value'),
            gas: optQuantity(action.gas, i, 'action.gas'),
            init: optString(action.init, i, 'action.init'),
            address: optString(action.address, i, 'action.address'),
            refundAddress: optString(pick(action, 'refundAddress', 'refund_address'), i, 'action.refundAddress'),
            balance: optQuantity(action.balance, i, 'action.balance'),
            author: optString(action.author, i, 'action.author'),
            rewardType: optString(pick(action, 'rewardType', 'reward_type'), i, 'action.rewardType'),
        },
        result: result
            ? {
                  output: optString(result.output, i, 'result.output'),
                  gasUsed: optQuantity(pick(result, 'gasUsed', 'gas_used'), i, 'result.gasUsed'),
                  address: optString(result.address, i, 'result.address'),
                  code: optString(result.code, i, 'result.code'),
              }
            : null,
        subtraces: raw.subtraces == null ? undefined : toInt(raw.subtraces, i, 'subtraces'),
        traceAddress: ta as number[],
        transactionHash: optString(pick(raw, 'transactionHash', 'transaction_hash'), i, 'transactionHash'),
        transactionPosition: pos == null ? null : toInt(pos, i, 'transactionPosition'),
        blockNumber: bn == null ? undefined : toInt(bn, i, 'blockNumber'),
        blockHash: optString(pick(raw, 'blockHash', 'block_hash'), i, 'blockHash') ?? undefined,
        error: optString(raw.error, i, 'error'),
    }
}

function normalizeReceipt(raw: unknown, i: number): Receipt {
    const what = `receipt ${i}`
    if (!isObj(raw)) throw new BlockInputError(`${what} is not an object`)
    const hash = optString(pick(raw, 'transactionHash', 'transaction_hash'), what, 'transactionHash')
    if (!hash) throw new BlockInputError(`${what}: missing transactionHash`)
    return {
        transactionHash: hash,
        transactionIndex: toInt(pick(raw, 'transactionIndex', 'transaction_index'), what, 'transactionIndex'),
        gasUsed: optQuantity(pick(raw, 'gasUsed', 'gas_used'), what, 'gasUsed'),
        effectiveGasPrice: optQuantity(pick(raw, 'effectiveGasPrice', 'effective_gas_price'), what, 'effectiveGasPrice'),
        cumulativeGasUsed: optQuantity(pick(raw, 'cumulativeGasUsed', 'cumulative_gas_used'), what, 'cumulativeGasUsed'),
        from: optString(raw.from, what, 'from'),
        to: optString(raw.to, what, 'to'),
        status: optQuantity(raw.status, what, 'status'),
    }
}

/**
 * Converts a block JSON document into BlockInput. Accepts mev-inspect-py's fixture format
 * (`block_number`, `miner`, `traces` with snake_case keys, `receipts`) as well as BlockInput itself
 * (camelCase, e.g. RPC `trace_block` output placed under `traces`). Throws BlockInputError with a
 * one-line message when the document does not look like a block.
 */
export function blockInputFromJson(json: unknown): BlockInput {
    if (!isObj(json)) throw new BlockInputError('block must be a JSON object')
    const bn = pick(json, 'blockNumber', 'block_number')
    if (bn == null) throw new BlockInputError('missing block_number')
    const blockNumber = toInt(bn, null, 'block_number')
    const traces = json.traces
    if (!Array.isArray(traces)) throw new BlockInputError('missing traces array')
    const receipts = json.receipts
    if (receipts != null && !Array.isArray(receipts)) throw new BlockInputError('receipts must be an array')
    const ts = pick(json, 'blockTimestamp', 'block_timestamp')
    return {
        blockNumber,
        blockTimestamp: ts == null ? undefined : toInt(ts, null, 'block_timestamp'),
        miner: optString(json.miner, null, 'miner'),
        baseFeePerGas: optQuantity(pick(json, 'baseFeePerGas', 'base_fee_per_gas'), null, 'base_fee_per_gas'),
        traces: traces.map((t, i) => normalizeTrace(t, i)),
        receipts: receipts ? receipts.map((r, i) => normalizeReceipt(r, i)) : undefined,
    }
}

/**
 * JSON.parse for block documents that keeps integers beyond 2^53 exact: mev-inspect-py's fixtures
 * write amounts and gas figures as bare JSON numbers (e.g. gas_used 18446744073709551615), which
 * JSON.parse would round. Such literals (16+ digits) are read as decimal strings; Quantity accepts both.
 */
export function parseBlockJson(text: string): unknown {
    return JSON.parse(quoteBigInts(text))
}
const quoteBigInts = (text: string) => text.replace(BIG_INT_LITERAL, '$1"$2"')
const BIG_INT_LITERAL = /([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g
const BIG_INT_NEAR = /[:[,]\s*-?\d{16}/

/**
 * Block JSON text -> BlockInput. Parses with plain JSON.parse and, only when the document holds
 * integers beyond 2^53 (which JSON.parse rounds), parses again keeping them exact.
 */
export function blockInputFromText(text: string): BlockInput {
    // mev-inspect-py fixtures carry such numbers in their receipts, the last key: quote them there first
    const receipts = text.lastIndexOf('"receipts"')
    const tail = receipts >= 0 ? text.slice(receipts) : ''
    const first = BIG_INT_NEAR.test(tail) ? text.slice(0, receipts) + quoteBigInts(tail) : text
    try {
        return blockInputFromJson(JSON.parse(first))
    } catch (e) {
        if (e instanceof InexactNumberError) return blockInputFromJson(parseBlockJson(text))
        throw e
    }
}

/** mev-inspect-py fixture (snake_case) -> BlockInput. Alias of blockInputFromJson. */
export const blockInputFromFixture = blockInputFromJson
