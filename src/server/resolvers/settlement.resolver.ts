/**
 * Settlement state: a batch's lifecycle, a payee's Merkle proof, a payee's claimable balance.
 * Read from the indexed tables (batch, dispute, payout, claim) plus the leaves this server stored when it
 * built a batch (api.batch_leaves). batchLifecycle and claimableBalance take time travel's `block`: the versioned
 * tables (quoted in the SQL below) are read as of that block (asOfStatement: the block is a statement parameter)
 * and claims up to it.
 */
import { Arg, Ctx as GqlCtx, Int, Query, Resolver } from 'type-graphql'
import type { Ctx } from '../context'
import { apiError } from '../errors'
import { services } from '../services'
import { asOfPool, asOfStatement } from '../time-travel'
import { BlockHeight } from './block.input'
import { proofFor } from '../../settlement/leaf-store'
import { BatchStatus } from './scalars'
import {
    BatchLifecycle,
    ClaimableBalance,
    ClaimsSummary,
    LifecycleDispute,
    LifecycleEvent,
    LifecyclePayout,
    PayoutProof,
} from './settlement.type'
import * as v from './validate'

const LIFECYCLE_SQL = `
SELECT b.id, b.status, b.payer, b.token_id, b.root, b.total_amount::text AS total_amount, b.record_count, b.data_uri, b.operator,
       b.committed_at, b.committed_at_block, b.committed_tx, b.dispute_deadline,
       b.disputed_at, b.disputed_at_block, b.resolved_at, b.resolved_at_block,
       b.finalized_at, b.finalized_at_block, b.finalized_tx, b.rejected_at, b.rejected_at_block,
       d.id AS d_id, d.disputant, d.by_payer, d.reason, d.outcome, d.resolved_status, d.opened_at AS d_opened_at,
       d.opened_at_block AS d_opened_at_block, d.opened_tx AS d_opened_tx, d.resolved_at AS d_resolved_at,
       d.resolved_at_block AS d_resolved_at_block, d.resolved_tx AS d_resolved_tx,
       p.id AS p_id, p.total_amount::text AS p_total_amount, p.claimed_amount::text AS p_claimed_amount, p.fees_paid::text AS p_fees_paid,
       p.remaining::text AS p_remaining, p.claim_count AS p_claim_count, p.fully_claimed, p.opened_at AS p_opened_at,
       p.opened_at_block AS p_opened_at_block, p.opened_tx AS p_opened_tx, p.last_claim_at,
       c.n AS c_count, c.relayed AS c_relayed, c.amount AS c_amount, c.fee AS c_fee, c.net AS c_net,
       c.first_at AS c_first_at, c.first_block AS c_first_block, c.first_tx AS c_first_tx,
       c.last_at AS c_last_at, c.last_block AS c_last_block, c.last_tx AS c_last_tx,
       bl.leaf_count
FROM "batch" b
LEFT JOIN "dispute" d ON d.batch_id = b.id
LEFT JOIN "payout" p ON p.batch_id = b.id
LEFT JOIN LATERAL (
    SELECT count(*)::int AS n, (count(*) FILTER (WHERE relayed))::int AS relayed,
           coalesce(sum(amount), 0)::text AS amount, coalesce(sum(fee), 0)::text AS fee, coalesce(sum(net), 0)::text AS net,
           min(timestamp) AS first_at, max(timestamp) AS last_at,
           (array_agg(block_number ORDER BY block_number, log_index))[1] AS first_block,
           (array_agg(tx_hash ORDER BY block_number, log_index))[1] AS first_tx,
           (array_agg(block_number ORDER BY block_number DESC, log_index DESC))[1] AS last_block,
           (array_agg(tx_hash ORDER BY block_number DESC, log_index DESC))[1] AS last_tx
    FROM claim WHERE batch_id = b.id AND ($2::int4 IS NULL OR block_number <= $2)
) c ON true
LEFT JOIN api.batch_leaves bl ON bl.batch_id = b.id
WHERE b.id = $1`

const CLAIMABLE_SQL = `
WITH mine AS (
    SELECT bl.batch_id,
           (SELECT e->>1 FROM jsonb_array_elements(bl.leaves) e WHERE e->>0 = $1 LIMIT 1)::numeric AS amount
    FROM api.batch_leaves bl
    WHERE bl.leaves @> jsonb_build_array(jsonb_build_array($1::text))
)
SELECT m.batch_id, m.amount::text AS amount, b.token_id, b.status, b.finalized_at,
       EXISTS (SELECT 1 FROM claim c WHERE c.batch_id = m.batch_id AND c.payee = $1 AND ($3::int4 IS NULL OR c.block_number <= $3)) AS claimed
FROM mine m
JOIN "batch" b ON b.id = m.batch_id
WHERE ($2::text IS NULL OR b.token_id = $2)
ORDER BY b.finalized_at NULLS LAST, b.committed_at_block, m.batch_id`

