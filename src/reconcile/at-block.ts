/**
 * `npm run reconcile -- --at N`: the index's state AS OF block N, read from the history tables (time travel:
 * versions whose block_range holds N; claims with block_number <= N), against the contracts' view functions
 * called at block N (eth_call with blockTag N). The entities compared are versioned.ts's VIEW_CHECKS; the claim
 * flags are claims.ts's. The RPC must serve the state at N (an archive node on a real chain).
 */
import { Client } from 'pg'
import { PRUNE_TABLE, VERSIONED } from '../model/versioned'
import { checkClaims, readClaims } from './claims'
import { asConnectionError, chainBlock, endpoints, quoteIdent, readHead, readSnapshot, rpcProvider, views } from './connect'
import { Checker, ReconcileConnectionError, ReconcileInputError, ReconcileOptions, ReconcileResult } from './types'
import { checkVersioned, readVersionedRows, VIEW_CHECKS } from './versioned'

const INT4_MAX = 2 ** 31 - 1

/** A block number as given on the command line (or by a caller): a whole number the history can hold. */
export function parseBlock(raw: unknown): number {
    const s = String(raw ?? '').trim()
    if (!/^\d+$/.test(s) || Number(s) > INT4_MAX) throw new ReconcileInputError(`--at expects a block number (a whole number from 0 to ${INT4_MAX}), got ${JSON.stringify(raw ?? '')}`)
    return Number(s)
}

async function readAsOf(db: Client, stateSchema: string, at: number) {
    const head = await readHead(db, stateSchema)
    if (!head) throw new ReconcileConnectionError('nothing indexed yet: run the processor first')
    if (at > head.height) throw new ReconcileInputError(`block ${at} is above the indexed head ${head.height}`)
    // below the HISTORY_BLOCKS horizon the versions that held at N are gone: a comparison would be partial.
    // (Read in this snapshot, so a prune committing meanwhile cannot remove what is read below.)
    const pruned = (await db.query(`SELECT to_regclass($1) IS NOT NULL AS t`, [PRUNE_TABLE])).rows[0]?.t
        ? (await db.query(`SELECT pruned_below FROM ${quoteIdent(PRUNE_TABLE)} WHERE id = 0`)).rows[0]?.pruned_below
        : undefined
    if (pruned != null && at < Number(pruned)) throw new ReconcileInputError(`block ${at} was pruned (history kept from block ${pruned}; HISTORY_BLOCKS)`)
    // the hash the index knows for N: a hot block's, else the Block row's (recorded with CHAIN_ANALYTICS on)
    const known = await db.query(
        `SELECT hash FROM ${quoteIdent(stateSchema)}.hot_block WHERE height = $1 UNION ALL SELECT hash FROM block WHERE height = $1 LIMIT 1`,
        [at],
    )
    const q = async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows
    return {
        head,
        hash: known.rows[0]?.hash as string | undefined,
        versioned: await readVersionedRows(q, at),
        claims: await readClaims(db, at),
    }
}

export async function reconcileAt(at: number, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
    parseBlock(at)
    const { dbUrl, rpcUrl, contracts } = await endpoints(opts)
    const indexed = await readSnapshot(dbUrl, (db) => readAsOf(db, opts.stateSchema ?? 'squid_processor', at))
    const provider = rpcProvider(rpcUrl)
    const ck = new Checker(at, opts.concurrency ?? 16)
    for (const v of VERSIONED) if (!VIEW_CHECKS.some((c) => c.entity === v.entity)) ck.notes.push(`${v.entity}: versioned, no view function compared`)
    try {
        const block = await chainBlock(provider, rpcUrl, at)
        ck.count()
        if (!block) {
            ck.mismatches.push({ entity: 'block', id: String(at), field: 'exists', indexed: indexed.hash ?? 'indexed', chain: 'null' })
            return { height: at, hash: indexed.hash ?? '', checked: ck.checked, mismatches: ck.sorted(), notes: ck.notes }
        }
        // a hash the index recorded for N must be the chain's, else the index holds another branch's state at N
        if (indexed.hash) ck.eq('block', String(at), 'hash', indexed.hash, block.hash)
        const v = views(provider, contracts)
        const rows = await checkVersioned(indexed.versioned, v, ck)
        await checkClaims(indexed.claims, v, ck, opts.maxLeafChecks ?? 20_000, at)
        return { height: at, hash: block.hash ?? '', checked: ck.checked, mismatches: ck.sorted(), notes: ck.notes, rows }
    } catch (e: any) {
        throw asConnectionError(e, rpcUrl)
    } finally {
        provider.destroy()
    }
}
