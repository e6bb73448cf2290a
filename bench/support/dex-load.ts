/**
 * A chain of realistic DEX blocks for the index-analytics benchmark, on the simulator's Uniswap V2 deployment
 * (src/deploy/uniswap.ts: three pairs, SimRouter, two SearcherBot contracts) and its AMM maths (src/simulator/amm.ts).
 *
 * Each block, mined by hand (automine and interval mining off), holds in order of priority fee:
 * - one arbitrage of the arbitrage bot over the most profitable cycle, planned on the reserves the previous block
 *   left (it has the highest fee, so it runs on exactly those), when one pays;
 * - one sandwich (frontrun, victim, backrun) of the sandwich bot around a trader's swap, planned on the reserves
 *   after that arbitrage;
 * - `swapsPerBlock` organic swaps through the router, one per trader (random pair, direction and size), so that a
 *   trader's own swaps never look like a sandwich.
 * Transactions are signed here (ethers, local nonces) and sent as one JSON-RPC batch per block.
 */
import { Interface, Wallet, parseUnits } from 'ethers'
import { anvilKey } from '../../src/deploy/local-accounts'
import { loadArtifact } from '../../src/deploy/artifacts'
import { UNISWAP_TOKENS, UniswapDeployment, UniswapTokenSymbol, uniswapArtifact } from '../../src/deploy/uniswap'
import { SIM_ACCOUNTS } from '../../src/simulator/accounts'
import { Pool, applySwap, cyclesFrom, optimiseCycle, otherToken, planSandwich } from '../../src/simulator/amm'
import { Random } from '../../src/simulator/random'
import { BenchError, note } from './common'
import { rpcCall } from '../../src/stack/anvil'
import { rpcBatch } from './settlement-load'

export interface DexLoadPlan {
    blocks: number
    swapsPerBlock: number
    traders: number
    seconds: number
}

export interface DexLoadStats {
    firstBlock: number
    lastBlock: number
    transactions: number
    swaps: number
    arbitrages: number
    sandwiches: number
    /** failed transactions in the last block (the baseline counts them over the whole range) */
    revertedInLastBlock: number
    signMs: number
    mineMs: number
}

const GWEI = 10n ** 9n
/** First anvil account index of the benchmark's traders (after the simulator's accounts). */
const FIRST_TRADER = 200
const TOKEN_FAUCET: Record<UniswapTokenSymbol, string> = { WETH: '500', DAI: '1000000', USDC: '1000000' }

class Signer {
    nonce = 0
    constructor(readonly wallet: Wallet) {}
    async sign(to: string, data: string, tip: bigint, value = 0n, gasLimit = 300_000n): Promise<string> {
        return this.wallet.signTransaction({ to, data, value, nonce: this.nonce++, gasLimit, chainId: 31337, type: 2, maxPriorityFeePerGas: tip, maxFeePerGas: 100n * GWEI + tip })
    }
}

