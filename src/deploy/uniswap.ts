/**
 * Uniswap V2 on the local chain, for the validator/MEV simulation: the factory exactly as published in the
 * `@uniswap/v2-core` npm package (pairs come from `factory.createPair`, so no periphery and no init-code hash is
 * needed), two MockTokens (WETH-like "Wrapped Ether" and "Dai", 18 decimals) next to the deployment's MockUSDC,
 * three pairs seeded at slightly inconsistent prices (so there is an arbitrage from the first block), the
 * simulator's router and two searcher bots.
 *
 * Deployed once per chain; the addresses go to `<deployments file>.uniswap.json` (next to the protocol's
 * deployments file: contracts/deployments/31337.uniswap.json by default) and are re-checked for code at every start.
 */
import * as fs from 'fs'
import * as path from 'path'
import { Contract, Interface, JsonRpcProvider, Wallet, parseUnits } from 'ethers'
import { deploymentsFileOverride } from '../config'
import { SIM_ACCOUNTS, fundAccounts, simAddress } from '../simulator/accounts'
import { loadArtifact } from './artifacts'
import { TxBatch } from './tx-batch'
import { Deployment, deploymentsFile } from './deployments'
import { anvilKey } from './local-accounts'

export const UNISWAP_TOKENS = ['WETH', 'DAI', 'USDC'] as const
export type UniswapTokenSymbol = (typeof UNISWAP_TOKENS)[number]

export interface UniswapToken {
    address: string
    symbol: UniswapTokenSymbol
    name: string
    decimals: number
}

export interface UniswapPair {
    /** e.g. "WETH/USDC" */
    name: string
    address: string
    token0: string
    token1: string
}

export interface UniswapBot {
    /** the SearcherBot contract: recipient of its swaps, payer of its coinbase tips */
    address: string
    /** the searcher account that sends its transactions */
    owner: string
}

export interface UniswapDeployment {
    chainId: number
    startBlock: number
    startBlockHash: string
    deployedAt: string
    /** startBlockHash of the protocol deployment whose MockUSDC the pairs use */
    protocolStartBlockHash: string
    deployer: string
    factory: string
    /** SimRouter: how the simulated traders swap */
    router: string
    tokens: Record<UniswapTokenSymbol, UniswapToken>
    pairs: UniswapPair[]
    bots: { sandwich: UniswapBot; arbitrage: UniswapBot }
}

/** Seed liquidity, in whole tokens. WETH trades at 3,000 USDC but 3,060 DAI, and DAI at 0.995 USDC. */
const SEED: { a: UniswapTokenSymbol; b: UniswapTokenSymbol; amountA: string; amountB: string }[] = [
    { a: 'WETH', b: 'USDC', amountA: '1000', amountB: '3000000' },
    { a: 'WETH', b: 'DAI', amountA: '800', amountB: '2448000' },
    { a: 'DAI', b: 'USDC', amountA: '3000000', amountB: '2985000' },
]

/** One MockUSDC faucet call mints at most this much (MockUSDC.FAUCET_LIMIT). */
const USDC_FAUCET_LIMIT = 1_000_000n * 10n ** 6n

export function uniswapFile(chainId: number, override = deploymentsFileOverride()): string {
    const base = deploymentsFile(chainId, override)
    return path.join(path.dirname(base), `${path.basename(base).replace(/\.json$/, '')}.uniswap.json`)
}

export function readUniswap(file: string): UniswapDeployment | undefined {
    if (!fs.existsSync(file)) return undefined
    try {
        const u = JSON.parse(fs.readFileSync(file, 'utf8')) as UniswapDeployment
        if (!u || typeof u !== 'object' || !u.factory || !u.tokens || !Array.isArray(u.pairs) || !u.bots) return undefined
        return u
    } catch {
        return undefined
    }
}

export function writeUniswap(u: UniswapDeployment, file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, JSON.stringify(u, null, 2) + '\n')
    return file
}

