/**
 * The embedded Postgres's data directory before the server starts: created private (owned by the run-as user
 * when root), checked to be a cluster of the binaries' major version, a postmaster.pid left by a crash removed (a
 * Postgres from an earlier run still running on it is shut down first), initdb run when there is no PG_VERSION.
 */
import { spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { childEnv } from '../config'
import { log } from './log'
import { binaryMajorVersion, PostgresBinaries } from './postgres-binaries'
import { PostgresError } from './postgres-error'
import { checkReachable, chownRecursive, RunAs } from './postgres-run-as'
import { isAlive, processCmdline, waitUntilDead } from './util'

/**
 * Makes `cfg.dataDir` ready for the server as far as it goes without initdb; true if it holds a cluster (PG_VERSION
 * present), false if it is empty (initdb must run).
 */
export async function prepareDataDir(bins: PostgresBinaries, cfg: { dataDir: string; name: string }, runAs: RunAs | undefined): Promise<boolean> {
    const { dataDir, name } = cfg
    // parents with the default mode (the postgres user must be able to traverse them), the data dir private
    fs.mkdirSync(path.dirname(dataDir), { recursive: true })
    if (!fs.existsSync(dataDir)) fs.mkdirSync(dataDir, { mode: 0o700 })
    if (runAs) {
        // a data dir owned by postgres is assumed to be consistent inside
        if (fs.statSync(dataDir).uid !== runAs.uid) chownRecursive(dataDir, runAs.uid, runAs.gid)
        checkReachable(dataDir, runAs)
    }

    // PG_VERSION present → existing cluster, else initdb (the dir must be empty)
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
        return true
    }
    if (fs.readdirSync(dataDir).length > 0) {
        throw new PostgresError(`${dataDir} is not empty but has no PG_VERSION (not a Postgres data dir); delete it or point EMBEDDED_PG_DIR elsewhere`)
    }
    return false
}

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

export async function initdb(bins: PostgresBinaries, dataDir: string, user: string, password: string, runAs: RunAs | undefined, name: string, noSync: boolean) {
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

export function lastLines(text: string, n: number): string {
    return text.split('\n').filter(Boolean).slice(-n).join(' | ')
}
