import { Contract, JsonRpcProvider, MaxUint256 } from 'ethers'
import { contract } from '../contracts'
import { LOCAL_ROLES, anvilKey } from '../deploy/local-accounts'
import { SIM_ACCOUNTS, fundAccounts, simAddress } from './accounts'
import { Actor } from './actor'
import { Random } from './random'
import { applyDueCommissions, changeCommission, delegateSome, redelegateSome, topUp, undelegateSome, withdrawUnlocked } from './stake-moves'
import { settledWithin, TickLoop } from './tick-loop'
import { advanceGovernance, governanceAction } from './validator-governance'
import { fmtStk, GovernanceOp, SimValidator, STK, VALIDATOR_PROFILES, ValidatorSim, ValidatorSimOptions, ValidatorStats } from './validator-sim'

export { fmtStk, UNRELIABLE, VALIDATOR_PROFILES } from './validator-sim'
export type { SimValidator, ValidatorSimOptions, ValidatorStats } from './validator-sim'

/**
 * The validator side of the local chain: validators register with their fee recipients and commissions, delegators
 * stake on them (one validator much larger than the rest), and from then on stake moves (delegate, undelegate and
 * withdraw after unbonding, redelegate), validators change commission (scheduled, applied after the delay), and
 * governance occasionally jails, unjails or slashes the unreliable validator through the timelock.
 */
export class ValidatorActivity implements ValidatorSim {
    readonly stats: ValidatorStats = { delegations: 0, undelegations: 0, redelegations: 0, withdrawals: 0, commissionChanges: 0, jailings: 0, unjailings: 0, slashes: 0, failures: 0 }
    readonly validators: SimValidator[] = []
    readonly delegators: Actor[] = []
    private readonly provider: JsonRpcProvider
    readonly rnd: Random
    readonly log: (msg: string) => void
    readonly governance: Actor
    readonly registry: Contract
    readonly stake: Contract
    readonly timelock: Contract
    private readonly names = new Map<string, string>()
    readonly openUnbondings = new Map<number, { delegator: Actor; amount: bigint; validator: string; unlockAt: number }>()
    scannedUnbondings = 0
    readonly ops: GovernanceOp[] = []
    readonly jailedSince = new Map<string, number>()
    private readonly loop = new TickLoop()

    constructor(readonly opts: ValidatorSimOptions) {
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
                await topUp(this, d, amount)
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
            go(applyDueCommissions(this, now))
            go(withdrawUnlocked(this, now))
            go(advanceGovernance(this, now))
            const r = this.rnd.next()
            if (this.rnd.chance(this.opts.governanceChance ?? 0.04)) go(governanceAction(this, now))
            else if (r < 0.35) go(delegateSome(this))
            else if (r < 0.5) go(undelegateSome(this))
            else if (r < 0.68) go(redelegateSome(this))
            else if (r < 0.76) go(changeCommission(this))
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
}
