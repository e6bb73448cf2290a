/**
 * VIEW_CHECKS entries of the settlement entities (escrow, tokens, batches, participants, payouts, disputes): each
 * compares the rows, current or as of a block, with the contracts' view functions at `ck.blockTag`.
 */
import { BATCH_STATUS_NAMES, PARTICIPANT_KIND_NAMES } from '../mappings/util'
import { mapLimit } from './types'
import { ViewCheck } from './view-check'

export const SETTLEMENT_CHECKS: readonly ViewCheck[] = [
    {
        entity: 'Token',
        table: 'token',
        columns: ['id', 'allowed', 'decimals', 'min_deposit', 'max_deposit', 'escrow_held', 'escrow_locked'],
        async check(rows, v, ck, all) {
            const blockTag = ck.blockTag
            // the token totals against the sum of the indexed accounts (internal consistency, no call)
            const sums = new Map<string, { held: bigint; locked: bigint }>()
            for (const a of all.EscrowAccount ?? []) {
                const s = sums.get(a.token_id) ?? { held: 0n, locked: 0n }
                s.held += BigInt(a.available) + BigInt(a.locked)
                s.locked += BigInt(a.locked)
                sums.set(a.token_id, s)
            }
            await mapLimit(rows, ck.limit, async (t) => {
                const [cfg, held] = await Promise.all([ck.call(() => v.tokenRegistry.getToken(t.id, { blockTag })), ck.call(() => v.escrow.totalHeld(t.id, { blockTag }))])
                ck.eq('Token', t.id, 'allowed', t.allowed, cfg.allowed)
                ck.eq('Token', t.id, 'decimals', t.decimals, Number(cfg.decimals))
                ck.eq('Token', t.id, 'minDeposit', t.min_deposit, cfg.minDeposit)
                ck.eq('Token', t.id, 'maxDeposit', t.max_deposit, cfg.maxDeposit)
                ck.eq('Token', t.id, 'escrowHeld', t.escrow_held, held)
                const s = sums.get(t.id) ?? { held: 0n, locked: 0n }
                ck.eq('Token', t.id, 'escrowHeld (sum of indexed accounts)', t.escrow_held, s.held)
                ck.eq('Token', t.id, 'escrowLocked (sum of indexed accounts)', t.escrow_locked, s.locked)
            })
        },
    },
    {
        entity: 'EscrowAccount',
        table: 'escrow_account',
        columns: ['id', 'payer', 'token_id', 'available', 'locked'],
        async check(rows, v, ck) {
            await mapLimit(rows, ck.limit, async (a) => {
                const r = await ck.call(() => v.escrow.accountOf(a.payer, a.token_id, { blockTag: ck.blockTag }))
                ck.eq('EscrowAccount', a.id, 'available', a.available, r.available)
                ck.eq('EscrowAccount', a.id, 'locked', a.locked, r.locked)
            })
        },
    },
    {
        entity: 'Batch',
        table: 'batch',
        columns: ['id', 'status', 'payer', 'token_id', 'root', 'total_amount', 'record_count', 'dispute_deadline', 'disputed', 'data_uri', 'claimed_amount'],
        async check(rows, v, ck) {
            const blockTag = ck.blockTag
            await mapLimit(rows, ck.limit, async (b) => {
                const [r, payout] = await Promise.all([ck.call(() => v.ledger.getBatch(b.id, { blockTag })), ck.call(() => v.distributor.getPayout(b.id, { blockTag }))])
                ck.eq('Batch', b.id, 'status', b.status, BATCH_STATUS_NAMES[Number(r.status)] ?? r.status)
                ck.eq('Batch', b.id, 'payer', b.payer, r.payer.toLowerCase())
                ck.eq('Batch', b.id, 'token', b.token_id, r.token.toLowerCase())
                ck.eq('Batch', b.id, 'root', b.root, r.root.toLowerCase())
                ck.eq('Batch', b.id, 'totalAmount', b.total_amount, r.totalAmount)
                ck.eq('Batch', b.id, 'recordCount', b.record_count, Number(r.recordCount))
                ck.eq('Batch', b.id, 'disputeDeadline', b.dispute_deadline, r.disputeDeadline)
                ck.eq('Batch', b.id, 'disputed', b.disputed, r.disputed)
                ck.eq('Batch', b.id, 'dataURI', b.data_uri, r.dataURI)
                // claim progress: the payout's claimed total (zero while no payout is open)
                ck.eq('Batch', b.id, 'claimedAmount', b.claimed_amount, payout.claimedAmount)
            })
        },
    },
    {
        entity: 'Participant',
        table: 'participant',
        columns: ['id', 'kind', 'payout_address', 'active', 'consent', 'price_per_thousand', 'metadata_uri'],
        async check(rows, v, ck) {
            await mapLimit(rows, ck.limit, async (p) => {
                const r = await ck.call(() => v.registry.getParticipant(p.id, { blockTag: ck.blockTag }))
                ck.eq('Participant', p.id, 'kind', p.kind, PARTICIPANT_KIND_NAMES[Number(r.kind)] ?? r.kind)
                ck.eq('Participant', p.id, 'payoutAddress', p.payout_address, r.payoutAddress.toLowerCase())
                ck.eq('Participant', p.id, 'active', p.active, r.active)
                ck.eq('Participant', p.id, 'consent', p.consent, r.consent)
                ck.eq('Participant', p.id, 'pricePerThousand', p.price_per_thousand, r.pricePerThousand)
                ck.eq('Participant', p.id, 'metadataURI', p.metadata_uri, r.metadataURI)
            })
        },
    },
    {
        entity: 'Payout',
        table: 'payout',
        columns: ['id', 'token_id', 'root', 'total_amount', 'claimed_amount', 'fees_paid', 'opened_at'],
        async check(rows, v, ck) {
            await mapLimit(rows, ck.limit, async (p) => {
                const r = await ck.call(() => v.distributor.getPayout(p.id, { blockTag: ck.blockTag }))
                ck.eq('Payout', p.id, 'token', p.token_id, r.token.toLowerCase())
                ck.eq('Payout', p.id, 'root', p.root, r.root.toLowerCase())
                ck.eq('Payout', p.id, 'totalAmount', p.total_amount, r.totalAmount)
                ck.eq('Payout', p.id, 'claimedAmount', p.claimed_amount, r.claimedAmount)
                ck.eq('Payout', p.id, 'feesPaid', p.fees_paid, r.feesPaid)
                ck.eq('Payout', p.id, 'openedAt', p.opened_at, r.openedAt)
            })
        },
    },
    {
        // no view of its own: the ledger's batch record holds the dispute (disputed flag, status)
        entity: 'Dispute',
        table: 'dispute',
        columns: ['id', 'batch_id', 'payer', 'token_id', 'outcome'],
        async check(rows, v, ck) {
            await mapLimit(rows, ck.limit, async (d) => {
                const r = await ck.call(() => v.ledger.getBatch(d.batch_id, { blockTag: ck.blockTag }))
                ck.eq('Dispute', d.id, 'disputed (batch)', true, r.disputed)
                ck.eq('Dispute', d.id, 'payer', d.payer, r.payer.toLowerCase())
                ck.eq('Dispute', d.id, 'token', d.token_id, r.token.toLowerCase())
                ck.eq('Dispute', d.id, 'outcome (from the batch status)', d.outcome, disputeOutcome(BATCH_STATUS_NAMES[Number(r.status)] ?? String(r.status)))
            })
        },
    },
]

/** Disputed → pending; rejected → upheld; back to committed (then maybe finalized) → dismissed. */
function disputeOutcome(status: string): string {
    return status === 'DISPUTED' ? 'PENDING' : status === 'REJECTED' ? 'UPHELD' : status === 'COMMITTED' || status === 'FINALIZED' ? 'DISMISSED' : `(batch ${status})`
}
