/**
 * `npm run chain`: only the local chain: anvil (state kept under .data/anvil) with the contracts deployed.
 * Other pieces can then run on their own against it (`npm run process`, `npm run serve`, `npm run simulate`).
 */
import { chainFromEnv, ConfigError } from '../config'
import { ensureDeployed } from '../deploy/deploy'
import { localDeployOptions } from '../deploy/local-options'
import { startAnvil } from '../stack/anvil'
import { log } from '../stack/log'
import { installSignalHandlers, onShutdown, shutdownAndExit } from '../stack/shutdown'

async function main() {
    installSignalHandlers()
    const chain = chainFromEnv()
    if (!chain.local) throw new ConfigError('RPC_URL', 'RPC_URL is set: "npm run chain" starts a local anvil; unset RPC_URL to use it')
    const a = chain.anvil!
    const anvil = await startAnvil({ port: a.port, blockTime: a.blockTime, chainId: a.chainId, dataDir: a.dataDir, stateInterval: 30 })
    onShutdown('anvil', () => anvil.stop(), () => anvil.kill())
    const { deployment, fresh, file } = await ensureDeployed({ ...localDeployOptions(anvil.url), log: (m) => log('deploy', m) }, chain.deploymentsFile)
    log('chain', fresh ? `contracts deployed at block ${deployment.startBlock}, written to ${file}` : `contracts already deployed at block ${deployment.startBlock}`)
    console.log(`RPC: ${anvil.url} (chain ${anvil.chainId}); Ctrl-C to stop`)
}

main().catch(async (e) => {
    log('chain', `cannot start: ${e instanceof ConfigError ? e.message : (e.shortMessage ?? e.message)}`)
    await shutdownAndExit(1)
})
