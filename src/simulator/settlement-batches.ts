/**
 * The settlement simulator's batches, commit to payout: the operator commits batches of usage records, about one in
 * twelve is disputed (by its payer or a payee) and ruled on by governance through the timelock, the rest are
 * finalised once their dispute window has passed.
 */
import { Contract, ZeroHash } from 'ethers'
import { UsageRecord, batchIdFromKey, buildBatch, proofsOf } from '../settlement/batch-builder'
import { deleteLeaves, saveLeaves } from '../settlement/leaf-store'
import { fmt, SettlementSim, USDC } from './settlement-sim'

/** The operator commits a batch of usage records for a random platform (its leaves stored first, for payoutProof). */
export async function commitBatch(sim: SettlementSim, now: number): Promise<void> {
    const payer = sim.rnd.pick(sim.payers)
    const [min, max] = sim.opts.recordsPerBatch ?? [1000, 5000]
    const n = sim.rnd.int(min, max)
    const payees = sim.rnd.sample(sim.publishers, sim.rnd.int(5, 24))
    const records: UsageRecord[] = []
    for (let i = 0; i < n; i++) records.push({ payee: sim.rnd.pick(payees).address, amount: BigInt(sim.rnd.int(100, 20_000)) })
    const built = buildBatch(records)
    const token = await sim.c.usdc.getAddress()
    const account = await sim.c.escrow.accountOf(payer.address, token)
    if (account.available < built.totalAmount) {
        // Top up instead of committing a batch the chain would refuse.
        await payer.run('deposit', (w) => (sim.c.escrow.connect(w) as Contract).deposit(token, 100_000n * USDC))
        sim.stats.deposits++
        return
    }
    const id = batchIdFromKey(`sim-${sim.runId}-${sim.batchCounter++}`)
    if (sim.opts.db) await saveLeaves(sim.opts.db, id, built.root, built.leaves)
    let ok: boolean
    try {
        ok = await sim.operator.run('commit', (w) =>
            (sim.c.ledger.connect(w) as Contract).commitBatch(id, payer.address, token, built.root, built.totalAmount, built.recordCount, `sim://batches/${id}`),
        )
    } catch (e) {
        await forgetLeavesIfNotCommitted(sim, id, built.root)
        throw e
    }
    if (!ok) return forgetLeavesIfNotCommitted(sim, id, built.root)
    // The deadline counts from the commit block's timestamp, which only the chain knows.
    const onChain = await sim.c.ledger.getBatch(id)
    sim.batches.set(id, {
        id,
        payer,
        built,
        proofs: proofsOf(built),
        deadline: Number(onChain.disputeDeadline),
        status: 'committed',
        unclaimed: new Set(built.leaves.map((l) => l.payee)),
    })
    sim.stats.committed++
    sim.log(`committed batch ${id.slice(0, 10)}… ${built.recordCount} records, ${built.leaves.length} payees, ${fmt(built.totalAmount)} USDC`)
}

/** Stored leaves of a batch whose commit failed would serve proofs of a batch that does not exist. */
export async function forgetLeavesIfNotCommitted(sim: SettlementSim, id: string, root: string): Promise<void> {
    if (!sim.opts.db) return
    if (Number((await sim.c.ledger.getBatch(id)).status) !== 0) return
    await deleteLeaves(sim.opts.db, id, root)
}

/** About one batch in twelve is disputed, by its payer or by one of its payees (with a proof of its leaf). */
export async function disputeSome(sim: SettlementSim, now: number): Promise<void> {
    for (const b of sim.batches.values()) {
        if (b.status !== 'committed' || b.deadline - now < 5 || (b as any).disputeDecided) continue
        ;(b as any).disputeDecided = true
        if (!sim.rnd.chance(1 / 12)) continue
        const byPayer = sim.rnd.chance(0.5)
        const leaf = sim.rnd.pick(b.built.leaves)
        const actor = byPayer ? b.payer : sim.publishers.find((p) => p.address === leaf.payee)!
        if (actor.busy) continue
        const reason = byPayer ? 'usage counts exceed our logs' : 'my share is below the agreed price'
        const proof = byPayer ? [] : b.proofs.get(leaf.payee)!
        const amount = byPayer ? 0n : leaf.amount
        const ok = await actor.run('dispute', (w) => (sim.c.ledger.connect(w) as Contract).dispute(b.id, amount, proof, reason))
        if (ok) {
            b.status = 'disputed'
            sim.stats.disputed++
            sim.log(`batch ${b.id.slice(0, 10)}… disputed by ${byPayer ? 'its payer' : 'a publisher'}`)
        }
        return
    }
}

/** Disputes are ruled on by governance: schedule `resolveDispute` on the timelock, execute it when ready. */
export async function advanceResolutions(sim: SettlementSim, now: number): Promise<void> {
    const timelock = sim.c.timelock
    const ledgerAddr = await sim.c.ledger.getAddress()
    for (const b of sim.batches.values()) {
        if (b.status === 'disputed') {
            const uphold = sim.rnd.chance(0.5)
            const data = sim.c.ledger.interface.encodeFunctionData('resolveDispute', [b.id, uphold])
            const delay = Number(await timelock.getMinDelay())
            const ok = await sim.proposer.run('schedule ruling', (w) =>
                (timelock.connect(w) as Contract).schedule(ledgerAddr, 0, data, ZeroHash, b.id, delay),
            )
            if (ok) {
                // The timelock knows when the operation becomes ready (the schedule block's time + delay).
                const opId = await timelock.hashOperation(ledgerAddr, 0, data, ZeroHash, b.id)
                b.status = 'resolving'
                b.resolution = { uphold, data, salt: b.id, readyAt: Number(await timelock.getTimestamp(opId)) }
            }
            return
        }
        if (b.status === 'resolving' && b.resolution && now >= b.resolution.readyAt) {
            const r = b.resolution
            const ok = await sim.proposer.run('execute ruling', (w) =>
                (timelock.connect(w) as Contract).execute(ledgerAddr, 0, r.data, ZeroHash, r.salt),
            )
            if (ok) {
                b.status = r.uphold ? 'rejected' : 'committed'
                if (r.uphold) {
                    sim.stats.rejected++
                    sim.batches.delete(b.id)
                }
                sim.log(`dispute on ${b.id.slice(0, 10)}… ${r.uphold ? 'upheld: batch rejected, funds unlocked' : 'dismissed'}`)
            }
            return
        }
    }
}

/** The operator finalises up to three batches whose dispute window has passed. */
export async function finalizeDue(sim: SettlementSim, now: number): Promise<void> {
    const due = [...sim.batches.values()].filter((b) => b.status === 'committed' && now >= b.deadline)
    for (const b of due.slice(0, 3)) {
        const ok = await sim.operator.run('finalize', (w) => (sim.c.ledger.connect(w) as Contract).finalize(b.id))
        if (ok) {
            b.status = 'finalized'
            sim.stats.finalized++
            sim.log(`finalized batch ${b.id.slice(0, 10)}…: payout of ${fmt(b.built.totalAmount)} USDC open`)
        }
    }
}