/** Mine `plan.blocks` DEX blocks on `rpcUrl` (anvil). Leaves automine on afterwards. */
export async function mineDexLoad(rpcUrl: string, u: UniswapDeployment, plan: DexLoadPlan, seed = 7): Promise<DexLoadStats> {
    if (plan.traders <= plan.swapsPerBlock) throw new BenchError(`the DEX load needs more traders (${plan.traders}) than swaps per block (${plan.swapsPerBlock})`)
    const rnd = new Random(seed)
    const erc20 = new Interface(loadArtifact('MockToken').abi)
    const router = new Interface(loadArtifact('SimRouter').abi)
    const bot = new Interface(loadArtifact('SearcherBot').abi)
    const pairIface = new Interface(uniswapArtifact('UniswapV2Pair').abi)
    const units = (s: UniswapTokenSymbol, whole: string) => parseUnits(whole, u.tokens[s].decimals)
    const symOf = new Map(UNISWAP_TOKENS.map((s) => [u.tokens[s].address.toLowerCase(), s]))
    const traders = Array.from({ length: plan.traders }, (_, i) => new Signer(new Wallet(anvilKey(FIRST_TRADER + i))))
    const sandwicher = new Signer(new Wallet(anvilKey(SIM_ACCOUNTS.sandwichSearcher)))
    const arber = new Signer(new Wallet(anvilKey(SIM_ACCOUNTS.arbSearcher)))
    const all = [...traders, sandwicher, arber]
    await Promise.all(all.map((s) => rpcCall(rpcUrl, 'anvil_setBalance', [s.wallet.address, '0x' + (10n ** 24n).toString(16)])))
    for (const s of all) s.nonce = Number(await rpcCall(rpcUrl, 'eth_getTransactionCount', [s.wallet.address, 'pending']))
    await rpcCall(rpcUrl, 'evm_setIntervalMining', [0])
    await rpcCall(rpcUrl, 'evm_setAutomine', [false])

    const send = async (raws: string[]): Promise<void> => {
        for (let i = 0; i < raws.length; i += 200) {
            const res = await rpcBatch(rpcUrl, raws.slice(i, i + 200).map((raw, k) => ({ jsonrpc: '2.0', id: k, method: 'eth_sendRawTransaction', params: [raw] })))
            const bad = res.find((r) => r.error)
            if (bad) throw new BenchError(`eth_sendRawTransaction: ${JSON.stringify(bad.error)}`)
        }
    }
    // setup: traders get every token and approve the router; the bots get inventory
    const setup: string[] = []
    for (const t of traders) {
        for (const s of UNISWAP_TOKENS) {
            const token = u.tokens[s].address
            setup.push(await t.sign(token, erc20.encodeFunctionData('faucet', [t.wallet.address, units(s, TOKEN_FAUCET[s])]), GWEI))
            setup.push(await t.sign(token, erc20.encodeFunctionData('approve', [u.router, 2n ** 255n]), GWEI))
        }
    }
    for (const [s, botAddr] of [
        [sandwicher, u.bots.sandwich.address],
        [arber, u.bots.arbitrage.address],
    ] as const) {
        for (const sym of UNISWAP_TOKENS) for (let k = 0; k < 4; k++) setup.push(await s.sign(u.tokens[sym].address, erc20.encodeFunctionData('faucet', [botAddr, units(sym, TOKEN_FAUCET[sym])]), GWEI))
    }
    await send(setup)
    await rpcCall(rpcUrl, 'evm_mine', [])

    const readPools = async (): Promise<Pool[]> => {
        const res = await rpcBatch(rpcUrl, u.pairs.map((p, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_call', params: [{ to: p.address, data: pairIface.encodeFunctionData('getReserves', []) }, 'latest'] })))
        return u.pairs.map((p, i) => {
            const [r0, r1] = pairIface.decodeFunctionResult('getReserves', res[i].result)
            return { address: p.address.toLowerCase(), name: p.name, token0: p.token0.toLowerCase(), token1: p.token1.toLowerCase(), reserve0: r0, reserve1: r1 }
        })
    }
    const ethUsd = (pools: Pool[]) => {
        const p = pools.find((x) => x.name === 'WETH/USDC')!
        const weth = u.tokens.WETH.address.toLowerCase()
        const [rw, ru] = p.token0 === weth ? [p.reserve0, p.reserve1] : [p.reserve1, p.reserve0]
        return Number(ru) / 1e6 / (Number(rw) / 1e18)
    }
    const amountFor = (token: string, usd: number, pools: Pool[]) => {
        const s = symOf.get(token)!
        return s === 'WETH' ? parseUnits((usd / ethUsd(pools)).toFixed(12), 18) : parseUnits(usd.toFixed(6), u.tokens[s].decimals)
    }

    const stats: DexLoadStats = { firstBlock: 0, lastBlock: 0, transactions: 0, swaps: 0, arbitrages: 0, sandwiches: 0, revertedInLastBlock: 0, signMs: 0, mineMs: 0 }
    const head = await rpcCall(rpcUrl, 'eth_getBlockByNumber', ['latest', false])
    let ts = Number(head.timestamp) + 12
    stats.firstBlock = Number(head.number) + 1
    const step = Math.max(1, Math.floor(plan.seconds / plan.blocks))
    const t0 = performance.now()
    for (let b = 0; b < plan.blocks; b++) {
        const ts0 = performance.now()
        let pools = await readPools()
        const raws: string[] = []
        // 1. arbitrage on the reserves the previous block left (highest fee: first in the block)
        const usdOf = (token: string, amount: bigint) => {
            const sym = symOf.get(token)!
            const n = Number(amount) / 10 ** u.tokens[sym].decimals
            return sym === 'WETH' ? n * ethUsd(pools) : n
        }
        let best: ReturnType<typeof optimiseCycle>
        let bestUsd = 5
        for (const s of UNISWAP_TOKENS) {
            const start = u.tokens[s].address.toLowerCase()
            for (const c of cyclesFrom(pools, start)) {
                const p = optimiseCycle(c, amountFor(start, 1_000_000, pools))
                if (p && usdOf(start, p.profit) > bestUsd) [best, bestUsd] = [p, usdOf(start, p.profit)]
            }
        }
        if (best) {
            const data = bot.encodeFunctionData('arbitrage', [best.cycle.pools.map((p) => p.address), best.cycle.tokens[0], best.amountIn, 0n])
            raws.push(await arber.sign(u.bots.arbitrage.address, data, 40n * GWEI, 0n, 700_000n))
            let tokenIn = best.cycle.tokens[0]
            let amount = best.amountIn
            for (const p of best.cycle.pools) {
                const r = applySwap(p, tokenIn, amount)
                pools = pools.map((x) => (x.address === p.address ? r.pool : x))
                tokenIn = otherToken(p, tokenIn)
                amount = r.out
            }
            stats.arbitrages++
        }
        // 2. a sandwich around a large trader swap
        const pool = rnd.pick(pools)
        const victimIn = rnd.chance(0.5) ? pool.token0 : pool.token1
        const victimAmount = amountFor(victimIn, 20_000 + 60_000 * rnd.next(), pools)
        const sw = planSandwich(pool, victimIn, victimAmount, 0n, amountFor(victimIn, 400_000, pools))
        if (sw) {
            // the victims are not among this block's organic traders (one swap per trader and block)
            const victim = traders[plan.swapsPerBlock + (b % (traders.length - plan.swapsPerBlock))]
            raws.push(await sandwicher.sign(u.bots.sandwich.address, bot.encodeFunctionData('swapExactIn', [pool.address, victimIn, sw.frontIn, 0n]), 30n * GWEI))
            raws.push(await victim.sign(u.router, router.encodeFunctionData('swapExactIn', [pool.address, victimIn, victimAmount, 0n, victim.wallet.address]), 20n * GWEI))
            raws.push(await sandwicher.sign(u.bots.sandwich.address, bot.encodeFunctionData('swapExactIn', [pool.address, otherToken(pool, victimIn), sw.frontOut, 0n]), 10n * GWEI))
            stats.sandwiches++
            stats.swaps++
        }
        // 3. organic swaps (lower fees: after the above)
        for (let k = 0; k < plan.swapsPerBlock; k++) {
            const t = traders[k]
            const p = rnd.pick(pools)
            const tokenIn = rnd.chance(0.5) ? p.token0 : p.token1
            const usd = Math.exp(Math.log(50) + rnd.next() * (Math.log(15_000) - Math.log(50)))
            raws.push(await t.sign(u.router, router.encodeFunctionData('swapExactIn', [p.address, tokenIn, amountFor(tokenIn, usd, pools), 0n, t.wallet.address]), BigInt(rnd.int(1, 9)) * GWEI))
            stats.swaps++
        }
        stats.signMs += performance.now() - ts0
        await send(raws)
        await rpcCall(rpcUrl, 'evm_setNextBlockTimestamp', [ts])
        await rpcCall(rpcUrl, 'evm_mine', [])
        ts += step
        const mined = await rpcCall(rpcUrl, 'eth_getBlockByNumber', ['latest', false])
        if (mined.transactions.length !== raws.length) throw new BenchError(`DEX block ${Number(mined.number)}: ${mined.transactions.length} transactions mined of ${raws.length} sent`)
        stats.transactions += raws.length
        stats.lastBlock = Number(mined.number)
        if ((b + 1) % 50 === 0) note('dex', `mined ${b + 1}/${plan.blocks} DEX blocks (${stats.transactions} transactions)`)
    }
    stats.mineMs = performance.now() - t0
    // failed transactions are part of a real chain too, but a bench chain where most fail would measure nothing
    const receipts = await rpcCall(rpcUrl, 'eth_getBlockReceipts', ['0x' + stats.lastBlock.toString(16)])
    stats.revertedInLastBlock = (receipts as any[]).filter((r) => r.status !== '0x1').length
    await rpcCall(rpcUrl, 'evm_setAutomine', [true])
    return stats
}
