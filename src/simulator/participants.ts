/**
 * The settlement simulator's participants: AI platforms (payers, with escrow), publishers (payees, with terms) and
 * advertisers registered and funded once, then escrow deposits and withdrawals and profile updates now and then.
 */
import { Contract, MaxUint256, id } from 'ethers'
import { Actor } from './actor'
import { Kind, SettlementSim, USDC } from './settlement-sim'

/** Register everyone who is not registered yet and fund the platforms (idempotent: safe after a restart). */
export async function setupParticipants(sim: SettlementSim): Promise<void> {
    const { registry, usdc, escrow } = sim.c
    const escrowAddr = await escrow.getAddress()
    const usdcAddr = await usdc.getAddress()
    // Every step checks the chain first, so a setup cut short (a lost transaction, a restart) is completed
    // on the next run instead of leaving a registered platform without funds.
    const register = async (actor: Actor, kind: Kind, i: number) => {
        if (!(await registry.isActive(actor.address))) {
            const uri = `ipfs://sim/${['platform', 'publisher', 'advertiser'][kind]}/${i}`
            await actor.run('register', (w) => (registry.connect(w) as Contract).register(kind, actor.address, uri))
            if (kind === Kind.Publisher) {
                const price = BigInt(sim.rnd.int(50, 500)) * 1000n
                await actor.run('set terms', (w) => (registry.connect(w) as Contract).setPublisherTerms(actor.address, price, true))
            }
        }
        if (kind === Kind.AIPlatform) {
            if ((await usdc.balanceOf(actor.address)) < 250_000n * USDC) {
                await actor.run('faucet', (w) => (usdc.connect(w) as Contract).faucet(actor.address, 1_000_000n * USDC))
            }
            if ((await usdc.allowance(actor.address, escrowAddr)) < 1_000_000_000n * USDC) {
                await actor.run('approve', (w) => (usdc.connect(w) as Contract).approve(escrowAddr, MaxUint256))
            }
            const { available, locked } = await escrow.accountOf(actor.address, usdcAddr)
            if (available + locked === 0n) {
                await actor.run('deposit', (w) => (escrow.connect(w) as Contract).deposit(usdcAddr, 250_000n * USDC))
                sim.stats.deposits++
            }
        }
    }
    await Promise.all([
        ...sim.payers.map((a, i) => register(a, Kind.AIPlatform, i)),
        ...sim.publishers.map((a, i) => register(a, Kind.Publisher, i)),
        ...sim.advertisers.map((a, i) => register(a, Kind.Advertiser, i)),
    ])
    sim.log(`participants ready: ${sim.payers.length} AI platforms, ${sim.publishers.length} publishers, ${sim.advertisers.length} advertisers`)
}

/** Now and then a platform deposits more, or withdraws part of what it holds free. */
export async function escrowMoves(sim: SettlementSim): Promise<void> {
    const payer = sim.rnd.pick(sim.payers)
    if (payer.busy) return
    const token = await sim.c.usdc.getAddress()
    if (sim.rnd.chance(0.15)) {
        const amount = BigInt(sim.rnd.int(1_000, 50_000)) * USDC
        const ok = await payer.run('deposit', (w) => (sim.c.escrow.connect(w) as Contract).deposit(token, amount))
        if (ok) sim.stats.deposits++
    } else if (sim.rnd.chance(0.08)) {
        const { available } = await sim.c.escrow.accountOf(payer.address, token)
        const amount = BigInt(sim.rnd.int(100, 5_000)) * USDC
        if (available < amount + 50_000n * USDC) return
        const ok = await payer.run('withdraw', (w) => (sim.c.escrow.connect(w) as Contract).withdraw(token, amount, payer.address))
        if (ok) sim.stats.withdrawals++
    }
}

/** A publisher or advertiser updates its profile. */
export async function updateSomeone(sim: SettlementSim): Promise<void> {
    const actor = sim.rnd.pick([...sim.publishers, ...sim.advertisers])
    if (actor.busy) return
    const uri = `ipfs://sim/profile/${id(actor.address + sim.stats.ticks).slice(2, 12)}`
    await actor.run('update', (w) => (sim.c.registry.connect(w) as Contract).update(actor.address, actor.address, uri))
}
