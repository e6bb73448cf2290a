import { Contract, JsonRpcProvider } from 'ethers'
import { contract } from '../contracts'
import { StakeEntry, epochOf, epochStart, scheduledProposer } from '../validators/schedule'
import { Random } from './random'

/** One slot as the rotation arranged it. */
export interface SlotPlan {
    height: number
    epoch: number
    /** the stake-weighted schedule's proposer (lowercase validator address) */
    scheduled: string
    /** the validator whose fee recipient was set as coinbase */
    proposer: string
    feeRecipient: string
    /** the scheduled validator skipped this slot on purpose */
    missed: boolean
}

interface Snapshot {
    epoch: number
    stakes: StakeEntry[]
    feeRecipients: Map<string, string>
}

export interface RotationStats {
    /** slots the rotation set a coinbase for */
    planned: number
    /** ...of which the scheduled validator skipped on purpose */
    deliberateMisses: number
    /** planned blocks whose miner was checked */
    checked: number
    /** ...that carried the intended coinbase */
    matched: number
    /** ...that did not: the block was sealed before anvil_setCoinbase arrived */
    raceLost: number
    /** blocks with no plan (nobody staked yet, or the head moved by more than one block between polls) */
    unplanned: number
}

export interface RotationOptions {
    rpcUrl: string
    /** ValidatorRegistry address */
    registry: string
    /** EPOCH_BLOCKS: slots per epoch, as the indexer counts them */
    epochBlocks: number
    /** Probability that `validator` skips a slot it is scheduled for (default 0). */
    missRate?: (validator: string) => number
    /** Name of a validator in log lines. */
    label?: (validator: string) => string
    /** The chain's configured block time in seconds (ANVIL_BLOCK_TIME), to restore mining that an earlier run left paused. */
    blockTime?: number
    seed?: number
    pollMs?: number
    log?: (msg: string) => void
}

/**
 * Plays the block proposers on anvil. After every new head h it sets the coinbase of block h+1
 * (`anvil_setCoinbase`) to the fee recipient of the validator the stake-weighted schedule picks for h+1
 * (src/validators/schedule.ts: stakes of unjailed validators after the last block of the previous epoch, the same
 * snapshot the indexer uses), except when that validator's reliability profile makes it miss the slot: then another
 * validator proposes instead. Each mined block's miner is checked against the plan; the block time keeps running
 * (anvil mines on its own), so a coinbase set too late shows up as a lost race in the stats.
 *
 * `mineNow` mines one block on demand with the right coinbase (mining paused while the caller submits its
 * transactions), for bundles that must share a block.
 */
export class ProposerRotation {
    readonly stats: RotationStats = { planned: 0, deliberateMisses: 0, checked: 0, matched: 0, raceLost: 0, unplanned: 0 }
    /** Recent slots by height (the last few hundred). */
    readonly plans = new Map<number, SlotPlan>()
    private readonly provider: JsonRpcProvider
    private readonly registry: Contract
    private readonly rnd: Random
    private readonly log: (msg: string) => void
    private readonly snapshots = new Map<number, Snapshot>()
    private lock: Promise<unknown> = Promise.resolve()
    private timer?: NodeJS.Timeout
    private stopped = false
    private lastHead = -1
    private lastChecked = -1
    private mining?: { automine: boolean; interval: number }
    private historicWarned = false
    private epochTally = { epoch: -1, slots: 0, misses: 0, matched: 0, lost: 0 }

