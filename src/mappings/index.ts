/**
 * One handler call: decode → classify each block's traces (pure) → prefetch (one query per entity
 * class) → apply in chain order in memory (per block: epoch snapshot / rollup at a boundary, the
 * block's proposer, revenue and MEV, then its events in log order) → write (one upsert/insert per
 * entity class). The store is never awaited per event or per block.
 */
import { Store } from '@subsquid/typeorm-store'
import { Raw } from 'typeorm'
import { Delegation, MevKind, ProtocolEvent, Validator } from '../model'
import { ScoringConfig, loadScoringConfig } from '../validators/scoring-config'
import * as access from './access'
import * as batchLedger from './batchLedger'
import { BlockFacts, SquidBlockLike, blockFacts, recordBlock } from './blocks'
import { BulkSession, Statement } from './bulk'
import { DecodedEvent } from './decode'
import * as distributor from './distributor'
import { PARAMS_ID } from './entities'
import { EpochContext, beforeBlock } from './epochs'
import * as escrow from './escrow'
import * as participantRegistry from './participantRegistry'
import { MappingState, RollupBuffer } from './state'
import * as timelock from './timelock'
import * as tokenRegistry from './tokenRegistry'
import { jsonArgs } from './util'
import * as validatorRegistry from './validatorRegistry'

const PARAM_EVENTS = new Set(['DisputeWindowUpdated', 'FeeUpdated', 'TreasuryUpdated', 'MinDelayChange'])

function prefetchEvent(ev: DecodedEvent, state: MappingState, slashed: Set<string>): void {
    if (access.isCommonEvent(ev)) {
        access.prefetchCommon(ev, state)
    } else {
        switch (ev.contract) {
            case 'ParticipantRegistry':
                participantRegistry.prefetch(ev, state)
                break
            case 'TokenRegistry':
                tokenRegistry.prefetch(ev, state)
                break
            case 'Escrow':
                escrow.prefetch(ev, state)
                break
            case 'BatchLedger':
                batchLedger.prefetch(ev, state)
                break
            case 'Distributor':
                distributor.prefetch(ev, state)
                break
            case 'PlatformTimelock':
                timelock.prefetch(ev, state)
                break
            case 'ValidatorRegistry':
                validatorRegistry.prefetch(ev, state, slashed)
                break
        }
    }
    if (ev.name === 'Paused' || ev.name === 'Unpaused' || ev.name === 'Upgraded') state.contractStates.want(ev.meta.address)
    if (PARAM_EVENTS.has(ev.name)) state.params.want(PARAMS_ID)
}

/** Apply one event to the in-memory state. */
export function applyEvent(ev: DecodedEvent, state: MappingState): void {
    if (access.isCommonEvent(ev)) {
        access.handleCommon(ev, state)
    } else {
        switch (ev.contract) {
            case 'ParticipantRegistry':
                participantRegistry.handle(ev, state)
                break
            case 'TokenRegistry':
                tokenRegistry.handle(ev, state)
                break
            case 'Escrow':
                escrow.handle(ev, state)
                break
            case 'BatchLedger':
                batchLedger.handle(ev, state)
                break
            case 'Distributor':
                distributor.handle(ev, state)
                break
            case 'PlatformTimelock':
                timelock.handle(ev, state)
                break
            case 'ValidatorRegistry':
                validatorRegistry.handle(ev, state)
                break
        }
    }
    if (!state.recordProtocolEvents) return
    const m = ev.meta
    state.protocolEvents.push(
        new ProtocolEvent({
            id: m.id,
            contract: m.contract,
            contractAddress: m.address,
            name: ev.name,
            args: jsonArgs(ev.args),
            blockNumber: m.blockNumber,
            blockHash: m.blockHash,
            logIndex: m.logIndex,
            txHash: m.txHash,
            txFrom: m.txFrom ?? null,
            timestamp: new Date(m.timestamp),
        }),
    )
}

/** Apply events in order (no I/O); the state must have been prefetched. */
export function applyEvents(events: DecodedEvent[], state: MappingState): void {
    for (const ev of events) applyEvent(ev, state)
    escrow.linkMovementBatches(state)
}

