/** Payouts of finalised batches claimed: some payees claim for themselves, the relayer sweeps the rest in bulk. */
import { Contract } from 'ethers'
import { SettlementSim } from './settlement-sim'

/** Some publishers claim for themselves. */
export async function selfClaims(sim: SettlementSim): Promise<void> {
    const claims: Promise<unknown>[] = []
    for (const b of sim.batches.values()) {
        if (b.status !== 'finalized') continue
        for (const payee of b.unclaimed) {
            if (!sim.rnd.chance(0.15)) continue
            const actor = sim.publishers.find((p) => p.address === payee)
            if (!actor || actor.busy) continue
            const leaf = b.built.leaves.find((l) => l.payee === payee)!
            b.unclaimed.delete(payee)
            claims.push(
                actor
                    .run('claim', (w) => (sim.c.distributor.connect(w) as Contract).claim(b.id, leaf.amount, b.proofs.get(payee)!))
                    .then((ok) => ok && sim.stats.claims++),
            )
        }
    }
    await Promise.all(claims)
}

/** The relayer sweeps the rest of one finalised batch per round, in one claimMany. */
export async function relayClaims(sim: SettlementSim): Promise<void> {
    const b = [...sim.batches.values()].find((x) => x.status === 'finalized' && x.unclaimed.size > 0)
    if (!b || !sim.rnd.chance(0.4)) return
    const payees = [...b.unclaimed].slice(0, 40)
    const leaves = payees.map((p) => b.built.leaves.find((l) => l.payee === p)!)
    payees.forEach((p) => b.unclaimed.delete(p))
    const ok = await sim.relayer.run('claimMany', (w) =>
        (sim.c.distributor.connect(w) as Contract).claimMany(
            b.id,
            payees,
            leaves.map((l) => l.amount),
            payees.map((p) => b.proofs.get(p)!),
        ),
    )
    if (ok) {
        sim.stats.claims += payees.length
        sim.log(`relayer claimed ${payees.length} payouts of batch ${b.id.slice(0, 10)}…`)
    }
    if (b.unclaimed.size === 0) sim.batches.delete(b.id)
}