/** The published artifact of a v2-core contract: ABI and creation bytecode, untouched. */
export function uniswapArtifact(name: 'UniswapV2Factory' | 'UniswapV2Pair'): { abi: any[]; bytecode: string } {
    const json = require(`@uniswap/v2-core/build/${name}.json`)
    const bytecode: string = json.bytecode.startsWith('0x') ? json.bytecode : `0x${json.bytecode}`
    return { abi: json.abi, bytecode }
}

/** Whether `u` is on the chain behind `rpcUrl` and belongs to `deployment`: same block hash, code everywhere. */
export async function isUniswapLive(rpcUrl: string, u: UniswapDeployment, deployment: Deployment): Promise<boolean> {
    if (u.chainId !== deployment.chainId || u.protocolStartBlockHash !== deployment.startBlockHash) return false
    if (u.tokens.USDC?.address?.toLowerCase() !== deployment.contracts.MockUSDC.toLowerCase()) return false
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true })
    try {
        const block = await provider.getBlock(u.startBlock)
        if (!block || block.hash !== u.startBlockHash) return false
        const addresses = [u.factory, u.router, ...Object.values(u.tokens).map((t) => t.address), ...u.pairs.map((p) => p.address), u.bots.sandwich.address, u.bots.arbitrage.address]
        const codes = await Promise.all(addresses.map((a) => provider.getCode(a)))
        return codes.every((c) => c !== '0x')
    } finally {
        provider.destroy()
    }
}

export interface EnsureUniswapOptions {
    file?: string
    log?: (msg: string) => void
}

/** Deploy Uniswap V2 and the simulator's helpers unless the chain already has them (local anvil chain only). */
export async function ensureUniswap(
    rpcUrl: string,
    deployment: Deployment,
    opts: EnsureUniswapOptions = {},
): Promise<{ uniswap: UniswapDeployment; fresh: boolean; file: string }> {
    const file = opts.file ?? uniswapFile(deployment.chainId)
    const existing = readUniswap(file)
    if (existing && (await isUniswapLive(rpcUrl, existing, deployment))) return { uniswap: existing, fresh: false, file }
    const uniswap = await deployUniswap(rpcUrl, deployment, opts.log)
    return { uniswap, fresh: true, file: writeUniswap(uniswap, file) }
}

const DEPLOY_GAS = 6_000_000n
const PAIR_GAS = 4_000_000n
const CALL_GAS = 300_000n