const anyOf = (ids: string[]) => Raw((alias) => `${alias} = ANY(:ids)`, { ids })

/**
 * Validators: every one when an epoch snapshot is taken in this batch (it lists them all), else the ones the
 * events name plus those whose fee recipient is a coinbase of the batch (block attribution). One query.
 */
async function loadValidators(state: MappingState, store: Store, all: boolean, miners: string[]): Promise<void> {
    const ids = state.validators.takeWanted()
    let rows: Validator[] = []
    if (all) rows = await store.find(Validator, {})
    else if (ids.length || miners.length) {
        const where: any[] = []
        if (ids.length) where.push({ id: anyOf(ids) })
        if (miners.length) where.push({ feeRecipient: Raw((alias) => `${alias} = ANY(:miners)`, { miners }) })
        rows = await store.find(Validator, { where })
    }
    state.validators.seedMissing(rows)
    validatorRegistry.indexFeeRecipients(state)
}

/**
 * Load everything the batch touches: batches first (their tokens are needed too), the epoch working set
 * (which tells whether all validators are needed), validators, the other buffers, and every delegation of
 * a validator slashed in the batch.
 */
export async function prefetch(events: DecodedEvent[], state: MappingState, store: Store, ctx?: EpochContext, facts: BlockFacts[] = []): Promise<void> {
    const slashed = new Set<string>()
    for (const ev of events) prefetchEvent(ev, state, slashed)
    await state.batches.load(store)
    for (const b of state.batches.all()) if (b.token) state.tokens.want(b.token.id)
    let allValidators = false
    if (ctx && facts.length) allValidators = (await ctx.load(store, facts.map((f) => f.height))).needAllValidators
    const miners = [...new Set(facts.map((f) => f.miner).filter((m) => m))]
    await loadValidators(state, store, allValidators, miners)
    for (const buf of state.entityBuffersInWriteOrder()) await buf.load(store)
    if (slashed.size) {
        state.delegations.seedMissing(
            await store.find(Delegation, { where: { validator: { id: anyOf([...slashed]) } }, relations: { validator: true } }),
        )
    }
}

export interface ChangedIds {
    batches: string[]
    claims: string[]
    escrowAccounts: string[]
    payouts: string[]
    disputes: string[]
    participants: string[]
    tokens: string[]
    timelockOperations: string[]
    /** validators whose row changed (registry events, proposed blocks, scores) */
    validators: string[]
    delegations: string[]
    /** MevEvent ids of arbitrages, sandwiches and coinbase transfers (swaps: see mevBlocks) */
    mev: string[]
    /** heights (decimal strings) of blocks with any MEV row, swaps included */
    mevBlocks: string[]
    /** epochs (decimal strings) whose scores were computed */
    scores: string[]
}

export function changedIds(state: MappingState, ctx?: EpochContext): ChangedIds {
    const mevBlocks = new Set<number>()
    for (const e of state.mevEvents) mevBlocks.add(e.blockNumber)
    return {
        batches: state.batches.changedIds(),
        claims: state.claims.map((c) => c.id),
        escrowAccounts: state.accounts.changedIds(),
        payouts: state.payouts.changedIds(),
        disputes: state.disputes.changedIds(),
        participants: state.participants.changedIds(),
        tokens: state.tokens.changedIds(),
        timelockOperations: state.timelockOps.changedIds(),
        validators: state.validators.changedIds(),
        delegations: state.delegations.changedIds(),
        mev: state.mevEvents.filter((e) => e.kind !== MevKind.SWAP).map((e) => e.id),
        mevBlocks: [...mevBlocks].sort((a, b) => a - b).map(String),
        scores: (ctx?.closed ?? []).map(String),
    }
}

export interface WriteStats {
    upserted: number
    inserted: number
    /**
     * ms per entity class: database time of its statements where writes are pipelined (from the previous
     * class's completion to its own), else the time of its awaited write (rollups: load + merge + write)
     */
    ms?: Record<string, number>
}

/**
 * ProtocolEvent rows sent to the database in chunks while later events are still being applied (they are
 * pure functions of their event and nothing references them), so that Postgres inserts one chunk while the
 * handler builds the next. Bulk path only (finalized blocks); persist() writes the rest and waits for all.
 */
