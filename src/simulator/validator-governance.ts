/**
 * Governance over the simulated validators, through the timelock: now and then the unreliable validator is jailed
 * (and released after `jailSeconds`) or slashed a little; each call is scheduled, then executed once ready.
 */
import { Contract, ZeroHash, id } from 'ethers'
import { UNRELIABLE, ValidatorSim } from './validator-sim'

/** Rarely: jail the unreliable validator (or release it after a while), or slash it a little. */
export async function governanceAction(sim: ValidatorSim, now: number): Promise<void> {
    if (sim.ops.length > 0 || sim.governance.busy) return
    const v = sim.validators[UNRELIABLE]
    if (!v) return
    const rec = await sim.registry.getValidator(v.address)
    if (rec.jailed) {
        const since = sim.jailedSince.get(v.address) ?? now
        sim.jailedSince.set(v.address, since)
        if (now - since < (sim.opts.jailSeconds ?? 90)) return
        await propose(sim, `unjail ${v.name}`, sim.registry.interface.encodeFunctionData('unjail', [v.address]), now, () => {
            sim.stats.unjailings++
            sim.jailedSince.delete(v.address)
        })
    } else if (sim.rnd.chance(0.6)) {
        await propose(sim, `jail ${v.name}`, sim.registry.interface.encodeFunctionData('jail', [v.address, 'missed too many slots']), now, () => {
            sim.stats.jailings++
            sim.jailedSince.set(v.address, now)
        })
    } else if (rec.stake > 0n) {
        const bps = sim.rnd.int(100, 500)
        await propose(sim, 
            `slash ${v.name} ${bps / 100}%`,
            sim.registry.interface.encodeFunctionData('slash', [v.address, bps, 'equivocation (simulated double signing)']),
            now,
            () => sim.stats.slashes++,
        )
    }
}

/** Schedule a registry call on the timelock; advanceGovernance executes it once the delay has passed. */
export async function propose(sim: ValidatorSim, what: string, data: string, now: number, done: () => void): Promise<void> {
    const registryAddr = await sim.registry.getAddress()
    const delay = Number(await sim.timelock.getMinDelay())
    const salt = id(`sim-validators:${what}:${now}:${sim.rnd.next()}`)
    const ok = await sim.governance.run(`schedule ${what}`, (w) => (sim.timelock.connect(w) as Contract).schedule(registryAddr, 0, data, ZeroHash, salt, delay))
    if (!ok) return
    const opId: string = await sim.timelock.hashOperation(registryAddr, 0, data, ZeroHash, salt)
    // ready at the schedule block's timestamp + delay, which the timelock knows exactly
    const readyAt = Number(await sim.timelock.getTimestamp(opId))
    sim.ops.push({ what, data, salt, readyAt: readyAt || now + delay + 1, done })
    sim.log(`governance scheduled "${what}" on the timelock (executable in ${delay} s)`)
}

/** Execute the first scheduled operation once the timelock allows it. */
export async function advanceGovernance(sim: ValidatorSim, now: number): Promise<void> {
    const op = sim.ops[0]
    if (!op || now < op.readyAt || sim.governance.busy) return
    const registryAddr = await sim.registry.getAddress()
    sim.ops.shift()
    const ok = await sim.governance.run(`execute ${op.what}`, (w) => (sim.timelock.connect(w) as Contract).execute(registryAddr, 0, op.data, ZeroHash, op.salt))
    if (ok) {
        op.done()
        sim.log(`governance executed "${op.what}"`)
    }
}
