/**
 * /sql at server start: its own pool, logged in as the read-only role (created/updated here when the server's DB
 * user may, readonly-role.ts; or a ready-made SQL_READONLY_DATABASE_URL), and served only when that role cannot
 * reach beyond its transaction (session-effects.ts): fail closed, with the reason logged and answered as 503.
 */
import { Pool } from 'pg'
import type { ReplicaRouter } from '../db-routing'
import { SqlEndpoint } from './endpoint'
import { ensureReadonlyRole, READONLY_ROLE, readonlyPassword } from './readonly-role'
import { sessionEffectGaps } from './session-effects'

export interface SqlConfig {
    /** default true */
    enabled?: boolean
    /** max rows returned (default 10,000; `truncated: true` beyond) */
    rowCap?: number
    /** statement timeout of /sql queries (default 5,000 ms) */
    timeoutMs?: number
    /** connect with this (read-only) URL instead of creating/using the squid_readonly role */
    readonlyUrl?: string
    /** allow /sql without an API key (default false: any valid key) */
    allowAnonymous?: boolean
}

export interface SqlSetup {
    endpoint?: SqlEndpoint
    /** why /sql is unavailable, if it is */
    unavailable?: string
    /** the pools /sql reads from (for the pool-use metrics) */
    pools: { name: string; pool: Pool }[]
    close(): Promise<void>
}

export async function setUpSql(
    admin: Pool,
    databaseUrl: string,
    cfg: SqlConfig,
    defaults: { timeoutMs: number; maxResponseBytes: number },
    warn: (message: string, fields?: Record<string, unknown>) => void,
    /** read replicas for /sql, given the primary's read-only pool (db-routing.ts); undefined: primary only */
    route?: (roPool: Pool) => ReplicaRouter | undefined,
): Promise<SqlSetup> {
    if (cfg.enabled === false) return { unavailable: 'disabled by configuration', pools: [], close: async () => undefined }
    const timeoutMs = cfg.timeoutMs ?? defaults.timeoutMs
    let roUrl = cfg.readonlyUrl
    let unavailable: string | undefined
    if (!roUrl) {
        const u = new URL(databaseUrl)
        const password = readonlyPassword(decodeURIComponent(u.password), decodeURIComponent(u.pathname.slice(1)))
        const r = await ensureReadonlyRole(admin, { password, statementTimeoutMs: timeoutMs })
        if (r.ok) {
            u.username = READONLY_ROLE
            u.password = encodeURIComponent(password)
            roUrl = u.toString()
        } else unavailable = r.reason
    }
    let endpoint: SqlEndpoint | undefined
    let roPool: Pool | undefined
    let router: ReplicaRouter | undefined
    if (roUrl) {
        roPool = new Pool({
            connectionString: roUrl,
            max: 8,
            statement_timeout: timeoutMs,
            query_timeout: timeoutMs + 5_000,
            idleTimeoutMillis: 30_000,
            connectionTimeoutMillis: 10_000,
            application_name: 'settlement-api-sql',
        })
        roPool.on('error', (e) => warn('idle read-only connection failed', { message: e.message }))
        // fail closed: a /sql role that can still reach beyond its transaction is not served
        const gaps = await sessionEffectGaps(roPool).catch((e: any) => [`cannot check its privileges: ${e?.message ?? e}`])
        if (gaps.length) {
            const listed = `${gaps.slice(0, 5).join(', ')}${gaps.length > 5 ? ` and ${gaps.length - 5} more` : ''}`
            unavailable = `the read-only role may still execute ${listed} (run the server once as a superuser, or REVOKE them)`
        } else {
            // on replicas as the same read-only role (it replicates, and so do its revoked privileges)
            router = route?.(roPool)
            endpoint = new SqlEndpoint(router?.asPool() ?? roPool, { rowCap: cfg.rowCap ?? 10_000, timeoutMs, maxResponseBytes: defaults.maxResponseBytes })
        }
    }
    if (unavailable) warn(`/sql disabled: ${unavailable}`)
    const pool = roPool
    const pools = pool ? [{ name: 'sql', pool }, ...(router?.pools.map((r) => ({ name: `sql ${r.name}`, pool: r.pool })) ?? [])] : []
    return {
        endpoint,
        unavailable,
        pools,
        close: async () => {
            await router?.end()
            await pool?.end()
        },
    }
}
