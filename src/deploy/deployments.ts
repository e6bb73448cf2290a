import * as fs from 'fs'
import * as path from 'path'
import { deploymentsFileOverride } from '../config'
import { CONTRACT_NAMES, ContractName } from '../contracts'
import { projectRoot } from '../paths'

// (the list lives in src/contracts.ts; re-exported for the deploy code)
export { CONTRACT_NAMES }
export type { ContractName }

/** What a deployment leaves behind: addresses, the block to start indexing from, and who holds which role. */
export interface Deployment {
    chainId: number
    startBlock: number
    /** Hash of startBlock: tells a redeployed local chain (same chain id, new history) from the one indexed. */
    startBlockHash: string
    deployedAt: string
    contracts: Record<ContractName, string>
    implementations: Partial<Record<ContractName, string>>
    roles: { deployer: string; operator: string; relayer: string; pauser: string; proposer: string; treasury: string }
    config: {
        timelockMinDelay: number
        disputeWindow: number
        feeBps: number
        /** ValidatorRegistry: seconds from undelegation to withdrawal. */
        unbondingPeriod: number
        /** ValidatorRegistry: seconds from scheduling a commission change to applying it. */
        commissionDelay: number
        /** ValidatorRegistry: highest commission a validator may set, in basis points. */
        maxCommissionBps: number
    }
}

export class DeploymentError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'DeploymentError'
    }
}

/**
 * A deployments file written before some of CONTRACT_NAMES existed (e.g. before the ValidatorRegistry): valid
 * otherwise, but incomplete. A local chain redeploys over it; anywhere else it must be redeployed or completed.
 */
export class IncompleteDeploymentError extends DeploymentError {
    constructor(
        readonly file: string,
        readonly missing: string[],
    ) {
        super(`deployments file ${file} has no address for ${missing.join(', ')}: it predates them, redeploy ("npm run deploy -- --force")`)
        this.name = 'IncompleteDeploymentError'
    }
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

export function deploymentsFile(chainId: number, override = deploymentsFileOverride()): string {
    return override ? path.resolve(override) : path.join(projectRoot(), 'contracts', 'deployments', `${chainId}.json`)
}

export function readDeployment(chainId: number, file = deploymentsFile(chainId)): Deployment | undefined {
    if (!fs.existsSync(file)) return undefined
    let d: Deployment
    try {
        d = JSON.parse(fs.readFileSync(file, 'utf8'))
    } catch (e: any) {
        throw new DeploymentError(`deployments file ${file} is not valid JSON: ${e.message}`)
    }
    if (d === null || typeof d !== 'object' || d.contracts === null || typeof d.contracts !== 'object') {
        throw new DeploymentError(`deployments file ${file} has no contracts`)
    }
    const missing: string[] = []
    for (const name of CONTRACT_NAMES) {
        const addr = (d.contracts as Record<string, unknown>)[name]
        if (addr === undefined) missing.push(name)
        else if (typeof addr !== 'string' || !ADDRESS.test(addr)) {
            throw new DeploymentError(`deployments file ${file} has no valid address for ${name}`)
        }
    }
    if (d.chainId !== chainId) {
        throw new DeploymentError(`deployments file ${file} is for chain ${d.chainId}, but the RPC is chain ${chainId}`)
    }
    if (missing.length) throw new IncompleteDeploymentError(file, missing)
    return d
}

export function writeDeployment(d: Deployment, file = deploymentsFile(d.chainId)): string {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, JSON.stringify(d, null, 2) + '\n')
    return file
}

/** Read a deployment, requiring it to exist: the processor and the API cannot run without addresses. */
export function requireDeployment(chainId: number, file = deploymentsFile(chainId)): Deployment {
    const d = readDeployment(chainId, file)
    if (!d) throw new DeploymentError(`no deployments file at ${file}: deploy first ("npm run deploy") or set DEPLOYMENTS_FILE`)
    return d
}
