import type { Pool, PoolClient } from 'pg'
import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { LEAF_ENCODING, PayoutLeaf } from './batch-builder'

/**
 * Leaves of the batches this deployment built, so `payoutProof` can answer any payee later. Kept in the
 * `api` schema (created by a migration in db/migrations), out of the OpenReader API: it is internal state.
 * Stored as one JSON document per batch: a 100,000-leaf batch is one row, written in one statement.
 */
export async function saveLeaves(db: Pool | PoolClient, batchId: string, root: string, leaves: PayoutLeaf[]): Promise<void> {
    const doc = JSON.stringify(leaves.map((l) => [l.payee, l.amount.toString()]))
    await db.query(
        `INSERT INTO api.batch_leaves (batch_id, root, leaf_count, leaves) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (batch_id) DO NOTHING`,
        [batchId.toLowerCase(), root.toLowerCase(), leaves.length, doc],
    )
}

export interface StoredTree {
    root: string
    tree: StandardMerkleTree<[string, bigint]>
    index: Map<string, number>
}

const cache = new Map<string, StoredTree>()
const CACHE_LIMIT = 64

/** Rebuild (and cache) the tree of a batch; undefined when this deployment did not build it. */
export async function loadTree(db: Pool | PoolClient, batchId: string): Promise<StoredTree | undefined> {
    const key = batchId.toLowerCase()
    const hit = cache.get(key)
    if (hit) return hit
    const res = await db.query(`SELECT root, leaves FROM api.batch_leaves WHERE batch_id = $1`, [key])
    if (res.rowCount === 0) return undefined
    const values = (res.rows[0].leaves as [string, string][]).map(([p, a]) => [p, BigInt(a)] as [string, bigint])
    const tree = StandardMerkleTree.of(values, LEAF_ENCODING)
    const index = new Map<string, number>()
    values.forEach(([p], i) => index.set(p, i))
    const stored = { root: res.rows[0].root, tree, index }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
    cache.set(key, stored)
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
    const i = stored.index.get(payee.toLowerCase())
    if (i === undefined) return undefined
    const [, amount] = stored.tree.at(i)!
    return { root: stored.root, amount: BigInt(amount), proof: stored.tree.getProof(i) }
}
