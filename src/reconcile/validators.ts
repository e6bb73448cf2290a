/**
 * ValidatorRegistry views vs the index. Validators and delegations are versioned: their checks are VIEW_CHECKS
 * entries (VALIDATOR_CHECKS, now and as of a block). Unbonding requests are not versioned: they, and the registry
 * totals that sum them, are checked at the head only (checkUnbondings).
 */
import { Contract } from 'ethers'
import { Client } from 'pg'
import { Checker, mapLimit } from './types'
import { Row, ViewCheck } from './view-check'

export const VALIDATOR_CHECKS: readonly ViewCheck[] = [
    {
        entity: 'Validator',
        table: 'validator',
        columns: [
            'id',
            'fee_recipient',
            'commission_bps',
            'pending_commission_bps',
            'pending_commission_effective_at',
            'jailed',
            'stake',
            'total_shares',
            'slash_count',
            'metadata_uri',
            'registered_at',
        ],
        async check(rows, v, ck) {
            const vr = v.validatorRegistry
            if (!vr) return noRegistry(rows, ck, 'validators')
            const blockTag = ck.blockTag
            const [count, totalStaked] = await Promise.all([ck.call(() => vr.validatorCount({ blockTag })), ck.call(() => vr.totalStaked({ blockTag }))])
            ck.eq('ValidatorRegistry', 'registry', 'validatorCount', rows.length, count)
            ck.eq('ValidatorRegistry', 'registry', 'totalStaked (sum of indexed stakes)', rows.reduce((s, x) => s + BigInt(x.stake), 0n), totalStaked)
            await mapLimit(rows, ck.limit, (x) => checkValidator(vr, x, ck))
        },
    },
    {
        entity: 'Delegation',
        table: 'delegation',
        columns: ['id', 'delegator', 'validator_id', 'shares', 'amount'],
        async check(rows, v, ck, all) {
            const vr = v.validatorRegistry
            if (!vr) return noRegistry(rows, ck, 'delegations')
            const blockTag = ck.blockTag
            const byId = new Map((all.Validator ?? []).map((x) => [x.id, x]))
            await mapLimit(rows, ck.limit, async (d) => {
                const [shares, value] = await Promise.all([
                    ck.call(() => vr.sharesOf(d.delegator, d.validator_id, { blockTag })),
                    ck.call(() => vr.delegationOf(d.delegator, d.validator_id, { blockTag })),
                ])
                ck.eq('Delegation', d.id, 'shares', d.shares, shares)
                const val = byId.get(d.validator_id)
                const total = val ? BigInt(val.total_shares) : 0n
                const derived = total === 0n ? 0n : (BigInt(d.shares) * BigInt(val!.stake)) / total
                ck.eq('Delegation', d.id, 'value (shares × stake / totalShares)', derived, value)
                // amount is the value as of amountAtBlock; the share price only rises (by rounding) until a slash revalues it
                if (BigInt(d.amount) > BigInt(value)) ck.eq('Delegation', d.id, 'amount (at most the value)', d.amount, value)
            })
        },
    },
]

function noRegistry(rows: Row[], ck: Checker, what: string): void {
    if (rows.length) ck.notes.push(`no ValidatorRegistry address: ${rows.length} ${what} not checked`)
}

async function checkValidator(vr: Contract, v: Row, ck: Checker): Promise<void> {
    const blockTag = ck.blockTag
    const hasRecipient = /^0x[0-9a-f]{40}$/.test(v.fee_recipient) // (a stub created for an unknown validator has none)
    const [r, owner] = await Promise.all([
        ck.call(() => vr.getValidator(v.id, { blockTag })),
        hasRecipient ? ck.call(() => vr.validatorOfFeeRecipient(v.fee_recipient, { blockTag })) : Promise.resolve('(none)'),
    ])
    const pendingAt = BigInt(r.commissionEffectiveAt)
    const eq = (field: string, indexed: unknown, chain: unknown) => ck.eq('Validator', v.id, field, indexed, chain)
    eq('registered', true, r.registered)
    eq('feeRecipient', v.fee_recipient, r.feeRecipient.toLowerCase())
    eq('validatorOfFeeRecipient', v.id, owner.toLowerCase())
    eq('commissionBps', v.commission_bps, Number(r.commissionBps))
    eq('pendingCommissionBps', v.pending_commission_bps, pendingAt === 0n ? null : Number(r.pendingCommissionBps))
    eq('pendingCommissionEffectiveAt', v.pending_commission_effective_at, pendingAt === 0n ? null : pendingAt)
    eq('jailed', v.jailed, r.jailed)
    eq('stake', v.stake, r.stake)
    eq('totalShares', v.total_shares, r.totalShares)
    eq('slashCount', v.slash_count, Number(r.slashCount))
    eq('metadataURI', v.metadata_uri, r.metadataURI)
    eq('registeredAt', v.registered_at, r.registeredAt)
}

/** Unbonding requests (not versioned): the current rows. */
export async function readUnbondings(db: Client): Promise<Row[]> {
    return (await db.query(`SELECT id, delegator, validator_id, amount, unlock_at, withdrawn FROM unbonding_request`)).rows
}

export async function checkUnbondings(vr: Contract, unbondings: Row[], ck: Checker): Promise<void> {
    const blockTag = ck.blockTag
    const [totalUnbonding, unbondingCount] = await Promise.all([ck.call(() => vr.totalUnbonding({ blockTag })), ck.call(() => vr.unbondingCount({ blockTag }))])
    const pending = unbondings.filter((u) => !u.withdrawn).reduce((s, u) => s + BigInt(u.amount), 0n)
    ck.eq('ValidatorRegistry', 'registry', 'totalUnbonding (sum of pending requests)', pending, totalUnbonding)
    ck.eq('ValidatorRegistry', 'registry', 'unbondingCount', unbondings.length, unbondingCount)
    await mapLimit(unbondings, ck.limit, async (u) => {
        const r = await ck.call(() => vr.unbonding(BigInt(u.id), { blockTag }))
        ck.eq('UnbondingRequest', u.id, 'delegator', u.delegator, r.delegator.toLowerCase())
        ck.eq('UnbondingRequest', u.id, 'validator', u.validator_id, r.validator.toLowerCase())
        ck.eq('UnbondingRequest', u.id, 'amount', u.amount, r.amount)
        ck.eq('UnbondingRequest', u.id, 'unlockAt', u.unlock_at, r.unlockAt)
        ck.eq('UnbondingRequest', u.id, 'withdrawn', u.withdrawn, r.withdrawn)
    })
}
