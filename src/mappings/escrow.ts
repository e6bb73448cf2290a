/**
 * Escrow: every event carries the account's balances after the change, so balances are set from
 * events (never recomputed); token-wide held/locked totals are kept by deltas (reconciled against
 * Escrow.totalHeld).
 */
import { Batch, EscrowAccount, EscrowMovement, EscrowMovementKind, Token } from '../model'
import { EventMeta, OwnEventOf } from './decode'
import { ensureBatch, ensureToken } from './entities'
import { bumpParticipant, bumpToken } from './rollups'
import { MappingState } from './state'
import { escrowAccountId } from './util'

type Ev = OwnEventOf<'Escrow'>

export function prefetch(ev: Ev, state: MappingState): void {
    const payer = ev.args.payer.toLowerCase()
    const token = ev.args.token.toLowerCase()
    state.tokens.want(token)
    state.accounts.want(escrowAccountId(payer, token))
    if ('batchId' in ev.args) state.batches.want(ev.args.batchId.toLowerCase())
}

function ensureAccount(state: MappingState, payer: string, token: Token, meta: EventMeta): EscrowAccount {
    const id = escrowAccountId(payer, token.id)
    const a = state.accounts.get(id)
    if (a) return a
    return state.accounts.add(
        new EscrowAccount({
            id,
            payer,
            token: new Token({ id: token.id }),
            available: 0n,
            locked: 0n,
            totalDeposited: 0n,
            totalWithdrawn: 0n,
            totalLocked: 0n,
            totalUnlocked: 0n,
            totalCharged: 0n,
            movementCount: 0,
            createdAt: new Date(meta.timestamp),
            updatedAt: new Date(meta.timestamp),
            updatedAtBlock: meta.blockNumber,
        }),
    )
}

const KIND: Record<Ev['name'], EscrowMovementKind> = {
    Deposited: EscrowMovementKind.DEPOSIT,
    Withdrawn: EscrowMovementKind.WITHDRAWAL,
    Locked: EscrowMovementKind.LOCK,
    Unlocked: EscrowMovementKind.UNLOCK,
    Charged: EscrowMovementKind.CHARGE,
}

/** Whether an Escrow event becomes an EscrowMovement row (then ProtocolEvent shows it from that row). */
export function hasMovement(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(KIND, name)
}

export function handle(ev: Ev, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const payer = ev.args.payer.toLowerCase()
    const token = ensureToken(state, ev.args.token, meta)
    const account = ensureAccount(state, payer, token, meta)
    const amount = ev.args.amount

    let counterparty: string | null = null
    let batchId: string | null = null
    switch (ev.name) {
        case 'Deposited':
            account.totalDeposited += amount
            token.escrowHeld += amount
            token.totalDeposited += amount
            token.depositCount += 1
            bumpToken(state, token, meta, { depositCount: 1, depositAmount: amount })
            bumpParticipant(state, payer, token.id, meta, { depositAmount: amount })
            break
        case 'Withdrawn':
            counterparty = ev.args.to.toLowerCase()
            account.totalWithdrawn += amount
            token.escrowHeld -= amount
            token.totalWithdrawn += amount
            token.withdrawalCount += 1
            bumpToken(state, token, meta, { withdrawalCount: 1, withdrawalAmount: amount })
            bumpParticipant(state, payer, token.id, meta, { withdrawalAmount: amount })
            break
        case 'Locked':
            batchId = ev.args.batchId.toLowerCase()
            account.totalLocked += amount
            token.escrowLocked += amount
            bumpToken(state, token, meta, {})
            break
        case 'Unlocked':
            batchId = ev.args.batchId.toLowerCase()
            account.totalUnlocked += amount
            token.escrowLocked -= amount
            bumpToken(state, token, meta, {})
            break
        case 'Charged':
            batchId = ev.args.batchId.toLowerCase()
            counterparty = ev.args.recipient.toLowerCase()
            account.totalCharged += amount
            token.escrowHeld -= amount
            token.escrowLocked -= amount
            bumpToken(state, token, meta, {})
            break
    }
    account.available = ev.args.availableAfter
    account.locked = ev.args.lockedAfter
    account.movementCount += 1
    account.updatedAt = at
    account.updatedAtBlock = meta.blockNumber
    state.accounts.touch(account)
    token.updatedAt = at
    token.updatedAtBlock = meta.blockNumber
    state.tokens.touch(token)

    state.movements.push(
        new EscrowMovement({
            id: meta.id,
            kind: KIND[ev.name],
            account: new EscrowAccount({ id: account.id }),
            payer,
            token: new Token({ id: token.id }),
            amount,
            availableAfter: ev.args.availableAfter,
            lockedAfter: ev.args.lockedAfter,
            counterparty,
            // linked after all events of the call are applied (a Locked log precedes its BatchCommitted)
            batch: null,
            blockNumber: meta.blockNumber,
            blockHash: meta.blockHash,
            logIndex: meta.logIndex,
            txHash: meta.txHash,
            txFrom: meta.txFrom ?? null,
            timestamp: at,
        }),
    )
    if (batchId) state.movementBatches.push({ movement: state.movements[state.movements.length - 1], batchId, meta, payer, token: token.id })
}

/**
 * Link LOCK / UNLOCK / CHARGE movements to their batch rows. Runs after the call's events are applied:
 * the Locked log precedes its BatchCommitted in the same transaction. A batch never seen (indexing
 * started after its commit) gets a stub row (see ensureBatch) so the reference stays valid.
 */
export function linkMovementBatches(state: MappingState): void {
    for (const { movement, batchId, meta, payer, token } of state.movementBatches) {
        ensureBatch(state, batchId, meta, { payer, token })
        movement.batch = new Batch({ id: batchId })
    }
}
