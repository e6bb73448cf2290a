/**
 * The checks of the versioned entities (src/model/versioned.ts) against the contracts' view functions. The same
 * definition serves `reconcile` (rows of the current-state table, views at the indexed head) and `reconcile --at N`
 * (rows of `<table>_history` whose block_range holds N, views at block N): adding a versioned entity to the
 * reconciliation, now and as of any block, is one entry in VIEW_CHECKS.
 */
import { BATCH_STATUS_NAMES, PARTICIPANT_KIND_NAMES } from '../mappings/util'
import { historyTable } from '../model/versioned'
import { Views } from './connect'
import { Checker, mapLimit } from './types'

type Row = Record<string, any>

export interface ViewCheck {
    /** entity name, as in VERSIONED */
    entity: string
    /** current-state table (its history table is `<table>_history`) */
    table: string
    /** the columns the check reads */
    columns: string[]
    /** compare the rows (all of the entity's rows at that block) with the views at `ck.blockTag` */
    check(rows: Row[], v: Views, ck: Checker, all: IndexedRows): Promise<void>
}

/** The rows of every VIEW_CHECKS entity, by entity name (some checks compare across entities). */
export type IndexedRows = Record<string, Row[]>

export const VIEW_CHECKS: readonly ViewCheck[] = [
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
]

/** The rows of each VIEW_CHECKS entity: current state, or (with `at`) the versions whose block range holds `at`. */
export async function readVersionedRows(q: (sql: string, params?: unknown[]) => Promise<Row[]>, at?: number): Promise<IndexedRows> {
    const out: IndexedRows = {}
    for (const c of VIEW_CHECKS) {
        const cols = c.columns.join(', ')
        out[c.entity] = at === undefined ? await q(`SELECT ${cols} FROM ${c.table}`) : await q(`SELECT ${cols} FROM ${historyTable(c.table)} WHERE block_range @> $1::int4`, [at])
    }
    return out
}

export async function checkVersioned(rows: IndexedRows, v: Views, ck: Checker): Promise<void> {
    for (const c of VIEW_CHECKS) await c.check(rows[c.entity] ?? [], v, ck, rows)
}
