import * as fs from 'fs'
import * as path from 'path'
import { projectRoot } from '../paths'

/** ABI and creation bytecode of one contract, as forge wrote it to contracts/out. */
export interface Artifact {
    abi: any[]
    bytecode: string
}

export class ArtifactMissingError extends Error {
    constructor(name: string, file: string) {
        super(`contract artifact ${name} not found at ${file}: run "npm run contracts:build" first`)
        this.name = 'ArtifactMissingError'
    }
}

export function loadArtifact(name: string): Artifact {
    const file = path.join(projectRoot(), 'contracts', 'out', `${name}.sol`, `${name}.json`)
    if (!fs.existsSync(file)) throw new ArtifactMissingError(name, file)
    const json = JSON.parse(fs.readFileSync(file, 'utf8'))
    return { abi: json.abi, bytecode: json.bytecode.object }
}
