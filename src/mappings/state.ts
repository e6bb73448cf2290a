/**
 * In-memory working set of one handler call: entities are prefetched with one query per entity
 * class, mutated by the handlers in log order, and written back with one upsert/insert per class.
 */
import { Store } from '@subsquid/typeorm-store'
import { FindOptionsRelations, Raw } from 'typeorm'
import {
    Arbitrage,
    Batch,
    Block as BlockEntity,
    Claim,
    CommissionChange,
    Delegation,
    DelegationEvent,
    EpochSnapshot,
    EpochSummary,
    JailEvent,
    JitLiquidity,
    Liquidation,
    MevEvent,
    MinerPayment,
    NftTrade,
    Sandwich,
    SlashEvent,
    Swap,
    UnbondingRequest,
    Validator,
    ValidatorEpochStat,
    ValidatorScore,
    ContractState,
    ContractUpgrade,
    Dispute,
    EscrowAccount,
    EscrowMovement,
    ParameterChange,
    Participant,
    ParticipantDayStat,
    PauseChange,
    Payout,
    ProtocolEventRow,
    ProtocolParams,
    RoleAssignment,
    RoleChange,
    TimelockCall,
    TimelockOperation,
    Token,
    TokenDayStat,
    TokenHourStat,
} from '../model'
import { VERSIONED_ENTITIES } from '../model/versioned'
import type { EventMeta } from './decode'

type EntityClass<E> = { new (props?: Partial<E>): E; name: string }

/** Load rows by id with ONE query whatever the number of ids (`id = ANY($1)`, a single array parameter). */
export async function loadByIds<E extends { id: string }>(
    store: Store,
    cls: EntityClass<E>,
    ids: Iterable<string>,
    relations?: FindOptionsRelations<E>,
): Promise<E[]> {
    const list = [...new Set(ids)]
    if (list.length === 0) return []
    const where: any = { id: Raw((alias) => `${alias} = ANY(:ids)`, { ids: list }) }
    return store.find(cls, { where, relations })
}

/** Mutable entities of one class: loaded, created and changed during the handler call. */
export class EntityBuffer<E extends { id: string }> {
    private rows = new Map<string, E>()
    private dirty = new Set<string>()
    private wanted = new Set<string>()
    private loaded = new Set<string>()
    /**
     * Time travel (src/indexer/write/history.ts): per id, a copy of the row as it was at the end of each block it
     * was changed in (keyed by its updatedAtBlock, which every handler sets before add/touch), so that a call
     * over many blocks still writes one version per block.
     */
    private versionsById?: Map<string, Map<number, E>>

    constructor(
        readonly cls: EntityClass<E>,
        private relations?: FindOptionsRelations<E>,
    ) {
        if (VERSIONED_ENTITIES.has(cls.name)) this.versionsById = new Map()
    }

    get versioned(): boolean {
        return this.versionsById !== undefined
    }

    /** Ask for `id` to be prefetched. */
    want(id: string): void {
        if (!this.loaded.has(id)) this.wanted.add(id)
    }

    get wantedCount(): number {
        return this.wanted.size
    }

    /** Prefetch every wanted id with one query. */
    async load(store: Store): Promise<void> {
        if (this.wanted.size === 0) return
        const ids = [...this.wanted]
        this.wanted.clear()
        for (const id of ids) this.loaded.add(id)
        for (const row of await loadByIds(store, this.cls, ids, this.relations)) {
            if (!this.rows.has(row.id)) this.rows.set(row.id, row)
        }
    }

    /** The wanted ids, handed to a custom loader (they count as loaded from now on). */
    takeWanted(): string[] {
        const ids = [...this.wanted]
        this.wanted.clear()
        for (const id of ids) this.loaded.add(id)
        return ids
    }

    /** Seed rows without a query (tests, or rows known from elsewhere). */
    seed(rows: E[]): void {
        for (const r of rows) {
            this.loaded.add(r.id)
            this.rows.set(r.id, r)
        }
    }

    get(id: string): E | undefined {
        return this.rows.get(id)
    }

    has(id: string): boolean {
        return this.rows.has(id)
    }

    /** Add rows loaded by another query, keeping rows already present (they may have changed). */
    seedMissing(rows: E[]): void {
        for (const r of rows) {
            this.loaded.add(r.id)
            this.wanted.delete(r.id)
            if (!this.rows.has(r.id)) this.rows.set(r.id, r)
        }
    }

    /** Add a new row (marks it for writing). */
    add(row: E): E {
        this.rows.set(row.id, row)
        this.dirty.add(row.id)
        if (this.versionsById) this.snapshot(row)
        return row
    }

