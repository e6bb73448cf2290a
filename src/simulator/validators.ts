import { Contract, JsonRpcProvider, MaxUint256, ZeroHash, formatUnits, id } from 'ethers'
import { contract } from '../contracts'
import type { Deployment } from '../deploy/deployments'
import { LOCAL_ROLES, anvilKey } from '../deploy/local-accounts'
import { SIM_ACCOUNTS, fundAccounts, simAddress } from './accounts'
import { Actor } from './actor'
import { Random } from './random'
import { settledWithin, TickLoop } from './tick-loop'

/** The simulated validator set: one large, one unreliable, commissions from 3% to 20%. */
export const VALIDATOR_PROFILES = [
    { name: 'Atlas', commissionBps: 500, missRate: 0.01 }, // the whale: most delegators pick it
    { name: 'Borealis', commissionBps: 300, missRate: 0 },
    { name: 'Cygnus', commissionBps: 800, missRate: 0.05 },
    { name: 'Draco', commissionBps: 1000, missRate: 0.005 },
    { name: 'Eridanus', commissionBps: 1500, missRate: 0.2 }, // unreliable: misses a fifth of its slots
    { name: 'Fornax', commissionBps: 2000, missRate: 0.01 },
] as const

/** Index of the validator that misses ~20% of its slots (and is the one governance jails and slashes). */
export const UNRELIABLE = 4

export interface SimValidator {
    actor: Actor
    address: string
    feeRecipient: string
    name: string
    missRate: number
}

export interface ValidatorStats {
    delegations: number
    undelegations: number
    redelegations: number
    withdrawals: number
    commissionChanges: number
    jailings: number
    unjailings: number
    slashes: number
    failures: number
}

export interface ValidatorSimOptions {
    rpcUrl: string
    deployment: Deployment
    /** The timelock proposer (anvil account 0). Pass the settlement simulator's, so one queue holds its nonces. */
    governance?: Actor
    validators?: number
    delegators?: number
    /** Chance per tick of a governance action on the unreliable validator: jail, unjail, slash (default 0.04). */
    governanceChance?: number
    /** Chain seconds a jailed validator stays jailed before governance releases it (default 90). */
    jailSeconds?: number
    seed?: number
    log?: (msg: string) => void
}

const STK = 10n ** 18n

interface GovernanceOp {
    what: string
    data: string
    salt: string
    readyAt: number
    done: () => void
}

/**
 * The validator side of the local chain: validators register with their fee recipients and commissions, delegators
 * stake on them (one validator much larger than the rest), and from then on stake moves (delegate, undelegate and
 * withdraw after unbonding, redelegate), validators change commission (scheduled, applied after the delay), and
 * governance occasionally jails, unjails or slashes the unreliable validator through the timelock.
 */
export class ValidatorActivity {
    readonly stats: ValidatorStats = { delegations: 0, undelegations: 0, redelegations: 0, withdrawals: 0, commissionChanges: 0, jailings: 0, unjailings: 0, slashes: 0, failures: 0 }
    readonly validators: SimValidator[] = []
    readonly delegators: Actor[] = []
    private readonly provider: JsonRpcProvider
    private readonly rnd: Random
    private readonly log: (msg: string) => void
    private readonly governance: Actor
    private readonly registry: Contract
    private readonly stake: Contract
    private readonly timelock: Contract
    private readonly names = new Map<string, string>()
    private readonly openUnbondings = new Map<number, { delegator: Actor; amount: bigint; validator: string; unlockAt: number }>()
    private scannedUnbondings = 0
    private readonly ops: GovernanceOp[] = []
    private jailedSince = new Map<string, number>()
    private readonly loop = new TickLoop()

