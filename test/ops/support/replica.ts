/**
 * A primary and a REAL streaming replica from the embedded Postgres binaries, which ship initdb, pg_ctl and
 * postgres but no pg_basebackup: the primary allows replication connections (pg_hba `host replication`,
 * wal_level=replica is the default), is stopped cleanly, its data directory is copied, the copy gets
 * `standby.signal` + `primary_conninfo`, and both start on their own ports. The standby then streams the
 * primary's WAL and refuses writes of its own.
 */
import { execFileSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Pool } from 'pg'
import { setLogSink } from '../../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/stack/postgres'
import { freePort } from '../../../src/stack/util'
import { applyMigrations } from '../../server/support/stack'

export interface ReplicaPair {
    primary: EmbeddedPostgres
    standby: EmbeddedPostgres
    /** pool on the primary (fixtures) */
    pool: Pool
    /** pool on the standby (checks) */
    standbyPool: Pool
    /** wait until the standby has replayed everything the primary wrote so far */
    caughtUp(timeoutMs?: number): Promise<void>
    close(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function writeOwned(file: string, text: string, append = false) {
    if (append) fs.appendFileSync(file, text)
    else fs.writeFileSync(file, text)
    const st = fs.statSync(path.dirname(file))
    fs.chownSync(file, st.uid, st.gid)
}

export async function startReplicaPair(): Promise<ReplicaPair> {
    setLogSink(() => undefined)
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-replica-'))
    fs.chmodSync(tmp, 0o755) // as root, Postgres runs as "postgres" and must traverse it
    const primaryDir = path.join(tmp, 'primary')
    const standbyDir = path.join(tmp, 'standby')
    const primaryPort = await freePort()
    const started: EmbeddedPostgres[] = []
    const pools: Pool[] = []
    const closeAll = async () => {
        for (const p of pools) await p.end().catch(() => undefined)
        for (const pg of started.reverse()) await pg.stop().catch(() => pg.kill())
        fs.rmSync(tmp, { recursive: true, force: true })
    }
    try {
        let primary = await startEmbeddedPostgres({ dataDir: primaryDir, port: primaryPort, database: 'squid', name: 'primary' })
        started.push(primary)
        const setup = new Pool({ connectionString: primary.url, max: 4 })
        setup.on('error', () => undefined)
        await applyMigrations(setup, primary.url)
        const wal = (await setup.query(`SHOW wal_level`)).rows[0].wal_level
        if (wal !== 'replica' && wal !== 'logical') throw new Error(`the primary's wal_level is ${wal}`)
        await setup.end()

        const hba = path.join(primaryDir, 'pg_hba.conf')
        if (!/^\s*host\s+replication\s+all\s+127\.0\.0\.1\/32/m.test(fs.readFileSync(hba, 'utf8'))) {
            writeOwned(hba, '\nhost replication all 127.0.0.1/32 scram-sha-256\n', true)
        }
        // a clean stop (checkpoint), then a plain copy of the data directory is a valid base backup
        await primary.stop()
        started.pop()
        execFileSync('cp', ['-a', primaryDir, standbyDir])
        for (const f of ['postmaster.pid', 'postmaster.opts']) fs.rmSync(path.join(standbyDir, f), { force: true })
        writeOwned(path.join(standbyDir, 'standby.signal'), '')
        writeOwned(
            path.join(standbyDir, 'postgresql.auto.conf'),
            `\nprimary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=${primary.user} password=${primary.password} application_name=ops_standby'\nhot_standby = on\n`,
            true,
        )

        primary = await startEmbeddedPostgres({ dataDir: primaryDir, port: primaryPort, database: 'squid', name: 'primary' })
        started.push(primary)
        const standby = await startEmbeddedPostgres({ dataDir: standbyDir, port: await freePort(), database: 'squid', name: 'standby' })
        started.push(standby)

        const pool = new Pool({ connectionString: primary.url, max: 10 })
        pool.on('error', () => undefined)
        pools.push(pool)
        const standbyPool = new Pool({ connectionString: standby.url, max: 4 })
        standbyPool.on('error', () => undefined)
        pools.push(standbyPool)

        const deadline = Date.now() + 30_000
        for (;;) {
            const r = await pool.query(`SELECT state FROM pg_stat_replication WHERE application_name = 'ops_standby'`)
            if (r.rows[0]?.state === 'streaming') break
            if (Date.now() > deadline) throw new Error(`the standby does not stream (pg_stat_replication: ${JSON.stringify(r.rows)})`)
            await sleep(100)
        }

        return {
            primary,
            standby,
            pool,
            standbyPool,
            async caughtUp(timeoutMs = 15_000) {
                const lsn = (await pool.query(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0].lsn
                const until = Date.now() + timeoutMs
                for (;;) {
                    const r = await standbyPool.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [lsn])
                    if (r.rows[0].ok) return
                    if (Date.now() > until) throw new Error('the standby did not catch up')
                    await sleep(20)
                }
            },
            close: closeAll,
        }
    } catch (e) {
        await closeAll()
        throw e
    }
}