function seconds(a: Date | null, b: Date | null): number | null {
    if (!a || !b) return null
    return (b.getTime() - a.getTime()) / 1000
}

@Resolver()
export class SettlementResolver {
    @Query(() => BatchLifecycle, {
        nullable: true,
        description: 'Every transition of a batch (commit, dispute, resolution, finalisation or rejection, payout, claims) with timestamps and blocks; null when the batch is not indexed.',
    })
    async batchLifecycle(
        @Arg('id', () => String) id: string,
        @GqlCtx() ctx: Ctx,
        @Arg('block', () => BlockHeight, { nullable: true, description: 'answer as of the end of this block' }) block?: BlockHeight | null,
    ): Promise<BatchLifecycle | null> {
        const bid = v.batchId(id, 'id')
        const { db } = services(ctx)
        const res = await asOfPool(db, block, (n) => db.query(...asOfStatement(LIFECYCLE_SQL, [bid, n], n, 2)))
        if (res.rowCount === 0) return null
        const r = res.rows[0]
        const events: LifecycleEvent[] = [{ kind: 'COMMITTED', at: r.committed_at, block: r.committed_at_block, tx: r.committed_tx }]
        if (r.d_id) events.push({ kind: 'DISPUTED', at: r.d_opened_at, block: r.d_opened_at_block, tx: r.d_opened_tx })
        else if (r.disputed_at) events.push({ kind: 'DISPUTED', at: r.disputed_at, block: r.disputed_at_block, tx: null })
        if (r.d_id && r.d_resolved_at) events.push({ kind: 'DISPUTE_RESOLVED', at: r.d_resolved_at, block: r.d_resolved_at_block, tx: r.d_resolved_tx })
        else if (!r.d_id && r.resolved_at) events.push({ kind: 'DISPUTE_RESOLVED', at: r.resolved_at, block: r.resolved_at_block, tx: null })
        if (r.rejected_at) events.push({ kind: 'REJECTED', at: r.rejected_at, block: r.rejected_at_block, tx: null })
        if (r.finalized_at) events.push({ kind: 'FINALIZED', at: r.finalized_at, block: r.finalized_at_block, tx: r.finalized_tx })
        if (r.p_id) events.push({ kind: 'PAYOUT_OPENED', at: r.p_opened_at, block: r.p_opened_at_block, tx: r.p_opened_tx })
        if (r.c_count > 0) {
            events.push({ kind: 'FIRST_CLAIM', at: r.c_first_at, block: r.c_first_block, tx: r.c_first_tx })
            if (r.c_count > 1) events.push({ kind: 'LAST_CLAIM', at: r.c_last_at, block: r.c_last_block, tx: r.c_last_tx })
        }
        // stable: chain order, then the listed order for transitions in the same block
        const order = new Map(events.map((e, i) => [e, i]))
        events.sort((a, b) => (a.block ?? 0) - (b.block ?? 0) || a.at.getTime() - b.at.getTime() || order.get(a)! - order.get(b)!)

        const dispute: LifecycleDispute | null = r.d_id
            ? {
                  disputant: r.disputant,
                  byPayer: r.by_payer,
                  reason: r.reason,
                  outcome: r.outcome,
                  resolvedStatus: r.resolved_status,
                  openedAt: r.d_opened_at,
                  openedAtBlock: r.d_opened_at_block,
                  openedTx: r.d_opened_tx,
                  resolvedAt: r.d_resolved_at,
                  resolvedAtBlock: r.d_resolved_at_block,
                  resolvedTx: r.d_resolved_tx,
              }
            : null
        const payout: LifecyclePayout | null = r.p_id
            ? {
                  totalAmount: r.p_total_amount,
                  claimedAmount: r.p_claimed_amount,
                  feesPaid: r.p_fees_paid,
                  remaining: r.p_remaining,
                  claimCount: r.p_claim_count,
                  fullyClaimed: r.fully_claimed,
                  openedAt: r.p_opened_at,
                  openedAtBlock: r.p_opened_at_block,
                  openedTx: r.p_opened_tx,
                  lastClaimAt: r.last_claim_at,
              }
            : null
        const claims: ClaimsSummary = {
            count: r.c_count,
            relayedCount: r.c_relayed,
            amount: r.c_amount,
            fees: r.c_fee,
            net: r.c_net,
            firstAt: r.c_first_at,
            lastAt: r.c_last_at,
            unclaimedPayees: r.leaf_count == null ? null : Math.max(0, r.leaf_count - r.c_count),
        }
        return {
            id: r.id,
            status: r.status as BatchStatus,
            payer: r.payer,
            token: r.token_id,
            root: r.root,
            totalAmount: r.total_amount,
            recordCount: r.record_count,
            dataURI: r.data_uri,
            operator: r.operator,
            committedAt: r.committed_at,
            committedAtBlock: r.committed_at_block,
            committedTx: r.committed_tx,
            disputeDeadline: r.dispute_deadline,
            finalizedAt: r.finalized_at,
            finalizedAtBlock: r.finalized_at_block,
            finalizedTx: r.finalized_tx,
            rejectedAt: r.rejected_at,
            rejectedAtBlock: r.rejected_at_block,
            events,
            dispute,
            payout,
            claims,
            leafCount: r.leaf_count,
            commitToFinalizeSeconds: seconds(r.committed_at, r.finalized_at),
            finalizeToFirstClaimSeconds: seconds(r.finalized_at, r.c_first_at),
        }
    }