    constructor(private readonly opts: ValidatorSimOptions) {
        this.provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 250 })
        this.rnd = new Random((opts.seed ?? 42) ^ 0x7a11)
        this.log = opts.log ?? (() => {})
        const n = Math.min(opts.validators ?? VALIDATOR_PROFILES.length, SIM_ACCOUNTS.maxValidators)
        for (let i = 0; i < n; i++) {
            const p = VALIDATOR_PROFILES[i]
            const actor = new Actor(anvilKey(SIM_ACCOUNTS.firstValidator + i), this.provider, p.name)
            this.validators.push({ actor, address: actor.address, feeRecipient: simAddress(SIM_ACCOUNTS.firstFeeRecipient + i), name: p.name, missRate: p.missRate })
            this.names.set(actor.address, p.name)
        }
        const d = Math.min(opts.delegators ?? SIM_ACCOUNTS.maxDelegators, SIM_ACCOUNTS.maxDelegators)
        for (let i = 0; i < d; i++) this.delegators.push(new Actor(anvilKey(SIM_ACCOUNTS.firstDelegator + i), this.provider, `delegator#${i}`))
        this.governance = opts.governance ?? new Actor(anvilKey(LOCAL_ROLES.proposer), this.provider, 'governance')
        const c = opts.deployment.contracts
        this.registry = contract('ValidatorRegistry', c.ValidatorRegistry, this.provider)
        this.stake = contract('MockToken', c.StakeToken, this.provider)
        this.timelock = contract('PlatformTimelock', c.PlatformTimelock, this.provider)
    }

    /** Validator name for log lines (the address when it is not one of ours). */
    nameOf = (validator: string): string => this.names.get(validator.toLowerCase()) ?? validator.slice(0, 10)

    /** The slot-miss probability of a validator (its reliability profile). */
    missRate = (validator: string): number => this.validators.find((v) => v.address === validator.toLowerCase())?.missRate ?? 0

    /** Register the validators and the initial delegations that are not on chain yet (idempotent). */
    async setup(): Promise<void> {
        await fundAccounts(this.provider, [...this.validators.map((v) => v.address), ...this.delegators.map((d) => d.address)])
        const registryAddr = await this.registry.getAddress()
        await Promise.all(
            this.validators.map(async (v, i) => {
                if ((await this.registry.getValidator(v.address)).registered) return
                const p = VALIDATOR_PROFILES[i]
                await v.actor.run('register', (w) =>
                    (this.registry.connect(w) as Contract).registerValidator(v.feeRecipient, p.commissionBps, `ipfs://sim/validator/${p.name.toLowerCase()}`),
                )
                this.log(`validator ${p.name} registered: fee recipient ${v.feeRecipient}, commission ${p.commissionBps / 100}%`)
            }),
        )
        // One validator gets the first eight delegators (about 40% of the stake), the others share the rest.
        const amounts = this.delegators.map(() => BigInt(this.rnd.int(10, 60)) * 1000n * STK)
        await Promise.all(
            this.delegators.map(async (d, i) => {
                const target = i < 8 ? this.validators[0] : this.validators[1 + ((i - 8) % (this.validators.length - 1))]
                if (!target || (await this.registry.delegationOf(d.address, target.address)) > 0n) return
                const amount = amounts[i]
                await this.topUp(d, amount)
                if ((await this.stake.allowance(d.address, registryAddr)) < amount) {
                    await d.run('approve', (w) => (this.stake.connect(w) as Contract).approve(registryAddr, MaxUint256))
                }
                if ((await this.registry.getValidator(target.address)).jailed) return
                await d.run('delegate', (w) => (this.registry.connect(w) as Contract).delegate(target.address, amount))
            }),
        )
        const stakes = await Promise.all(this.validators.map((v) => this.registry.totalStake(v.address) as Promise<bigint>))
        const total = stakes.reduce((a, b) => a + b, 0n)
        const largest = stakes.reduce((a, b) => (b > a ? b : a), 0n)
        this.log(
            `validators ready: ${this.validators.length} validators, ${this.delegators.length} delegators, ${fmtStk(total)} STK staked ` +
                `(largest ${total ? Number((largest * 1000n) / total) / 10 : 0}%: ${this.validators[stakes.indexOf(largest)]?.name})`,
        )
    }

    start(tickMs = 3000): void {
        this.loop.start(tickMs, () => this.round())
    }

    async stop(): Promise<void> {
        await this.loop.stop()
        this.provider.destroy()
    }

    tick(): Promise<void> {
        return this.loop.run(() => this.round())
    }

    private async round(): Promise<void> {
        try {
            const now = Number((await this.provider.getBlock('latest'))!.timestamp)
            const work: Promise<unknown>[] = []
            const go = (p: Promise<unknown>) => work.push(p.catch((e) => this.fail(e)))
            go(this.applyDueCommissions(now))
            go(this.withdrawUnlocked(now))
            go(this.advanceGovernance(now))
            const r = this.rnd.next()
            if (this.rnd.chance(this.opts.governanceChance ?? 0.04)) go(this.governanceAction(now))
            else if (r < 0.35) go(this.delegateSome())
            else if (r < 0.5) go(this.undelegateSome())
            else if (r < 0.68) go(this.redelegateSome())
            else if (r < 0.76) go(this.changeCommission())
            // don't hold the next tick on slow receipts beyond a bound
            await settledWithin(Promise.all(work), 15_000)
        } catch (e) {
            this.fail(e)
        }
    }

    private fail(e: any) {
        this.stats.failures++
        this.log(`action failed: ${e?.message ?? e}`)
    }

    private async topUp(d: Actor, amount: bigint): Promise<void> {
        if ((await this.stake.balanceOf(d.address)) >= amount) return
        await d.run('faucet', (w) => (this.stake.connect(w) as Contract).faucet(d.address, amount + 100_000n * STK))
    }

    private async openValidators(): Promise<SimValidator[]> {
        const jailed = await Promise.all(this.validators.map(async (v) => (await this.registry.getValidator(v.address)).jailed as boolean))
        return this.validators.filter((_, i) => !jailed[i])
    }

    private async delegationsOf(d: Actor): Promise<{ v: SimValidator; amount: bigint }[]> {
        const amounts = await Promise.all(this.validators.map((v) => this.registry.delegationOf(d.address, v.address) as Promise<bigint>))
        return this.validators.map((v, i) => ({ v, amount: amounts[i] })).filter((x) => x.amount > 0n)
    }

    private async delegateSome(): Promise<void> {
        const d = this.rnd.pick(this.delegators)
        if (d.busy) return
        const open = await this.openValidators()
        if (open.length === 0) return
        // the whale keeps attracting stake
        const v = this.rnd.chance(0.3) && open.includes(this.validators[0]) ? this.validators[0] : this.rnd.pick(open)
        const amount = BigInt(this.rnd.int(1, 25)) * 1000n * STK
        await this.topUp(d, amount)
        const ok = await d.run('delegate', (w) => (this.registry.connect(w) as Contract).delegate(v.address, amount))
        if (ok) {
            this.stats.delegations++
            this.log(`${d.label} delegated ${fmtStk(amount)} STK to ${v.name}`)
        }
    }

    private async undelegateSome(): Promise<void> {
        const d = this.rnd.pick(this.delegators)
        if (d.busy) return
        const held = await this.delegationsOf(d)
        if (held.length === 0) return
        const { v, amount: has } = this.rnd.pick(held)
        const amount = (has * BigInt(this.rnd.int(10, 50))) / 100n
        if (amount === 0n) return
        const ok = await d.run('undelegate', (w) => (this.registry.connect(w) as Contract).undelegate(v.address, amount))
        if (ok) {
            this.stats.undelegations++
            this.log(`${d.label} undelegated ${fmtStk(amount)} STK from ${v.name} (unbonding for ${this.opts.deployment.config.unbondingPeriod} s)`)
        }
    }

    private async redelegateSome(): Promise<void> {
        const d = this.rnd.pick(this.delegators)
        if (d.busy) return
        const held = await this.delegationsOf(d)
        if (held.length === 0) return
        // stake drifts away from the validator that misses slots
        const fromUnreliable = held.find((h) => h.v === this.validators[UNRELIABLE])
        const { v: from, amount: has } = fromUnreliable && this.rnd.chance(0.5) ? fromUnreliable : this.rnd.pick(held)
        const targets = (await this.openValidators()).filter((v) => v !== from)
        if (targets.length === 0) return
        const to = this.rnd.pick(targets)
        const amount = (has * BigInt(this.rnd.int(20, 100))) / 100n
        if (amount === 0n) return
        const ok = await d.run('redelegate', (w) => (this.registry.connect(w) as Contract).redelegate(from.address, to.address, amount))
        if (ok) {
            this.stats.redelegations++
            this.log(`${d.label} redelegated ${fmtStk(amount)} STK from ${from.name} to ${to.name}`)
        }
    }

    /** Scan new unbonding requests of our delegators, withdraw the unlocked ones. */
    private async withdrawUnlocked(now: number): Promise<void> {
        const count = Number(await this.registry.unbondingCount())
        const upTo = Math.min(count, this.scannedUnbondings + 50)
        for (let i = this.scannedUnbondings + 1; i <= upTo; i++) {
            const r = await this.registry.unbonding(i)
            const d = this.delegators.find((x) => x.address === String(r.delegator).toLowerCase())
            if (d && !r.withdrawn) this.openUnbondings.set(i, { delegator: d, amount: r.amount, validator: String(r.validator).toLowerCase(), unlockAt: Number(r.unlockAt) })
        }
        this.scannedUnbondings = upTo
        for (const [reqId, r] of this.openUnbondings) {
            if (r.unlockAt > now || r.delegator.busy) continue
            this.openUnbondings.delete(reqId)
            const ok = await r.delegator.run('withdraw', (w) => (this.registry.connect(w) as Contract).withdrawUnbonded(reqId))
            if (ok) {
                this.stats.withdrawals++
                this.log(`${r.delegator.label} withdrew ${fmtStk(r.amount)} STK unbonded from ${this.nameOf(r.validator)} (request ${reqId})`)
            }
        }
    }

    private async changeCommission(): Promise<void> {
        const v = this.rnd.pick(this.validators)
        if (v.actor.busy) return
        const rec = await this.registry.getValidator(v.address)
        if (Number(rec.commissionEffectiveAt) !== 0) return
        const current = Number(rec.commissionBps)
        const max = this.opts.deployment.config.maxCommissionBps
        // mostly small moves; now and then a hike
        const delta = 25 * (this.rnd.chance(0.25) ? this.rnd.int(20, 60) : this.rnd.int(-12, 12))
        const next = Math.max(0, Math.min(max, current + delta))
        if (next === current) return
        const ok = await v.actor.run('schedule commission', (w) => (this.registry.connect(w) as Contract).scheduleCommissionChange(next))
        if (ok) this.log(`${v.name} scheduled a commission change ${current / 100}% → ${next / 100}% (effective in ${this.opts.deployment.config.commissionDelay} s)`)
    }

    private async applyDueCommissions(now: number): Promise<void> {
        for (const v of this.validators) {
            if (v.actor.busy) continue
            const rec = await this.registry.getValidator(v.address)
            const at = Number(rec.commissionEffectiveAt)
            if (at === 0 || at > now) continue
            const ok = await v.actor.run('apply commission', (w) => (this.registry.connect(w) as Contract).applyCommissionChange(v.address))
            if (ok) {
                this.stats.commissionChanges++
                this.log(`${v.name} commission now ${Number(rec.pendingCommissionBps) / 100}% (was ${Number(rec.commissionBps) / 100}%)`)
            }
        }
    }

    /** Rarely: jail the unreliable validator (or release it after a while), or slash it a little. */
    private async governanceAction(now: number): Promise<void> {
        if (this.ops.length > 0 || this.governance.busy) return
        const v = this.validators[UNRELIABLE]
        if (!v) return
        const rec = await this.registry.getValidator(v.address)
        if (rec.jailed) {
            const since = this.jailedSince.get(v.address) ?? now
            this.jailedSince.set(v.address, since)
            if (now - since < (this.opts.jailSeconds ?? 90)) return
            await this.propose(`unjail ${v.name}`, this.registry.interface.encodeFunctionData('unjail', [v.address]), now, () => {
                this.stats.unjailings++
                this.jailedSince.delete(v.address)
            })
        } else if (this.rnd.chance(0.6)) {
            await this.propose(`jail ${v.name}`, this.registry.interface.encodeFunctionData('jail', [v.address, 'missed too many slots']), now, () => {
                this.stats.jailings++
                this.jailedSince.set(v.address, now)
            })
        } else if (rec.stake > 0n) {
            const bps = this.rnd.int(100, 500)
            await this.propose(
                `slash ${v.name} ${bps / 100}%`,
                this.registry.interface.encodeFunctionData('slash', [v.address, bps, 'equivocation (simulated double signing)']),
                now,
                () => this.stats.slashes++,
            )
        }
    }

    /** Schedule a registry call on the timelock; advanceGovernance executes it once the delay has passed. */
    private async propose(what: string, data: string, now: number, done: () => void): Promise<void> {
        const registryAddr = await this.registry.getAddress()
        const delay = Number(await this.timelock.getMinDelay())
        const salt = id(`sim-validators:${what}:${now}:${this.rnd.next()}`)
        const ok = await this.governance.run(`schedule ${what}`, (w) => (this.timelock.connect(w) as Contract).schedule(registryAddr, 0, data, ZeroHash, salt, delay))
        if (!ok) return
        const opId: string = await this.timelock.hashOperation(registryAddr, 0, data, ZeroHash, salt)
        // ready at the schedule block's timestamp + delay, which the timelock knows exactly
        const readyAt = Number(await this.timelock.getTimestamp(opId))
        this.ops.push({ what, data, salt, readyAt: readyAt || now + delay + 1, done })
        this.log(`governance scheduled "${what}" on the timelock (executable in ${delay} s)`)
    }

    private async advanceGovernance(now: number): Promise<void> {
        const op = this.ops[0]
        if (!op || now < op.readyAt || this.governance.busy) return
        const registryAddr = await this.registry.getAddress()
        this.ops.shift()
        const ok = await this.governance.run(`execute ${op.what}`, (w) => (this.timelock.connect(w) as Contract).execute(registryAddr, 0, op.data, ZeroHash, op.salt))
        if (ok) {
            op.done()
            this.log(`governance executed "${op.what}"`)
        }
    }
}

export function fmtStk(amount: bigint): string {
    return Number(formatUnits(amount, 18)).toLocaleString('en-US', { maximumFractionDigits: 0 })
}
