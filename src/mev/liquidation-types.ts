/** mev-inspect-py's `Liquidation` model, camelCased. Amounts are decimal strings, addresses lowercase. */

export type LiquidationProtocol = 'aave' | 'compound_v2' | 'cream' | 'ironbank'

export interface Liquidation {
    /** The borrower whose position was liquidated. */
    liquidatedUser: string
    /** msg.sender of the protocol's liquidation call (often the liquidator's contract). */
    liquidatorUser: string
    /** Token the debt was repaid in; ETH is 0xeeee…eeee. */
    debtTokenAddress: string
    /** Debt actually repaid (not the requested maximum). */
    debtPurchaseAmount: string
    /** Collateral the liquidator received: the underlying or aToken for Aave, the seized cToken for Compound and its forks. */
    receivedTokenAddress: string
    receivedAmount: string
    protocol: LiquidationProtocol
    transactionHash: string
    /** Trace address of the protocol call (the outermost one when a proxy forwards it). */
    traceAddress: number[]
    blockNumber: number
    /** Always null: a liquidation whose call or an ancestor failed is not reported. */
    error: string | null
    /**
     * Wei paid for the transaction's inclusion (gas fee + coinbase transfer), set by classifyBlock from
     * the receipts; null without a receipt (and from findLiquidations alone).
     */
    gasCost: string | null
    /**
     * receivedAmount - debtPurchaseAmount - gasCost, only when the debt and the collateral are both ETH/WETH
     * (the same token); null otherwise: collateral and debt in different tokens (and Compound's seized
     * cTokens) have no common unit without prices, and mev-inspect-py reports no liquidation profit at all.
     */
    netProfit: string | null
}
