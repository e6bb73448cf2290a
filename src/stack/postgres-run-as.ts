/**
 * Postgres refuses to run as root: as root, the server runs as the `postgres` system user (created when missing),
 * which must own the data dir and be able to reach it.
 */
import { execFileSync, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as path from 'path'
import { log } from './log'
import { PostgresError } from './postgres-error'

export interface RunAs {
    uid: number
    gid: number
    name: string
}

export function isRoot(): boolean {
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
export function ensurePostgresUser(): RunAs {
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
export function checkReachable(dir: string, runAs: RunAs) {
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

export function chownRecursive(p: string, uid: number, gid: number) {
    const st = fs.lstatSync(p)
    if (st.uid !== uid || st.gid !== gid) fs.lchownSync(p, uid, gid)
    if (st.isDirectory()) {
        for (const e of fs.readdirSync(p)) chownRecursive(path.join(p, e), uid, gid)
    }
}
