/** Which Postgres: DATABASE_URL / DB_URL / DB_* (external) or the embedded one; see src/config.ts. */
import * as path from 'path'
import { Env, ConfigError, projectRoot, dataDir, str, port, url } from './env'

// ---------------------------------------------------------------------------
// database

export interface DatabaseConfig {
    /** true → no database configured, the stack starts an embedded Postgres */
    embedded: boolean
    /** postgres://user:pass@host:port/db (always filled) */
    url?: string
    host: string
    port: number
    database: string
    user: string
    password: string
    /** embedded only: Postgres data directory */
    dataDir?: string
}

export const EMBEDDED_PG_DEFAULTS = {
    port: 23798,
    user: 'postgres',
    password: 'postgres',
    database: 'squid',
} as const

export function buildPostgresUrl(c: { host: string; port: number; database: string; user: string; password: string }): string {
    const auth = `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}`
    const host = c.host.includes(':') && !c.host.startsWith('[') ? `[${c.host}]` : c.host
    return `postgres://${auth}@${host}:${c.port}/${encodeURIComponent(c.database)}`
}

function fromPgUrl(name: string, env: Env): DatabaseConfig {
    const u = url(env, name, ['postgres:', 'postgresql:'])!
    if (u.port && !/^\d+$/.test(u.port)) throw new ConfigError(name, `Invalid ${name}: bad port "${u.port}"`)
    return {
        embedded: false,
        // passed through unchanged (keeps ?sslmode=... etc.)
        url: str(env, name),
        host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: u.port ? Number(u.port) : 5432,
        database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
    }
}

const DB_VARS = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS'] as const

export function databaseFromEnv(env: Env = process.env): DatabaseConfig {
    if (str(env, 'DATABASE_URL')) return fromPgUrl('DATABASE_URL', env)
    if (str(env, 'DB_URL')) return fromPgUrl('DB_URL', env)
    if (DB_VARS.some((v) => str(env, v) != null)) {
        const cfg = {
            embedded: false,
            host: str(env, 'DB_HOST') ?? 'localhost',
            port: port(env, 'DB_PORT') ?? 5432,
            database: str(env, 'DB_NAME') ?? 'postgres',
            user: str(env, 'DB_USER') ?? 'postgres',
            password: env.DB_PASS ?? 'postgres',
        }
        return { ...cfg, url: buildPostgresUrl(cfg) }
    }
    const cfg = {
        embedded: true,
        host: '127.0.0.1',
        port: port(env, 'EMBEDDED_PG_PORT') ?? EMBEDDED_PG_DEFAULTS.port,
        database: EMBEDDED_PG_DEFAULTS.database,
        user: EMBEDDED_PG_DEFAULTS.user,
        password: EMBEDDED_PG_DEFAULTS.password,
    }
    const dir = str(env, 'EMBEDDED_PG_DIR')
    return {
        ...cfg,
        url: buildPostgresUrl(cfg),
        dataDir: dir ? path.resolve(projectRoot(), dir) : path.join(dataDir(env), 'postgres'),
    }
}

/**
 * Export `cfg` as DB_URL for @subsquid/typeorm-config (processor, migrations,
 * openreader) and for child processes, which inherit the environment.
 * DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASS are removed afterwards: they are folded
 * into DB_URL, and squid would otherwise warn that it ignores them. Returns the URL.
 */
export function applyDatabaseEnv(cfg: DatabaseConfig, env: Env = process.env): string {
    const url = (env.DB_URL = cfg.url ?? buildPostgresUrl(cfg))
    for (const v of DB_VARS) delete env[v]
    return url
}

/** Which variable the database came from, for log lines. */
export function databaseSource(env: Env = process.env): 'DATABASE_URL' | 'DB_*' {
    return str(env, 'DATABASE_URL') ? 'DATABASE_URL' : 'DB_*'
}