    constructor(private readonly opts: RotationOptions) {
        this.provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 })
        this.registry = contract('ValidatorRegistry', opts.registry, this.provider)
        this.rnd = new Random((opts.seed ?? 42) ^ 0x5107)
        this.log = opts.log ?? (() => {})
    }

    /** Share of checked blocks that carried the intended coinbase. */
    get matchRate(): number {
        return this.stats.checked === 0 ? 1 : this.stats.matched / this.stats.checked
    }

    async start(): Promise<void> {
        this.stopped = false
        await this.readMiningMode()
        await this.withLock(() => this.step())
        const loop = () => {
            if (this.stopped) return
            this.timer = setTimeout(async () => {
                await this.withLock(() => this.step()).catch((e) => this.log(`proposer rotation: ${e?.shortMessage ?? e?.message ?? e}`))
                loop()
            }, this.opts.pollMs ?? 100)
        }
        loop()
    }

    async stop(): Promise<void> {
        this.stopped = true
        if (this.timer) clearTimeout(this.timer)
        await this.lock.catch(() => undefined)
        this.provider.destroy()
    }

    /**
     * Pause mining, run `submit` (which sends the transactions that must share one block, in the pool order it
     * wants), mine exactly one block with the scheduled coinbase, plan the next slot, resume mining.
     */
    async mineNow<T>(submit: () => Promise<T>): Promise<{ result: T; block: number }> {
        return this.withLock(async () => {
            await this.pauseMining()
            try {
                await this.step()
                const result = await submit()
                await this.provider.send('evm_mine', [])
                await this.step()
                return { result, block: this.lastHead }
            } finally {
                await this.resumeMining()
            }
        })
    }

    private withLock<T>(fn: () => Promise<T>): Promise<T> {
        const run = this.lock.then(fn, fn)
        this.lock = run.catch(() => undefined)
        return run
    }

    /** New head? Plan the next slot first (time-critical), then check the blocks mined since the last step. */
    private async step(): Promise<void> {
        const head = Number(await this.provider.send('eth_blockNumber', []))
        if (head <= this.lastHead) return
        const prevHead = this.lastHead
        this.lastHead = head
        if (!this.plans.has(head + 1)) await this.plan(head + 1)
        if (prevHead >= 0) await this.check(Math.max(prevHead + 1, this.lastChecked + 1), head)
        this.lastChecked = head
        for (const h of this.plans.keys()) if (h < head - 512) this.plans.delete(h)
    }

    private async plan(height: number): Promise<void> {
        const epoch = epochOf(height, this.opts.epochBlocks)
        const snap = await this.snapshot(epoch)
        const scheduled = scheduledProposer(height, snap.stakes)
        if (!scheduled) return
        let proposer = scheduled
        const others = snap.stakes.map((s) => s.validator).filter((v) => v !== scheduled)
        const missed = others.length > 0 && this.rnd.chance(this.opts.missRate?.(scheduled) ?? 0)
        if (missed) proposer = this.rnd.pick(others)
        const feeRecipient = snap.feeRecipients.get(proposer)!
        await this.provider.send('anvil_setCoinbase', [feeRecipient])
        this.plans.set(height, { height, epoch, scheduled, proposer, feeRecipient, missed })
        this.stats.planned++
        if (missed) {
            this.stats.deliberateMisses++
            const name = this.opts.label ?? ((v: string) => v.slice(0, 10))
            this.log(`slot ${height}: ${name(scheduled)} missed its slot, ${name(proposer)} proposed instead`)
        }
    }

    private async check(from: number, to: number): Promise<void> {
        for (let h = from; h <= to; h++) {
            const plan = this.plans.get(h)
            if (!plan) {
                this.stats.unplanned++
                continue
            }
            const block = await this.provider.send('eth_getBlockByNumber', ['0x' + h.toString(16), false])
            const ok = String(block?.miner ?? '').toLowerCase() === plan.feeRecipient
            this.stats.checked++
            if (ok) this.stats.matched++
            else this.stats.raceLost++
            this.tally(plan, ok)
        }
    }

    /** One line per finished epoch. */
    private tally(plan: SlotPlan, ok: boolean): void {
        const t = this.epochTally
        if (t.epoch !== plan.epoch) {
            if (t.epoch >= 0 && t.slots > 0) {
                const first = epochStart(t.epoch, this.opts.epochBlocks)
                this.log(
                    `epoch ${t.epoch} (blocks ${first}..${first + this.opts.epochBlocks - 1}): ${t.slots} slots rotated, ${t.misses} missed on purpose, ` +
                        `${t.matched}/${t.slots} blocks carried the intended proposer${t.lost ? ` (${t.lost} sealed before the coinbase switch)` : ''}`,
                )
            }
            Object.assign(t, { epoch: plan.epoch, slots: 0, misses: 0, matched: 0, lost: 0 })
        }
        t.slots++
        if (plan.missed) t.misses++
        if (ok) t.matched++
        else t.lost++
    }

    /** Stakes of unjailed validators after block epochStart(epoch) − 1, cached per epoch. */
    private async snapshot(epoch: number): Promise<Snapshot> {
        const cached = this.snapshots.get(epoch)
        if (cached) return cached
        const at = epochStart(epoch, this.opts.epochBlocks) - 1
        let snap: Snapshot
        if (at < 0) snap = { epoch, stakes: [], feeRecipients: new Map() }
        else {
            try {
                snap = await this.readSnapshot(epoch, at)
            } catch (e: any) {
                // anvil restarted from a state dump cannot execute calls at blocks before the restart
                if (!this.historicWarned) {
                    this.log(`cannot read validator stakes at block ${at} (${e?.shortMessage ?? e?.message}); using the latest state for this epoch`)
                    this.historicWarned = true
                }
                snap = await this.readSnapshot(epoch, 'latest')
            }
        }
        this.snapshots.set(epoch, snap)
        for (const e of this.snapshots.keys()) if (e < epoch - 4) this.snapshots.delete(e)
        return snap
    }

    private async readSnapshot(epoch: number, blockTag: number | 'latest'): Promise<Snapshot> {
        const r = this.registry
        const count = Number(await r.validatorCount({ blockTag }))
        const addrs: string[] = await Promise.all(Array.from({ length: count }, (_, i) => r.validatorAt(i, { blockTag })))
        const vals = await Promise.all(addrs.map((a) => r.getValidator(a, { blockTag })))
        const stakes: StakeEntry[] = []
        const feeRecipients = new Map<string, string>()
        addrs.forEach((a, i) => {
            const v = vals[i]
            if (!v.registered || v.jailed || v.stake === 0n) return
            stakes.push({ validator: a.toLowerCase(), stake: v.stake })
            feeRecipients.set(a.toLowerCase(), String(v.feeRecipient).toLowerCase())
        })
        return { epoch, stakes, feeRecipients }
    }

    /**
     * Whether `mineNow` can pause and restore mining: with automine or a whole-second block time. A sub-second block
     * time reads back as 0 from anvil and cannot be restored through `evm_setIntervalMining` (whole seconds only).
     */
    get canMineNow(): boolean {
        return this.mining !== undefined && (this.mining.automine || this.mining.interval > 0)
    }

    private async readMiningMode(): Promise<void> {
        const automine = Boolean(await this.provider.send('anvil_getAutomine', []))
        let interval = Number(await this.provider.send('anvil_getIntervalMining', []).catch(() => 0))
        const expected = this.opts.blockTime
        if (!automine && interval === 0 && expected && Number.isInteger(expected) && expected > 0) {
            // mining stopped although the chain should have a block time: an earlier run died inside mineNow
            await this.provider.send('evm_setIntervalMining', [expected])
            this.log(`anvil was not mining (a simulator stopped while mining was paused?): block time ${expected} s restored`)
            interval = expected
        }
        this.mining = { automine, interval }
        if (!this.canMineNow) this.log('mining is sub-second or manual: cannot pause it, so no bundles that must share a block (sandwiches)')
    }

    private async pauseMining(): Promise<void> {
        if (!this.canMineNow) throw new Error('cannot pause mining (sub-second block time or manual mining)')
        if (this.mining!.automine) await this.provider.send('evm_setAutomine', [false])
        else await this.provider.send('evm_setIntervalMining', [0])
    }

    private async resumeMining(): Promise<void> {
        if (!this.canMineNow) return
        if (this.mining!.automine) await this.provider.send('evm_setAutomine', [true])
        else await this.provider.send('evm_setIntervalMining', [this.mining!.interval])
    }
}