export class EarlyInserts {
    /** protocolEvents[0, sent) are queued */
    sent = 0
    private disabled = false

    constructor(
        private session: BulkSession,
        private state: MappingState,
        private chunk = EARLY_CHUNK_ROWS,
    ) {}

    /** Queue the rows added since the last call, if there are at least `chunk` of them. */
    poll(): void {
        const rows = this.state.protocolEvents
        if (this.disabled || rows.length - this.sent < this.chunk) return
        const stmts = this.session.prepareInsert(rows.slice(this.sent))
        if (!stmts) {
            this.disabled = true
            return
        }
        this.session.send(stmts)
        this.sent = rows.length
    }
}

const EARLY_CHUNK_ROWS = 5_000

type WriteOp = { name: string; kind: 'upsert' | 'insert'; rows: { id: string }[] } | { name: string; kind: 'rollup'; rollup: RollupBuffer<any> }

/** Write the state back: mutable rows upserted, event rows inserted (foreign keys point backwards), rollups merged and upserted. */
export async function persist(state: MappingState, store: Store, session: BulkSession | undefined = BulkSession.of(store), early?: EarlyInserts): Promise<WriteStats> {
    const ops: WriteOp[] = []
    for (const buf of state.entityBuffersInWriteOrder()) {
        const rows = buf.changed()
        if (rows.length) ops.push({ name: buf.cls.name, kind: 'upsert', rows })
    }
    for (const rows of [
        state.claims,
        state.movements,
        state.roleChanges,
        state.pauseChanges,
        state.upgrades,
        state.parameterChanges,
        early ? state.protocolEvents.slice(early.sent) : state.protocolEvents,
        state.delegationEvents,
        state.slashEvents,
        state.jailEvents,
        state.commissionChanges,
        state.blocks,
        state.arbitrages,
        state.swaps,
        state.sandwiches,
        state.mevEvents,
        state.epochSnapshots.changed(),
        state.epochStats,
        state.scores,
        state.epochSummaries,
    ] as { id: string }[][]) {
        if (rows.length) ops.push({ name: rows[0].constructor.name, kind: 'insert', rows })
    }
    for (const rollup of [state.tokenDays, state.tokenHours, state.participantDays]) {
        if (rollup.ids().length) ops.push({ name: rollup.cls.name, kind: 'rollup', rollup })
    }

    let upserted = 0
    let inserted = early?.sent ?? 0
    const ms: Record<string, number> = {}
    let t = performance.now()
    const lap = (name: string) => {
        const now = performance.now()
        ms[name] = (ms[name] ?? 0) + (now - t)
        t = now
    }
    // pipelined: each op's statements are queued as soon as they are encoded; completion times are recorded
    const done: Promise<void>[] = []
    let lastDone = performance.now()
    const queue = async (name: string, stmts: Statement[], kind: 'insert' | 'upsert', rows: { id: string }[]) => {
        // hot block: the change tracker first (it waits for what is queued); nothing to wait for otherwise
        if (session!.tracker) await session!.track(kind, rows)
        session!.send(stmts)
        done.push(
            session!.drainMark().then(() => {
                const now = performance.now()
                ms[name] = (ms[name] ?? 0) + (now - lastDone)
                lastDone = now
            }),
        )
    }
    const settle = async () => {
        if (!session) return
        await session.drain()
        await Promise.all(done.splice(0))
        t = performance.now()
        lastDone = t
    }
    for (const op of ops) {
        if (op.kind === 'rollup') {
            const deltas = op.rollup.deltaRows() as { id: string }[]
            // merged by Postgres (no load) where possible, else loaded, merged here and upserted
            const stmts = session?.prepareRollupMerge(deltas, op.rollup.snapshotFields, (id) => op.rollup.snapshotsOf(id))
            if (stmts) {
                await queue(op.name, stmts, 'upsert', deltas)
                upserted += deltas.length
                continue
            }
            await settle()
            const rows = (await op.rollup.loadAndMerge(store)) as { id: string }[]
            if (rows.length) await store.upsert(rows)
            upserted += rows.length
            lap(op.name)
            continue
        }
        const stmts = op.kind === 'upsert' ? session?.prepareUpsert(op.rows) : session?.prepareInsert(op.rows)
        if (stmts) await queue(op.name, stmts, op.kind, op.rows)
        else {
            // not on the bulk path: everything queued so far first, then the store, awaited
            await settle()
            if (op.kind === 'upsert') await store.upsert(op.rows)
            else await store.insert(op.rows)
            lap(op.name)
        }
        if (op.kind === 'upsert') upserted += op.rows.length
        else inserted += op.rows.length
    }
    await settle()
    return { upserted, inserted, ms }
}

