import { Contract, JsonRpcProvider, MaxUint256, ZeroHash, id } from 'ethers'
import type { Pool } from 'pg'
import { contract } from '../contracts'
import type { Deployment } from '../deploy/deployments'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../deploy/local-accounts'
import { BuiltBatch, UsageRecord, batchIdFromKey, buildBatch, proofsOf } from '../settlement/batch-builder'
import { deleteLeaves, saveLeaves } from '../settlement/leaf-store'
import { Actor } from './actor'
import { Random } from './random'
import { settledWithin, TickLoop } from './tick-loop'

export interface SimulatorOptions {
    rpcUrl: string
    deployment: Deployment
    /** Where batch leaves are stored for `payoutProof`; without it the API cannot serve proofs of simulated batches. */
    db?: Pool
    tickMs?: number
    seed?: number
    payers?: number
    publishers?: number
    advertisers?: number
    /** Usage records per committed batch: [min, max]. */
    recordsPerBatch?: [number, number]
    log?: (msg: string) => void
}

const enum Kind {
    AIPlatform = 0,
    Publisher = 1,
    Advertiser = 2,
}

interface SimBatch {
    id: string
    payer: Actor
    built: BuiltBatch
    proofs: Map<string, string[]>
    deadline: number
    status: 'committed' | 'disputed' | 'resolving' | 'finalized' | 'rejected'
    /** Timelock operation resolving the dispute: ready once the chain's time passes `readyAt`. */
    resolution?: { uphold: boolean; data: string; salt: string; readyAt: number }
    unclaimed: Set<string>
}

const USDC = 1_000_000n

export interface SimulatorStats {
    ticks: number
    committed: number
    finalized: number
    disputed: number
    rejected: number
    claims: number
    deposits: number
    withdrawals: number
    failures: number
}

/**
 * Keeps a local deployment busy with realistic settlement activity: AI platforms deposit and withdraw,
 * the operator commits batches of thousands of usage records, a few are disputed and ruled on through the
 * timelock, the rest are finalised after the dispute window, and payees claim, some themselves and the rest
 * through the relayer in bulk.
 */
export class Simulator {
    readonly stats: SimulatorStats = { ticks: 0, committed: 0, finalized: 0, disputed: 0, rejected: 0, claims: 0, deposits: 0, withdrawals: 0, failures: 0 }
    private readonly provider: JsonRpcProvider
    private readonly rnd: Random
    private readonly log: (msg: string) => void
    private readonly payers: Actor[] = []
    private readonly publishers: Actor[] = []
    private readonly advertisers: Actor[] = []
    private operator: Actor
    private relayer: Actor
    private readonly proposer: Actor
    private readonly batches = new Map<string, SimBatch>()
    private readonly c: Record<'registry' | 'escrow' | 'ledger' | 'distributor' | 'timelock' | 'usdc', Contract>
    private readonly loop = new TickLoop()
    private batchCounter = 0
    private readonly runId: string

