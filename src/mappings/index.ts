/**
 * The mappings of one handler call, without I/O beyond the prefetch: prefetch (one query per entity class) →
 * apply in chain order in memory (per block: epoch snapshot / rollup at a boundary, the block's proposer,
 * revenue and MEV, then its events in log order). The engine (src/indexer/batch.ts) decodes before and writes
 * after; the store is never awaited per event or per block.
 */
import { Store } from '@subsquid/typeorm-store'
import { Raw } from 'typeorm'
import { Delegation, MevKind, ProtocolEventRow, Validator } from '../model'
import * as access from './access'
import * as batchLedger from './batchLedger'
import type { BlockFacts } from './block-facts'
import { recordBlock } from './blocks'
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
    // the view protocol_event derives an escrow movement's event from its EscrowMovement row (protocol-event-row.ts)
    if (!state.recordProtocolEvents || (ev.contract === 'Escrow' && escrow.hasMovement(ev.name))) return
    state.protocolEvents.push(protocolEventOf(ev))
}

/** An event as a ProtocolEvent row (what the view shows for it, whether stored or derived). */
export function protocolEventOf(ev: DecodedEvent): ProtocolEventRow {
    const m = ev.meta
    return new ProtocolEventRow({
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
    })
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

/**
 * Apply a prefetched batch in chain order: per block of `facts`, the events before it, the epoch boundary, the
 * block itself, then its own events; `onEvent` runs after each event (the engine's early inserts).
 */
export function applyBatch(facts: BlockFacts[], events: DecodedEvent[], state: MappingState, epochs: EpochContext, onEvent?: () => void): void {
    for (const _ of applySteps(facts, events, state, epochs, onEvent, Infinity)) void _
}

/**
 * applyBatch, returning to the event loop every `every` events: the database writes the engine queued meanwhile
 * (early inserts) only progress while the loop runs, so a synchronous apply would leave Postgres idle.
 */
export async function applyBatchYielding(facts: BlockFacts[], events: DecodedEvent[], state: MappingState, epochs: EpochContext, onEvent?: () => void, every = 500): Promise<void> {
    for (const _ of applySteps(facts, events, state, epochs, onEvent, every)) await new Promise<void>((r) => setImmediate(r))
}

/** applyBatch's work, pausing (yield) after every `every` events. */
function* applySteps(facts: BlockFacts[], events: DecodedEvent[], state: MappingState, epochs: EpochContext, onEvent: (() => void) | undefined, every: number): Generator<void, void> {
    let i = 0
    let since = 0
    for (let k = 0; k <= facts.length; k++) {
        const f = k < facts.length ? facts[k] : undefined
        // the events before block f (after the last block: all remaining ones)
        while (i < events.length && (f === undefined || events[i].meta.blockNumber < f.height)) {
            applyEvent(events[i++], state)
            onEvent?.()
            if (++since >= every) {
                since = 0
                yield
            }
        }
        if (f === undefined) break
        beforeBlock(state, epochs, f.height, f.timestamp)
        recordBlock(state, epochs, f)
        while (i < events.length && events[i].meta.blockNumber === f.height) {
            applyEvent(events[i++], state)
            onEvent?.()
            if (++since >= every) {
                since = 0
                yield
            }
        }
    }
    escrow.linkMovementBatches(state)
}
