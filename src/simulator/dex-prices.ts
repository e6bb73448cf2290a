/**
 * Amounts on the simulated DEX in the units people read: token symbols and decimals, USD values at the WETH/USDC
 * pair's price (for the bots' thresholds and tips), and log formatting.
 */
import { formatEther, formatUnits, parseUnits } from 'ethers'
import type { UniswapDeployment, UniswapToken, UniswapTokenSymbol } from '../deploy/uniswap'
import type { Pool } from './amm'

export const GWEI = 10n ** 9n

export class DexPrices {
    private readonly tokens: Map<string, UniswapToken>

    constructor(private readonly u: UniswapDeployment) {
        this.tokens = new Map(Object.values(u.tokens).map((t) => [t.address.toLowerCase(), t]))
    }

    units(s: UniswapTokenSymbol, whole: string): bigint {
        return parseUnits(whole, this.u.tokens[s].decimals)
    }

    sym(token: string): UniswapTokenSymbol {
        return this.tokens.get(token.toLowerCase())!.symbol
    }

    fmt(token: string, amount: bigint): string {
        const t = this.tokens.get(token.toLowerCase())!
        const n = Number(formatUnits(amount, t.decimals))
        return `${n.toLocaleString('en-US', { maximumFractionDigits: t.symbol === 'WETH' ? 4 : 2 })} ${t.symbol}`
    }

    /** USDC per WETH on the WETH/USDC pair. */
    ethPrice(pools: Pool[]): number {
        const weth = this.u.tokens.WETH.address.toLowerCase()
        const usdc = this.u.tokens.USDC.address.toLowerCase()
        const p = pools.find((x) => (x.token0 === weth && x.token1 === usdc) || (x.token0 === usdc && x.token1 === weth))
        if (!p) return 3000
        const [rw, ru] = p.token0 === weth ? [p.reserve0, p.reserve1] : [p.reserve1, p.reserve0]
        return Number(formatUnits(ru, 6)) / Number(formatUnits(rw, 18))
    }

    usd(token: string, amount: bigint, pools: Pool[]): number {
        const t = this.tokens.get(token.toLowerCase())!
        const n = Number(formatUnits(amount, t.decimals))
        return t.symbol === 'WETH' ? n * this.ethPrice(pools) : n
    }

    fromUsd(token: string, usd: number, pools: Pool[]): bigint {
        const t = this.tokens.get(token.toLowerCase())!
        const n = t.symbol === 'WETH' ? usd / this.ethPrice(pools) : usd
        return parseUnits(n.toFixed(t.decimals === 6 ? 6 : 12), t.decimals)
    }

    /** An amount of USD as wei at the pair's ETH price. */
    tipWei(usd: number, pools: Pool[]): bigint {
        const eth = usd / this.ethPrice(pools)
        return eth > 0 ? parseUnits(eth.toFixed(12), 18) : 0n
    }

    priceLine(p: Pool): string {
        const a = this.tokens.get(p.token0)!
        const b = this.tokens.get(p.token1)!
        const price = Number(formatUnits(p.reserve1, b.decimals)) / Number(formatUnits(p.reserve0, a.decimals))
        const [base, quoteSym, px] = price >= 1 ? [a.symbol, b.symbol, price] : [b.symbol, a.symbol, 1 / price]
        return `1 ${base} = ${px.toFixed(px < 10 ? 4 : 2)} ${quoteSym}`
    }
}

export function fmtEth(wei: bigint): string {
    return Number(formatEther(wei)).toFixed(4)
}
