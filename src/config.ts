/**
 * Runtime configuration, resolved from environment variables in ONE place.
 *
 * Every function takes an optional `env` (defaults to `process.env`) so it can be
 * tested without touching the real environment. Invalid values throw a
 * `ConfigError` whose message names the offending variable.
 *
 * Database (first match wins):
 *   DATABASE_URL            postgres://user:pass@host:port/db       → external Postgres
 *   DB_URL                  same format (squid's own variable)      → external Postgres
 *   DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASS (any of them set)       → external Postgres,
 *                           squid defaults: localhost/5432/postgres/postgres/postgres
 *   none of the above       → embedded Postgres started by the stack:
 *     EMBEDDED_PG_PORT      default 23798
 *     EMBEDDED_PG_DIR       default <DATA_DIR>/postgres
 *     user/password/db      postgres/postgres/squid
 *   `applyDatabaseEnv(cfg)` exports the result as DB_URL, which is what
 *   @subsquid/typeorm-config (processor, migrations, openreader) reads.
 *
 * Chain:
 *   RPC_URL                 if set → external chain (no anvil); several comma-separated URLs → failover, first
 *                           preferred (src/rpc/failover.ts; http(s) only when more than one)
 *   RPC_TIMEOUT_MS          failover: one attempt on one endpoint, default 10000
 *   RPC_RECHECK_MS          failover: a failed endpoint is skipped this long before it is tried again, default 5000
 *   SQD_GATEWAY             SQD Network gateway URL for the backfill of finalized blocks (external chain only)
 *   ANVIL_PORT              default 8545 (local only)
 *   ANVIL_BLOCK_TIME        seconds, default 1; fractions allowed; 0 = automine (local only)
 *   ANVIL_DIR               default <DATA_DIR>/anvil (state.json, anvil.log)
 *   CHAIN_ID                default 31337 for anvil; optional for RPC_URL
 *   RPC_RATE_LIMIT          requests/s, optional
 *   FINALITY_CONFIRMATIONS  default 10 for anvil, 75 for an external chain
 *   START_BLOCK             optional
 *   DEPLOYMENTS_FILE        default contracts/deployments/<chainId>.json (relative to project root)
 *
 * Servers:
 *   GQL_PORT                default 4350
 *   PROMETHEUS_PORT         default 3000 (processor metrics)
 *
 * Indexer (the processor, `npm run process`; what each does: src/processor.ts and src/indexer/):
 *   CHAIN_ANALYTICS, PROTOCOL_EVENTS        true/false, default true
 *   EPOCH_BLOCKS                            default 32 (also read by the simulator)
 *   TRACE_API                               trace (default) | debug
 *   RPC_CAPACITY, RPC_HEAD_POLL_MS, RPC_BATCH_SIZE                   default: squid's
 *   RPC_SPLIT_BLOCKS, RPC_SPLIT_CONCURRENCY, BATCH_MAX_BLOCKS, BATCH_MAX_LOGS   backfill ingestion
 *   DEFER_INDEXES (auto|true|false), DEFER_INDEXES_MIN_LAG (default 2000)    src/indexer/write/deferred-indexes.ts
 *   HISTORY_BLOCKS (default: keep all), HISTORY_PRUNE_EVERY (default 1000)  time-travel pruning, src/indexer/write/history-prune.ts
 *   SKIP_MIGRATIONS         true: the processor does not apply db/migrations
 *   SCORING_CONFIG          scoring weights, default config/scoring.json
 *
 * Local stack and tools: SIMULATE, SIM_TICK_MS, SIM_SEED, SIM_MEV, SIM_VALIDATOR_TICK_MS, SIM_MEV_TICK_MS
 * (simulatorFromEnv); DEPLOYMENTS_FILE as given, for the deploy code (deploymentsFileOverride).
 *
 * Misc:
 *   DATA_DIR                default <projectRoot>/.data
 */

// The variables above are parsed by the modules of src/config/ (one per area); this file is their one entry, so
// callers import from 'src/config' only.
export { ConfigError, boolFromEnv, dataDir, projectRoot } from './config/env'
export type { Env } from './config/env'
export * from './config/database'
export * from './config/chain'
export * from './config/indexer'
export * from './config/tools'
export * from './config/usage'
import { dataDir, Env, projectRoot } from './config/env'
import { DatabaseConfig, databaseFromEnv } from './config/database'
import { ChainConfig, chainFromEnv, gqlPort, prometheusPort } from './config/chain'

// ---------------------------------------------------------------------------
// everything

export interface AppConfig {
    projectRoot: string
    dataDir: string
    database: DatabaseConfig
    chain: ChainConfig
    gqlPort: number
    prometheusPort: number
}

/** Resolve and validate everything at once (throws the first ConfigError). */
export function loadConfig(env: Env = process.env): AppConfig {
    return {
        projectRoot: projectRoot(),
        dataDir: dataDir(env),
        database: databaseFromEnv(env),
        chain: chainFromEnv(env),
        gqlPort: gqlPort(env),
        prometheusPort: prometheusPort(env),
    }
}

