/**
 * Liquidations on Aave v1/v2 (`liquidationCall`) and on Compound v2 and its forks CREAM and Iron
 * Bank (`liquidateBorrow`, ETH markets included), by mev-inspect-py's definitions, from call traces.
 *
 * Recognition is structural so markets listed after this was written still count:
 * - Aave: a `liquidationCall(address,address,address,uint256,bool)` call whose subtree moves the
 *   debt from the liquidator and the collateral to it (mev-inspect-py does not restrict Aave by
 *   address either).
 * - Compound family: a `liquidateBorrow` call on a market that asks a known comptroller
 *   (`liquidateBorrowAllowed`) — the comptroller, not a frozen cToken list, names the protocol.
 * Only liquidations that took effect are reported: the call and all its ancestors succeeded.
 */
import { CallTransfer, ETH_PSEUDO_TOKEN, subtreeEnd, transfersBelow } from './call-transfers'
import { Liquidation, LiquidationProtocol } from './liquidation-types'
import { BlockInput, Trace } from './types'
import {
    TxTraces,
    abiWords,
    compareTraceAddress,
    erroredKeys,
    groupByTransaction,
    isDescendant,
    isPlainCall,
    isRolledBack,
    lower,
    selectorOf,
    toBigInt,
    wordToAddress,
    wordToUint,
} from './util'

const SEL_AAVE_LIQUIDATION_CALL = '0x00a718a9' // liquidationCall(address,address,address,uint256,bool)
const SEL_LIQUIDATE_BORROW_ERC20 = '0xf5e3c462' // liquidateBorrow(address,uint256,address)
const SEL_LIQUIDATE_BORROW_ETH = '0xaae40a2a' // liquidateBorrow(address,address) payable (cEther, crETH)
const SEL_LIQUIDATE_BORROW_NATIVE = '0x291727a4' // liquidateBorrowNative(address,address) payable (CWrappedNative, e.g. cyWETH)
const SEL_SEIZE = '0xb2a02ff1' // seize(address,address,uint256)
const SEL_LIQUIDATE_BORROW_ALLOWED = '0x5fc7e71e' // Comptroller.liquidateBorrowAllowed(address,address,address,address,uint256)
const SEL_CALCULATE_SEIZE_TOKENS = '0xc488847b' // Comptroller.liquidateCalculateSeizeTokens(address,address,uint256)

/** Comptrollers (Unitroller proxies) of the Compound-family protocols covered. */
export const COMPTROLLER_PROTOCOLS: Readonly<Record<string, LiquidationProtocol>> = {
    '0x3d9819210a31b4961b30ef54be2aed79b9c9cd3b': 'compound_v2',
    '0x3d5bc3c8d13dcb8bf317092d84783c2697ae9258': 'cream',
    '0xab1c342c7bf5ec5f02adea1c2270670bca144cbb': 'ironbank',
}

type Parsed = Omit<Liquidation, 'transactionHash' | 'traceAddress' | 'blockNumber' | 'error' | 'gasCost' | 'netProfit'>

interface Ctx {
    tx: TxTraces
    index: number
    trace: Trace
    liquidator: string
    words: string[]
    errored: Set<string>
}

/** All liquidations that took effect in a block, in block order. */
export function findLiquidations(block: BlockInput): Liquidation[] {
    const out: Liquidation[] = []
    for (const tx of groupByTransaction(block.traces)) out.push(...findLiquidationsInTransaction(tx, block.blockNumber))
    return out
}

export function findLiquidationsInTransaction(tx: TxTraces, blockNumber: number): Liquidation[] {
    const errored = erroredKeys(tx.traces)
    const found: Liquidation[] = []
    for (let i = 0; i < tx.traces.length; i++) {
        const trace = tx.traces[i]
        // A lending pool forwards liquidationCall through delegatecalls with the same input: the
        // outermost call that parses is the liquidation, the frames below it are its implementation.
        if (found.some((l) => isDescendant(trace.traceAddress, l.traceAddress))) continue
        if (!isPlainCall(trace) || isRolledBack(trace.traceAddress, errored)) continue
        const liquidator = lower(trace.action.from)
        const input = trace.action.input
        if (!liquidator || !input) continue
        const ctx: Ctx = { tx, index: i, trace, liquidator, words: abiWords(input), errored }
        const parsed = parseLiquidationCall(ctx, selectorOf(input))
        if (!parsed) continue
        found.push({ ...parsed, transactionHash: tx.transactionHash, traceAddress: [...trace.traceAddress], blockNumber, error: null, gasCost: null, netProfit: null })
    }
    return found.sort((a, b) => compareTraceAddress(a.traceAddress, b.traceAddress))
}

function parseLiquidationCall(ctx: Ctx, sel: string | null): Parsed | null {
    switch (sel) {
        case SEL_AAVE_LIQUIDATION_CALL:
            return ctx.words.length >= 5 ? parseAave(ctx) : null
        case SEL_LIQUIDATE_BORROW_ERC20:
            return ctx.words.length >= 3 ? parseCompound(ctx, wordToAddress(ctx.words[2]), false) : null
        case SEL_LIQUIDATE_BORROW_ETH:
        case SEL_LIQUIDATE_BORROW_NATIVE:
            return ctx.words.length >= 2 ? parseCompound(ctx, wordToAddress(ctx.words[1]), true) : null
        default:
            return null
    }
}

function ethValue(t: Trace): bigint {
    return toBigInt(t.action.value)
}

/**
 * Aave: liquidationCall(collateral, debtAsset, user, debtToCover, receiveAToken). The debt actually
 * repaid is the liquidator's transfer of debtAsset (v1 ETH reserve: the call's value less any
 * refund); the collateral is the first transfer to the liquidator of the collateral asset or of an
 * aToken (`transferOnLiquidation`). Matching the assets named in the call keeps a stray transfer
 * in the same subtree from being taken for either leg.
 */
