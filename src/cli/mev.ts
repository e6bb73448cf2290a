/**
 * mev CLI.
 *
 *   mev inspect <block.json> [--pretty]
 *
 * Reads a block (mev-inspect-py fixture format or BlockInput JSON), classifies it and prints one
 * JSON object: { blockNumber, swaps, arbitrages, sandwiches }. Errors: one line on stderr, exit != 0.
 */
import { promises as fs } from 'fs'
import { BlockInputError, blockInputFromJson, classifyBlock } from '../mev/classify'

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

const USAGE = 'usage: mev inspect <block.json> [--pretty]'

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
    const args = rest.filter((a) => a !== '--pretty')
    const unknownOpt = args.find((a) => a.startsWith('--'))
    if (unknownOpt) return fail(2, `unknown option '${unknownOpt}' (${USAGE})`)
    if (args.length !== 1) return fail(2, `inspect takes exactly one block file (${USAGE})`)
    const file = args[0]

    let text: string
    try {
        text = await io.readFile(file)
    } catch (e) {
        return fail(1, `cannot read block file ${file}: ${e?.code ?? e?.message ?? String(e)}`)
    }
    let json: unknown
    try {
        json = JSON.parse(text)
    } catch (e) {
        return fail(1, `invalid JSON in block file ${file}: ${e?.message ?? String(e)}`)
    }
    let result
    try {
        result = classifyBlock(blockInputFromJson(json))
    } catch (e) {
        if (e instanceof BlockInputError) return fail(1, `invalid block file ${file}: ${e.message}`)
        return fail(1, `cannot classify block file ${file}: ${e?.message ?? String(e)}`)
    }
    const out = {
        blockNumber: result.blockNumber,
        swaps: result.swaps,
        arbitrages: result.arbitrages,
        sandwiches: result.sandwiches,
    }
    io.stdout(JSON.stringify(out, null, pretty ? 2 : undefined) + '\n')
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
