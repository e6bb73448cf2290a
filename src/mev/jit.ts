import { JitLiquidity, Swap } from './types'
import { Erc20Transfer, decodeErc20Transfer } from './transfers'
import { TxTraces, abiWords, erroredKeys, isDescendant, isPlainCall, isRolledBack, lower, selectorOf, wordToAddress } from './util'

const SELECTOR_V3_MINT = '0x3c8a7d8d' // mint(address,int24,int24,uint128,bytes)
const SELECTOR_V3_BURN = '0xa34123a7' // burn(int24,int24,uint128)
const SELECTOR_V3_COLLECT = '0x4f1eb3d8' // collect(address,int24,int24,uint128,uint128)

interface PositionCall {
    tx: TxTraces
    traceAddress: number[]
    pool: string
    /** msg.sender: the position's owner for burn/collect */
    caller: string
    /** the position's owner for mint */
    owner: string
    ticks: string
    /** transfers made in the call's subtree */
    transfers: Erc20Transfer[]
}

function positionCalls(tx: TxTraces, selector: string): PositionCall[] {
    const errored = erroredKeys(tx.traces)
    const out: PositionCall[] = []
    tx.traces.forEach((t) => {
        if (!isPlainCall(t) || selectorOf(t.action.input) !== selector || isRolledBack(t.traceAddress, errored)) return
        const w = abiWords(t.action.input!)
        const pool = lower(t.action.to)
        const caller = lower(t.action.from)
        if (!pool || !caller || w.length < 3) return
        const isMint = selector === SELECTOR_V3_MINT
        const isCollect = selector === SELECTOR_V3_COLLECT
        const ticks = isMint || isCollect ? w[1] + w[2] : w[0] + w[1]
        const transfers = tx.traces
            .map((c, i) => (isDescendant(c.traceAddress, t.traceAddress) && !isRolledBack(c.traceAddress, errored) ? decodeErc20Transfer(c, i) : null))
            .filter((x): x is Erc20Transfer => x !== null)
        out.push({ tx, traceAddress: t.traceAddress, pool, caller, owner: isMint ? wordToAddress(w[0]) : caller, ticks, transfers })
    })
    return out
}

const sum = (xs: Erc20Transfer[], token: string) => xs.filter((t) => t.token === token).reduce((a, t) => a + t.amount, 0n)

/**
 * Just-in-time liquidity on Uniswap V3 (mev-inspect-py's definition, PR #292): a mint of a position,
 * one or more swaps on that pool in later transactions, then a burn of the same position (same pool,
 * same ticks, same owner) in a later transaction of the block.
 *  - bot: who paid for the mint (the payer in the mint callback, also through a position manager);
 *  - mint amounts: what the pool received in the mint; burn amounts: what the pool paid out when the
 *    position was collected in the burn transaction (the burn's own amounts when nothing was collected);
 *  - swaps: the pool's swaps between the two transactions; swap volume per token = the swaps' inputs.
 */
export function findJitLiquidity(txs: TxTraces[], blockSwaps: Swap[]): JitLiquidity[] {
    const mints = txs.flatMap((tx) => positionCalls(tx, SELECTOR_V3_MINT))
    if (!mints.length) return []
    const burns = txs.flatMap((tx) => positionCalls(tx, SELECTOR_V3_BURN))
    const collects = txs.flatMap((tx) => positionCalls(tx, SELECTOR_V3_COLLECT))
    const out: JitLiquidity[] = []
    for (const mint of mints) {
        const burn = burns.find(
            (b) => b.pool === mint.pool && b.ticks === mint.ticks && b.caller === mint.owner && b.tx.transactionPosition > mint.tx.transactionPosition,
        )
        if (!burn) continue
        const swaps = blockSwaps.filter(
            (s) =>
                s.error === null &&
                s.contractAddress === mint.pool &&
                s.transactionPosition > mint.tx.transactionPosition &&
                s.transactionPosition < burn.tx.transactionPosition,
        )
        if (!swaps.length) continue
        const paid = mint.transfers.filter((t) => t.to === mint.pool)
        const collected = collects
            .filter((c) => c.tx === burn.tx && c.pool === burn.pool && c.ticks === burn.ticks && c.caller === burn.caller)
            .flatMap((c) => c.transfers.filter((t) => t.from === burn.pool))
        const [token0, token1] = [...new Set([swaps[0].tokenInAddress, swaps[0].tokenOutAddress])].sort()
        const burnOut = collected.length ? collected : burn.transfers.filter((t) => t.from === burn.pool)
        out.push({
            // a position manager pays WETH it wrapped itself; the bot is whoever else paid
            botAddress: paid.find((t) => t.from !== mint.caller)?.from ?? paid[0]?.from ?? mint.caller,
            poolAddress: mint.pool,
            mintTransactionHash: mint.tx.transactionHash,
            mintTrace: [...mint.traceAddress],
            burnTransactionHash: burn.tx.transactionHash,
            burnTrace: [...burn.traceAddress],
            swaps,
            token0Address: token0,
            token1Address: token1,
            mintToken0Amount: sum(paid, token0).toString(),
            mintToken1Amount: sum(paid, token1).toString(),
            burnToken0Amount: sum(burnOut, token0).toString(),
            burnToken1Amount: sum(burnOut, token1).toString(),
            token0SwapVolume: swaps.reduce((a, s) => a + (s.tokenInAddress === token0 ? BigInt(s.tokenInAmount) : 0n), 0n).toString(),
            token1SwapVolume: swaps.reduce((a, s) => a + (s.tokenInAddress === token1 ? BigInt(s.tokenInAmount) : 0n), 0n).toString(),
        })
        burns.splice(burns.indexOf(burn), 1)
    }
    return out
}
