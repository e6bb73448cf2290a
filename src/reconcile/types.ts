/** What every reconcile check shares: options, results, errors, and the collector of checks and mismatches. */
import type { ContractName } from '../contracts'

export interface ReconcileOptions {
    /** postgres URL; default from env (src/config.ts) */
    dbUrl?: string
    /** default from env / processor settings */
    rpcUrl?: string
    /** lowercase addresses; default from the deployments file */
    contracts?: Partial<Record<ContractName, string>>
    /** concurrent eth_calls, default 16 */
    concurrency?: number
    /** squid state schema, default squid_processor */
    stateSchema?: string
    /** max payee leaves checked via api.batch_leaves, default 20000 */
    maxLeafChecks?: number
}

export interface Mismatch {
    entity: string
    id: string
    field: string
    indexed: string
    chain: string
}

export interface ReconcileResult {
    height: number
    hash: string
    checked: number
    mismatches: Mismatch[]
    notes: string[]
    /** rows of each VIEW_CHECKS entity compared (current, or as of the block) */
    rows?: Record<string, number>
}

/** The database or the RPC cannot be reached, or there is nothing to compare (CLI exit 2). */
export class ReconcileConnectionError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'ReconcileConnectionError'
    }
}

/** The caller asked for something that cannot be checked: a bad argument, a block above the indexed head or below the pruning horizon (CLI exit 2). */
export class ReconcileInputError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'ReconcileInputError'
    }
}

export function formatMismatch(m: Mismatch): string {
    return `${m.entity} ${m.id} ${m.field}: indexed=${m.indexed} chain=${m.chain}`
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(items.length)
    let next = 0
    const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
        while (next < items.length) {
            const i = next++
            out[i] = await fn(items[i])
        }
    })
    await Promise.all(workers)
    return out
}

export function connectionMessage(what: string, e: any): string {
    const code = e?.code ?? e?.cause?.code ?? e?.error?.code
    const msg = e?.shortMessage ?? e?.message ?? String(e)
    return `cannot reach ${what}: ${code && !String(msg).includes(String(code)) ? `${code} ` : ''}${msg}`.split('\n')[0]
}

/** Values compared as strings: bigint, number and numeric text alike; a Date as unix seconds (the contracts' unit). */
export const str = (v: unknown): string => (v == null ? 'null' : v instanceof Date ? String(Math.floor(v.getTime() / 1000)) : String(v))

/**
 * Counts the checks (one per eth_call, plus the block checks) and collects the mismatches of one reconcile run.
 * `blockTag` is the block every view function is called at.
 */
export class Checker {
    checked = 0
    readonly mismatches: Mismatch[] = []
    readonly notes: string[] = []

    constructor(
        readonly blockTag: number,
        readonly limit: number,
    ) {}

    /** One eth_call (counted). */
    call<T>(fn: () => Promise<T>): Promise<T> {
        this.checked++
        return fn()
    }

    /** A check that is not an eth_call (counted). */
    count(n = 1): void {
        this.checked += n
    }

    eq(entity: string, id: string, field: string, indexedValue: unknown, chainValue: unknown): void {
        if (str(indexedValue) !== str(chainValue)) this.mismatches.push({ entity, id, field, indexed: str(indexedValue), chain: str(chainValue) })
    }

    sorted(): Mismatch[] {
        return [...this.mismatches].sort((a, b) => (a.entity + a.id + a.field).localeCompare(b.entity + b.id + b.field))
    }
}
