/**
 * The live-query engine's interface (engine.ts): how it runs a document, its options and its counters.
 */
import type { DocumentNode, ExecutionResult } from 'graphql'
import type { Caller } from '../context'
import type { FanOut } from '../pubsub/shared'
import type { BatchMember } from './multiplex'

/** Runs a live document as a query; `statements`, when given, must carry every SQL statement of the execution. */
export type LiveExecute = (
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    caller: Caller | undefined,
    statements?: BatchMember,
) => Promise<ExecutionResult>

export interface LiveOptions {
    /** a live query runs at most once per this many ms (LIVE_MIN_INTERVAL_MS, default 250) */
    minIntervalMs: number
    /** results queued per subscriber before it is dropped as too slow */
    queueCapacity: number
    /** batches executing at once, and statements they send at once outside transactions (default 4 each: the API
     * pool serves queries too) */
    concurrency?: number
    /** variable sets multiplexed into one SQL statement (default 100, as Hasura's batch size) */
    multiplexMax?: number
    /** runs each push loop over an entry's members (pubsub/fanout-writer.ts batches its socket writes) */
    fanOut?: FanOut
    log?: (msg: string, fields?: Record<string, unknown>) => void
}

export interface LiveStats {
    /** distinct live queries (shared executions) open now */
    entries: number
    /** subscribers of live queries open now */
    members: number
    /** query executions since start */
    executions: number
    /** results pushed (once per entry and changed result, whatever the number of members) */
    pushes: number
    /** executions whose result equalled the last one sent */
    unchanged: number
    /** batches run (one per group and round of due entries) */
    batches: number
    /** SQL statements sent by live queries (a multiplexed statement counts one); `probes`: parameter-type probes */
    statements: number
    /** statement results that came out of a multiplexed statement */
    multiplexed: number
    probes: number
}
