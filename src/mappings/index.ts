/**
 * One handler call: decode → prefetch (one query per entity class) → apply events in log order
 * in memory → write (one upsert/insert per entity class). The store is never awaited per event.
 */
import { Store } from '@subsquid/typeorm-store'
import { ProtocolEvent } from '../model'
import * as access from './access'
import * as batchLedger from './batchLedger'
import { DecodedEvent } from './decode'
import * as distributor from './distributor'
import { PARAMS_ID } from './entities'
import * as escrow from './escrow'
import * as participantRegistry from './participantRegistry'
import { MappingState } from './state'
import * as timelock from './timelock'
import * as tokenRegistry from './tokenRegistry'
import { jsonArgs } from './util'

const PARAM_EVENTS = new Set(['DisputeWindowUpdated', 'FeeUpdated', 'TreasuryUpdated', 'MinDelayChange'])

function prefetchEvent(ev: DecodedEvent, state: MappingState): void {
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

/** Load everything the events touch: batches first (their tokens are needed too), then the rest. */
export async function prefetch(events: DecodedEvent[], state: MappingState, store: Store): Promise<void> {
    for (const ev of events) prefetchEvent(ev, state)
    await state.batches.load(store)
    for (const b of state.batches.all()) if (b.token) state.tokens.want(b.token.id)
    for (const buf of state.entityBuffersInWriteOrder()) await buf.load(store)
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
}

export function changedIds(state: MappingState): ChangedIds {
    return {
        batches: state.batches.changedIds(),
        claims: state.claims.map((c) => c.id),
        escrowAccounts: state.accounts.changedIds(),
        payouts: state.payouts.changedIds(),
        disputes: state.disputes.changedIds(),
        participants: state.participants.changedIds(),
        tokens: state.tokens.changedIds(),
        timelockOperations: state.timelockOps.changedIds(),
    }
}

export interface WriteStats {
    upserted: number
    inserted: number
}

/** Write the state back: mutable rows upserted, event rows inserted, rollups merged and upserted. */
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

/** Prefetch, apply and persist `events`; returns the state (for change notifications) and write counts. */
export async function processEvents(events: DecodedEvent[], store: Store): Promise<{ state: MappingState; writes: WriteStats }> {
    const state = new MappingState()
    if (events.length === 0) return { state, writes: { upserted: 0, inserted: 0 } }
    await prefetch(events, state, store)
    applyEvents(events, state)
    const writes = await persist(state, store)
    return { state, writes }
}
