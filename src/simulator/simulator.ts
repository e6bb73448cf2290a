import { JsonRpcProvider, id } from 'ethers'
import { contract } from '../contracts'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../deploy/local-accounts'
import { Actor } from './actor'
import { escrowMoves, setupParticipants, updateSomeone } from './participants'
import { Random } from './random'
import { advanceResolutions, commitBatch, disputeSome, finalizeDue } from './settlement-batches'
import { relayClaims, selfClaims } from './settlement-claims'
import { SettlementContracts, SettlementSim, SimBatch, SimulatorOptions, SimulatorStats } from './settlement-sim'
import { settledWithin, TickLoop } from './tick-loop'

export type { SimulatorOptions, SimulatorStats }

/**
 * Keeps a local deployment busy with realistic settlement activity: AI platforms deposit and withdraw,
 * the operator commits batches of thousands of usage records, a few are disputed and ruled on through the
 * timelock, the rest are finalised after the dispute window, and payees claim, some themselves and the rest
 * through the relayer in bulk.
 */
export class Simulator implements SettlementSim {
    readonly stats: SimulatorStats = { ticks: 0, committed: 0, finalized: 0, disputed: 0, rejected: 0, claims: 0, deposits: 0, withdrawals: 0, failures: 0 }
    private readonly provider: JsonRpcProvider
    readonly rnd: Random
    readonly log: (msg: string) => void
    readonly payers: Actor[] = []
    readonly publishers: Actor[] = []
    readonly advertisers: Actor[] = []
    operator: Actor
    relayer: Actor
    readonly proposer: Actor
    readonly batches = new Map<string, SimBatch>()
    readonly c: SettlementContracts
    private readonly loop = new TickLoop()
    batchCounter = 0
    readonly runId: string

    constructor(readonly opts: SimulatorOptions) {
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
        await setupParticipants(this)
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

            if (!this.operator.busy && this.rnd.chance(0.6)) go(commitBatch(this, now))
            if (!this.operator.busy) go(finalizeDue(this, now))
            if (!this.proposer.busy) go(advanceResolutions(this, now))
            if (!this.relayer.busy) go(relayClaims(this))
            go(selfClaims(this))
            go(escrowMoves(this))
            go(disputeSome(this, now))
            if (this.rnd.chance(0.05)) go(updateSomeone(this))
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
}
