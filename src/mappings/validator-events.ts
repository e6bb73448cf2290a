/**
 * ValidatorRegistry events about a validator itself: registration, fee recipient and metadata, commission changes
 * (scheduled, cancelled, applied), jailing and slashing (which revalues every delegation of the validator).
 */
import { CommissionChange, CommissionChangeKind, JailEvent, SlashEvent, Validator } from '../model'
import { epochOf } from '../validators/schedule'
import { MappingState } from './state'
import { secondsToDate } from './util'
import { ensureValidator, newValidator, RegistryEventNamed, setDelegation, touchValidator } from './validator-state'

/** A registration (completing a stub created earlier in the batch). */
export function onValidatorRegistered(ev: RegistryEventNamed<'ValidatorRegistered'>, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const id = ev.args.validator.toLowerCase()
    const feeRecipient = ev.args.feeRecipient.toLowerCase()
    // (a validator registers once; a stub created earlier in the batch is completed)
    const v = state.validators.get(id) ?? state.validators.add(newValidator(id, feeRecipient, meta))
    v.feeRecipient = feeRecipient
    v.commissionBps = ev.args.commissionBps
    v.metadataURI = ev.args.metadataURI
    v.registeredAt = at
    v.registeredAtBlock = meta.blockNumber
    state.validatorByFeeRecipient.set(feeRecipient, id)
    touchValidator(state, v, meta)
}

/** A new fee recipient: the map that attributes blocks to proposers follows. */
export function onFeeRecipientChanged(ev: RegistryEventNamed<'FeeRecipientChanged'>, state: MappingState): void {
    const { meta } = ev
    const v = ensureValidator(state, ev.args.validator, meta)
    const old = ev.args.oldRecipient.toLowerCase()
    if (state.validatorByFeeRecipient.get(old) === v.id) state.validatorByFeeRecipient.delete(old)
    v.feeRecipient = ev.args.newRecipient.toLowerCase()
    state.validatorByFeeRecipient.set(v.feeRecipient, v.id)
    touchValidator(state, v, meta)
}

/** The validator's metadata URI. */
export function onMetadataURIChanged(ev: RegistryEventNamed<'MetadataURIChanged'>, state: MappingState): void {
    const { meta } = ev
    const v = ensureValidator(state, ev.args.validator, meta)
    v.metadataURI = ev.args.metadataURI
    touchValidator(state, v, meta)
}

/** A commission change scheduled, cancelled or applied (a CommissionChange row each). */
export function onCommissionChange(ev: RegistryEventNamed<'CommissionChangeScheduled' | 'CommissionChangeCancelled' | 'CommissionChanged'>, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const epoch = epochOf(meta.blockNumber, state.epochBlocks)
    const v = ensureValidator(state, ev.args.validator, meta)
    let kind: CommissionChangeKind
    let oldBps: number
    let newBps: number
    let effectiveAt: Date | null = null
    let appliedBy: string | null = null
    if (ev.name === 'CommissionChangeScheduled') {
        kind = CommissionChangeKind.SCHEDULED
        oldBps = ev.args.currentBps
        newBps = ev.args.newBps
        effectiveAt = secondsToDate(ev.args.effectiveAt)
        v.pendingCommissionBps = newBps
        v.pendingCommissionEffectiveAt = effectiveAt
    } else if (ev.name === 'CommissionChangeCancelled') {
        kind = CommissionChangeKind.CANCELLED
        oldBps = ev.args.currentBps
        newBps = ev.args.cancelledBps
        v.pendingCommissionBps = null
        v.pendingCommissionEffectiveAt = null
    } else {
        kind = CommissionChangeKind.APPLIED
        oldBps = ev.args.oldBps
        newBps = ev.args.newBps
        effectiveAt = secondsToDate(ev.args.effectiveAt)
        appliedBy = ev.args.appliedBy.toLowerCase()
        v.commissionBps = newBps
        v.pendingCommissionBps = null
        v.pendingCommissionEffectiveAt = null
        if (newBps > oldBps) v.commissionHikeCount += 1
    }
    touchValidator(state, v, meta)
    state.commissionChanges.push(
        new CommissionChange({
            id: meta.id,
            validator: new Validator({ id: v.id }),
            kind,
            oldBps,
            newBps,
            effectiveAt,
            appliedBy,
            hike: newBps > oldBps,
            blockNumber: meta.blockNumber,
            epoch,
            txHash: meta.txHash,
            timestamp: at,
        }),
    )
}

/** Jailed or unjailed (a JailEvent row each). */
export function onJailChange(ev: RegistryEventNamed<'ValidatorJailed' | 'ValidatorUnjailed'>, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const epoch = epochOf(meta.blockNumber, state.epochBlocks)
    const v = ensureValidator(state, ev.args.validator, meta)
    const jailed = ev.name === 'ValidatorJailed'
    v.jailed = jailed
    if (jailed) v.jailCount += 1
    v.stake = ev.args.stake
    touchValidator(state, v, meta)
    state.jailEvents.push(
        new JailEvent({
            id: meta.id,
            validator: new Validator({ id: v.id }),
            jailed,
            reason: ev.name === 'ValidatorJailed' ? ev.args.reason : null,
            stake: ev.args.stake,
            blockNumber: meta.blockNumber,
            epoch,
            txHash: meta.txHash,
            timestamp: at,
        }),
    )
}

/** A slash: the validator's stake and shares, every delegation revalued, a SlashEvent row. */
export function onSlashed(ev: RegistryEventNamed<'Slashed'>, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const epoch = epochOf(meta.blockNumber, state.epochBlocks)
    const v = ensureValidator(state, ev.args.validator, meta)
    v.stake = ev.args.stakeAfter
    v.totalShares = ev.args.sharesAfter
    v.slashCount += 1
    v.slashedAmount += ev.args.amount
    touchValidator(state, v, meta)
    // every delegation of the validator was loaded (prefetch `slashed`): revalue them all
    for (const d of state.delegations.all()) {
        if (d.validator.id !== v.id || d.shares === 0n) continue
        if (v.totalShares === 0n) setDelegation(state, d, v, 0n, 0n, meta)
        else setDelegation(state, d, v, d.shares, (d.shares * v.stake) / v.totalShares, meta)
    }
    state.slashEvents.push(
        new SlashEvent({
            id: meta.id,
            validator: new Validator({ id: v.id }),
            bps: ev.args.bps,
            amount: ev.args.amount,
            stakeAfter: ev.args.stakeAfter,
            sharesAfter: ev.args.sharesAfter,
            totalStakedAfter: ev.args.totalStakedAfter,
            treasury: ev.args.treasury.toLowerCase(),
            reason: ev.args.reason,
            blockNumber: meta.blockNumber,
            epoch,
            txHash: meta.txHash,
            timestamp: at,
        }),
    )
}
