import * as fs from 'fs'
import * as path from 'path'
import { Contract, ContractRunner, Interface } from 'ethers'
import { projectRoot } from './paths'

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
