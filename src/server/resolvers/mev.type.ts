/**
 * The unified MEV feed (MevEvent rows with their arbitrage / sandwich / swap / coinbase-transfer details; the
 * liquidation / JIT / NFT details are mev-kinds.type.ts),
 * plus the SQL that reads a page of events with every detail in ONE statement (shared by `mevFeed` and the
 * `mevDetected` feed).
 */
import { Field, Int, ObjectType } from 'type-graphql'
import { JitLiquidityDetail, LiquidationDetail, NftTradeDetail, OTHER_DETAIL_COLUMNS, OTHER_DETAIL_JOINS, otherDetails } from './mev-kinds.type'
import { MevKind } from './mev.input'
import { SwapDetail } from './swap-detail.type'
import { BigIntScalar, DateTimeScalar } from './scalars'

export { SwapDetail } from './swap-detail.type'

@ObjectType({ description: 'A transaction whose swaps form a cycle in one token.' })
export class ArbitrageDetail {
    @Field(() => String) id!: string
    @Field(() => String, { description: "who paid the route's first swap (the searcher's account or contract)" }) account!: string
    @Field(() => String) profitToken!: string
    @Field(() => BigIntScalar, { description: 'last amount out − first amount in; may be negative' }) profitAmount!: string
    @Field(() => String, { nullable: true, description: 'the error of the reverted call frame that contained it' }) error!: string | null
    @Field(() => Int) swapCount!: number
    @Field(() => BigIntScalar, { nullable: true, description: 'wei paid for inclusion (gas + coinbase transfer); null without a receipt' }) gasCost!: string | null
    @Field(() => BigIntScalar, { nullable: true, description: 'profitAmount − gasCost when the profit is in WETH/ETH; else null' }) netProfit!: string | null
    /** every swap in cycle order; served by the `swaps(limit)` field resolver */
    allSwaps!: SwapDetail[]
}

@ObjectType({ description: "Frontrun, victim swaps and backrun in one pool (mev-inspect-py's definition)." })
export class SandwichDetail {
    @Field(() => String) id!: string
    @Field(() => String) sandwicher!: string
    @Field(() => String) pool!: string
    @Field(() => SwapDetail, { nullable: true }) frontrun!: SwapDetail | null
    @Field(() => SwapDetail, { nullable: true }) backrun!: SwapDetail | null
    @Field(() => Int) victimCount!: number
    @Field(() => String, { description: "the frontrun's input token" }) profitToken!: string
    @Field(() => BigIntScalar, { description: 'backrun amount out − frontrun amount in; may be negative' }) profitAmount!: string
    @Field(() => BigIntScalar, { nullable: true, description: 'wei paid for the frontrun and backrun; null without receipts' }) gasCost!: string | null
    @Field(() => BigIntScalar, { nullable: true, description: 'profitAmount − gasCost when the profit is in WETH/ETH; else null' }) netProfit!: string | null
    /** served by the `victims(limit)` field resolver */
    allVictims!: SwapDetail[]
}

@ObjectType({ description: "A call carrying ETH to the block's fee recipient (a direct MEV payment)." })
export class CoinbaseTransferDetail {
    @Field(() => String) from!: string
    @Field(() => BigIntScalar, { description: 'wei' }) amount!: string
}

