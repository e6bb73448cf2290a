/**
 * `npm run simulate`: keep the deployed protocol busy with realistic activity (see src/simulator).
 * Needs a local chain (anvil's funded accounts play the participants) and the deployments file.
 * Batch leaves go to the database (for `payoutProof`) when one is reachable.
 */
import { JsonRpcProvider } from 'ethers'
import { Pool } from 'pg'
import { ANVIL_CHAIN_ID, ConfigError, chainFromEnv, databaseFromEnv } from '../config'
import { requireDeployment } from '../deploy/deployments'
import { Simulator } from '../simulator/simulator'

function log(msg: string) {
    console.log(`${new Date().toISOString().slice(11, 19)} [simulator] ${msg}`)
}

async function main() {
    const chain = chainFromEnv()
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
        tickMs: Number(process.env.SIM_TICK_MS ?? 1500),
        seed: Number(process.env.SIM_SEED ?? 42),
        log,
    })
    await sim.setup()
    sim.start()
    log('running: Ctrl-C to stop')
    const statsTimer = setInterval(() => {
        const s = sim.stats
        log(`batches ${s.committed} committed, ${s.finalized} finalized, ${s.disputed} disputed (${s.rejected} rejected); ${s.claims} claims; ${s.deposits} deposits, ${s.withdrawals} withdrawals; ${s.failures} failed actions`)
    }, 30_000)
    const stop = async () => {
        clearInterval(statsTimer)
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