    @Query(() => PayoutProof, {
        description:
            'Amount and Merkle proof of `payee` in a batch this server built (pass them to Distributor.claim). NOT_FOUND when the batch was not built here or the payee has no leaf in it.',
    })
    async payoutProof(
        @Arg('batchId', () => String) batchIdArg: string,
        @Arg('payee', () => String) payeeArg: string,
        @GqlCtx() ctx: Ctx,
    ): Promise<PayoutProof> {
        const bid = v.batchId(batchIdArg)
        const payee = v.address(payeeArg, 'payee')
        const { db } = services(ctx)
        const found = await proofFor(db, bid, payee)
        if (found === null) throw apiError('NOT_FOUND', `batch ${bid} is unknown to this server (its leaves were not stored here)`, { batchId: bid })
        if (found === undefined) throw apiError('NOT_FOUND', `payee ${payee} has no payout in batch ${bid}`, { batchId: bid, payee })
        const r = await db.query(
            `SELECT b.status, EXISTS (SELECT 1 FROM claim c WHERE c.batch_id = $1 AND c.payee = $2) AS claimed
             FROM (SELECT 1) one LEFT JOIN batch b ON b.id = $1`,
            [bid, payee],
        )
        const status = (r.rows[0]?.status ?? null) as BatchStatus | null
        const claimed = !!r.rows[0]?.claimed
        return {
            batchId: bid,
            payee,
            amount: found.amount.toString(),
            proof: found.proof,
            root: found.root,
            claimed,
            batchStatus: status,
            claimable: status === BatchStatus.FINALIZED && !claimed,
        }
    }

    @Query(() => ClaimableBalance, {
        description:
            "What `payee` can claim now (or as of the end of `block`): per token, the sum over FINALIZED batches (built by this server) that have no indexed claim by the payee, plus amounts still pending in COMMITTED/DISPUTED batches.",
    })
    async claimableBalance(
        @Arg('payee', () => String) payeeArg: string,
        @Arg('token', () => String, { nullable: true }) tokenArg: string | null,
        @Arg('limit', () => Int, { nullable: true, defaultValue: 100, description: 'max claimable batches listed (1-1000)' }) limitArg: number,
        @GqlCtx() ctx: Ctx,
        @Arg('block', () => BlockHeight, { nullable: true, description: 'answer as of the end of this block (claims up to it)' }) block?: BlockHeight | null,
    ): Promise<ClaimableBalance> {
        const payee = v.address(payeeArg, 'payee')
        const token = v.optionalAddress(tokenArg, 'token')
        const limit = v.limit(limitArg, 100, 1000)
        const { db } = services(ctx)
        const res = await asOfPool(db, block, (n) => db.query(...asOfStatement(CLAIMABLE_SQL, [payee, token ?? null, n], n, 3)))
        const tokens = new Map<string, { claimable: bigint; claimableBatches: number; pending: bigint; pendingBatches: number; claimed: bigint }>()
        const batches: ClaimableBalance['batches'] = []
        let claimableCount = 0
        for (const row of res.rows) {
            let t = tokens.get(row.token_id)
            if (!t) tokens.set(row.token_id, (t = { claimable: 0n, claimableBatches: 0, pending: 0n, pendingBatches: 0, claimed: 0n }))
            const amount = BigInt(row.amount ?? '0')
            if (row.claimed) t.claimed += amount
            else if (row.status === 'FINALIZED') {
                t.claimable += amount
                t.claimableBatches++
                claimableCount++
                if (batches.length < limit) batches.push({ batchId: row.batch_id, token: row.token_id, amount: amount.toString(), finalizedAt: row.finalized_at })
            } else if (row.status === 'COMMITTED' || row.status === 'DISPUTED') {
                t.pending += amount
                t.pendingBatches++
            }
        }
        return {
            payee,
            tokens: [...tokens.entries()]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([token, t]) => ({
                    token,
                    claimable: t.claimable.toString(),
                    claimableBatches: t.claimableBatches,
                    pending: t.pending.toString(),
                    pendingBatches: t.pendingBatches,
                    claimed: t.claimed.toString(),
                })),
            batches,
            truncated: claimableCount > batches.length,
        }
    }
}
