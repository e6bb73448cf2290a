/**
 * `npm run deploy`: deploy the protocol to RPC_URL (default: the local anvil) and write
 * contracts/deployments/<chainId>.json. On a local chain anvil's accounts take the roles; on any other chain
 * every key and address must come from the environment.
 */
import { JsonRpcProvider } from 'ethers'
import { ConfigError, deployFromEnv } from '../config'
import { DeployOptions, ensureDeployed, deployAll } from '../deploy/deploy'
import { deploymentsFile, writeDeployment } from '../deploy/deployments'
import { localDeployOptions } from '../deploy/local-options'

const LOCAL_CHAIN_ID = 31337

class UsageError extends Error {}

async function main() {
    const force = process.argv.includes('--force')
    const cfg = deployFromEnv()
    const rpcUrl = cfg.rpcUrl
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true })
    let chainId: number
    try {
        chainId = Number(await provider.send('eth_chainId', []))
    } catch (e: any) {
        throw new UsageError(`cannot reach RPC at ${rpcUrl}: ${e.shortMessage ?? e.message}`)
    } finally {
        provider.destroy()
    }

    let opts: DeployOptions
    const overrides: Partial<DeployOptions> = cfg.overrides

    if (chainId === LOCAL_CHAIN_ID) {
        opts = localDeployOptions(rpcUrl, overrides)
    } else {
        // A real chain gets real tokens and keys: nothing defaults to anvil's well-known accounts.
        const missing = cfg.missingForRemote
        if (missing.length) throw new UsageError(`chain ${chainId} is not a local chain: set ${missing.join(', ')}`)
        opts = {
            ...localDeployOptions(rpcUrl),
            timelockMinDelay: 2 * 24 * 3600,
            disputeWindow: 3 * 24 * 3600,
            unbondingPeriod: 7 * 24 * 3600,
            commissionDelay: 3 * 24 * 3600,
            ...overrides,
        } as DeployOptions
    }
    opts.log = (m) => console.error(`deploy: ${m}`)

    if (force) {
        const d = await deployAll(opts)
        console.error(`deploy: wrote ${writeDeployment(d)}`)
    } else {
        const { fresh } = await ensureDeployed(opts)
        console.error(fresh ? `deploy: wrote ${deploymentsFile(chainId)}` : `deploy: ${deploymentsFile(chainId)} already describes this chain (use --force to redeploy)`)
    }
}

main().catch((e) => {
    console.error(`deploy: ${e instanceof UsageError || e instanceof ConfigError ? e.message : (e.shortMessage ?? e.message)}`)
    process.exit(1)
})
