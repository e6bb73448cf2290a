import type { Pool } from 'pg'
import type { PayoutLeaf } from '../../settlement/batch-builder'
import { deleteLeaves, saveLeaves } from '../../settlement/leaf-store'
import type { SettlementChain } from './settlement-chain'

/**
 * The stored leaves of one commitBatch (`api.batch_leaves`, for payoutProof): written before the commit is sent, and
 * removed again when the commit failed with nothing broadcast, so no proofs are served for a batch that does not exist.
 */
export class CommitLeaves {
    private stored = false

    constructor(
        private readonly db: Pool,
        readonly batchId: string,
        readonly root: string,
        private readonly leaves: PayoutLeaf[],
    ) {}

    /** Store the leaves; replace leaves left by an earlier attempt that never reached the chain. */
    async store(chain: SettlementChain): Promise<void> {
        const { db, batchId, root, leaves } = this
        await saveLeaves(db, batchId, root, leaves)
        this.stored = true
        const r = await db.query(`SELECT root FROM api.batch_leaves WHERE batch_id = $1`, [batchId])
        const current = String(r.rows[0]?.root ?? '').toLowerCase()
        if (current === root.toLowerCase()) return
        if ((await chain.getBatch(batchId)).status !== 0) return // on chain already: the simulation reports BatchAlreadyExists
        await deleteLeaves(db, batchId, r.rows[0].root)
        await saveLeaves(db, batchId, root, leaves)
    }

    /** The commit failed before broadcast: forget the leaves, unless the batch is on chain (committed earlier). */
    async discard(chain: SettlementChain | undefined): Promise<void> {
        if (!this.stored || !chain || (await chain.getBatch(this.batchId)).status !== 0) return
        await deleteLeaves(this.db, this.batchId, this.root)
    }
}