function parseAave(ctx: Ctx): Parsed | null {
    const { liquidator } = ctx
    const collateral = wordToAddress(ctx.words[0])
    const debtAsset = wordToAddress(ctx.words[1])
    const transfers = transfersBelow(ctx.tx, ctx.index, ctx.errored)
    const value = ethValue(ctx.trace)
    let debtToken: string
    let debtAmount: bigint
    let incoming = transfers.filter((t) => t.to === liquidator)
    if (value > 0n && debtAsset === ETH_PSEUDO_TOKEN) {
        // v1's ETH reserve (0xeeee…) is paid with msg.value; an excess comes back as ETH.
        const refunds = incoming.filter((t) => t.kind === 'eth')
        debtToken = ETH_PSEUDO_TOKEN
        debtAmount = value - refunds.reduce((s, t) => s + t.amount, 0n)
        incoming = incoming.filter((t) => t.kind !== 'eth')
    } else {
        const paid = transfers.find((t) => t.from === liquidator && t.token === debtAsset)
        if (!paid) return null
        debtToken = paid.token
        debtAmount = paid.amount
    }
    const received = incoming.find((t) => t.token === collateral || t.kind === 'atoken')
    if (!received || debtAmount <= 0n) return null
    return {
        liquidatedUser: wordToAddress(ctx.words[2]),
        liquidatorUser: liquidator,
        debtTokenAddress: debtToken,
        debtPurchaseAmount: debtAmount.toString(),
        receivedTokenAddress: received.token,
        receivedAmount: received.amount.toString(),
        protocol: 'aave',
    }
}

/**
 * Compound family: liquidateBorrow(borrower, [repayAmount,] cTokenCollateral). The debt is the
 * call's ETH (ETH markets) or the liquidator's transfer to the market; the collateral is the seized
 * cTokens (seize's seizeTokens, as mev-inspect-py reports them — not converted to the underlying).
 */
function parseCompound(ctx: Ctx, cTokenCollateral: string, ethMarket: boolean): Parsed | null {
    const market = lower(ctx.trace.action.to)
    if (!market) return null
    const protocol = comptrollerProtocol(ctx, market)
    if (!protocol) return null
    const { liquidator } = ctx
    const transfers = transfersBelow(ctx.tx, ctx.index, ctx.errored)
    let debtToken: string
    let debtAmount: bigint
    // The repayment goes from the liquidator to the market (the underlying's transferFrom).
    const paid = transfers.find((t) => t.from === liquidator && t.to === market)
    if (paid) {
        debtToken = paid.token
        debtAmount = paid.amount
    } else if (ethMarket && ethValue(ctx.trace) > 0n) {
        debtToken = ETH_PSEUDO_TOKEN
        debtAmount = ethValue(ctx.trace)
    } else {
        return null
    }
    const received = receivedCollateral(ctx, transfers, cTokenCollateral, market)
    if (!received) return null
    return {
        liquidatedUser: wordToAddress(ctx.words[0]),
        liquidatorUser: liquidator,
        debtTokenAddress: debtToken,
        debtPurchaseAmount: debtAmount.toString(),
        receivedTokenAddress: received.token,
        receivedAmount: received.amount.toString(),
        protocol,
    }
}

/** The protocol of the comptroller that `market` asks for permission to liquidate, if known. */
function comptrollerProtocol(ctx: Ctx, market: string): LiquidationProtocol | null {
    const end = subtreeEnd(ctx.tx, ctx.index)
    for (let i = ctx.index + 1; i < end; i++) {
        const t = ctx.tx.traces[i]
        if (!isPlainCall(t) || lower(t.action.from) !== market) continue
        if (selectorOf(t.action.input) !== SEL_LIQUIDATE_BORROW_ALLOWED) continue
        const comptroller = lower(t.action.to)
        return (comptroller && COMPTROLLER_PROTOCOLS[comptroller]) || null
    }
    return null
}

function receivedCollateral(ctx: Ctx, transfers: CallTransfer[], cTokenCollateral: string, market: string): { token: string; amount: bigint } | null {
    // Seized cTokens are credited inside the collateral market; only a fork that moved them with a
    // real transfer would show one to the liquidator.
    const direct = transfers.find((t) => t.to === ctx.liquidator && t.token === cTokenCollateral)
    if (direct) return { token: direct.token, amount: direct.amount }
    const end = subtreeEnd(ctx.tx, ctx.index)
    for (let i = ctx.index + 1; i < end; i++) {
        const t = ctx.tx.traces[i]
        if (!isPlainCall(t) || selectorOf(t.action.input) !== SEL_SEIZE || lower(t.action.to) !== cTokenCollateral) continue
        const w = abiWords(t.action.input ?? '')
        if (w.length >= 3 && !isRolledBack(t.traceAddress, ctx.errored)) return { token: cTokenCollateral, amount: wordToUint(w[2]) }
    }
    if (cTokenCollateral === market) {
        // Seizing the market's own cTokens happens without a seize() call; the comptroller's quote
        // (error, seizeTokens) is the amount moved.
        for (let i = ctx.index + 1; i < end; i++) {
            const t = ctx.tx.traces[i]
            if (t.type !== 'call' || selectorOf(t.action.input) !== SEL_CALCULATE_SEIZE_TOKENS) continue
            const out = t.result?.output
            if (!out || out.length < 2 + 128) continue
            const words = abiWords('0x00000000' + out.slice(2))
            if (wordToUint(words[0]) === 0n) return { token: cTokenCollateral, amount: wordToUint(words[1]) }
        }
    }
    return null
}