@ObjectType({
    description: 'One MEV event. Exactly one of arbitrage / sandwich / coinbaseTransfer / swap / liquidation / jitLiquidity / nftTrade is set, by kind.',
})
export class MevFeedItem {
    @Field(() => String, { description: 'pass as `cursor` to get the events after this one' }) cursor!: string
    @Field(() => String) id!: string
    @Field(() => MevKind) kind!: MevKind
    @Field(() => Int) blockNumber!: number
    @Field(() => DateTimeScalar) timestamp!: Date
    @Field(() => String) transactionHash!: string
    @Field(() => String, { nullable: true, description: "the block's proposer (validator address); null when unknown" }) validator!: string | null
    @Field(() => String, { nullable: true, description: "SWAP / SANDWICH / JIT_LIQUIDITY: the pool; ARBITRAGE: the first swap's pool; NFT_TRADE: the collection" }) pool!: string | null
    @Field(() => String, { nullable: true, description: 'swap caller, arbitrageur, sandwicher, transfer sender, liquidator, JIT bot or NFT buyer' }) account!: string | null
    @Field(() => String, { nullable: true, description: 'profit token (ARBITRAGE, SANDWICH), tokenIn (SWAP), collateral (LIQUIDATION), payment token (NFT_TRADE); null for coinbase ETH and JIT' }) token!: string | null
    @Field(() => BigIntScalar, { nullable: true, description: 'profit, ETH paid (COINBASE_TRANSFER), amount in (SWAP), collateral received (LIQUIDATION) or payment (NFT_TRADE)' }) amount!: string | null
    @Field(() => ArbitrageDetail, { nullable: true }) arbitrage!: ArbitrageDetail | null
    @Field(() => SandwichDetail, { nullable: true }) sandwich!: SandwichDetail | null
    @Field(() => CoinbaseTransferDetail, { nullable: true }) coinbaseTransfer!: CoinbaseTransferDetail | null
    @Field(() => SwapDetail, { nullable: true }) swap!: SwapDetail | null
    @Field(() => LiquidationDetail, { nullable: true }) liquidation!: LiquidationDetail | null
    @Field(() => JitLiquidityDetail, { nullable: true }) jitLiquidity!: JitLiquidityDetail | null
    @Field(() => NftTradeDetail, { nullable: true }) nftTrade!: NftTradeDetail | null
    @Field(() => Boolean, { description: 'mevDetected: pushed because of a reorg (the event as on the new branch, or with `removed`); false in queries' }) reorg!: boolean
    @Field(() => Boolean, { description: 'mevDetected: the event was only on blocks a reorg abandoned (drop it); false in queries' }) removed!: boolean
}

// ---------------------------------------------------------------------------
// SQL shared by the query and the subscription feed

/**
 * Details of the events in `source` (a subquery or table aliased `e` with mev_event's columns): arbitrage and
 * sandwich by primary key, and every swap they reference (plus a SWAP event's own) in one lateral aggregate.
 * Amounts are text (JSON numbers would lose precision).
 */
export function mevItemsSql(source: string, order: 'ASC' | 'DESC' = 'DESC'): string {
    return `
SELECT e.id, e.kind, e.block_number, e.timestamp, e.validator_id, e.transaction_hash, e.pool, e.account, e.token,
       e.amount::text AS amount, e.swap_id,
       a.id AS a_id, a.account AS a_account, a.profit_token AS a_profit_token, a.profit_amount::text AS a_profit_amount,
       a.error AS a_error, a.swap_ids AS a_swap_ids, a.gas_cost::text AS a_gas_cost, a.net_profit::text AS a_net_profit,
       s.gas_cost::text AS s_gas_cost, s.net_profit::text AS s_net_profit,${OTHER_DETAIL_COLUMNS}
       s.id AS s_id, s.sandwicher AS s_sandwicher, s.pool AS s_pool, s.frontrun_swap_id AS s_frontrun, s.backrun_swap_id AS s_backrun,
       s.victim_swap_ids AS s_victims, s.profit_token AS s_profit_token, s.profit_amount::text AS s_profit_amount,
       w.swaps
FROM ${source} e
LEFT JOIN arbitrage a ON a.id = e.arbitrage_id
LEFT JOIN sandwich s ON s.id = e.sandwich_id${OTHER_DETAIL_JOINS}
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object(
        'id', w.id, 'transactionHash', w.transaction_hash, 'transactionPosition', w.transaction_position,
        'traceAddress', w.trace_address, 'pool', w.pool, 'protocol', w.protocol, 'from', w."from", 'recipient', w.recipient,
        'tokenIn', w.token_in, 'amountIn', w.amount_in::text, 'tokenOut', w.token_out, 'amountOut', w.amount_out::text,
        'error', w.error)) AS swaps
    FROM swap w
    WHERE e.kind IN ('SWAP', 'ARBITRAGE', 'SANDWICH', 'JIT_LIQUIDITY')
      AND w.id = ANY(coalesce(a.swap_ids, '{}'::text[]) || coalesce(s.victim_swap_ids, '{}'::text[]) || coalesce(j.swap_ids, '{}'::text[])
                     || ARRAY[s.frontrun_swap_id, s.backrun_swap_id, e.swap_id]::text[])
) w ON true
ORDER BY e.block_number ${order}, e.id ${order}`
}