export async function deployUniswap(rpcUrl: string, deployment: Deployment, log: (msg: string) => void = () => {}): Promise<UniswapDeployment> {
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 })
    try {
        const wallet = new Wallet(anvilKey(SIM_ACCOUNTS.uniswapDeployer), provider)
        const deployer = wallet.address.toLowerCase()
        await fundAccounts(provider, [deployer, simAddress(SIM_ACCOUNTS.sandwichSearcher), simAddress(SIM_ACCOUNTS.arbSearcher)])
        const txs = await TxBatch.open(wallet, provider)
        const chainId = txs.chainId
        const create = async (name: string, abi: any[], bytecode: string, args: unknown[], gas = DEPLOY_GAS) =>
            (await txs.create(`deploy ${name}`, abi, bytecode, args, gas)).toLowerCase()
        const call = (step: string, to: string, iface: Interface, fn: string, args: unknown[], gas = CALL_GAS) =>
            txs.send(step, to, iface.encodeFunctionData(fn, args), gas)
        const settle = () => txs.settle('uniswap deployment')

        log(`deploying Uniswap V2 (published @uniswap/v2-core bytecode) from ${deployer}`)
        const factoryArt = uniswapArtifact('UniswapV2Factory')
        const mockToken = loadArtifact('MockToken')
        const factory = await create('UniswapV2Factory', factoryArt.abi, factoryArt.bytecode, [deployer])
        const weth = await create('MockToken WETH', mockToken.abi, mockToken.bytecode, ['Wrapped Ether', 'WETH', 18])
        const dai = await create('MockToken DAI', mockToken.abi, mockToken.bytecode, ['Dai', 'DAI', 18])
        const router = await create('SimRouter', loadArtifact('SimRouter').abi, loadArtifact('SimRouter').bytecode, [])
        const bot = loadArtifact('SearcherBot')
        const sandwichOwner = simAddress(SIM_ACCOUNTS.sandwichSearcher)
        const arbOwner = simAddress(SIM_ACCOUNTS.arbSearcher)
        const sandwichBot = await create('SearcherBot (sandwich)', bot.abi, bot.bytecode, [sandwichOwner], 2_000_000n)
        const arbBot = await create('SearcherBot (arbitrage)', bot.abi, bot.bytecode, [arbOwner], 2_000_000n)

        const tokens: Record<UniswapTokenSymbol, UniswapToken> = {
            WETH: { address: weth, symbol: 'WETH', name: 'Wrapped Ether', decimals: 18 },
            DAI: { address: dai, symbol: 'DAI', name: 'Dai', decimals: 18 },
            USDC: { address: deployment.contracts.MockUSDC.toLowerCase(), symbol: 'USDC', name: 'Mock USD Coin', decimals: 6 },
        }
        const factoryIface = new Interface(factoryArt.abi)
        for (const s of SEED) await call(`createPair ${s.a}/${s.b}`, factory, factoryIface, 'createPair', [tokens[s.a].address, tokens[s.b].address], PAIR_GAS)

        // Liquidity for the deployer to add, minted from the tokens' faucets.
        const need: Record<UniswapTokenSymbol, bigint> = { WETH: 0n, DAI: 0n, USDC: 0n }
        for (const s of SEED) {
            need[s.a] += parseUnits(s.amountA, tokens[s.a].decimals)
            need[s.b] += parseUnits(s.amountB, tokens[s.b].decimals)
        }
        const tokenIface = new Interface(mockToken.abi)
        for (const sym of UNISWAP_TOKENS) {
            for (let left = need[sym]; left > 0n; ) {
                const amount = sym === 'USDC' && left > USDC_FAUCET_LIMIT ? USDC_FAUCET_LIMIT : left
                await call(`faucet ${sym}`, tokens[sym].address, tokenIface, 'faucet', [deployer, amount])
                left -= amount
            }
        }
        const first = await settle()

        const f = new Contract(factory, factoryArt.abi, provider)
        const pairs: UniswapPair[] = []
        for (const s of SEED) {
            const address = String(await f.getPair(tokens[s.a].address, tokens[s.b].address)).toLowerCase()
            const [token0, token1] = [tokens[s.a].address, tokens[s.b].address].sort()
            pairs.push({ name: `${s.a}/${s.b}`, address, token0, token1 })
        }
        const pairIface = new Interface(uniswapArtifact('UniswapV2Pair').abi)
        for (const [i, s] of SEED.entries()) {
            const p = pairs[i]
            await call(`seed ${p.name}: ${s.a}`, tokens[s.a].address, tokenIface, 'transfer', [p.address, parseUnits(s.amountA, tokens[s.a].decimals)])
            await call(`seed ${p.name}: ${s.b}`, tokens[s.b].address, tokenIface, 'transfer', [p.address, parseUnits(s.amountB, tokens[s.b].decimals)])
            await call(`seed ${p.name}: mint`, p.address, pairIface, 'mint', [deployer])
        }
        const second = await settle()

        const startBlock = Math.min(...first.map((r) => r.blockNumber))
        const u: UniswapDeployment = {
            chainId,
            startBlock,
            startBlockHash: (await provider.getBlock(startBlock))!.hash!,
            deployedAt: new Date().toISOString(),
            protocolStartBlockHash: deployment.startBlockHash,
            deployer,
            factory,
            router,
            tokens,
            pairs,
            bots: { sandwich: { address: sandwichBot, owner: sandwichOwner }, arbitrage: { address: arbBot, owner: arbOwner } },
        }
        const last = Math.max(...second.map((r) => r.blockNumber))
        log(`Uniswap V2 factory ${factory}, pairs ${pairs.map((p) => `${p.name} ${p.address}`).join(', ')}; blocks ${startBlock}..${last}`)
        return u
    } finally {
        provider.destroy()
    }
}
