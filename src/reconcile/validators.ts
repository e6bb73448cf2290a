/** ValidatorRegistry views vs the indexed validators, delegations, unbonding requests and registry configuration (current state). */
import { Contract } from 'ethers'
import { Client } from 'pg'
import { Checker, mapLimit } from './types'

type Row = Record<string, any>

export interface ValidatorRows {
    validators: Row[]
    delegations: Row[]
    unbondings: Row[]
    registryParams: Row[]
}

export async function readValidators(db: Client): Promise<ValidatorRows> {
    const q = async (sql: string) => (await db.query(sql)).rows
    return {
        validators: await q(
            `SELECT id, fee_recipient, commission_bps, pending_commission_bps, pending_commission_effective_at, jailed, stake, total_shares, slash_count, metadata_uri, registered_at FROM validator`,
        ),
        delegations: await q(`SELECT id, delegator, validator_id, shares, amount FROM delegation`),
        unbondings: await q(`SELECT id, delegator, validator_id, amount, unlock_at, withdrawn FROM unbonding_request`),
        registryParams: await q(
            `SELECT staking_token, validator_treasury, unbonding_period, commission_change_delay, max_commission_bps FROM protocol_params WHERE id = 'protocol'`,
        ),
    }
}

export async function checkValidators(vr: Contract, indexed: ValidatorRows, ck: Checker): Promise<void> {
    const blockTag = ck.blockTag
    const call = ck.call.bind(ck)
    const eq = ck.eq.bind(ck)
    const byId = new Map(indexed.validators.map((v) => [v.id, v]))
    const [count, totalStaked, totalUnbonding, unbondingCount] = await Promise.all([
        call(() => vr.validatorCount({ blockTag })),
        call(() => vr.totalStaked({ blockTag })),
        call(() => vr.totalUnbonding({ blockTag })),
        call(() => vr.unbondingCount({ blockTag })),
    ])
    eq('ValidatorRegistry', 'registry', 'validatorCount', indexed.validators.length, count)
    eq('ValidatorRegistry', 'registry', 'totalStaked (sum of indexed stakes)', indexed.validators.reduce((s, v) => s + BigInt(v.stake), 0n), totalStaked)
    const pending = indexed.unbondings.filter((u) => !u.withdrawn).reduce((s, u) => s + BigInt(u.amount), 0n)
    eq('ValidatorRegistry', 'registry', 'totalUnbonding (sum of pending requests)', pending, totalUnbonding)
    eq('ValidatorRegistry', 'registry', 'unbondingCount', indexed.unbondings.length, unbondingCount)

    await mapLimit(indexed.validators, ck.limit, async (v) => {
        const hasRecipient = /^0x[0-9a-f]{40}$/.test(v.fee_recipient) // (a stub created for an unknown validator has none)
        const [r, owner] = await Promise.all([
            call(() => vr.getValidator(v.id, { blockTag })),
            hasRecipient ? call(() => vr.validatorOfFeeRecipient(v.fee_recipient, { blockTag })) : Promise.resolve('(none)'),
        ])
        const pendingAt = BigInt(r.commissionEffectiveAt)
        eq('Validator', v.id, 'registered', true, r.registered)
        eq('Validator', v.id, 'feeRecipient', v.fee_recipient, r.feeRecipient.toLowerCase())
        eq('Validator', v.id, 'validatorOfFeeRecipient', v.id, owner.toLowerCase())
        eq('Validator', v.id, 'commissionBps', v.commission_bps, Number(r.commissionBps))
        eq('Validator', v.id, 'pendingCommissionBps', v.pending_commission_bps, pendingAt === 0n ? null : Number(r.pendingCommissionBps))
        eq('Validator', v.id, 'pendingCommissionEffectiveAt', v.pending_commission_effective_at, pendingAt === 0n ? null : pendingAt)
        eq('Validator', v.id, 'jailed', v.jailed, r.jailed)
        eq('Validator', v.id, 'stake', v.stake, r.stake)
        eq('Validator', v.id, 'totalShares', v.total_shares, r.totalShares)
        eq('Validator', v.id, 'slashCount', v.slash_count, Number(r.slashCount))
        eq('Validator', v.id, 'metadataURI', v.metadata_uri, r.metadataURI)
        eq('Validator', v.id, 'registeredAt', v.registered_at, r.registeredAt)
    })

    await mapLimit(indexed.delegations, ck.limit, async (d) => {
        const [shares, value] = await Promise.all([
            call(() => vr.sharesOf(d.delegator, d.validator_id, { blockTag })),
            call(() => vr.delegationOf(d.delegator, d.validator_id, { blockTag })),
        ])
        eq('Delegation', d.id, 'shares', d.shares, shares)
        const v = byId.get(d.validator_id)
        const total = v ? BigInt(v.total_shares) : 0n
        const derived = total === 0n ? 0n : (BigInt(d.shares) * BigInt(v!.stake)) / total
        eq('Delegation', d.id, 'value (shares × stake / totalShares)', derived, value)
        // amount is the value as of amountAtBlock; the share price only rises (by rounding) until a slash revalues it
        if (BigInt(d.amount) > BigInt(value)) eq('Delegation', d.id, 'amount (at most the value)', d.amount, value)
    })

    await mapLimit(indexed.unbondings, ck.limit, async (u) => {
        const r = await call(() => vr.unbonding(BigInt(u.id), { blockTag }))
        eq('UnbondingRequest', u.id, 'delegator', u.delegator, r.delegator.toLowerCase())
        eq('UnbondingRequest', u.id, 'validator', u.validator_id, r.validator.toLowerCase())
        eq('UnbondingRequest', u.id, 'amount', u.amount, r.amount)
        eq('UnbondingRequest', u.id, 'unlockAt', u.unlock_at, r.unlockAt)
        eq('UnbondingRequest', u.id, 'withdrawn', u.withdrawn, r.withdrawn)
    })

    const p = indexed.registryParams[0]
    if (p && p.staking_token != null) {
        const [token, treasury, period, delay, maxBps] = await Promise.all([
            call(() => vr.stakingToken({ blockTag })),
            call(() => vr.treasury({ blockTag })),
            call(() => vr.unbondingPeriod({ blockTag })),
            call(() => vr.commissionChangeDelay({ blockTag })),
            call(() => vr.maxCommissionBps({ blockTag })),
        ])
        eq('ProtocolParams', 'protocol', 'stakingToken', p.staking_token, token.toLowerCase())
        eq('ProtocolParams', 'protocol', 'validatorTreasury', p.validator_treasury, treasury.toLowerCase())
        eq('ProtocolParams', 'protocol', 'unbondingPeriod', p.unbonding_period, period)
        eq('ProtocolParams', 'protocol', 'commissionChangeDelay', p.commission_change_delay, delay)
        eq('ProtocolParams', 'protocol', 'maxCommissionBps', p.max_commission_bps, Number(maxBps))
    }
}
