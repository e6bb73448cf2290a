import { spawnSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Client } from 'pg'
import { setLogSink } from '../../src/stack/log'
import { EmbeddedPostgres, PostgresError, startEmbeddedPostgres } from '../../src/stack/postgres'
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

async function start(dataDir: string, port: number) {
    const pg = await startEmbeddedPostgres({ dataDir, port, database: 'squid' })
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
    const dataDir = path.join(tmp, 'crash')
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
    const pg = await start(path.join(tmp, 'a'), port)
    const err = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'b'), port }).catch((e) => e)
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
    test('as root: data dir is owned by the postgres user', async () => {
        const dataDir = path.join(tmp, 'owner')
        const pg = await start(dataDir, await freePort())
        const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim())
        expect(fs.statSync(dataDir).uid).toBe(uid)
        await pg.stop()
    })
}
