/**
 * ValidatorRegistry: validators, delegations (share pools), unbonding, commission, jail and slashing.
 * Every event carries the resulting totals (stake, shares, the delegator's shares and value), so state is
 * set from events, never recomputed; the only derived values are delegation `amount`s after a slash (see
 * schema.graphql Delegation). Validators also keep the fee recipient → validator map that attributes
 * blocks to proposers (`state.validatorByFeeRecipient`).
 */
import {
    CommissionChange,
    CommissionChangeKind,
    Delegation,
    DelegationEvent,
    DelegationEventKind,
    JailEvent,
    SlashEvent,
    UnbondingRequest,
    Validator,
} from '../model'
import { epochOf } from '../validators/schedule'
import { EventMeta, OwnEventOf } from './decode'
import { ensureParams } from './entities'
import { MappingState } from './state'
import { secondsToDate } from './util'

type Ev = OwnEventOf<'ValidatorRegistry'>

export function delegationId(delegator: string, validator: string): string {
    return `${delegator.toLowerCase()}-${validator.toLowerCase()}`
}

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

function newValidator(id: string, feeRecipient: string, meta: EventMeta): Validator {
    return new Validator({
        id,
        feeRecipient,
        commissionBps: 0,
        pendingCommissionBps: null,
        pendingCommissionEffectiveAt: null,
        jailed: false,
        stake: 0n,
        totalShares: 0n,
        delegatorCount: 0,
        slashCount: 0,
        slashedAmount: 0n,
        jailCount: 0,
        commissionHikeCount: 0,
        metadataURI: '',
        registeredAt: new Date(meta.timestamp),
        registeredAtBlock: meta.blockNumber,
        updatedAtBlock: meta.blockNumber,
        blocksProposed: 0,
        priorityFees: 0n,
        mevRevenue: 0n,
        score: null,
        rank: null,
        scoreEpoch: null,
    })
}

function ensureValidator(state: MappingState, address: string, meta: EventMeta): Validator {
    const id = address.toLowerCase()
    const v = state.validators.get(id)
    if (v) return v
    state.warnings.push(`validator ${id} referenced at ${meta.id} was never registered in the indexed range; created a stub`)
    // a stub has no fee recipient: the empty string never matches a block's coinbase
    return state.validators.add(newValidator(id, '', meta))
}

function ensureDelegation(state: MappingState, delegator: string, validator: Validator, meta: EventMeta): Delegation {
    const id = delegationId(delegator, validator.id)
    const d = state.delegations.get(id)
    if (d) return d
    const at = new Date(meta.timestamp)
    return state.delegations.add(
        new Delegation({
            id,
            delegator: delegator.toLowerCase(),
            validator: new Validator({ id: validator.id }),
            shares: 0n,
            amount: 0n,
            amountAtBlock: meta.blockNumber,
            active: false,
            totalDelegated: 0n,
            totalUndelegated: 0n,
            totalRedelegatedIn: 0n,
            totalRedelegatedOut: 0n,
            createdAt: at,
            createdAtBlock: meta.blockNumber,
            updatedAt: at,
            updatedAtBlock: meta.blockNumber,
        }),
    )
}

/** Set a delegation's shares and value from an event; keeps the validator's delegator count. */
function setDelegation(state: MappingState, d: Delegation, v: Validator, shares: bigint, amount: bigint, meta: EventMeta): void {
    const wasActive = d.active
    d.shares = shares
    d.amount = amount
    d.amountAtBlock = meta.blockNumber
    d.active = shares > 0n
    d.updatedAt = new Date(meta.timestamp)
    d.updatedAtBlock = meta.blockNumber
    // (the validator is touched again: a version snapshot taken earlier in this block must not miss the count)
    if (wasActive !== d.active) {
        v.delegatorCount += d.active ? 1 : -1
        touchValidator(state, v, meta)
    }
    state.delegations.touch(d)
}

function touchValidator(state: MappingState, v: Validator, meta: EventMeta): void {
    v.updatedAtBlock = meta.blockNumber
    state.validators.touch(v)
}

function delegationEvent(
    state: MappingState,
    meta: EventMeta,
    props: Omit<DelegationEvent, 'id' | 'blockNumber' | 'epoch' | 'txHash' | 'timestamp' | 'toValidator' | 'sharesMinted' | 'unbondingRequest'> &
        Partial<Pick<DelegationEvent, 'toValidator' | 'sharesMinted' | 'unbondingRequest'>>,
): void {
    state.delegationEvents.push(
        new DelegationEvent({
            id: meta.id,
            toValidator: null,
            sharesMinted: null,
            unbondingRequest: null,
            ...props,
            blockNumber: meta.blockNumber,
            epoch: epochOf(meta.blockNumber, state.epochBlocks),
            txHash: meta.txHash,
            timestamp: new Date(meta.timestamp),
        }),
    )
}

export function handle(ev: Ev, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const epoch = epochOf(meta.blockNumber, state.epochBlocks)
    switch (ev.name) {
        case 'ConfigChanged': {
            const p = ensureParams(state, meta)
            p.stakingToken = ev.args.stakingToken.toLowerCase()
            p.validatorTreasury = ev.args.treasury.toLowerCase()
            p.unbondingPeriod = ev.args.unbondingPeriod
            p.commissionChangeDelay = ev.args.commissionChangeDelay
            p.maxCommissionBps = ev.args.maxCommissionBps
            p.updatedAtBlock = meta.blockNumber
            state.params.touch(p)
            break
        }
        case 'ValidatorRegistered': {
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
            break
        }
        case 'FeeRecipientChanged': {
            const v = ensureValidator(state, ev.args.validator, meta)
            const old = ev.args.oldRecipient.toLowerCase()
            if (state.validatorByFeeRecipient.get(old) === v.id) state.validatorByFeeRecipient.delete(old)
            v.feeRecipient = ev.args.newRecipient.toLowerCase()
            state.validatorByFeeRecipient.set(v.feeRecipient, v.id)
            touchValidator(state, v, meta)
            break
        }
        case 'MetadataURIChanged': {
            const v = ensureValidator(state, ev.args.validator, meta)
            v.metadataURI = ev.args.metadataURI
            touchValidator(state, v, meta)
            break
        }
        case 'CommissionChangeScheduled':
        case 'CommissionChangeCancelled':
        case 'CommissionChanged': {
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
            break
        }
        case 'ValidatorJailed':
        case 'ValidatorUnjailed': {
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
            break
        }
        case 'Slashed': {
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
            break
        }
        case 'Delegated': {
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
            break
        }
        case 'Undelegated': {
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
            break
        }
        case 'Redelegated': {
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
            break
        }
        case 'UnbondingWithdrawn': {
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
            break
        }
    }
}
