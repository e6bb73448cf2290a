/**
 * `npm run deploy`: deploy the protocol to RPC_URL (default: the local anvil) and write
 * contracts/deployments/<chainId>.json. On a local chain anvil's accounts take the roles; on any other chain
 * every key and address must come from the environment.
 */
import { JsonRpcProvider, isAddress } from 'ethers'
import { DeployOptions, ensureDeployed, deployAll } from '../deploy/deploy'
import { deploymentsFile, writeDeployment } from '../deploy/deployments'
import { localDeployOptions } from '../deploy/local-options'

const LOCAL_CHAIN_ID = 31337

class UsageError extends Error {}

function env(name: string): string | undefined {
    const v = process.env[name]
    return v === undefined || v === '' ? undefined : v
}

function envAddress(name: string): string | undefined {
    const v = env(name)
    if (v !== undefined && !isAddress(v)) throw new UsageError(`${name} is not an address: ${v}`)
    return v
}

function envInt(name: string): number | undefined {
    const v = env(name)
    if (v === undefined) return undefined
    if (!/^\d+$/.test(v)) throw new UsageError(`${name} must be a non-negative integer, got "${v}"`)
    return Number(v)
}

async function main() {
    const force = process.argv.includes('--force')
    const rpcUrl = env('RPC_URL') ?? `http://127.0.0.1:${env('ANVIL_PORT') ?? 8545}`
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
    const overrides: Partial<DeployOptions> = {
        operator: envAddress('OPERATOR_ADDRESS'),
        relayer: envAddress('RELAYER_ADDRESS'),
        pauser: envAddress('PAUSER_ADDRESS'),
        treasury: envAddress('TREASURY_ADDRESS'),
        proposer: envAddress('PROPOSER_ADDRESS'),
        settlementToken: envAddress('SETTLEMENT_TOKEN'),
        timelockMinDelay: envInt('TIMELOCK_MIN_DELAY'),
        disputeWindow: envInt('DISPUTE_WINDOW'),
        feeBps: envInt('FEE_BPS'),
        unbondingPeriod: envInt('UNBONDING_PERIOD'),
        commissionDelay: envInt('COMMISSION_DELAY'),
        maxCommissionBps: envInt('MAX_COMMISSION_BPS'),
        stakingToken: envAddress('STAKING_TOKEN'),
        deployerKey: env('DEPLOYER_KEY'),
    }
    for (const k of Object.keys(overrides) as (keyof DeployOptions)[]) if (overrides[k] === undefined) delete overrides[k]

    if (chainId === LOCAL_CHAIN_ID) {
        opts = localDeployOptions(rpcUrl, overrides)
    } else {
        // A real chain gets real tokens and keys: nothing defaults to anvil's well-known accounts.
        const required = ['DEPLOYER_KEY', 'SETTLEMENT_TOKEN', 'STAKING_TOKEN', 'OPERATOR_ADDRESS', 'RELAYER_ADDRESS', 'PAUSER_ADDRESS', 'TREASURY_ADDRESS', 'PROPOSER_ADDRESS']
        const missing = required.filter((n) => !env(n))
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
    console.error(`deploy: ${e instanceof UsageError ? e.message : (e.shortMessage ?? e.message)}`)
    process.exit(1)
})
