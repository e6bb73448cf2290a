/**
 * Turns the logs of a batch into typed events, in chain order.
 * Each event carries its contract name (discriminant), event name (discriminant), decoded args and
 * chain position, so handlers narrow with `ev.contract` / `ev.name` and get typed `ev.args`.
 */
import type { Log } from '../chain-fields'
import { INDEXED_CONTRACTS, IndexedContract } from '../contracts'
import { ProtocolContract } from '../model'
import { CONTRACT_ENUM } from './util'

type AbiModule = { events: Record<string, { topic: string; decode(rec: { topics: string[]; data: string }): any }> }

type EventsOf<M extends AbiModule> = {
    [K in keyof M['events'] & string]: { name: K; args: ReturnType<M['events'][K]['decode']> }
}[keyof M['events'] & string]

/** Where an event happened. */
export interface EventMeta {
    /** squid log id: <height>-<block hash prefix>-<log index>, sortable in chain order */
    id: string
    contract: ProtocolContract
    address: string
    blockNumber: number
    blockHash: string
    /** block timestamp, ms */
    timestamp: number
    logIndex: number
    txHash: string
    txFrom?: string
}

export type DecodedEvent = {
    [C in IndexedContract]: { contract: C; meta: EventMeta } & EventsOf<(typeof INDEXED_CONTRACTS)[C]>
}[IndexedContract]

export type EventOf<C extends IndexedContract> = Extract<DecodedEvent, { contract: C }>

/** OpenZeppelin events shared by the contracts (handled in access.ts). */
export type CommonEventName = 'RoleGranted' | 'RoleRevoked' | 'RoleAdminChanged' | 'Paused' | 'Unpaused' | 'Upgraded' | 'Initialized'

/** A contract's own events (without the shared OpenZeppelin ones). */
export type OwnEventOf<C extends IndexedContract> = Exclude<EventOf<C>, { name: CommonEventName }>

/** Typed arrays per contract plus the chain-ordered list (the order handlers apply them in). */
export interface DecodedBatch {
    all: DecodedEvent[]
    byContract: { [C in IndexedContract]: EventOf<C>[] }
}

export class EventDecodeError extends Error {}

/** Logs decoded per slice of `predecode` before yielding to the event loop. */
const PREDECODE_SLICE_LOGS = 2_000

interface Route {
    contract: IndexedContract
    events: Map<string, string>
}

/** Decoder for the given contract addresses (name → lowercase address). */
export class EventDecoder {
    private routes = new Map<string, Route>()

    constructor(addresses: Partial<Record<string, string>>) {
        for (const [contract, abi] of Object.entries(INDEXED_CONTRACTS) as [IndexedContract, AbiModule][]) {
            const address = addresses[contract]?.toLowerCase()
            if (!address) continue
            const events = new Map<string, string>()
            for (const [name, ev] of Object.entries(abi.events)) events.set(ev.topic, name)
            this.routes.set(address, { contract, events })
        }
    }

    /** Decode one log, or undefined if it is not from an indexed contract / not a known event. */
    decode(log: Log): DecodedEvent | undefined {
        const address = log.address.toLowerCase()
        const route = this.routes.get(address)
        if (!route) return undefined
        const topic0 = log.topics[0]
        const name = topic0 && route.events.get(topic0)
        if (!name) return undefined
        const abi = INDEXED_CONTRACTS[route.contract] as AbiModule
        let args: any
        try {
            args = abi.events[name].decode(log)
        } catch (e: any) {
            throw new EventDecodeError(
                `cannot decode ${route.contract}.${name} at block ${log.block.height} log ${log.logIndex} (tx ${log.transactionHash}): ${e?.message ?? e}`,
            )
        }
        return {
            contract: route.contract,
            name,
            args,
            meta: {
                id: log.id,
                contract: CONTRACT_ENUM[route.contract],
                address,
                blockNumber: log.block.height,
                blockHash: log.block.hash,
                timestamp: log.block.timestamp,
                logIndex: log.logIndex,
                txHash: log.transactionHash,
                txFrom: log.transaction?.from?.toLowerCase(),
            },
        } as DecodedEvent
    }

    /** Decode every log of one block, by log index. */
    decodeBlock(block: { logs: Log[] }): DecodedEvent[] {
        const out: DecodedEvent[] = []
        const logs = isSortedByIndex(block.logs) ? block.logs : [...block.logs].sort((a, b) => a.logIndex - b.logIndex)
        for (const log of logs) {
            const ev = this.decode(log)
            if (ev) out.push(ev)
        }
        return out
    }

    /**
     * Decode blocks ahead of the handler (the processor calls this on each backfill unit as soon as it is
     * fetched, while the handler still waits for the database): `decodeBlocks` then reuses the result. Done in
     * slices that yield to the event loop, so that the handler's database replies are not held up. Pure; a
     * block that fails to decode is left to `decodeBlocks`, which throws in the handler.
     */
    predecode(blocks: { logs: Log[] }[]): void {
        let i = 0
        const slice = () => {
            let logs = 0
            while (i < blocks.length && logs < PREDECODE_SLICE_LOGS) {
                const block = blocks[i++]
                if (this.predecoded.has(block) || this.consumed.has(block)) continue
                logs += block.logs.length
                try {
                    this.predecoded.set(block, this.decodeBlock(block))
                } catch {
                    // decoded (and reported) again in the handler
                }
            }
            if (i < blocks.length) setImmediate(slice)
        }
        setImmediate(slice)
    }

    private predecoded = new WeakMap<object, DecodedEvent[]>()
    /** blocks the handler has decoded already (predecoding them now would be wasted) */
    private consumed = new WeakSet<object>()

    /** Decode every log of the blocks, keeping chain order (blocks ascending, logs by index). */
    decodeBlocks(blocks: { logs: Log[] }[]): DecodedBatch {
        const all: DecodedEvent[] = []
        const byContract = Object.fromEntries(Object.keys(INDEXED_CONTRACTS).map((c) => [c, []])) as unknown as DecodedBatch['byContract']
        for (const block of blocks) {
            const events = this.predecoded.get(block) ?? this.decodeBlock(block)
            this.predecoded.delete(block)
            this.consumed.add(block)
            for (const ev of events) {
                all.push(ev)
                ;(byContract[ev.contract] as DecodedEvent[]).push(ev)
            }
        }
        return { all, byContract }
    }
}

function isSortedByIndex(logs: Log[]): boolean {
    for (let i = 1; i < logs.length; i++) if (logs[i - 1].logIndex > logs[i].logIndex) return false
    return true
}
