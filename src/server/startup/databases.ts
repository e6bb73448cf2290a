/**
 * The API server's connection pools: the primary (repeated statement texts run prepared: sql/prepared.ts), the read
 * replicas when read URLs are configured (db-routing.ts), and /sql's pools connected as the read-only role.
 */
import { Pool, PoolConfig } from 'pg'
import { ReadRouting, RecentWriters, routerLike } from '../db-routing'
import type { LogFn } from '../http-deps'
import { LiveReplicaReads } from '../live/replica-reads'
import type { ServerLimits, ServerOptions } from '../options'
import { ReplicaLag } from '../replica-lag'
import { PreparedPool } from '../sql/prepared'
import { SqlSetup, setUpSql } from '../sql/setup'
import { Cleanups, endPool } from './cleanups'

function poolConfig(url: string, extra: PoolConfig = {}): PoolConfig {
    return { connectionString: url, ...extra }
}

/** The primary pool, once a first query went through. */
export async function openPrimaryPool(databaseUrl: string, limits: ServerLimits, log: LogFn, cleanups: Cleanups): Promise<Pool> {
    const pool = new PreparedPool(
        poolConfig(databaseUrl, {
            max: limits.poolSize,
            statement_timeout: limits.statementTimeoutMs,
            idleTimeoutMillis: 30_000,
            connectionTimeoutMillis: 10_000,
            application_name: 'settlement-api',
        }),
    )
    pool.on('error', (e) => log('warn', 'idle database connection failed', { message: e.message }))
    cleanups.push(() => endPool('primary', pool, log))
    await pool.query('SELECT 1')
    return pool
}

/** Where read-only operations go when read URLs are configured; undefined: everything on the primary. */
export function openReadRouting(pool: Pool, opts: ServerOptions, log: LogFn, cleanups: Cleanups): ReadRouting | undefined {
    if (!opts.readDatabaseUrls?.length) return undefined
    let lag: ReplicaLag | undefined
    const tooFarBehind = (name: string) => !!lag?.tooFarBehind(name)
    const router = routerLike(pool, opts.readDatabaseUrls, (c) => new PreparedPool(c), { log, applicationName: 'settlement-api-read', tooFarBehind })
    cleanups.push(() => router.end())
    lag = new ReplicaLag(router.pools, opts.readMaxLagMs ?? 0).start()
    cleanups.push(() => lag!.stop())
    const reads = { router, writers: new RecentWriters(opts.readAfterWriteMs ?? 2_000), lag, live: new LiveReplicaReads(pool, router) }
    log('info', `reads go to ${router.pools.map((r) => r.name).join(', ')} (primary for mutations, keys, LISTEN)`)
    return reads
}

/**
 * /sql: its own pool, connected as the read-only role (sql/setup.ts); an explicit SQL_READONLY_DATABASE_URL is used
 * as given, else the same role reads on the replicas too.
 */
export async function openSqlPools(
    pool: Pool,
    databaseUrl: string,
    opts: ServerOptions,
    limits: ServerLimits,
    reads: ReadRouting | undefined,
    log: LogFn,
    cleanups: Cleanups,
): Promise<SqlSetup> {
    const sqlCfg = opts.sql ?? {}
    const sqlRoute = reads && !sqlCfg.readonlyUrl
        ? (roPool: Pool) => routerLike(roPool, opts.readDatabaseUrls!, (c) => new Pool(c), { log, sameCredentials: true, tooFarBehind: (n) => reads.lag.tooFarBehind(n) })
        : undefined
    const sql = await setUpSql(pool, databaseUrl, sqlCfg, { timeoutMs: limits.statementTimeoutMs, maxResponseBytes: limits.maxResponseBytes }, (m, f) => log('warn', m, f), sqlRoute)
    cleanups.push(() => sql.close())
    return sql
}
