/**
 * mev CLI.
 *
 *   mev inspect <block.json>... [--pretty]
 *
 * Reads blocks (mev-inspect-py fixture format or BlockInput JSON), classifies each and prints one
 * JSON object per block, one per line, in mev-inspect-py's object model camelCased (see
 * src/mev/output.ts). Errors: one line on stderr, exit != 0 (blocks before the bad file are printed).
 */
import { promises as fs } from 'fs'
import { BlockInputError, blockInputFromText, classifyBlock } from '../mev/classify'
import { toMevInspectBlock } from '../mev/output'

export interface MevCliIo {
    stdout(text: string): void
    stderr(text: string): void
    readFile(path: string): Promise<string>
}

const defaultIo: MevCliIo = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readFile: (p) => fs.readFile(p, 'utf8'),
}

const USAGE = 'usage: mev inspect <block.json>... [--pretty]'

class CliError extends Error {
    constructor(readonly code: number, message: string) {
        super(message)
    }
}

async function inspectFile(file: string, io: MevCliIo): Promise<object> {
    let text: string
    try {
        text = await io.readFile(file)
    } catch (e) {
        throw new CliError(1, `cannot read block file ${file}: ${e?.code ?? e?.message ?? String(e)}`)
    }
    let block
    try {
        block = blockInputFromText(text)
    } catch (e) {
        if (e instanceof BlockInputError) throw new CliError(1, `invalid block file ${file}: ${e.message}`)
        throw new CliError(1, `invalid JSON in block file ${file}: ${e?.message ?? String(e)}`)
    }
    try {
        return toMevInspectBlock(classifyBlock(block))
    } catch (e) {
        if (e instanceof BlockInputError) throw new CliError(1, `invalid block file ${file}: ${e.message}`)
        throw new CliError(1, `cannot classify block file ${file}: ${e?.message ?? String(e)}`)
    }
}

/** Exit codes: 0 ok, 1 bad input file, 2 bad usage. */
export async function runMevCli(argv: string[], io: MevCliIo = defaultIo): Promise<number> {
    const fail = (code: number, msg: string) => {
        io.stderr(`mev: ${msg.replace(/\s*\n\s*/g, ' ')}\n`)
        return code
    }
    const [command, ...rest] = argv
    if (command === undefined) return fail(2, `missing command (${USAGE})`)
    if (command === 'help' || command === '--help' || command === '-h') {
        io.stdout(USAGE + '\n')
        return 0
    }
    if (command !== 'inspect') return fail(2, `unknown command '${command}' (${USAGE})`)

    const pretty = rest.includes('--pretty')
    const files = rest.filter((a) => a !== '--pretty')
    const unknownOpt = files.find((a) => a.startsWith('--'))
    if (unknownOpt) return fail(2, `unknown option '${unknownOpt}' (${USAGE})`)
    if (files.length === 0) return fail(2, `inspect needs at least one block file (${USAGE})`)

    for (const file of files) {
        try {
            const out = await inspectFile(file, io)
            io.stdout(JSON.stringify(out, null, pretty ? 2 : undefined) + '\n')
        } catch (e) {
            if (e instanceof CliError) return fail(e.code, e.message)
            throw e
        }
    }
    return 0
}

if (require.main === module) {
    runMevCli(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code
        },
        (e) => {
            process.stderr.write(`mev: ${e?.message ?? String(e)}\n`)
            process.exitCode = 1
        },
    )
}
