import { Contract, Interface, JsonRpcProvider, Wallet, ZeroAddress, id } from 'ethers'
import { loadArtifact } from './artifacts'
import { TxBatch } from './tx-batch'
import {
    CONTRACT_NAMES,
    ContractName,
    Deployment,
    IncompleteDeploymentError,
    deploymentsFile,
    readDeployment,
    writeDeployment,
} from './deployments'

export const ROLE = {
    DEFAULT_ADMIN: '0x' + '00'.repeat(32),
    GOVERNOR: id('GOVERNOR_ROLE'),
    OPERATOR: id('OPERATOR_ROLE'),
    PAUSER: id('PAUSER_ROLE'),
    RELAYER: id('RELAYER_ROLE'),
    LEDGER: id('LEDGER_ROLE'),
}

export interface DeployOptions {
    rpcUrl: string
    deployerKey: string
    operator: string
    relayer: string
    /** further accounts granted OPERATOR / RELAYER (local chains: the simulator's own, apart from the API's) */
    additionalOperators?: string[]
    additionalRelayers?: string[]
    pauser: string
    treasury: string
    /** May schedule timelock operations (a multisig in production). Anyone may execute once ready. */
    proposer: string
    timelockMinDelay: number
    disputeWindow: number
    feeBps: number
    /** An existing settlement token to allow-list; when absent, MockUSDC is deployed and allow-listed. */
    settlementToken?: string
    minDeposit: bigint
    maxDeposit: bigint
    /** ValidatorRegistry: seconds from undelegation to withdrawal (at most 365 days). */
    unbondingPeriod: number
    /** ValidatorRegistry: seconds from scheduling a commission change to applying it (at most 365 days). */
    commissionDelay: number
    /** ValidatorRegistry: highest commission a validator may set, in basis points (default 5000). */
    maxCommissionBps?: number
    /** An existing staking token for the ValidatorRegistry; when absent, MockToken "Stake" (STK, 18 decimals) is deployed. */
    stakingToken?: string
    log?: (msg: string) => void
}

export const DEFAULT_MAX_COMMISSION_BPS = 5_000


const DEPLOY_GAS = 6_000_000n
const CALL_GAS = 400_000n

/**
 * Deploys the protocol behind UUPS proxies, wires the roles, allow-lists the settlement token and hands
 * governance to the PlatformTimelock. Every transaction is signed with an explicit nonce and sent at once
 * (addresses are known in advance from the nonces), then all receipts are awaited: a local chain with
 * 1-second blocks deploys in a couple of blocks instead of forty.
 */