    /** Mark a row as changed. */
    touch(row: E): E {
        this.dirty.add(row.id)
        if (this.versionsById) this.snapshot(row)
        return row
    }

    private snapshot(row: E): void {
        const block = (row as any).updatedAtBlock
        if (typeof block !== 'number') return // not yet filled in (add before the fields are set): the touch follows
        let byBlock = this.versionsById!.get(row.id)
        if (!byBlock) this.versionsById!.set(row.id, (byBlock = new Map()))
        // touched again in the same block (a token: every event of it) → its copy refreshed, not a new one allocated
        const copy = byBlock.get(block)
        if (copy) Object.assign(copy, row)
        else byBlock.set(block, Object.assign(Object.create(Object.getPrototypeOf(row)), row))
    }

    /**
     * The versions written by this call, ascending by block per id: each changed row's state at the end of every
     * block it changed in (`next`: the block of its next version in this call, if any). Versioned buffers only.
     */
    versions(): { row: E; block: number; next: number | null }[] {
        const out: { row: E; block: number; next: number | null }[] = []
        for (const id of this.dirty) {
            const byBlock = this.versionsById?.get(id)
            const final = this.rows.get(id)!
            // the final state wins for its block (a change after the last add/touch is still written)
            const list: [number, E][] = byBlock ? [...byBlock.entries()].sort((a, b) => a[0] - b[0]) : []
            const last = (final as any).updatedAtBlock as number
            while (list.length && list[list.length - 1][0] >= last) list.pop()
            list.push([last, final])
            for (let i = 0; i < list.length; i++) out.push({ row: list[i][1], block: list[i][0], next: i + 1 < list.length ? list[i + 1][0] : null })
        }
        return out
    }

    changed(): E[] {
        return [...this.dirty].map((id) => this.rows.get(id)!)
    }

    changedIds(): string[] {
        return [...this.dirty]
    }

    all(): E[] {
        return [...this.rows.values()]
    }
}

type NumericKeys<E> = { [K in keyof E]-?: E[K] extends number | bigint ? K : never }[keyof E] & string

/**
 * Additive rollup rows (counters and sums), accumulated as deltas during the pass and merged into
 * the stored rows afterwards: handlers never need the stored value, so rollups are loaded once,
 * after all events are applied. `snapshotFields` are "value at the last event" (overwrite, not add).
 */
export class RollupBuffer<E extends { id: string }> {
    private deltas = new Map<string, E>()
    private snapshots = new Map<string, Set<string>>()

    constructor(
        readonly cls: EntityClass<E>,
        readonly snapshotFields: readonly string[] = [],
    ) {}

    /** The delta rows (counters accumulated in this call; the stored values are not included). */
    deltaRows(): E[] {
        return [...this.deltas.values()]
    }

    /** The snapshot fields set for `id` in this call (the others keep their stored value). */
    snapshotsOf(id: string): ReadonlySet<string> | undefined {
        return this.snapshots.get(id)
    }

    /** The delta row for `id`, created with `init()` (all counters zero) on first use. */
    row(id: string, init: () => E): E {
        let d = this.deltas.get(id)
        if (!d) {
            d = init()
            this.deltas.set(id, d)
        }
        return d
    }

    add(id: string, init: () => E, field: NumericKeys<E>, amount: number | bigint): void {
        const d = this.row(id, init) as any
        d[field] = d[field] + amount
    }

    setSnapshot(id: string, init: () => E, values: Partial<E>): void {
        const d = this.row(id, init) as any
        let set = this.snapshots.get(id)
        if (!set) this.snapshots.set(id, (set = new Set()))
        for (const [k, v] of Object.entries(values)) {
            d[k] = v
            set.add(k)
        }
    }

    ids(): string[] {
        return [...this.deltas.keys()]
    }

    /** Stored rows + deltas → rows to upsert. */
    merge(stored: E[]): E[] {
        const byId = new Map(stored.map((r) => [r.id, r]))
        const out: E[] = []
        for (const [id, delta] of this.deltas) {
            const base = byId.get(id) as any
            if (!base) {
                out.push(delta)
                continue
            }
            const snap = this.snapshots.get(id)
            for (const [k, v] of Object.entries(delta)) {
                if (k === 'id') continue
                if (this.snapshotFields.includes(k)) {
                    if (snap?.has(k)) base[k] = v
                } else if (typeof v === 'bigint' || typeof v === 'number') {
                    base[k] = base[k] + v
                }
            }
            out.push(base)
        }
        return out
    }

