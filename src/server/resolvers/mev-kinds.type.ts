/**
 * Feed details of the MEV kinds beyond arbitrages and sandwiches (mev.type.ts): liquidations, JIT liquidity and NFT
 * trades, read with the MevEvent row in the same statement (mevItemsSql) and built from its row by `otherDetails`.
 */
import { Field, Int, ObjectType } from 'type-graphql'
import { MevKind } from './mev.input'
import { BigIntScalar } from './scalars'
import { SwapDetail } from './swap-detail.type'

@ObjectType({ description: 'A liquidation on Aave v1/v2 or a Compound v2 / CREAM / Iron Bank market.' })
export class LiquidationDetail {
    @Field(() => String) id!: string
    @Field(() => String, { description: 'aave, compound_v2, cream or ironbank' }) protocol!: string
    @Field(() => [Int]) traceAddress!: number[]
    @Field(() => String) liquidatedUser!: string
    @Field(() => String, { description: "sender of the protocol's liquidation call" }) liquidator!: string
    @Field(() => String, { description: 'ETH is 0xeeee…eeee' }) debtToken!: string
    @Field(() => BigIntScalar, { description: 'debt actually repaid' }) debtPurchaseAmount!: string
    @Field(() => String) receivedToken!: string
    @Field(() => BigIntScalar) receivedAmount!: string
    @Field(() => BigIntScalar, { nullable: true, description: "wei paid for the transaction's inclusion; null without a receipt" }) gasCost!: string | null
    @Field(() => BigIntScalar, { nullable: true, description: 'received − repaid − gasCost when both legs are ETH/WETH; else null' })
    netProfit!: string | null
}

@ObjectType({ description: 'Just-in-time liquidity on a Uniswap V3 pool: mint, swaps, burn of one position in one block.' })
export class JitLiquidityDetail {
    @Field(() => String) id!: string
    @Field(() => String, { description: 'who paid the mint' }) bot!: string
    @Field(() => String) pool!: string
    @Field(() => String) mintTransactionHash!: string
    @Field(() => String) burnTransactionHash!: string
    @Field(() => String) token0!: string
    @Field(() => String) token1!: string
    @Field(() => BigIntScalar) mintAmount0!: string
    @Field(() => BigIntScalar) mintAmount1!: string
    @Field(() => BigIntScalar) burnAmount0!: string
    @Field(() => BigIntScalar) burnAmount1!: string
    @Field(() => BigIntScalar, { description: "the served swaps' inputs in token0" }) swapVolume0!: string
    @Field(() => BigIntScalar) swapVolume1!: string
    @Field(() => Int) swapCount!: number
    /** served by the `swaps(limit)` field resolver */
    allSwaps!: SwapDetail[]
}

@ObjectType({ description: 'An NFT trade (OpenSea Wyvern).' })
export class NftTradeDetail {
    @Field(() => String) id!: string
    @Field(() => String) protocol!: string
    @Field(() => [Int]) traceAddress!: number[]
    @Field(() => String) seller!: string
    @Field(() => String) buyer!: string
    @Field(() => String) collection!: string
    @Field(() => BigIntScalar) tokenId!: string
    @Field(() => String, { description: 'ETH is 0xeeee…eeee' }) paymentToken!: string
    @Field(() => BigIntScalar, { description: 'what the seller received less the fees the seller paid' }) paymentAmount!: string
}

/** Columns mevItemsSql selects for these kinds (tables aliased l, j, n). */
export const OTHER_DETAIL_COLUMNS = `
       l.id AS l_id, l.protocol AS l_protocol, l.trace_address AS l_trace, l.liquidated_user AS l_user, l.liquidator AS l_liquidator,
       l.debt_token AS l_debt_token, l.debt_purchase_amount::text AS l_debt_amount, l.received_token AS l_received_token,
       l.received_amount::text AS l_received_amount, l.gas_cost::text AS l_gas_cost, l.net_profit::text AS l_net_profit,
       j.id AS j_id, j.bot AS j_bot, j.pool AS j_pool, j.mint_transaction_hash AS j_mint_tx, j.burn_transaction_hash AS j_burn_tx,
       j.token0 AS j_token0, j.token1 AS j_token1, j.mint_amount0::text AS j_mint0, j.mint_amount1::text AS j_mint1,
       j.burn_amount0::text AS j_burn0, j.burn_amount1::text AS j_burn1, j.swap_volume0::text AS j_volume0,
       j.swap_volume1::text AS j_volume1, j.swap_ids AS j_swap_ids,
       n.id AS n_id, n.protocol AS n_protocol, n.trace_address AS n_trace, n.seller AS n_seller, n.buyer AS n_buyer,
       n.collection AS n_collection, n.token_id::text AS n_token_id, n.payment_token AS n_payment_token,
       n.payment_amount::text AS n_payment_amount,`

export const OTHER_DETAIL_JOINS = `
LEFT JOIN liquidation l ON l.id = e.liquidation_id
LEFT JOIN jit_liquidity j ON j.id = e.jit_liquidity_id
LEFT JOIN nft_trade n ON n.id = e.nft_trade_id`

export function otherDetails(
    r: any,
    kind: MevKind,
    list: (ids: string[] | null | undefined) => SwapDetail[],
): { liquidation: LiquidationDetail | null; jitLiquidity: JitLiquidityDetail | null; nftTrade: NftTradeDetail | null } {
    return {
        liquidation:
            kind === MevKind.LIQUIDATION && r.l_id != null
                ? {
                      id: r.l_id,
                      protocol: r.l_protocol,
                      traceAddress: r.l_trace ?? [],
                      liquidatedUser: r.l_user,
                      liquidator: r.l_liquidator,
                      debtToken: r.l_debt_token,
                      debtPurchaseAmount: r.l_debt_amount,
                      receivedToken: r.l_received_token,
                      receivedAmount: r.l_received_amount,
                      gasCost: r.l_gas_cost ?? null,
                      netProfit: r.l_net_profit ?? null,
                  }
                : null,
        jitLiquidity:
            kind === MevKind.JIT_LIQUIDITY && r.j_id != null
                ? {
                      id: r.j_id,
                      bot: r.j_bot,
                      pool: r.j_pool,
                      mintTransactionHash: r.j_mint_tx,
                      burnTransactionHash: r.j_burn_tx,
                      token0: r.j_token0,
                      token1: r.j_token1,
                      mintAmount0: r.j_mint0,
                      mintAmount1: r.j_mint1,
                      burnAmount0: r.j_burn0,
                      burnAmount1: r.j_burn1,
                      swapVolume0: r.j_volume0,
                      swapVolume1: r.j_volume1,
                      swapCount: (r.j_swap_ids ?? []).length,
                      allSwaps: list(r.j_swap_ids),
                  }
                : null,
        nftTrade:
            kind === MevKind.NFT_TRADE && r.n_id != null
                ? {
                      id: r.n_id,
                      protocol: r.n_protocol,
                      traceAddress: r.n_trace ?? [],
                      seller: r.n_seller,
                      buyer: r.n_buyer,
                      collection: r.n_collection,
                      tokenId: r.n_token_id,
                      paymentToken: r.n_payment_token,
                      paymentAmount: r.n_payment_amount,
                  }
                : null,
    }
}
