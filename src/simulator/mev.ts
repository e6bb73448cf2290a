import { Contract, JsonRpcProvider, MaxUint256 } from 'ethers'
import { loadArtifact } from '../deploy/artifacts'
import { UNISWAP_TOKENS, UniswapDeployment, UniswapTokenSymbol, uniswapArtifact } from '../deploy/uniswap'
import { anvilKey } from '../deploy/local-accounts'
import { SIM_ACCOUNTS, fundAccounts } from './accounts'
import { Actor } from './actor'
import { DexPrices, fmtEth, GWEI } from './dex-prices'
import { ArbitragePlan, Pool, SandwichPlan, cyclesFrom, optimiseCycle, otherToken, planSandwich, quote } from './amm'
import { Random } from './random'
import { TickLoop } from './tick-loop'
import type { MevSimOptions, MevStats } from './mev-options'

/** What one faucet call hands out per token (MockUSDC allows at most 1M per call). */
const FAUCET: Record<UniswapTokenSymbol, string> = { WETH: '500', DAI: '1000000', USDC: '1000000' }
/** Bot inventory is topped up below this much of a token. */
const BOT_LOW: Record<UniswapTokenSymbol, string> = { WETH: '150', DAI: '400000', USDC: '400000' }

/**
 * DEX activity on the local Uniswap V2 pairs: traders swap through the SimRouter (the organic flow), an arbitrage
 * bot closes price gaps between the three pairs with one-transaction cycles, and a sandwich bot wraps some of the
 * traders' swaps (frontrun, victim, backrun in one block, in that order). Both bots pay priority fees and tip the
 * block's coinbase in ETH from inside their contract, so the proposer of each block earns MEV.
 */
export class MevActivity {
    readonly stats: MevStats = { ticks: 0, swaps: 0, arbitrages: 0, sandwiches: 0, brokenSandwiches: 0, coinbaseTips: 0n, failures: 0 }
    readonly traders: Actor[] = []
    readonly sandwichSearcher: Actor
    readonly arbSearcher: Actor
    private readonly provider: JsonRpcProvider
    private readonly rnd: Random
    private readonly log: (msg: string) => void
    private readonly u: UniswapDeployment
    private readonly prices: DexPrices
    private readonly token: Record<UniswapTokenSymbol, Contract>
    private readonly router: Contract
    private readonly sandwichBot: Contract
    private readonly arbBot: Contract
    private readonly pairs: Contract[]
    private readonly loop = new TickLoop()

