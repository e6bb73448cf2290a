/**
 * ValidatorRegistry events about delegations: delegate, undelegate (opening an unbonding request), redelegate
 * between two validators, and the withdrawal of an unbonding request. Each event carries the resulting shares and
 * values, which are set, not recomputed.
 */
import { DelegationEventKind, UnbondingRequest, Validator } from '../model'
import { MappingState } from './state'
import { secondsToDate } from './util'
import { delegationEvent, ensureDelegation, ensureValidator, RegistryEventNamed, setDelegation, touchValidator } from './validator-state'

/** Stake delegated to a validator. */
export function onDelegated(ev: RegistryEventNamed<'Delegated'>, state: MappingState): void {
    const { meta } = ev
    const v = ensureValidator(state, ev.args.validator, meta)
    const delegator = ev.args.delegator.toLowerCase()
    const d = ensureDelegation(state, delegator, v, meta)
    v.stake = ev.args.stakeAfter
    v.totalShares = ev.args.sharesAfter
    d.totalDelegated += ev.args.amount
    setDelegation(state, d, v, ev.args.delegatorSharesAfter, ev.args.delegationAfter, meta)
    touchValidator(state, v, meta)
    delegationEvent(state, meta, {
        kind: DelegationEventKind.DELEGATE,
        delegator,
        validator: new Validator({ id: v.id }),
        amount: ev.args.amount,
        shares: ev.args.shares,
        delegationAfter: ev.args.delegationAfter,
        stakeAfter: ev.args.stakeAfter,
    })
}

/** Stake undelegated: an UnbondingRequest opens. */
export function onUndelegated(ev: RegistryEventNamed<'Undelegated'>, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const v = ensureValidator(state, ev.args.validator, meta)
    const delegator = ev.args.delegator.toLowerCase()
    const d = ensureDelegation(state, delegator, v, meta)
    v.stake = ev.args.stakeAfter
    v.totalShares = ev.args.sharesAfter
    d.totalUndelegated += ev.args.amount
    setDelegation(state, d, v, ev.args.delegatorSharesAfter, ev.args.delegationAfter, meta)
    touchValidator(state, v, meta)
    const requestId = ev.args.requestId.toString()
    const r = state.unbondings.add(
        new UnbondingRequest({
            id: requestId,
            requestId: ev.args.requestId,
            delegator,
            validator: new Validator({ id: v.id }),
            amount: ev.args.amount,
            unlockAt: secondsToDate(ev.args.unlockAt),
            withdrawn: false,
            createdAt: at,
            createdAtBlock: meta.blockNumber,
            createdTx: meta.txHash,
            withdrawnAt: null,
            withdrawnAtBlock: null,
            withdrawnTx: null,
        }),
    )
    delegationEvent(state, meta, {
        kind: DelegationEventKind.UNDELEGATE,
        delegator,
        validator: new Validator({ id: v.id }),
        amount: ev.args.amount,
        shares: ev.args.shares,
        unbondingRequest: new UnbondingRequest({ id: r.id }),
        delegationAfter: ev.args.delegationAfter,
        stakeAfter: ev.args.stakeAfter,
    })
}

/** Stake moved from one validator to another (shares burned at one, minted at the other). */
export function onRedelegated(ev: RegistryEventNamed<'Redelegated'>, state: MappingState): void {
    const { meta } = ev
    const from = ensureValidator(state, ev.args.from, meta)
    const to = ensureValidator(state, ev.args.to, meta)
    const delegator = ev.args.delegator.toLowerCase()
    const df = ensureDelegation(state, delegator, from, meta)
    const dt = ensureDelegation(state, delegator, to, meta)
    from.stake = ev.args.fromStakeAfter
    from.totalShares = ev.args.fromSharesAfter
    to.stake = ev.args.toStakeAfter
    to.totalShares = ev.args.toSharesAfter
    df.totalRedelegatedOut += ev.args.amount
    dt.totalRedelegatedIn += ev.args.amount
    const fromShares = df.shares - ev.args.sharesBurned
    if (fromShares < 0n) state.warnings.push(`delegation ${df.id} has fewer shares than Redelegated burned at ${meta.id}`)
    setDelegation(state, df, from, fromShares < 0n ? 0n : fromShares, ev.args.fromDelegationAfter, meta)
    setDelegation(state, dt, to, dt.shares + ev.args.sharesMinted, ev.args.toDelegationAfter, meta)
    touchValidator(state, from, meta)
    touchValidator(state, to, meta)
    delegationEvent(state, meta, {
        kind: DelegationEventKind.REDELEGATE,
        delegator,
        validator: new Validator({ id: from.id }),
        toValidator: new Validator({ id: to.id }),
        amount: ev.args.amount,
        shares: ev.args.sharesBurned,
        sharesMinted: ev.args.sharesMinted,
        delegationAfter: ev.args.fromDelegationAfter,
        stakeAfter: ev.args.fromStakeAfter,
    })
}

/** An unbonding request withdrawn (a stub, with a warning, when it was opened before the indexed range). */
export function onUnbondingWithdrawn(ev: RegistryEventNamed<'UnbondingWithdrawn'>, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const v = ensureValidator(state, ev.args.validator, meta)
    const id = ev.args.requestId.toString()
    const delegator = ev.args.delegator.toLowerCase()
    let r = state.unbondings.get(id)
    if (!r) {
        state.warnings.push(`unbonding request ${id} withdrawn at ${meta.id} was never opened in the indexed range; created a stub`)
        r = state.unbondings.add(
            new UnbondingRequest({
                id,
                requestId: ev.args.requestId,
                delegator,
                validator: new Validator({ id: v.id }),
                amount: ev.args.amount,
                unlockAt: at,
                createdAt: at,
                createdAtBlock: meta.blockNumber,
                createdTx: meta.txHash,
            }),
        )
    }
    r.withdrawn = true
    r.withdrawnAt = at
    r.withdrawnAtBlock = meta.blockNumber
    r.withdrawnTx = meta.txHash
    state.unbondings.touch(r)
    delegationEvent(state, meta, {
        kind: DelegationEventKind.WITHDRAW,
        delegator,
        validator: new Validator({ id: v.id }),
        amount: ev.args.amount,
        shares: 0n,
        unbondingRequest: new UnbondingRequest({ id }),
        delegationAfter: null,
        stakeAfter: null,
    })
}
