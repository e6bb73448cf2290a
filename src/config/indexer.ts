/** The processor's settings: analytics, epochs, trace API, backfill ingestion, deferred indexes, scoring. */
import * as path from 'path'
import { databaseFromEnv } from './database'
import { chainFromEnv } from './chain'
import { Env, ConfigError, projectRoot, boolFromEnv, int, optInt, positiveIntFromEnv } from './env'

// ---------------------------------------------------------------------------
// indexer

export type TraceApi = 'trace' | 'debug'

export const DEFAULT_EPOCH_BLOCKS = 32

/** EPOCH_BLOCKS (default 32): a positive integer. */
export function epochBlocksFromEnv(env: Env = process.env): number {
    const v = env.EPOCH_BLOCKS?.trim()
    if (!v) return DEFAULT_EPOCH_BLOCKS
    if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
        throw new ConfigError('EPOCH_BLOCKS', `Invalid EPOCH_BLOCKS=${JSON.stringify(v)}: expected a positive integer`)
    }
    return Number(v)
}




/** How finalized blocks are fetched and grouped into handler calls during a backfill (src/indexer/ingest.ts). */
export interface ColdIngestSettings {
    /** blocks per fetch unit (one eth_getLogs range, one eth_getBlockByNumber batch) */
    splitBlocks: number
    /** fetch units in flight ahead of the handler */
    concurrency: number
    /** fetched units are merged into one handler call up to this many blocks ... */
    maxBatchBlocks: number
    /** ... or this many logs */
    maxBatchLogs: number
}

/** Backfill ingestion settings; the defaults depend on CHAIN_ANALYTICS (see src/processor.ts). */
export function coldIngestFromEnv(env: Env, chainAnalytics: boolean): ColdIngestSettings {
    return {
        splitBlocks: positiveIntFromEnv(env, 'RPC_SPLIT_BLOCKS', chainAnalytics ? 50 : 100),
        concurrency: positiveIntFromEnv(env, 'RPC_SPLIT_CONCURRENCY', 2),
        maxBatchBlocks: positiveIntFromEnv(env, 'BATCH_MAX_BLOCKS', 500),
        maxBatchLogs: positiveIntFromEnv(env, 'BATCH_MAX_LOGS', 25_000),
    }
}

function traceApiFromEnv(env: Env): TraceApi {
    const v = env.TRACE_API?.trim().toLowerCase()
    if (!v) return 'trace'
    if (v !== 'trace' && v !== 'debug') throw new ConfigError('TRACE_API', `Invalid TRACE_API=${JSON.stringify(env.TRACE_API)}: expected "trace" or "debug"`)
    return v
}

/** The processor's own knobs (the chain and database come from chainFromEnv / databaseFromEnv). */
export interface IndexerConfig {
    /** RPC_CAPACITY */
    capacity?: number
    /** RPC_HEAD_POLL_MS */
    headPollInterval?: number
    /** RPC_BATCH_SIZE */
    maxBatchCallSize?: number
    epochBlocks: number
    traceApi: TraceApi
    chainAnalytics: boolean
    protocolEvents: boolean
    /** HISTORY (default true): see historyFromEnv */
    history: boolean
    ingest: ColdIngestSettings
}

export function indexerFromEnv(env: Env = process.env): IndexerConfig {
    const chainAnalytics = boolFromEnv(env, 'CHAIN_ANALYTICS', true)
    return {
        capacity: optInt(env, 'RPC_CAPACITY'),
        headPollInterval: optInt(env, 'RPC_HEAD_POLL_MS'),
        maxBatchCallSize: optInt(env, 'RPC_BATCH_SIZE') || undefined,
        epochBlocks: epochBlocksFromEnv(env),
        traceApi: traceApiFromEnv(env),
        chainAnalytics,
        protocolEvents: boolFromEnv(env, 'PROTOCOL_EVENTS', true),
        history: historyFromEnv(env),
        ingest: coldIngestFromEnv(env, chainAnalytics),
    }
}

/**
 * HISTORY=false: no versions written to the `<table>_history` tables (time travel), nor cleared on a reorg. For
 * measuring what history costs (bench/index.ts); an index run so answers `block` queries from a stale history.
 */
export function historyFromEnv(env: Env = process.env): boolean {
    return boolFromEnv(env, 'HISTORY', true)
}

/** SKIP_MIGRATIONS=true: the processor does not apply db/migrations (the stack did). */
export function skipMigrations(env: Env = process.env): boolean {
    return env.SKIP_MIGRATIONS === 'true'
}

export interface DeferredIndexSettings {
    enabled: boolean
    minLag: number
}

/** DEFER_INDEXES (auto | true | false, default auto) and DEFER_INDEXES_MIN_LAG (blocks, default 2000). */
export function deferredIndexSettingsFromEnv(env: Env = process.env): DeferredIndexSettings {
    const mode = (env.DEFER_INDEXES ?? 'auto').toLowerCase()
    if (!['auto', 'true', 'false'].includes(mode)) throw new ConfigError('DEFER_INDEXES', `DEFER_INDEXES must be auto, true or false (got "${env.DEFER_INDEXES}")`)
    const minLag = Number(env.DEFER_INDEXES_MIN_LAG ?? 2000)
    if (!Number.isInteger(minLag) || minLag < 0) {
        throw new ConfigError('DEFER_INDEXES_MIN_LAG', `DEFER_INDEXES_MIN_LAG must be a whole number of blocks (got "${env.DEFER_INDEXES_MIN_LAG}")`)
    }
    return { enabled: mode !== 'false', minLag }
}

/**
 * BACKFILL_SIDE_CONNECTION (default true): while the deferred indexes are dropped, the append-only event tables
 * are written through a second connection (src/indexer/write/side-writes.ts).
 */
export function sideWritesFromEnv(env: Env = process.env): boolean {
    return boolFromEnv(env, 'BACKFILL_SIDE_CONNECTION', true)
}

/** Time travel: how long versions are kept in the history tables (src/indexer/write/history-prune.ts). */
export interface HistoryPruneSettings {
    /** HISTORY_BLOCKS: versions that ended more than this many blocks below the finalized head are deleted */
    keepBlocks: number
    /** HISTORY_PRUNE_EVERY (default 1000): blocks between two prunes */
    everyBlocks: number
}

/** HISTORY_BLOCKS (unset: keep every version, no pruning) and HISTORY_PRUNE_EVERY. */
export function historyPruneFromEnv(env: Env = process.env): HistoryPruneSettings | undefined {
    const keepBlocks = int(env, 'HISTORY_BLOCKS', { what: 'a whole number of blocks (unset: keep all history)' })
    const everyBlocks = positiveIntFromEnv(env, 'HISTORY_PRUNE_EVERY', 1000)
    return keepBlocks === undefined ? undefined : { keepBlocks, everyBlocks }
}

/** SCORING_CONFIG: the scoring weights file (default config/scoring.json). */
export function scoringConfigFile(env: Env = process.env): string {
    return env.SCORING_CONFIG ?? path.join(projectRoot(), 'config', 'scoring.json')
}
