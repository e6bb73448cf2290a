/**
 * The validator/MEV simulation on a real anvil: Uniswap V2 from the published v2-core bytecode, validators and
 * delegations, the proposer rotation and the searchers. The blocks it produces are fed to the indexer's classifier
 * (trace_block → classifyBlock): it must find the arbitrage bot's cycles, the sandwich bot's sandwiches and their
 * coinbase tips, and the blocks' miners must follow the stake-weighted schedule except for the deliberate misses.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Contract, JsonRpcProvider } from 'ethers'
import { contract } from '../../src/contracts'
import { deployAll } from '../../src/deploy/deploy'
import { Deployment, writeDeployment } from '../../src/deploy/deployments'
import { localDeployOptions } from '../../src/deploy/local-options'
import { UniswapDeployment, ensureUniswap, uniswapArtifact, uniswapFile } from '../../src/deploy/uniswap'
import { BlockClassification, classifyBlock, normalizeTrace } from '../../src/mev'
import { MevActivity } from '../../src/simulator/mev'
import { ProposerRotation } from '../../src/simulator/proposers'
import { ValidatorActivity } from '../../src/simulator/validators'
import { Anvil, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { freePort, sleep } from '../../src/stack/util'
import { StakeEntry, epochOf, epochStart, scheduledProposer } from '../../src/validators/schedule'

jest.setTimeout(180_000)

const EPOCH_BLOCKS = 8
const MIN_BLOCKS = 36
const verbose = !!process.env.SIM_TEST_LOGS
const logs: string[] = []
const log = (m: string) => {
    logs.push(m)
    if (verbose) process.stdout.write(`[sim] ${m}\n`)
}

let tmp: string
let anvil: Anvil
let provider: JsonRpcProvider
let deployment: Deployment
let uniswap: UniswapDeployment
const savedEnv = process.env.DEPLOYMENTS_FILE

beforeAll(async () => {
    setLogSink(verbose ? null : () => {})
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-mev-'))
    process.env.DEPLOYMENTS_FILE = path.join(tmp, '31337.json')
    anvil = await startAnvil({ port: await freePort(), blockTime: 1, accounts: 60 })
    provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true })
    deployment = await deployAll(localDeployOptions(anvil.url))
    writeDeployment(deployment)
})

afterAll(async () => {
    provider?.destroy()
    await anvil?.stop().catch(() => anvil.kill())
    setLogSink(null)
    if (savedEnv === undefined) delete process.env.DEPLOYMENTS_FILE
    else process.env.DEPLOYMENTS_FILE = savedEnv
    fs.rmSync(tmp, { recursive: true, force: true })
})

test('ensureUniswap deploys the published factory once per chain, with seeded pairs', async () => {
    const first = await ensureUniswap(anvil.url, deployment, { log })
    expect(first.fresh).toBe(true)
    expect(first.file).toBe(uniswapFile(31337))
    expect(first.file).toBe(path.join(tmp, '31337.uniswap.json'))
    uniswap = first.uniswap
    const again = await ensureUniswap(anvil.url, deployment)
    expect(again.fresh).toBe(false)
    expect(again.uniswap.factory).toBe(uniswap.factory)

    // the factory's runtime code is the one published in @uniswap/v2-core
    const published = require('@uniswap/v2-core/build/UniswapV2Factory.json').evm.deployedBytecode.object as string
    expect((await provider.getCode(uniswap.factory)).toLowerCase()).toBe(`0x${published.replace(/^0x/, '')}`.toLowerCase())
    expect(uniswap.tokens.USDC.address).toBe(deployment.contracts.MockUSDC.toLowerCase())
    expect(uniswap.pairs.map((p) => p.name)).toEqual(['WETH/USDC', 'WETH/DAI', 'DAI/USDC'])
    const pairAbi = uniswapArtifact('UniswapV2Pair').abi
    for (const p of uniswap.pairs) {
        const pair = new Contract(p.address, pairAbi, provider)
        expect([String(await pair.token0()).toLowerCase(), String(await pair.token1()).toLowerCase()]).toEqual([p.token0, p.token1])
        const [r0, r1] = await pair.getReserves()
        expect(r0).toBeGreaterThan(0n)
        expect(r1).toBeGreaterThan(0n)
    }
})

test('the simulated blocks carry the scheduled proposers, and the classifier finds the bots’ arbitrages and sandwiches', async () => {
    expect(uniswap).toBeDefined()
    const validators = new ValidatorActivity({ rpcUrl: anvil.url, deployment, governanceChance: 0.5, jailSeconds: 12, log })
    await validators.setup()
    const rotation = new ProposerRotation({
        rpcUrl: anvil.url,
        registry: deployment.contracts.ValidatorRegistry,
        epochBlocks: EPOCH_BLOCKS,
        missRate: validators.missRate,
        label: validators.nameOf,
        log,
    })
    const mev = new MevActivity({ rpcUrl: anvil.url, uniswap, rotation, sandwichChance: 0.7, swapUsd: [5_000, 90_000], log })
    await mev.setup()
    await rotation.start()
    const firstBlock = (await provider.getBlockNumber()) + 1
    mev.start(1200)
    validators.start(2500)
    const deadline = Date.now() + 100_000
    try {
        for (;;) {
            await sleep(500)
            const head = await provider.getBlockNumber()
            const enough = head >= firstBlock + MIN_BLOCKS && mev.stats.sandwiches >= 1 && mev.stats.arbitrages >= 1
            if (enough || Date.now() > deadline) break
        }
    } finally {
        await mev.stop()
        await validators.stop()
        await rotation.stop()
    }
    const lastBlock = await provider.getBlockNumber()

    // classify every block the simulation produced, as the processor does
    const results: { block: number; miner: string; c: BlockClassification }[] = []
    for (let h = firstBlock; h <= lastBlock; h++) {
        const block = await provider.send('eth_getBlockByNumber', ['0x' + h.toString(16), false])
        const traces: any[] = await provider.send('trace_block', ['0x' + h.toString(16)])
        const c = classifyBlock({ blockNumber: h, miner: block.miner, traces: traces.map((t, i) => normalizeTrace(t, i)) })
        results.push({ block: h, miner: block.miner.toLowerCase(), c })
    }
    const swaps = results.flatMap((r) => r.c.swaps)
    const arbs = results.flatMap((r) => r.c.arbitrages)
    const sandwiches = results.flatMap((r) => r.c.sandwiches)
    const tips = results.flatMap((r) => r.c.coinbaseTransfers)
    const arbBot = uniswap.bots.arbitrage.address
    const sandwichBot = uniswap.bots.sandwich.address

    // arbitrages: one transaction, a cycle of the bot's swaps; the account is who paid the first swap (the bot)
    const botArbs = arbs.filter((a) => a.error === null && a.swaps.every((s) => s.recipientAddress === arbBot))
    expect(botArbs.length).toBeGreaterThanOrEqual(1)
    for (const a of botArbs) {
        expect(a.accountAddress).toBe(arbBot)
        expect(a.swaps.length).toBe(3)
        expect(BigInt(a.profitAmount)).toBeGreaterThan(0n)
    }
    // sandwiches: frontrun and backrun by the sandwich bot around a trader's swap through the router
    const botSandwiches = sandwiches.filter((s) => s.sandwicherAddress === sandwichBot)
    expect(botSandwiches.length).toBeGreaterThanOrEqual(1)
    for (const s of botSandwiches) {
        // victims trade through the router, paying from their own account (fromAddress = who paid the input)
        const traders = new Set(mev.traders.map((t) => t.address.toLowerCase()))
        expect(s.sandwichedSwaps.every((v) => traders.has(v.fromAddress))).toBe(true)
        expect(s.backrunSwap.fromAddress).toBe(sandwichBot)
        expect(BigInt(s.profitAmount)).toBeGreaterThan(0n)
    }
    expect(sandwiches.length).toBe(botSandwiches.length) // no false positives from the organic flow
    // tips: direct ETH transfers from the bots to the block's coinbase
    expect(tips.some((t) => t.from === arbBot && BigInt(t.amount) > 0n)).toBe(true)
    expect(tips.some((t) => t.from === sandwichBot && BigInt(t.amount) > 0n)).toBe(true)
    expect(tips.every((t) => t.from === arbBot || t.from === sandwichBot)).toBe(true)

    // proposers: recompute the schedule independently from the registry, as the indexer does
    const registry = contract('ValidatorRegistry', deployment.contracts.ValidatorRegistry, provider)
    const snapshots = new Map<number, StakeEntry[]>()
    const snapshotOf = async (epoch: number) => {
        if (!snapshots.has(epoch)) {
            const blockTag = epochStart(epoch, EPOCH_BLOCKS) - 1
            const n = Number(await registry.validatorCount({ blockTag }))
            const entries: StakeEntry[] = []
            for (let i = 0; i < n; i++) {
                const a = String(await registry.validatorAt(i, { blockTag })).toLowerCase()
                const v = await registry.getValidator(a, { blockTag })
                if (!v.jailed) entries.push({ validator: a, stake: v.stake })
            }
            snapshots.set(epoch, entries)
        }
        return snapshots.get(epoch)!
    }
    let scheduledBlocks = 0
    let asScheduled = 0
    let deliberate = 0
    for (const r of results) {
        const scheduled = scheduledProposer(r.block, await snapshotOf(epochOf(r.block, EPOCH_BLOCKS)))
        if (!scheduled) continue
        scheduledBlocks++
        const actual = String(await registry.validatorOfFeeRecipient(r.miner)).toLowerCase()
        const plan = rotation.plans.get(r.block)
        if (actual === scheduled) asScheduled++
        else if (plan?.missed && plan.proposer === actual && plan.scheduled === scheduled) deliberate++
    }
    const rate = (asScheduled + deliberate) / scheduledBlocks
    const summary =
        `blocks ${firstBlock}..${lastBlock} (${results.length}): ${swaps.length} swaps, ${arbs.length} arbitrages (${botArbs.length} by the bot), ` +
        `${sandwiches.length} sandwiches, ${tips.length} coinbase tips; schedule: ${asScheduled}/${scheduledBlocks} as scheduled + ${deliberate} deliberate misses ` +
        `(match ${(rate * 100).toFixed(1)}%); rotation stats ${JSON.stringify(rotation.stats)}; mev stats ${JSON.stringify({ ...mev.stats, coinbaseTips: mev.stats.coinbaseTips.toString() })}; ` +
        `validator stats ${JSON.stringify(validators.stats)}`
    process.stdout.write(summary + '\n')
    expect(scheduledBlocks).toBeGreaterThanOrEqual(MIN_BLOCKS - EPOCH_BLOCKS)
    expect(rate).toBeGreaterThanOrEqual(0.8)
    expect(mev.stats.brokenSandwiches).toBe(0)
    expect(validators.stats.failures).toBe(0)
    // governance went through the timelock: the unreliable validator was jailed (and maybe released) or slashed
    expect(validators.stats.jailings + validators.stats.slashes).toBeGreaterThanOrEqual(1)
    expect(validators.stats.delegations + validators.stats.undelegations + validators.stats.redelegations).toBeGreaterThanOrEqual(1)
    expect(mev.stats.failures).toBe(0)
})
