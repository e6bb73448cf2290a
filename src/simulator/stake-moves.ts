/**
 * Stake moving between the simulated delegators and validators: delegate, undelegate (an unbonding request), withdraw
 * once unlocked, redelegate; and the validators' own commission changes (scheduled, applied after the delay).
 */
import { Contract } from 'ethers'
import { Actor } from './actor'
import { fmtStk, SimValidator, STK, UNRELIABLE, ValidatorSim } from './validator-sim'

/** Faucet stake to `d` when it holds less than `amount`. */
export async function topUp(sim: ValidatorSim, d: Actor, amount: bigint): Promise<void> {
    if ((await sim.stake.balanceOf(d.address)) >= amount) return
    await d.run('faucet', (w) => (sim.stake.connect(w) as Contract).faucet(d.address, amount + 100_000n * STK))
}

/** The validators not jailed now (delegations to a jailed one are refused). */
export async function openValidators(sim: ValidatorSim): Promise<SimValidator[]> {
    const jailed = await Promise.all(sim.validators.map(async (v) => (await sim.registry.getValidator(v.address)).jailed as boolean))
    return sim.validators.filter((_, i) => !jailed[i])
}

/** `d`'s delegations, with their current value. */
export async function delegationsOf(sim: ValidatorSim, d: Actor): Promise<{ v: SimValidator; amount: bigint }[]> {
    const amounts = await Promise.all(sim.validators.map((v) => sim.registry.delegationOf(d.address, v.address) as Promise<bigint>))
    return sim.validators.map((v, i) => ({ v, amount: amounts[i] })).filter((x) => x.amount > 0n)
}

/** A delegator stakes on an open validator (the whale keeps attracting stake). */
export async function delegateSome(sim: ValidatorSim): Promise<void> {
    const d = sim.rnd.pick(sim.delegators)
    if (d.busy) return
    const open = await openValidators(sim)
    if (open.length === 0) return
    // the whale keeps attracting stake
    const v = sim.rnd.chance(0.3) && open.includes(sim.validators[0]) ? sim.validators[0] : sim.rnd.pick(open)
    const amount = BigInt(sim.rnd.int(1, 25)) * 1000n * STK
    await topUp(sim, d, amount)
    const ok = await d.run('delegate', (w) => (sim.registry.connect(w) as Contract).delegate(v.address, amount))
    if (ok) {
        sim.stats.delegations++
        sim.log(`${d.label} delegated ${fmtStk(amount)} STK to ${v.name}`)
    }
}

/** A delegator undelegates part of one delegation (an unbonding request opens). */
export async function undelegateSome(sim: ValidatorSim): Promise<void> {
    const d = sim.rnd.pick(sim.delegators)
    if (d.busy) return
    const held = await delegationsOf(sim, d)
    if (held.length === 0) return
    const { v, amount: has } = sim.rnd.pick(held)
    const amount = (has * BigInt(sim.rnd.int(10, 50))) / 100n
    if (amount === 0n) return
    const ok = await d.run('undelegate', (w) => (sim.registry.connect(w) as Contract).undelegate(v.address, amount))
    if (ok) {
        sim.stats.undelegations++
        sim.log(`${d.label} undelegated ${fmtStk(amount)} STK from ${v.name} (unbonding for ${sim.opts.deployment.config.unbondingPeriod} s)`)
    }
}

/** A delegator moves part of a delegation to another open validator (away from the unreliable one, mostly). */
export async function redelegateSome(sim: ValidatorSim): Promise<void> {
    const d = sim.rnd.pick(sim.delegators)
    if (d.busy) return
    const held = await delegationsOf(sim, d)
    if (held.length === 0) return
    // stake drifts away from the validator that misses slots
    const fromUnreliable = held.find((h) => h.v === sim.validators[UNRELIABLE])
    const { v: from, amount: has } = fromUnreliable && sim.rnd.chance(0.5) ? fromUnreliable : sim.rnd.pick(held)
    const targets = (await openValidators(sim)).filter((v) => v !== from)
    if (targets.length === 0) return
    const to = sim.rnd.pick(targets)
    const amount = (has * BigInt(sim.rnd.int(20, 100))) / 100n
    if (amount === 0n) return
    const ok = await d.run('redelegate', (w) => (sim.registry.connect(w) as Contract).redelegate(from.address, to.address, amount))
    if (ok) {
        sim.stats.redelegations++
        sim.log(`${d.label} redelegated ${fmtStk(amount)} STK from ${from.name} to ${to.name}`)
    }
}

/** Scan new unbonding requests of our delegators, withdraw the unlocked ones. */
export async function withdrawUnlocked(sim: ValidatorSim, now: number): Promise<void> {
    const count = Number(await sim.registry.unbondingCount())
    const upTo = Math.min(count, sim.scannedUnbondings + 50)
    for (let i = sim.scannedUnbondings + 1; i <= upTo; i++) {
        const r = await sim.registry.unbonding(i)
        const d = sim.delegators.find((x) => x.address === String(r.delegator).toLowerCase())
        if (d && !r.withdrawn) sim.openUnbondings.set(i, { delegator: d, amount: r.amount, validator: String(r.validator).toLowerCase(), unlockAt: Number(r.unlockAt) })
    }
    sim.scannedUnbondings = upTo
    for (const [reqId, r] of sim.openUnbondings) {
        if (r.unlockAt > now || r.delegator.busy) continue
        sim.openUnbondings.delete(reqId)
        const ok = await r.delegator.run('withdraw', (w) => (sim.registry.connect(w) as Contract).withdrawUnbonded(reqId))
        if (ok) {
            sim.stats.withdrawals++
            sim.log(`${r.delegator.label} withdrew ${fmtStk(r.amount)} STK unbonded from ${sim.nameOf(r.validator)} (request ${reqId})`)
        }
    }
}

/** A validator schedules a commission change (mostly small moves, now and then a hike). */
export async function changeCommission(sim: ValidatorSim): Promise<void> {
    const v = sim.rnd.pick(sim.validators)
    if (v.actor.busy) return
    const rec = await sim.registry.getValidator(v.address)
    if (Number(rec.commissionEffectiveAt) !== 0) return
    const current = Number(rec.commissionBps)
    const max = sim.opts.deployment.config.maxCommissionBps
    // mostly small moves; now and then a hike
    const delta = 25 * (sim.rnd.chance(0.25) ? sim.rnd.int(20, 60) : sim.rnd.int(-12, 12))
    const next = Math.max(0, Math.min(max, current + delta))
    if (next === current) return
    const ok = await v.actor.run('schedule commission', (w) => (sim.registry.connect(w) as Contract).scheduleCommissionChange(next))
    if (ok) sim.log(`${v.name} scheduled a commission change ${current / 100}% → ${next / 100}% (effective in ${sim.opts.deployment.config.commissionDelay} s)`)
}

/** Validators apply the commission changes whose delay has passed. */
export async function applyDueCommissions(sim: ValidatorSim, now: number): Promise<void> {
    for (const v of sim.validators) {
        if (v.actor.busy) continue
        const rec = await sim.registry.getValidator(v.address)
        const at = Number(rec.commissionEffectiveAt)
        if (at === 0 || at > now) continue
        const ok = await v.actor.run('apply commission', (w) => (sim.registry.connect(w) as Contract).applyCommissionChange(v.address))
        if (ok) {
            sim.stats.commissionChanges++
            sim.log(`${v.name} commission now ${Number(rec.pendingCommissionBps) / 100}% (was ${Number(rec.commissionBps) / 100}%)`)
        }
    }
}
