/**
 * Turns the logs of a batch into typed events, in chain order.
 * Each event carries its contract name (discriminant), event name (discriminant), decoded args and
 * chain position, so handlers narrow with `ev.contract` / `ev.name` and get typed `ev.args`.
 */
import { ProtocolContract } from '../model'
import { INDEXED_CONTRACTS, IndexedContract, Log } from '../processor'
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

    /** Decode every log of the blocks, keeping chain order (blocks ascending, logs by index). */
    decodeBlocks(blocks: { logs: Log[] }[]): DecodedBatch {
        const all: DecodedEvent[] = []
        const byContract = Object.fromEntries(Object.keys(INDEXED_CONTRACTS).map((c) => [c, []])) as unknown as DecodedBatch['byContract']
        for (const block of blocks) {
            const logs = isSortedByIndex(block.logs) ? block.logs : [...block.logs].sort((a, b) => a.logIndex - b.logIndex)
            for (const log of logs) {
                const ev = this.decode(log)
                if (!ev) continue
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
