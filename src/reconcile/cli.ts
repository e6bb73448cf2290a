/**
 * The command line: `reconcile` (at the indexed head) or `reconcile --at <block>` (as of a past block, from the
 * history tables). Prints `reconcile: N checked, M mismatches at block H (hash)`, then a line per note and per
 * mismatch. Exit 0 when clean, 1 on mismatches, 2 (one line on stderr) when the database or the RPC cannot be
 * reached, nothing is indexed yet, or the arguments are bad (a block that is not a number, is above the
 * indexed head, or is below the HISTORY_BLOCKS pruning horizon), 3 on unexpected errors.
 */
import { reconcileAt, parseBlock } from './at-block'
import { reconcile } from './current'
import { formatMismatch, ReconcileConnectionError, ReconcileInputError, ReconcileResult } from './types'

/** argv after the script: nothing, or `--at N` / `--at=N`. */
export function parseArgs(argv: string[]): { at?: number } {
    const out: { at?: number } = {}
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        if (a === '--at') {
            if (i + 1 >= argv.length) throw new ReconcileInputError('--at needs a block number')
            out.at = parseBlock(argv[++i])
        } else if (a.startsWith('--at=')) out.at = parseBlock(a.slice(5))
        else throw new ReconcileInputError(`unknown argument ${JSON.stringify(a)} (usage: reconcile [--at <block>])`)
    }
    return out
}

export async function cli(argv: string[] = process.argv.slice(2)): Promise<number> {
    try {
        const { at } = parseArgs(argv)
        const r: ReconcileResult = at === undefined ? await reconcile() : await reconcileAt(at)
        console.log(`reconcile: ${r.checked} checked, ${r.mismatches.length} mismatches at block ${r.height} (${r.hash})`)
        for (const n of r.notes) console.log(`note: ${n}`)
        for (const m of r.mismatches) console.log(formatMismatch(m))
        return r.mismatches.length ? 1 : 0
    } catch (e: any) {
        if (e instanceof ReconcileConnectionError || e instanceof ReconcileInputError || e?.name === 'ConfigError') {
            console.error(`reconcile: ${e.message}`)
            return 2
        }
        console.error('reconcile: unexpected error:', e)
        return 3
    }
}