export interface BatchOptions {
    /** EPOCH_BLOCKS */
    epochBlocks: number
    scoring: ScoringConfig
    /** CHAIN_ANALYTICS (default true): Block rows, MEV, proposer schedule, epoch rollups and scores */
    chainAnalytics?: boolean
    /** PROTOCOL_EVENTS (default true): a ProtocolEvent row per event */
    protocolEvents?: boolean
}

let defaultScoring: ScoringConfig | undefined
export function defaultBatchOptions(): BatchOptions {
    return { epochBlocks: 32, scoring: (defaultScoring ??= loadScoringConfig()) }
}

export interface BatchInput {
    /** the batch's blocks, ascending (squid's BlockData, or anything shaped like it) */
    blocks: SquidBlockLike[]
    /** the batch's decoded events in chain order (EventDecoder.decodeBlocks) */
    events: DecodedEvent[]
}

export interface BatchResult {
    state: MappingState
    epochs: EpochContext
    facts: BlockFacts[]
    writes: WriteStats
    /** ms per phase: block facts (MEV classification), prefetch, apply, write */
    phaseMs: { facts: number; load: number; apply: number; write: number }
}

/** Prefetch, apply and persist one handler call's blocks and events. */
export async function processBatch(input: BatchInput, store: Store, opts: BatchOptions = defaultBatchOptions()): Promise<BatchResult> {
    const state = new MappingState(opts.epochBlocks)
    state.recordProtocolEvents = opts.protocolEvents !== false
    const epochs = new EpochContext(opts.epochBlocks, opts.scoring)
    // pure per-block work (receipts, trace conversion, MEV classification) before any I/O; none without the
    // chain analytics: no block is recorded, no epoch is loaded, snapshotted or closed
    const t0 = performance.now()
    const facts = opts.chainAnalytics === false ? [] : input.blocks.map(blockFacts)
    const events = input.events
    const t1 = performance.now()
    if (events.length === 0 && facts.length === 0) {
        return { state, epochs, facts, writes: { upserted: 0, inserted: 0 }, phaseMs: { facts: t1 - t0, load: 0, apply: 0, write: 0 } }
    }
    await prefetch(events, state, store, epochs, facts)
    const t2 = performance.now()
    const session = BulkSession.of(store)
    const early = session && !session.tracker && state.recordProtocolEvents ? new EarlyInserts(session, state) : undefined
    const apply = (ev: DecodedEvent) => {
        applyEvent(ev, state)
        early?.poll()
    }
    let i = 0
    for (const f of facts) {
        while (i < events.length && events[i].meta.blockNumber < f.height) apply(events[i++])
        beforeBlock(state, epochs, f.height, f.timestamp)
        recordBlock(state, epochs, f)
        while (i < events.length && events[i].meta.blockNumber === f.height) apply(events[i++])
    }
    while (i < events.length) apply(events[i++])
    escrow.linkMovementBatches(state)
    const t3 = performance.now()
    const writes = await persist(state, store, session, early)
    const t4 = performance.now()
    return { state, epochs, facts, writes, phaseMs: { facts: t1 - t0, load: t2 - t1, apply: t3 - t2, write: t4 - t3 } }
}

/** Events only (no block rows): prefetch, apply and persist. Kept for the settlement mapping tests. */
export async function processEvents(events: DecodedEvent[], store: Store, opts?: BatchOptions): Promise<{ state: MappingState; writes: WriteStats }> {
    const { state, writes } = await processBatch({ blocks: [], events }, store, opts)
    return { state, writes }
}
