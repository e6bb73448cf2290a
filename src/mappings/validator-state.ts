/**
 * The ValidatorRegistry handlers' shared steps: validators and delegations found or created (a stub, with a warning,
 * for one never registered in the indexed range), a delegation's shares and value set from an event (keeping the
 * validator's delegator count), the `updatedAtBlock` touch every versioned row needs, and DelegationEvent rows.
 */
import { Delegation, DelegationEvent, Validator } from '../model'
import { epochOf } from '../validators/schedule'
import { EventMeta, OwnEventOf } from './decode'
import { MappingState } from './state'

export type RegistryEvent = OwnEventOf<'ValidatorRegistry'>
export type RegistryEventNamed<N extends RegistryEvent['name']> = Extract<RegistryEvent, { name: N }>

export function delegationId(delegator: string, validator: string): string {
    return `${delegator.toLowerCase()}-${validator.toLowerCase()}`
}

export function newValidator(id: string, feeRecipient: string, meta: EventMeta): Validator {
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

export function ensureValidator(state: MappingState, address: string, meta: EventMeta): Validator {
    const id = address.toLowerCase()
    const v = state.validators.get(id)
    if (v) return v
    state.warnings.push(`validator ${id} referenced at ${meta.id} was never registered in the indexed range; created a stub`)
    // a stub has no fee recipient: the empty string never matches a block's coinbase
    return state.validators.add(newValidator(id, '', meta))
}

export function ensureDelegation(state: MappingState, delegator: string, validator: Validator, meta: EventMeta): Delegation {
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
export function setDelegation(state: MappingState, d: Delegation, v: Validator, shares: bigint, amount: bigint, meta: EventMeta): void {
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

export function touchValidator(state: MappingState, v: Validator, meta: EventMeta): void {
    v.updatedAtBlock = meta.blockNumber
    state.validators.touch(v)
}

export function delegationEvent(
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