    constructor(private readonly opts: MevSimOptions) {
        this.provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 200, batchMaxCount: 1 })
        this.rnd = new Random((opts.seed ?? 42) ^ 0x3e7)
        this.log = opts.log ?? (() => {})
        this.u = opts.uniswap
        const n = Math.min(opts.traders ?? SIM_ACCOUNTS.maxTraders, SIM_ACCOUNTS.maxTraders)
        for (let i = 0; i < n; i++) this.traders.push(new Actor(anvilKey(SIM_ACCOUNTS.firstTrader + i), this.provider, `trader#${i}`))
        this.sandwichSearcher = new Actor(anvilKey(SIM_ACCOUNTS.sandwichSearcher), this.provider, 'sandwich searcher')
        this.arbSearcher = new Actor(anvilKey(SIM_ACCOUNTS.arbSearcher), this.provider, 'arbitrage searcher')
        this.prices = new DexPrices(this.u)
        const erc20 = loadArtifact('MockToken').abi
        this.token = Object.fromEntries(UNISWAP_TOKENS.map((s) => [s, new Contract(this.u.tokens[s].address, erc20, this.provider)])) as Record<UniswapTokenSymbol, Contract>
        this.router = new Contract(this.u.router, loadArtifact('SimRouter').abi, this.provider)
        const bot = loadArtifact('SearcherBot').abi
        this.sandwichBot = new Contract(this.u.bots.sandwich.address, bot, this.provider)
        this.arbBot = new Contract(this.u.bots.arbitrage.address, bot, this.provider)
        const pairAbi = uniswapArtifact('UniswapV2Pair').abi
        this.pairs = this.u.pairs.map((p) => new Contract(p.address, pairAbi, this.provider))
    }

    /** Fund traders and searchers, approve the router, stock the bots (idempotent). */
    async setup(): Promise<void> {
        await fundAccounts(this.provider, [...this.traders.map((t) => t.address), this.sandwichSearcher.address, this.arbSearcher.address])
        await Promise.all([
            ...this.traders.map(async (t) => {
                for (const s of UNISWAP_TOKENS) {
                    if ((await this.token[s].balanceOf(t.address)) < this.prices.units(s, FAUCET[s]) / 4n) await this.faucet(t, s, t.address)
                    if ((await this.token[s].allowance(t.address, this.u.router)) < MaxUint256 / 2n) {
                        await t.run(`approve ${s}`, (w) => (this.token[s].connect(w) as Contract).approve(this.u.router, MaxUint256))
                    }
                }
            }),
            this.restock(),
        ])
        const pools = await this.readPools()
        this.log(
            `DEX ready: ${this.traders.length} traders, sandwich bot ${this.u.bots.sandwich.address}, arbitrage bot ${this.u.bots.arbitrage.address}; ` +
                pools.map((p) => `${p.name} at ${this.prices.priceLine(p)}`).join(', '),
        )
    }

    start(tickMs = 2000): void {
        this.loop.start(tickMs, () => this.round())
    }

    async stop(): Promise<void> {
        await this.loop.stop()
        this.provider.destroy()
    }

    /** One round: maybe an arbitrage, maybe an organic swap (sandwiched or not), then restock the bots. */
    tick(): Promise<void> {
        return this.loop.run(() => this.round())
    }

    private async round(): Promise<void> {
        this.stats.ticks++
        if (this.rnd.chance(this.opts.arbitrageChance ?? 0.8)) await this.arbitrage().catch((e) => this.fail(e))
        if (this.rnd.chance(this.opts.swapChance ?? 0.8)) await this.organicSwap().catch((e) => this.fail(e))
        await this.restock().catch((e) => this.fail(e))
    }

    private fail(e: any) {
        this.stats.failures++
        this.log(`action failed: ${e?.message ?? e}`)
    }

    // ------------------------------------------------------------------ arbitrage

    private async arbitrage(): Promise<void> {
        if (this.arbSearcher.busy) return
        const pools = await this.readPools()
        const found: { plan: ArbitragePlan; usd: number }[] = []
        for (const sym of UNISWAP_TOKENS) {
            const start = this.u.tokens[sym].address
            const cap = (await this.token[sym].balanceOf(this.u.bots.arbitrage.address)) as bigint
            for (const cycle of cyclesFrom(pools, start)) {
                const plan = optimiseCycle(cycle, cap)
                if (plan) found.push({ plan, usd: this.prices.usd(start, plan.profit, pools) })
            }
        }
        const bestUsd = Math.max(0, ...found.map((f) => f.usd))
        if (bestUsd < (this.opts.minArbitrageUsd ?? 25)) return
        // the same cycle pays about as much from any of its tokens: start from one of the near-best at random
        const { plan, usd } = this.rnd.pick(found.filter((f) => f.usd >= bestUsd * 0.8))
        const start = plan.cycle.tokens[0]
        const tip = this.prices.tipWei(usd * (0.3 + 0.4 * this.rnd.next()), pools)
        const fees = await this.fees(BigInt(this.rnd.int(2, 5)) * GWEI)
        const ok = await this.arbSearcher.run('arbitrage', (w) =>
            (this.arbBot.connect(w) as Contract).arbitrage(
                plan.cycle.pools.map((p) => p.address),
                start,
                plan.amountIn,
                plan.profit / 2n,
                { value: tip, gasLimit: 700_000n, ...fees },
            ),
        )
        if (!ok) return
        this.stats.arbitrages++
        this.stats.coinbaseTips += tip
        const route = plan.cycle.tokens.map((t) => this.prices.sym(t)).join(' → ')
        this.log(
            `arbitrage ${route}: ${this.prices.fmt(start, plan.amountIn)} in, +${this.prices.fmt(start, plan.profit)} ($${usd.toFixed(0)}), coinbase tip ${fmtEth(tip)} ETH`,
        )
    }

    // ------------------------------------------------------------------ organic swaps and sandwiches

    private async organicSwap(): Promise<void> {
        const idle = this.traders.filter((t) => !t.busy)
        if (idle.length === 0) return
        const trader = this.rnd.pick(idle)
        const pools = await this.readPools()
        const pool = this.rnd.pick(pools)
        const tokenIn = this.rnd.chance(0.5) ? pool.token0 : pool.token1
        const sym = this.prices.sym(tokenIn)
        const [minUsd, maxUsd] = this.opts.swapUsd ?? [300, 80_000]
        const usd = Math.exp(Math.log(minUsd) + this.rnd.next() * (Math.log(maxUsd) - Math.log(minUsd)))
        const amountIn = this.prices.fromUsd(tokenIn, usd, pools)
        if (amountIn <= 0n) return
        if ((await this.token[sym].balanceOf(trader.address)) < amountIn) {
            await this.faucet(trader, sym, trader.address)
            return
        }
        const slippageBps = BigInt(this.rnd.int(50, 500))
        const expected = quote(pool, tokenIn, amountIn)
        const minOut = (expected * (10_000n - slippageBps)) / 10_000n
        const tokenOut = otherToken(pool, tokenIn)

        if (this.opts.rotation?.canMineNow && !this.sandwichSearcher.busy) {
            const cap = (await this.token[sym].balanceOf(this.u.bots.sandwich.address)) as bigint
            const plan = planSandwich(pool, tokenIn, amountIn, minOut, cap)
            if (plan && this.prices.usd(tokenIn, plan.profit, pools) >= (this.opts.minSandwichUsd ?? 10) && this.rnd.chance(this.opts.sandwichChance ?? 0.35)) {
                await this.sandwich(trader, pool, tokenIn, amountIn, minOut, Number(slippageBps), plan, pools)
                return
            }
        }
        const fees = await this.fees(BigInt(this.rnd.int(1, 3)) * GWEI)
        const ok = await trader.run('swap', (w) =>
            (this.router.connect(w) as Contract).swapExactIn(pool.address, tokenIn, amountIn, minOut, trader.address, { gasLimit: 250_000n, ...fees }),
        )
        if (ok) {
            this.stats.swaps++
            this.log(`swap: ${trader.label} sold ${this.prices.fmt(tokenIn, amountIn)} for ~${this.prices.fmt(tokenOut, expected)} on ${pool.name}`)
        }
    }

    /**
     * Frontrun, victim, backrun in one block: mining pauses, the three transactions enter the pool with decreasing
     * priority fees (anvil orders a block by fee; the backrun also follows the frontrun by nonce), one block is mined.
     */
    private async sandwich(trader: Actor, pool: Pool, tokenIn: string, amountIn: bigint, minOut: bigint, slippageBps: number, plan: SandwichPlan, pools: Pool[]): Promise<void> {
        // a queued transaction of the victim or the searcher could not be mined while mining is paused
        if (trader.busy || this.sandwichSearcher.busy) return
        const tokenOut = otherToken(pool, tokenIn)
        const profitUsd = this.prices.usd(tokenIn, plan.profit, pools)
        const tip = this.prices.tipWei(profitUsd * (0.4 + 0.4 * this.rnd.next()), pools)
        const wallet = this.sandwichSearcher.wallet
        const bot = this.sandwichBot.connect(wallet) as Contract
        const { result: hashes, block } = await this.opts.rotation!.mineNow(async () => {
            const front = await this.fees(BigInt(this.rnd.int(8, 15)) * GWEI)
            const victim = await this.fees(BigInt(this.rnd.int(3, 6)) * GWEI)
            const back = await this.fees(GWEI)
            const nonce = await this.provider.getTransactionCount(wallet.address, 'pending')
            const f = await bot.swapExactIn(pool.address, tokenIn, plan.frontIn, (plan.frontOut * 99n) / 100n, { nonce, gasLimit: 250_000n, ...front })
            const v = await trader.submit('swap (sandwiched)', (w) =>
                (this.router.connect(w) as Contract).swapExactIn(pool.address, tokenIn, amountIn, minOut, trader.address, { gasLimit: 250_000n, ...victim }),
            )
            const b = await bot.swapExactIn(pool.address, tokenOut, plan.frontOut, (plan.backOut * 99n) / 100n, { nonce: nonce + 1, value: tip, gasLimit: 250_000n, ...back })
            return { front: f.hash as string, victim: v.hash, back: b.hash as string, victimMined: v.mined }
        })
        await hashes.victimMined.catch(() => false)
        const receipts = await Promise.all([hashes.front, hashes.victim, hashes.back].map((h) => this.provider.waitForTransaction(h, 1, 30_000)))
        const [fr, vr, br] = receipts
        const inOrder =
            receipts.every((r) => r && r.status === 1 && r.blockNumber === block) && fr!.index < vr!.index && vr!.index < br!.index
        if (!inOrder) {
            this.stats.brokenSandwiches++
            const where = receipts.map((r) => (r ? `${r.blockNumber}:${r.index}${r.status === 1 ? '' : ' reverted'}` : 'missing')).join(', ')
            this.log(`sandwich on ${pool.name} did not land as planned (block:index of frontrun, victim, backrun: ${where})`)
            return
        }
        this.stats.sandwiches++
        this.stats.swaps++
        this.stats.coinbaseTips += tip
        this.log(
            `sandwich in block ${block} on ${pool.name}: frontrun ${this.prices.fmt(tokenIn, plan.frontIn)}, ${trader.label} swapped ${this.prices.fmt(tokenIn, amountIn)} ` +
                `(${slippageBps / 100}% slippage allowed), backrun → +${this.prices.fmt(tokenIn, plan.profit)} ($${profitUsd.toFixed(0)}), coinbase tip ${fmtEth(tip)} ETH`,
        )
    }

    // ------------------------------------------------------------------ chain reads and funding

    async readPools(): Promise<Pool[]> {
        return Promise.all(
            this.u.pairs.map(async (p, i) => {
                const [r0, r1] = await this.pairs[i].getReserves()
                return { address: p.address.toLowerCase(), name: p.name, token0: p.token0.toLowerCase(), token1: p.token1.toLowerCase(), reserve0: r0, reserve1: r1 }
            }),
        )
    }

    /** Keep the bots' token inventory stocked from the faucets. */
    private async restock(): Promise<void> {
        const jobs: Promise<unknown>[] = []
        for (const [actor, bot] of [
            [this.sandwichSearcher, this.u.bots.sandwich.address],
            [this.arbSearcher, this.u.bots.arbitrage.address],
        ] as const) {
            if (actor.busy) continue
            for (const s of UNISWAP_TOKENS) {
                const bal = (await this.token[s].balanceOf(bot)) as bigint
                if (bal < this.prices.units(s, BOT_LOW[s])) jobs.push(this.faucet(actor, s, bot))
            }
        }
        await Promise.all(jobs)
    }

    private faucet(actor: Actor, s: UniswapTokenSymbol, to: string): Promise<boolean> {
        return actor.run(`faucet ${s}`, (w) => (this.token[s].connect(w) as Contract).faucet(to, this.prices.units(s, FAUCET[s])))
    }

    private async fees(tip: bigint): Promise<{ maxPriorityFeePerGas: bigint; maxFeePerGas: bigint }> {
        const block = await this.provider.getBlock('latest')
        const base = block?.baseFeePerGas ?? GWEI
        return { maxPriorityFeePerGas: tip, maxFeePerGas: base * 2n + tip }
    }

}