    async loadAndMerge(store: Store): Promise<E[]> {
        if (this.deltas.size === 0) return []
        return this.merge(await loadByIds(store, this.cls, this.deltas.keys()))
    }
}

export const TOKEN_SNAPSHOT_FIELDS = ['escrowHeldEnd', 'escrowLockedEnd'] as const

/** Everything one handler call reads and writes. */
export class MappingState {
    /** blocks per epoch (EPOCH_BLOCKS): event rows carry their epoch */
    constructor(readonly epochBlocks = 32) {}

    /** PROTOCOL_EVENTS: push a ProtocolEvent row for every applied event that has no row of its own (escrow.ts hasMovement) */
    recordProtocolEvents = true

    readonly participants = new EntityBuffer(Participant)
    readonly tokens = new EntityBuffer(Token)
    /** token relation loaded: a version of an account is then complete, and history.ts writes it with COPY */
    readonly accounts = new EntityBuffer(EscrowAccount, { token: true })
    /** token relation loaded: handlers need a batch's token id */
    readonly batches = new EntityBuffer(Batch, { token: true })
    readonly disputes = new EntityBuffer(Dispute)
    readonly payouts = new EntityBuffer(Payout)
    readonly contractStates = new EntityBuffer(ContractState)
    readonly params = new EntityBuffer(ProtocolParams)
    readonly roleAssignments = new EntityBuffer(RoleAssignment)
    readonly timelockOps = new EntityBuffer(TimelockOperation)
    readonly timelockCalls = new EntityBuffer(TimelockCall)

    // insert-only (one row per log, or per batch+payee for claims)
    readonly movements: EscrowMovement[] = []
    readonly claims: Claim[] = []
    readonly roleChanges: RoleChange[] = []
    readonly pauseChanges: PauseChange[] = []
    readonly upgrades: ContractUpgrade[] = []
    readonly parameterChanges: ParameterChange[] = []
    /** the stored part of ProtocolEvent (src/model/protocol-event-row.ts): logs without a row of their own */
    readonly protocolEvents: ProtocolEventRow[] = []
    /** escrow movements that name a batch, linked once all events are applied */
    readonly movementBatches: { movement: EscrowMovement; batchId: string; meta: EventMeta; payer: string; token: string }[] = []

    readonly tokenDays = new RollupBuffer(TokenDayStat, TOKEN_SNAPSHOT_FIELDS)
    readonly tokenHours = new RollupBuffer(TokenHourStat, TOKEN_SNAPSHOT_FIELDS)
    readonly participantDays = new RollupBuffer(ParticipantDayStat)

    // ValidatorRegistry (validatorRegistry.ts)
    readonly validators = new EntityBuffer(Validator)
    readonly delegations = new EntityBuffer(Delegation, { validator: true })
    readonly unbondings = new EntityBuffer(UnbondingRequest)
    readonly delegationEvents: DelegationEvent[] = []
    readonly slashEvents: SlashEvent[] = []
    readonly jailEvents: JailEvent[] = []
    readonly commissionChanges: CommissionChange[] = []
    /** fee recipient → validator id, for the validators in `validators` (kept current by the handlers) */
    readonly validatorByFeeRecipient = new Map<string, string>()

    // blocks and MEV (blocks.ts, mev.ts)
    readonly blocks: BlockEntity[] = []
    readonly arbitrages: Arbitrage[] = []
    readonly swaps: Swap[] = []
    readonly sandwiches: Sandwich[] = []
    readonly liquidations: Liquidation[] = []
    readonly jitLiquidity: JitLiquidity[] = []
    readonly nftTrades: NftTrade[] = []
    readonly minerPayments: MinerPayment[] = []
    readonly mevEvents: MevEvent[] = []

    // epochs (epochs.ts)
    readonly epochSnapshots = new EntityBuffer(EpochSnapshot)
    readonly epochStats: ValidatorEpochStat[] = []
    readonly scores: ValidatorScore[] = []
    readonly epochSummaries: EpochSummary[] = []

    /** Problems worth a log line (unknown references etc.), in order. */
    readonly warnings: string[] = []

    /** Buffers in the order their rows must be written (foreign keys point backwards). */
    entityBuffersInWriteOrder(): EntityBuffer<any>[] {
        return [
            this.tokens,
            this.participants,
            this.contractStates,
            this.params,
            this.accounts,
            this.batches,
            this.disputes,
            this.payouts,
            this.roleAssignments,
            this.timelockOps,
            this.timelockCalls,
            this.validators,
            this.unbondings,
            this.delegations,
        ]
    }
}