    constructor(private readonly opts: SimulatorOptions) {
        this.provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 250 })
        this.rnd = new Random(opts.seed ?? 42)
        this.log = opts.log ?? (() => {})
        this.runId = `${opts.deployment.startBlockHash.slice(2, 10)}-${Date.now().toString(36)}`
        let i = FIRST_PARTICIPANT
        const make = (list: Actor[], n: number, label: string) => {
            for (let k = 0; k < n; k++) list.push(new Actor(anvilKey(i++), this.provider, `${label}#${k}`))
        }
        make(this.payers, opts.payers ?? 8, 'platform')
        make(this.publishers, opts.publishers ?? 36, 'publisher')
        make(this.advertisers, opts.advertisers ?? 6, 'advertiser')
        // its own accounts, not the API server's signers (LOCAL_ROLES.operator / relayer): no shared nonces
        this.operator = new Actor(anvilKey(LOCAL_ROLES.simOperator), this.provider, 'operator')
        this.relayer = new Actor(anvilKey(LOCAL_ROLES.simRelayer), this.provider, 'relayer')
        this.proposer = new Actor(anvilKey(LOCAL_ROLES.proposer), this.provider, 'governance')
        const a = opts.deployment.contracts
        this.c = {
            registry: contract('ParticipantRegistry', a.ParticipantRegistry, this.provider),
            escrow: contract('Escrow', a.Escrow, this.provider),
            ledger: contract('BatchLedger', a.BatchLedger, this.provider),
            distributor: contract('Distributor', a.Distributor, this.provider),
            timelock: contract('PlatformTimelock', a.PlatformTimelock, this.provider),
            usdc: contract('MockUSDC', a.MockUSDC, this.provider),
        }
    }

    /** The timelock proposer (anvil account 0): other simulations schedule governance calls through the same queue. */
    get governance(): Actor {
        return this.proposer
    }

    /** Register everyone who is not registered yet and fund the platforms (idempotent: safe after a restart). */
    async setup(): Promise<void> {
        await this.useGrantedAccounts()
        const { registry, usdc, escrow } = this.c
        const escrowAddr = await escrow.getAddress()
        const usdcAddr = await usdc.getAddress()
        // Every step checks the chain first, so a setup cut short (a lost transaction, a restart) is completed
        // on the next run instead of leaving a registered platform without funds.
        const register = async (actor: Actor, kind: Kind, i: number) => {
            if (!(await registry.isActive(actor.address))) {
                const uri = `ipfs://sim/${['platform', 'publisher', 'advertiser'][kind]}/${i}`
                await actor.run('register', (w) => (registry.connect(w) as Contract).register(kind, actor.address, uri))
                if (kind === Kind.Publisher) {
                    const price = BigInt(this.rnd.int(50, 500)) * 1000n
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
                    this.stats.deposits++
                }
            }
        }
        await Promise.all([
            ...this.payers.map((a, i) => register(a, Kind.AIPlatform, i)),
            ...this.publishers.map((a, i) => register(a, Kind.Publisher, i)),
            ...this.advertisers.map((a, i) => register(a, Kind.Advertiser, i)),
        ])
        this.log(`participants ready: ${this.payers.length} AI platforms, ${this.publishers.length} publishers, ${this.advertisers.length} advertisers`)
    }

    start(): void {
        const tickMs = this.opts.tickMs ?? 1500
        this.loop.start(tickMs, () => this.round())
    }

    async stop(): Promise<void> {
        await this.loop.stop()
        this.provider.destroy()
    }

    /** One round of activity; actors with work in flight are skipped, so nothing queues up. */
    tick(): Promise<void> {
        return this.loop.run(() => this.round())
    }

    private async round(): Promise<void> {
        this.stats.ticks++
        try {
            const block = await this.provider.getBlock('latest')
            const now = Number(block!.timestamp)
            const work: Promise<unknown>[] = []
            const go = (p: Promise<unknown>) => work.push(p.catch((e) => this.fail(e)))
            for (const b of this.batches.values()) if (b.status === 'finalized' && b.unclaimed.size === 0) this.batches.delete(b.id)

            if (!this.operator.busy && this.rnd.chance(0.6)) go(this.commitBatch(now))
            if (!this.operator.busy) go(this.finalizeDue(now))
            if (!this.proposer.busy) go(this.advanceResolutions(now))
            if (!this.relayer.busy) go(this.relayClaims())
            go(this.selfClaims())
            go(this.escrowMoves())
            go(this.disputeSome(now))
            if (this.rnd.chance(0.05)) go(this.updateSomeone())
            // Don't block the next tick on slow receipts beyond a bound.
            await settledWithin(Promise.all(work), 10_000)
        } catch (e) {
            this.fail(e)
        }
    }

    private fail(e: any) {
        this.stats.failures++
        this.log(`action failed: ${e?.message ?? e}`)
    }

    /**
     * A chain deployed before the simulator had its own accounts granted only the API's: then share those (and
     * their nonces) rather than fail every commit; a fresh deployment (`npm run reset`) separates them.
     */
    private async useGrantedAccounts(): Promise<void> {
        if (!(await this.c.ledger.hasRole(id('OPERATOR_ROLE'), this.operator.address))) {
            this.log(`simulator: account ${this.operator.address} has no OPERATOR role on this deployment; committing with the API's operator account`)
            this.operator = new Actor(anvilKey(LOCAL_ROLES.operator), this.provider, 'operator')
        }
        if (!(await this.c.distributor.hasRole(id('RELAYER_ROLE'), this.relayer.address))) {
            this.log(`simulator: account ${this.relayer.address} has no RELAYER role on this deployment; relaying with the API's relayer account`)
            this.relayer = new Actor(anvilKey(LOCAL_ROLES.relayer), this.provider, 'relayer')
        }
    }

    private async commitBatch(now: number): Promise<void> {
        const payer = this.rnd.pick(this.payers)
        const [min, max] = this.opts.recordsPerBatch ?? [1000, 5000]
        const n = this.rnd.int(min, max)
        const payees = this.rnd.sample(this.publishers, this.rnd.int(5, 24))
        const records: UsageRecord[] = []
        for (let i = 0; i < n; i++) records.push({ payee: this.rnd.pick(payees).address, amount: BigInt(this.rnd.int(100, 20_000)) })
        const built = buildBatch(records)
        const token = await this.c.usdc.getAddress()
        const account = await this.c.escrow.accountOf(payer.address, token)
        if (account.available < built.totalAmount) {
            // Top up instead of committing a batch the chain would refuse.
            await payer.run('deposit', (w) => (this.c.escrow.connect(w) as Contract).deposit(token, 100_000n * USDC))
            this.stats.deposits++
            return
        }
        const id = batchIdFromKey(`sim-${this.runId}-${this.batchCounter++}`)
        if (this.opts.db) await saveLeaves(this.opts.db, id, built.root, built.leaves)
        let ok: boolean
        try {
            ok = await this.operator.run('commit', (w) =>
                (this.c.ledger.connect(w) as Contract).commitBatch(id, payer.address, token, built.root, built.totalAmount, built.recordCount, `sim://batches/${id}`),
            )
        } catch (e) {
            await this.forgetLeavesIfNotCommitted(id, built.root)
            throw e
        }
        if (!ok) return this.forgetLeavesIfNotCommitted(id, built.root)
        // The deadline counts from the commit block's timestamp, which only the chain knows.
        const onChain = await this.c.ledger.getBatch(id)
        this.batches.set(id, {
            id,
            payer,
            built,
            proofs: proofsOf(built),
            deadline: Number(onChain.disputeDeadline),
            status: 'committed',
            unclaimed: new Set(built.leaves.map((l) => l.payee)),
        })
        this.stats.committed++
        this.log(`committed batch ${id.slice(0, 10)}… ${built.recordCount} records, ${built.leaves.length} payees, ${fmt(built.totalAmount)} USDC`)
    }

    /** Stored leaves of a batch whose commit failed would serve proofs of a batch that does not exist. */
    private async forgetLeavesIfNotCommitted(id: string, root: string): Promise<void> {
        if (!this.opts.db) return
        if (Number((await this.c.ledger.getBatch(id)).status) !== 0) return
        await deleteLeaves(this.opts.db, id, root)
    }

    /** About one batch in twelve is disputed, by its payer or by one of its payees (with a proof of its leaf). */
    private async disputeSome(now: number): Promise<void> {
        for (const b of this.batches.values()) {
            if (b.status !== 'committed' || b.deadline - now < 5 || (b as any).disputeDecided) continue
            ;(b as any).disputeDecided = true
            if (!this.rnd.chance(1 / 12)) continue
            const byPayer = this.rnd.chance(0.5)
            const leaf = this.rnd.pick(b.built.leaves)
            const actor = byPayer ? b.payer : this.publishers.find((p) => p.address === leaf.payee)!
            if (actor.busy) continue
            const reason = byPayer ? 'usage counts exceed our logs' : 'my share is below the agreed price'
            const proof = byPayer ? [] : b.proofs.get(leaf.payee)!
            const amount = byPayer ? 0n : leaf.amount
            const ok = await actor.run('dispute', (w) => (this.c.ledger.connect(w) as Contract).dispute(b.id, amount, proof, reason))
            if (ok) {
                b.status = 'disputed'
                this.stats.disputed++
                this.log(`batch ${b.id.slice(0, 10)}… disputed by ${byPayer ? 'its payer' : 'a publisher'}`)
            }
            return
        }
    }

    /** Disputes are ruled on by governance: schedule `resolveDispute` on the timelock, execute it when ready. */
    private async advanceResolutions(now: number): Promise<void> {
        const timelock = this.c.timelock
        const ledgerAddr = await this.c.ledger.getAddress()
        for (const b of this.batches.values()) {
            if (b.status === 'disputed') {
                const uphold = this.rnd.chance(0.5)
                const data = this.c.ledger.interface.encodeFunctionData('resolveDispute', [b.id, uphold])
                const delay = Number(await timelock.getMinDelay())
                const ok = await this.proposer.run('schedule ruling', (w) =>
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
                const ok = await this.proposer.run('execute ruling', (w) =>
                    (timelock.connect(w) as Contract).execute(ledgerAddr, 0, r.data, ZeroHash, r.salt),
                )
                if (ok) {
                    b.status = r.uphold ? 'rejected' : 'committed'
                    if (r.uphold) {
                        this.stats.rejected++
                        this.batches.delete(b.id)
                    }
                    this.log(`dispute on ${b.id.slice(0, 10)}… ${r.uphold ? 'upheld: batch rejected, funds unlocked' : 'dismissed'}`)
                }
                return
            }
        }
    }

    private async finalizeDue(now: number): Promise<void> {
        const due = [...this.batches.values()].filter((b) => b.status === 'committed' && now >= b.deadline)
        for (const b of due.slice(0, 3)) {
            const ok = await this.operator.run('finalize', (w) => (this.c.ledger.connect(w) as Contract).finalize(b.id))
            if (ok) {
                b.status = 'finalized'
                this.stats.finalized++
                this.log(`finalized batch ${b.id.slice(0, 10)}…: payout of ${fmt(b.built.totalAmount)} USDC open`)
            }
        }
    }

    /** Some publishers claim for themselves. */
    private async selfClaims(): Promise<void> {
        const claims: Promise<unknown>[] = []
        for (const b of this.batches.values()) {
            if (b.status !== 'finalized') continue
            for (const payee of b.unclaimed) {
                if (!this.rnd.chance(0.15)) continue
                const actor = this.publishers.find((p) => p.address === payee)
                if (!actor || actor.busy) continue
                const leaf = b.built.leaves.find((l) => l.payee === payee)!
                b.unclaimed.delete(payee)
                claims.push(
                    actor
                        .run('claim', (w) => (this.c.distributor.connect(w) as Contract).claim(b.id, leaf.amount, b.proofs.get(payee)!))
                        .then((ok) => ok && this.stats.claims++),
                )
            }
        }
        await Promise.all(claims)
    }

    /** The relayer sweeps the rest of one finalised batch per round, in one claimMany. */
    private async relayClaims(): Promise<void> {
        const b = [...this.batches.values()].find((x) => x.status === 'finalized' && x.unclaimed.size > 0)
        if (!b || !this.rnd.chance(0.4)) return
        const payees = [...b.unclaimed].slice(0, 40)
        const leaves = payees.map((p) => b.built.leaves.find((l) => l.payee === p)!)
        payees.forEach((p) => b.unclaimed.delete(p))
        const ok = await this.relayer.run('claimMany', (w) =>
            (this.c.distributor.connect(w) as Contract).claimMany(
                b.id,
                payees,
                leaves.map((l) => l.amount),
                payees.map((p) => b.proofs.get(p)!),
            ),
        )
        if (ok) {
            this.stats.claims += payees.length
            this.log(`relayer claimed ${payees.length} payouts of batch ${b.id.slice(0, 10)}…`)
        }
        if (b.unclaimed.size === 0) this.batches.delete(b.id)
    }

    private async escrowMoves(): Promise<void> {
        const payer = this.rnd.pick(this.payers)
        if (payer.busy) return
        const token = await this.c.usdc.getAddress()
        if (this.rnd.chance(0.15)) {
            const amount = BigInt(this.rnd.int(1_000, 50_000)) * USDC
            const ok = await payer.run('deposit', (w) => (this.c.escrow.connect(w) as Contract).deposit(token, amount))
            if (ok) this.stats.deposits++
        } else if (this.rnd.chance(0.08)) {
            const { available } = await this.c.escrow.accountOf(payer.address, token)
            const amount = BigInt(this.rnd.int(100, 5_000)) * USDC
            if (available < amount + 50_000n * USDC) return
            const ok = await payer.run('withdraw', (w) => (this.c.escrow.connect(w) as Contract).withdraw(token, amount, payer.address))
            if (ok) this.stats.withdrawals++
        }
    }

    private async updateSomeone(): Promise<void> {
        const actor = this.rnd.pick([...this.publishers, ...this.advertisers])
        if (actor.busy) return
        const uri = `ipfs://sim/profile/${id(actor.address + this.stats.ticks).slice(2, 12)}`
        await actor.run('update', (w) => (this.c.registry.connect(w) as Contract).update(actor.address, actor.address, uri))
    }
}

function fmt(amount: bigint): string {
    return (Number(amount) / 1e6).toFixed(2)
}