/** Opaque keyset cursor: (blockNumber, id) of an event. */
export function encodeMevCursor(blockNumber: number, id: string): string {
    return Buffer.from(`${blockNumber}:${id}`, 'utf8').toString('base64url')
}

export function decodeMevCursor(cursor: string): { blockNumber: number; id: string } | undefined {
    if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined
    const text = Buffer.from(cursor, 'base64url').toString('utf8')
    const m = /^(\d{1,10}):([0-9a-z.-]{1,120})$/.exec(text)
    if (!m) return undefined
    const blockNumber = Number(m[1])
    if (!Number.isSafeInteger(blockNumber) || blockNumber > 2_147_483_647) return undefined
    return { blockNumber, id: m[2] }
}

export function mevItemFromRow(r: any): MevFeedItem {
    const swaps = new Map<string, SwapDetail>()
    for (const w of (r.swaps ?? []) as SwapDetail[]) swaps.set(w.id, w)
    const swap = (id: string | null | undefined) => (id == null ? null : (swaps.get(id) ?? null))
    const list = (ids: string[] | null | undefined) => (ids ?? []).map((id) => swaps.get(id)).filter((w): w is SwapDetail => !!w)
    const kind = r.kind as MevKind
    return {
        cursor: encodeMevCursor(r.block_number, r.id),
        id: r.id,
        kind,
        blockNumber: r.block_number,
        timestamp: r.timestamp,
        transactionHash: r.transaction_hash,
        validator: r.validator_id ?? null,
        pool: r.pool ?? null,
        account: r.account ?? null,
        token: r.token ?? null,
        amount: r.amount ?? null,
        reorg: false,
        removed: false,
        arbitrage:
            kind === MevKind.ARBITRAGE && r.a_id != null
                ? {
                      id: r.a_id,
                      account: r.a_account,
                      profitToken: r.a_profit_token,
                      profitAmount: r.a_profit_amount,
                      error: r.a_error ?? null,
                      swapCount: (r.a_swap_ids ?? []).length,
                      gasCost: r.a_gas_cost ?? null,
                      netProfit: r.a_net_profit ?? null,
                      allSwaps: list(r.a_swap_ids),
                  }
                : null,
        sandwich:
            kind === MevKind.SANDWICH && r.s_id != null
                ? {
                      id: r.s_id,
                      sandwicher: r.s_sandwicher,
                      pool: r.s_pool,
                      frontrun: swap(r.s_frontrun),
                      backrun: swap(r.s_backrun),
                      victimCount: (r.s_victims ?? []).length,
                      profitToken: r.s_profit_token,
                      profitAmount: r.s_profit_amount,
                      gasCost: r.s_gas_cost ?? null,
                      netProfit: r.s_net_profit ?? null,
                      allVictims: list(r.s_victims),
                  }
                : null,
        coinbaseTransfer: kind === MevKind.COINBASE_TRANSFER ? { from: r.account, amount: r.amount ?? '0' } : null,
        swap: kind === MevKind.SWAP ? swap(r.swap_id) : null,
        ...otherDetails(r, kind, list),
    }
}
