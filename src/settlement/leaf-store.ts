import type { Pool, PoolClient } from 'pg'
import { PayoutLeaf } from './batch-builder'
import { encodeLeafDecimal, PayoutTree } from './merkle'

/**
 * Leaves of the batches this deployment built, so `payoutProof` can answer any payee later. Kept in the
 * `api` schema (created by a migration in db/migrations), out of the OpenReader API: it is internal state.
 * Stored as one JSON document per batch, `[[payee, amount], ...]` sorted by payee: a 100,000-leaf batch is one row,
 * written in one statement (claimableBalance and reconcile read the same document).
 */
export async function saveLeaves(db: Pool | PoolClient, batchId: string, root: string, leaves: PayoutLeaf[]): Promise<void> {
    await db.query(
        `INSERT INTO api.batch_leaves (batch_id, root, leaf_count, leaves) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (batch_id) DO NOTHING`,
        [batchId.toLowerCase(), root.toLowerCase(), leaves.length, leavesJson(leaves)],
    )
}

/** Forget the leaves of `batchId` stored with `root` (its commit never reached the chain). */
export async function deleteLeaves(db: Pool | PoolClient, batchId: string, root: string): Promise<void> {
    await db.query(`DELETE FROM api.batch_leaves WHERE batch_id = $1 AND root = $2`, [batchId.toLowerCase(), root.toLowerCase()])
}

const LOWER_ADDRESS_RE = /^0x[0-9a-f]{40}$/

/** `[[payee, "amount"], ...]`; addresses and decimal digits need no escaping, anything else goes through JSON.stringify. */
function leavesJson(leaves: PayoutLeaf[]): string {
    const parts = new Array<string>(leaves.length)
    for (let i = 0; i < leaves.length; i++) {
        const { payee, amount } = leaves[i]
        parts[i] = LOWER_ADDRESS_RE.test(payee) ? `["${payee}","${amount.toString()}"]` : JSON.stringify([payee, amount.toString()])
    }
    return '[' + parts.join(',') + ']'
}

/** The rebuilt tree of a stored batch, with its leaves. */
export class StoredTree {
    private readonly byPayee: Map<string, number> | undefined

    constructor(
        readonly root: string,
        /** lowercase, in stored order (sorted, for every batch built by buildBatch) */
        readonly payees: string[],
        /** decimal strings, as stored */
        readonly amounts: string[],
        readonly tree: PayoutTree,
    ) {
        let sorted = true
        for (let i = 1; i < payees.length && sorted; i++) sorted = payees[i - 1] < payees[i]
        if (!sorted) {
            this.byPayee = new Map()
            payees.forEach((p, i) => {
                if (!this.byPayee!.has(p)) this.byPayee!.set(p, i)
            })
        }
    }

    get length(): number {
        return this.payees.length
    }

    /** Leaf index of `payee` (any case), undefined when it has no leaf. */
    indexOf(payee: string): number | undefined {
        const p = payee.toLowerCase()
        if (this.byPayee) return this.byPayee.get(p)
        let lo = 0
        let hi = this.payees.length - 1
        while (lo <= hi) {
            const mid = (lo + hi) >>> 1
            const v = this.payees[mid]
            if (v === p) return mid
            if (v < p) lo = mid + 1
            else hi = mid - 1
        }
        return undefined
    }

    amount(i: number): bigint {
        return BigInt(this.amounts[i])
    }

    proof(i: number): string[] {
        return this.tree.proof(i)
    }
}

/**
 * Rebuilt trees by batch id, least recently used first out. Bounded by count and by leaves (~200 bytes per cached
 * leaf: 64 of tree nodes, the payee string, the amount).
 */
const cache = new Map<string, StoredTree>()
const CACHE_LIMIT = 64
const CACHE_MAX_LEAVES = 1_000_000
let cachedLeaves = 0
const loading = new Map<string, Promise<StoredTree | undefined>>()

function remember(key: string, stored: StoredTree) {
    if (stored.length > CACHE_MAX_LEAVES) return
    while (cache.size > 0 && (cache.size >= CACHE_LIMIT || cachedLeaves + stored.length > CACHE_MAX_LEAVES)) {
        const [oldest, t] = cache.entries().next().value!
        cache.delete(oldest)
        cachedLeaves -= t.length
    }
    cache.set(key, stored)
    cachedLeaves += stored.length
}

/** Forget every cached tree (tests). */
export function clearTreeCache(): void {
    cache.clear()
    cachedLeaves = 0
}

/** Rebuild (and cache) the tree of a batch; undefined when this deployment did not build it. */
export async function loadTree(db: Pool | PoolClient, batchId: string): Promise<StoredTree | undefined> {
    const key = batchId.toLowerCase()
    const hit = cache.get(key)
    if (hit) {
        cache.delete(key) // most recently used goes last
        cache.set(key, hit)
        return hit
    }
    // concurrent first requests for the same batch share one load
    let p = loading.get(key)
    if (!p) {
        p = readTree(db, key).finally(() => loading.delete(key))
        loading.set(key, p)
    }
    return p
}

async function readTree(db: Pool | PoolClient, key: string): Promise<StoredTree | undefined> {
    const res = await db.query(`SELECT root, leaves FROM api.batch_leaves WHERE batch_id = $1`, [key])
    if (res.rowCount === 0) return undefined
    const rows = res.rows[0].leaves as [string, string][]
    const payees = new Array<string>(rows.length)
    const amounts = new Array<string>(rows.length)
    for (let i = 0; i < rows.length; i++) {
        payees[i] = rows[i][0].toLowerCase()
        amounts[i] = String(rows[i][1])
    }
    const tree = PayoutTree.fromEncodings(rows.length, (i, out) => encodeLeafDecimal(payees[i], amounts[i], out))
    const stored = new StoredTree(String(res.rows[0].root).toLowerCase(), payees, amounts, tree)
    remember(key, stored)
    return stored
}

/**
 * Amount and proof of `payee` in `batchId`: null when this deployment did not build the batch, undefined when
 * the payee has no leaf in it.
 */
export async function proofFor(
    db: Pool | PoolClient,
    batchId: string,
    payee: string,
): Promise<{ root: string; amount: bigint; proof: string[] } | undefined | null> {
    const stored = await loadTree(db, batchId)
    if (!stored) return null
    const i = stored.indexOf(payee)
    if (i === undefined) return undefined
    return { root: stored.root, amount: stored.amount(i), proof: stored.proof(i) }
}