export async function deployAll(opts: DeployOptions): Promise<Deployment> {
    const log = opts.log ?? (() => {})
    const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 })
    const wallet = new Wallet(opts.deployerKey, provider)
    const deployer = wallet.address
    const txs = await TxBatch.open(wallet, provider)
    const chainId = txs.chainId

    async function create(name: string, args: unknown[] = []): Promise<string> {
        const art = loadArtifact(name)
        return txs.create(`deploy ${name}`, art.abi, art.bytecode, args, DEPLOY_GAS)
    }

    async function proxy(name: ContractName, initArgs: unknown[]): Promise<{ proxy: string; impl: string }> {
        const impl = await create(name)
        const init = new Interface(loadArtifact(name).abi).encodeFunctionData('initialize', initArgs)
        const proxyAddress = await create('ERC1967Proxy', [impl, init])
        return { proxy: proxyAddress, impl }
    }

    async function call(step: string, target: string, abiName: string, fn: string, args: unknown[]): Promise<void> {
        const data = new Interface(loadArtifact(abiName).abi).encodeFunctionData(fn, args)
        await txs.send(step, target, data, CALL_GAS)
    }

    log(`deploying to chain ${chainId} from ${deployer}`)
    const token = opts.settlementToken ?? (await create('MockUSDC'))
    const timelock = await create('PlatformTimelock', [opts.timelockMinDelay, [opts.proposer], [ZeroAddress], ZeroAddress])
    const participants = await proxy('ParticipantRegistry', [deployer])
    const tokens = await proxy('TokenRegistry', [deployer])
    const escrow = await proxy('Escrow', [deployer, tokens.proxy])
    const distributor = await proxy('Distributor', [deployer, opts.treasury, opts.feeBps])
    const ledger = await proxy('BatchLedger', [deployer, escrow.proxy, distributor.proxy, participants.proxy, opts.disputeWindow])
    const stakeToken = opts.stakingToken ?? (await create('MockToken', ['Stake', 'STK', 18]))
    const maxCommissionBps = opts.maxCommissionBps ?? DEFAULT_MAX_COMMISSION_BPS
    const validators = await proxy('ValidatorRegistry', [
        deployer,
        stakeToken,
        opts.treasury,
        opts.unbondingPeriod,
        opts.commissionDelay,
        maxCommissionBps,
    ])

    const grant = (name: ContractName, at: string, role: string, who: string, label: string) =>
        call(`${name}: grant ${label} to ${who}`, at, name, 'grantRole', [role, who])

    await grant('Escrow', escrow.proxy, ROLE.LEDGER, ledger.proxy, 'LEDGER')
    await grant('Distributor', distributor.proxy, ROLE.LEDGER, ledger.proxy, 'LEDGER')
    for (const operator of [opts.operator, ...(opts.additionalOperators ?? [])]) {
        await grant('BatchLedger', ledger.proxy, ROLE.OPERATOR, operator, 'OPERATOR')
        await grant('ParticipantRegistry', participants.proxy, ROLE.OPERATOR, operator, 'OPERATOR')
    }
    for (const relayer of [opts.relayer, ...(opts.additionalRelayers ?? [])]) await grant('Distributor', distributor.proxy, ROLE.RELAYER, relayer, 'RELAYER')
    await call('TokenRegistry: allow settlement token', tokens.proxy, 'TokenRegistry', 'allowToken', [token, opts.minDeposit, opts.maxDeposit])

    const core: [ContractName, string][] = [
        ['ParticipantRegistry', participants.proxy],
        ['TokenRegistry', tokens.proxy],
        ['Escrow', escrow.proxy],
        ['Distributor', distributor.proxy],
        ['BatchLedger', ledger.proxy],
        ['ValidatorRegistry', validators.proxy],
    ]
    // Hand governance to the timelock, then the deployer gives up every power it had.
    for (const [name, at] of core) {
        await grant(name, at, ROLE.PAUSER, opts.pauser, 'PAUSER')
        await grant(name, at, ROLE.GOVERNOR, timelock, 'GOVERNOR')
        await grant(name, at, ROLE.DEFAULT_ADMIN, timelock, 'DEFAULT_ADMIN')
        await call(`${name}: deployer renounces GOVERNOR`, at, name, 'renounceRole', [ROLE.GOVERNOR, deployer])
        await call(`${name}: deployer renounces DEFAULT_ADMIN`, at, name, 'renounceRole', [ROLE.DEFAULT_ADMIN, deployer])
    }

    log(`sent ${txs.count} transactions, waiting for receipts`)
    const receipts = await txs.settle('deployment')
    const startBlock = Math.min(...receipts.map((r) => r.blockNumber))
    const startBlockHash = (await provider.getBlock(startBlock))!.hash!

    const deployment: Deployment = {
        chainId,
        startBlock,
        startBlockHash,
        deployedAt: new Date().toISOString(),
        contracts: {
            ParticipantRegistry: participants.proxy,
            TokenRegistry: tokens.proxy,
            Escrow: escrow.proxy,
            BatchLedger: ledger.proxy,
            Distributor: distributor.proxy,
            PlatformTimelock: timelock,
            MockUSDC: token,
            ValidatorRegistry: validators.proxy,
            StakeToken: stakeToken,
        },
        implementations: {
            ParticipantRegistry: participants.impl,
            TokenRegistry: tokens.impl,
            Escrow: escrow.impl,
            BatchLedger: ledger.impl,
            Distributor: distributor.impl,
            ValidatorRegistry: validators.impl,
        },
        roles: {
            deployer,
            operator: opts.operator,
            relayer: opts.relayer,
            pauser: opts.pauser,
            proposer: opts.proposer,
            treasury: opts.treasury,
        },
        config: {
            timelockMinDelay: opts.timelockMinDelay,
            disputeWindow: opts.disputeWindow,
            feeBps: opts.feeBps,
            unbondingPeriod: opts.unbondingPeriod,
            commissionDelay: opts.commissionDelay,
            maxCommissionBps,
        },
    }
    log(`deployed in blocks ${startBlock}..${Math.max(...receipts.map((r) => r!.blockNumber))}`)
    provider.destroy()
    return deployment
}

/**
 * Whether `d` describes the chain behind `rpcUrl`: code at every address and the same block hash at the
 * deployment block. A local anvil restarted without its state has the same chain id but none of the contracts.
 */
export async function isDeploymentLive(rpcUrl: string, d: Deployment): Promise<boolean> {
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true })
    try {
        const block = await provider.getBlock(d.startBlock)
        if (!block || block.hash !== d.startBlockHash) return false
        const codes = await Promise.all(CONTRACT_NAMES.map((n) => provider.getCode(d.contracts[n])))
        return codes.every((c) => c !== '0x')
    } finally {
        provider.destroy()
    }
}

/**
 * Deploy unless the deployments file already describes this chain. A file that predates some of the contracts
 * (IncompleteDeploymentError) counts as absent: the whole protocol is deployed afresh.
 */
export async function ensureDeployed(
    opts: DeployOptions,
    file?: string,
): Promise<{ deployment: Deployment; fresh: boolean; file: string }> {
    const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true })
    const chainId = Number((await provider.getNetwork()).chainId)
    provider.destroy()
    const target = file ?? deploymentsFile(chainId)
    let existing: Deployment | undefined
    try {
        existing = readDeployment(chainId, target)
    } catch (e) {
        if (!(e instanceof IncompleteDeploymentError)) throw e
        opts.log?.(`${target} has no ${e.missing.join(', ')}: redeploying`)
    }
    if (existing && (await isDeploymentLive(opts.rpcUrl, existing))) {
        return { deployment: existing, fresh: false, file: target }
    }
    const deployment = await deployAll(opts)
    return { deployment, fresh: true, file: writeDeployment(deployment, target) }
}

/** A typed handle on a deployed contract, with the ABI from the forge build. */
export function contractAt(name: string, address: string, runner: any): Contract {
    return new Contract(address, loadArtifact(name).abi, runner)
}
