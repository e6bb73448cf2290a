/**
 * The protocol's contracts: the ONE list of contract names (what a deployment holds), the subset the indexer
 * requests logs of (with the typegen'd ABI module of each), and ethers access to their JSON ABIs.
 */
import * as fs from 'fs'
import * as path from 'path'
import { Contract, ContractRunner, Interface } from 'ethers'
import * as batchLedgerAbi from './abi/BatchLedger'
import * as distributorAbi from './abi/Distributor'
import * as escrowAbi from './abi/Escrow'
import * as participantRegistryAbi from './abi/ParticipantRegistry'
import * as timelockAbi from './abi/PlatformTimelock'
import * as tokenRegistryAbi from './abi/TokenRegistry'
import * as validatorRegistryAbi from './abi/ValidatorRegistry'
import { projectRoot } from './paths'

/**
 * The contracts of a deployment, by name. `MockUSDC` is the settlement token and `StakeToken` the validators'
 * staking token (MockToken "STK" on local chains, or whatever token was given at deploy time).
 */
export const CONTRACT_NAMES = [
    'ParticipantRegistry',
    'TokenRegistry',
    'Escrow',
    'BatchLedger',
    'Distributor',
    'PlatformTimelock',
    'MockUSDC',
    'ValidatorRegistry',
    'StakeToken',
] as const
export type ContractName = (typeof CONTRACT_NAMES)[number]

/** Contracts whose logs the processor requests, with the typegen'd ABI module of each. */
export const INDEXED_CONTRACTS = {
    ParticipantRegistry: participantRegistryAbi,
    TokenRegistry: tokenRegistryAbi,
    Escrow: escrowAbi,
    BatchLedger: batchLedgerAbi,
    Distributor: distributorAbi,
    PlatformTimelock: timelockAbi,
    ValidatorRegistry: validatorRegistryAbi,
} as const satisfies Partial<Record<ContractName, unknown>>
export type IndexedContract = keyof typeof INDEXED_CONTRACTS

const cache = new Map<string, any[]>()

/** ABI of a protocol contract from abi/<name>.json (committed; exported from the forge build). */
export function abiOf(name: string): any[] {
    let abi = cache.get(name)
    if (!abi) {
        abi = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'abi', `${name}.json`), 'utf8')) as any[]
        cache.set(name, abi)
    }
    return abi
}

/** An ethers contract for `name` at `address`. */
export function contract(name: string, address: string, runner: ContractRunner | null): Contract {
    return new Contract(address, abiOf(name), runner)
}

/** One interface holding every error of every protocol contract, to decode any revert. */
export function allErrorsInterface(): Interface {
    const seen = new Set<string>()
    const fragments: any[] = []
    for (const file of fs.readdirSync(path.join(projectRoot(), 'abi'))) {
        for (const f of abiOf(file.replace(/\.json$/, ''))) {
            if (f.type !== 'error') continue
            const sig = `${f.name}(${f.inputs.map((i: any) => i.type).join(',')})`
            if (!seen.has(sig)) {
                seen.add(sig)
                fragments.push(f)
            }
        }
    }
    return new Interface(fragments)
}
