/** The usage pipeline's batcher (src/usage): when a (payer, token) batch closes, and whether this process runs it. */
import { boolFromEnv, Env, positiveIntFromEnv } from './env'

export interface UsageBatchSettings {
    /** close a (payer, token) batch when this many records are queued (BATCH_MAX_RECORDS, default 1000) */
    maxRecords: number
    /** close it when its oldest queued record is this old (BATCH_MAX_AGE_MS, default 60000) */
    maxAgeMs: number
    /** how often the batcher looks (BATCH_POLL_MS, default 1000) */
    pollMs: number
    /** run the batcher in this API process (USAGE_BATCHER, default true; one leader across replicas anyway) */
    enabled: boolean
}

export function usageBatchFromEnv(env: Env = process.env): UsageBatchSettings {
    return {
        maxRecords: positiveIntFromEnv(env, 'BATCH_MAX_RECORDS', 1000),
        maxAgeMs: positiveIntFromEnv(env, 'BATCH_MAX_AGE_MS', 60_000),
        pollMs: positiveIntFromEnv(env, 'BATCH_POLL_MS', 1000),
        enabled: boolFromEnv(env, 'USAGE_BATCHER', true),
    }
}
