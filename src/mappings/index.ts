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
import { DecodedEvent } from './decode'
import * as distributor from './distributor'
import { PARAMS_ID } from './entities'
import { EpochContext, beforeBlock } from './epochs'
import * as escrow from './escrow'
import * as participantRegistry from './participantRegistry'
import { MappingState } from './state'
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
}

/** Write the state back: mutable rows upserted, event rows inserted (foreign keys point backwards), rollups merged and upserted. */
export async function persist(state: MappingState, store: Store): Promise<WriteStats> {
    let upserted = 0
    let inserted = 0
    for (const buf of state.entityBuffersInWriteOrder()) {
        const rows = buf.changed()
        if (rows.length) {
            await store.upsert(rows)
            upserted += rows.length
        }
    }
    for (const rows of [
        state.claims,
        state.movements,
        state.roleChanges,
        state.pauseChanges,
        state.upgrades,
        state.parameterChanges,
        state.protocolEvents,
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
        if (rows.length) {
            await store.insert(rows)
            inserted += rows.length
        }
    }
    for (const rollup of [state.tokenDays, state.tokenHours, state.participantDays] as const) {
        const rows = await rollup.loadAndMerge(store)
        if (rows.length) {
            await store.upsert(rows as { id: string }[])
            upserted += rows.length
        }
    }
    return { upserted, inserted }
}

export interface BatchOptions {
    /** EPOCH_BLOCKS */
    epochBlocks: number
    scoring: ScoringConfig
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
}

/** Prefetch, apply and persist one handler call's blocks and events. */
export async function processBatch(input: BatchInput, store: Store, opts: BatchOptions = defaultBatchOptions()): Promise<BatchResult> {
    const state = new MappingState(opts.epochBlocks)
    const epochs = new EpochContext(opts.epochBlocks, opts.scoring)
    // pure per-block work (receipts, trace conversion, MEV classification) before any I/O
    const facts = input.blocks.map(blockFacts)
    const events = input.events
    if (events.length === 0 && facts.length === 0) return { state, epochs, facts, writes: { upserted: 0, inserted: 0 } }
    await prefetch(events, state, store, epochs, facts)
    let i = 0
    for (const f of facts) {
        while (i < events.length && events[i].meta.blockNumber < f.height) applyEvent(events[i++], state)
        beforeBlock(state, epochs, f.height, f.timestamp)
        recordBlock(state, epochs, f)
        while (i < events.length && events[i].meta.blockNumber === f.height) applyEvent(events[i++], state)
    }
    while (i < events.length) applyEvent(events[i++], state)
    escrow.linkMovementBatches(state)
    const writes = await persist(state, store)
    return { state, epochs, facts, writes }
}

/** Events only (no block rows): prefetch, apply and persist. Kept for the settlement mapping tests. */
export async function processEvents(events: DecodedEvent[], store: Store, opts?: BatchOptions): Promise<{ state: MappingState; writes: WriteStats }> {
    const { state, writes } = await processBatch({ blocks: [], events }, store, opts)
    return { state, writes }
}
