/**
 * ValidatorRegistry: validators, delegations (share pools), unbonding, commission, jail and slashing.
 * Every event carries the resulting totals (stake, shares, the delegator's shares and value), so state is
 * set from events, never recomputed; the only derived values are delegation `amount`s after a slash (see
 * schema.graphql Delegation). Validators also keep the fee recipient → validator map that attributes
 * blocks to proposers (`state.validatorByFeeRecipient`).
 */
import { ensureParams } from './entities'
import { onDelegated, onRedelegated, onUnbondingWithdrawn, onUndelegated } from './delegation-events'
import { MappingState } from './state'
import { onCommissionChange, onFeeRecipientChanged, onJailChange, onMetadataURIChanged, onSlashed, onValidatorRegistered } from './validator-events'
import { delegationId, RegistryEvent } from './validator-state'

type Ev = RegistryEvent

/** Ids the event needs loaded; `slashed` collects validators whose every delegation must be loaded. */
export function prefetch(ev: Ev, state: MappingState, slashed: Set<string>): void {
    switch (ev.name) {
        case 'ConfigChanged':
            state.params.want('protocol')
            return
        case 'ValidatorRegistered':
        case 'FeeRecipientChanged':
        case 'MetadataURIChanged':
        case 'CommissionChangeScheduled':
        case 'CommissionChangeCancelled':
        case 'CommissionChanged':
        case 'ValidatorJailed':
        case 'ValidatorUnjailed':
            state.validators.want(ev.args.validator.toLowerCase())
            return
        case 'Slashed': {
            const v = ev.args.validator.toLowerCase()
            state.validators.want(v)
            slashed.add(v)
            return
        }
        case 'Delegated':
        case 'Undelegated':
            state.validators.want(ev.args.validator.toLowerCase())
            state.delegations.want(delegationId(ev.args.delegator, ev.args.validator))
            return
        case 'Redelegated':
            state.validators.want(ev.args.from.toLowerCase())
            state.validators.want(ev.args.to.toLowerCase())
            state.delegations.want(delegationId(ev.args.delegator, ev.args.from))
            state.delegations.want(delegationId(ev.args.delegator, ev.args.to))
            return
        case 'UnbondingWithdrawn':
            state.validators.want(ev.args.validator.toLowerCase())
            state.unbondings.want(ev.args.requestId.toString())
            return
    }
}

/** Register the fee recipients of `validators` (after loading). */
export function indexFeeRecipients(state: MappingState): void {
    for (const v of state.validators.all()) state.validatorByFeeRecipient.set(v.feeRecipient, v.id)
}

/** Apply one event (the per-event work lives in validator-events.ts and delegation-events.ts). */
export function handle(ev: Ev, state: MappingState): void {
    switch (ev.name) {
        case 'ConfigChanged': {
            const { meta } = ev
            const p = ensureParams(state, meta)
            p.stakingToken = ev.args.stakingToken.toLowerCase()
            p.validatorTreasury = ev.args.treasury.toLowerCase()
            p.unbondingPeriod = ev.args.unbondingPeriod
            p.commissionChangeDelay = ev.args.commissionChangeDelay
            p.maxCommissionBps = ev.args.maxCommissionBps
            p.updatedAtBlock = meta.blockNumber
            state.params.touch(p)
            return
        }
        case 'ValidatorRegistered':
            return onValidatorRegistered(ev, state)
        case 'FeeRecipientChanged':
            return onFeeRecipientChanged(ev, state)
        case 'MetadataURIChanged':
            return onMetadataURIChanged(ev, state)
        case 'CommissionChangeScheduled':
        case 'CommissionChangeCancelled':
        case 'CommissionChanged':
            return onCommissionChange(ev, state)
        case 'ValidatorJailed':
        case 'ValidatorUnjailed':
            return onJailChange(ev, state)
        case 'Slashed':
            return onSlashed(ev, state)
        case 'Delegated':
            return onDelegated(ev, state)
        case 'Undelegated':
            return onUndelegated(ev, state)
        case 'Redelegated':
            return onRedelegated(ev, state)
        case 'UnbondingWithdrawn':
            return onUnbondingWithdrawn(ev, state)
    }
}
