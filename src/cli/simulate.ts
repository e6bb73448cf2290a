/**
 * `npm run simulate`: keep the deployed protocol busy with realistic activity (see src/simulator).
 * Needs a local chain (anvil's funded accounts play the participants) and the deployments file.
 * Batch leaves go to the database (for `payoutProof`) when one is reachable.
 *
 * Besides the settlement activity, unless SIM_MEV=false: Uniswap V2 is deployed once (src/deploy/uniswap.ts),
 * validators register and delegators stake, block proposers rotate on the stake-weighted schedule (some slots
 * missed on purpose), traders swap, searcher bots arbitrage and sandwich and tip the coinbase, and stake moves.
 *
 * Environment: SIM_TICK_MS (settlement, default 1500), SIM_SEED (42), SIM_MEV (true), SIM_MEV_TICK_MS (2500),
 * SIM_VALIDATOR_TICK_MS (4000), EPOCH_BLOCKS (32, as the indexer), ANVIL_BLOCK_TIME (1).
 */
import { JsonRpcProvider, formatEther } from 'ethers'
import { Pool } from 'pg'
import { ANVIL_CHAIN_ID, ConfigError, chainFromEnv, databaseFromEnv, epochBlocksFromEnv, simulatorFromEnv } from '../config'
import { requireDeployment } from '../deploy/deployments'
import { ensureUniswap } from '../deploy/uniswap'
import { MevActivity } from '../simulator/mev'
import { ProposerRotation } from '../simulator/proposers'
import { Simulator } from '../simulator/simulator'
import { ValidatorActivity } from '../simulator/validators'

function log(msg: string) {
    console.log(`${new Date().toISOString().slice(11, 19)} [simulator] ${msg}`)
}

async function main() {
    const chain = chainFromEnv()
    const simCfg = simulatorFromEnv()
    const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true })
    let chainId: number
    try {
        chainId = Number(await provider.send('eth_chainId', []))
    } catch (e: any) {
        throw new Error(`cannot reach RPC at ${chain.rpcUrl}: ${e.shortMessage ?? e.message}`)
    } finally {
        provider.destroy()
    }
    if (chainId !== ANVIL_CHAIN_ID) throw new Error(`the simulator only runs on a local anvil chain (31337); ${chain.rpcUrl} is chain ${chainId}`)
    const deployment = requireDeployment(chainId)

    let db: Pool | undefined = new Pool({ connectionString: databaseFromEnv().url, max: 2 })
    // an idle connection dying (Postgres restarting) must not kill the simulator: the next query reconnects
    db.on('error', (e) => log(`database connection lost: ${e.message}`))
    try {
        await db.query('SELECT 1 FROM api.batch_leaves LIMIT 1')
    } catch (e: any) {
        log(`database not usable (${e.message}): leaves of simulated batches will not be stored, payoutProof cannot serve them`)
        await db.end()
        db = undefined
    }

    const sim = new Simulator({
        rpcUrl: chain.rpcUrl,
        deployment,
        db,
        tickMs: simCfg.tickMs,
        seed: simCfg.seed,
        log,
    })
    await sim.setup()
    sim.start()

    let chainSim: { validators: ValidatorActivity; rotation: ProposerRotation; mev: MevActivity } | undefined
    if (simCfg.mev) {
        const seed = simCfg.seed
        const { uniswap, fresh, file } = await ensureUniswap(chain.rpcUrl, deployment, { log })
        log(fresh ? `Uniswap V2 deployed, addresses in ${file}` : `Uniswap V2 already deployed (${file})`)
        const validators = new ValidatorActivity({ rpcUrl: chain.rpcUrl, deployment, governance: sim.governance, seed, log })
        await validators.setup()
        const rotation = new ProposerRotation({
            rpcUrl: chain.rpcUrl,
            registry: deployment.contracts.ValidatorRegistry,
            epochBlocks: epochBlocksFromEnv(),
            blockTime: chain.anvil?.blockTime,
            missRate: validators.missRate,
            label: validators.nameOf,
            seed,
            log,
        })
        await rotation.start()
        const mev = new MevActivity({ rpcUrl: chain.rpcUrl, uniswap, rotation, seed, log })
        await mev.setup()
        validators.start(simCfg.validatorTickMs)
        mev.start(simCfg.mevTickMs)
        chainSim = { validators, rotation, mev }
    } else {
        log('SIM_MEV=false: no validators, proposer rotation or DEX activity')
    }

    log('running: Ctrl-C to stop')
    const statsTimer = setInterval(() => {
        const s = sim.stats
        log(`batches ${s.committed} committed, ${s.finalized} finalized, ${s.disputed} disputed (${s.rejected} rejected); ${s.claims} claims; ${s.deposits} deposits, ${s.withdrawals} withdrawals; ${s.failures} failed actions`)
        if (chainSim) {
            const m = chainSim.mev.stats
            const r = chainSim.rotation.stats
            const v = chainSim.validators.stats
            log(
                `dex ${m.swaps} swaps, ${m.arbitrages} arbitrages, ${m.sandwiches} sandwiches, ${formatEther(m.coinbaseTips)} ETH tipped to coinbases; ` +
                    `proposers ${r.matched}/${r.checked} blocks as planned (${r.deliberateMisses} slots missed on purpose, ${r.raceLost} coinbase switches too late); ` +
                    `stake ${v.delegations} delegations, ${v.undelegations} undelegations, ${v.redelegations} redelegations, ${v.withdrawals} withdrawals, ` +
                    `${v.commissionChanges} commission changes, ${v.jailings} jailings, ${v.slashes} slashes; ${m.failures + v.failures} failed actions`,
            )
        }
    }, 30_000)
    const stop = async () => {
        clearInterval(statsTimer)
        if (chainSim) {
            await chainSim.mev.stop()
            await chainSim.validators.stop()
            await chainSim.rotation.stop()
        }
        await sim.stop()
        await db?.end()
        process.exit(0)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
}

main().catch((e) => {
    console.error(`simulate: ${e instanceof ConfigError ? e.message : (e.shortMessage ?? e.message)}`)
    process.exit(1)
})
