/**
 * Dev tool (A/B of the backfill, see bench/README.md): one stack and chain (AB_EVENTS events, default 300,000), then the processor
 * once per variant into a fresh database. A variant: `label;ENV=v,ENV=v;setting=v,setting=v` (settings via
 * ALTER SYSTEM + reload, reset after; reloadable ones only, and not those the server was started with: command-line
 * settings win, use BENCH_PG_SETTINGS for those). Prints wall, events/s, processor CPU, Postgres CPU, anvil CPU, WAL MB,
 * and the sums of the processor's per-batch timings (SQD_DEBUG batch lines).
 * AB_STATEMENTS=N (with BENCH_PG_SETTINGS=shared_preload_libraries=pg_stat_statements): also the N statements that
 * took the most server time in the variant's database (pg_stat_statements, COPY and utility statements included).
 */
import { Client } from 'pg'
import * as fs from 'fs'
import { ms, now, round } from './support/common'
import { procSample, treeCpuSec } from './support/proc-stats'
import { processorBuildInfo, waitIndexed } from './support/context'
import { BenchStack } from './support/stack'
import { applyMigrations } from '../src/indexer/migrations'

async function q(url: string, sql: string, params: unknown[] = []): Promise<any[]> {
    const c = new Client({ connectionString: url })
    await c.connect()
    try {
        return (await c.query(sql, params)).rows
    } finally {
        await c.end()
    }
}

function sumTimings(lines: string[]): Record<string, number> {
    const out: Record<string, number> = {}
    const add = (k: string, v: number) => (out[k] = round((out[k] ?? 0) + v))
    for (const l of lines) {
        const m = /since the previous call (\d+) ms \(waiting for blocks (\d+)\), decode (\d+) ms, facts (\d+), load (\d+), apply (\d+), write (\d+) ms \(([^)]*)\), handler (\d+) ms/.exec(l)
        if (!m) continue
        add('calls', 1)
        add('gap', +m[1])
        add('fetchWait', +m[2])
        add('decode', +m[3])
        add('load', +m[5])
        add('apply', +m[6])
        add('write', +m[7])
        add('handler', +m[9])
        for (const kv of m[8].split(', ').filter(Boolean)) {
            const i = kv.lastIndexOf(' ')
            add('t:' + kv.slice(0, i), +kv.slice(i + 1))
        }
    }
    return out
}

async function main() {
    const events = Number(process.env.AB_EVENTS ?? 300_000)
    const s = await BenchStack.start({ verbose: process.env.AB_VERBOSE === '1' })
    try {
        await s.deploy()
        const chain = await s.prepareChain({ events, eventsPerTx: 100, txsPerBlock: 2, payers: 1000, spanDays: 85, simulateSeconds: 10 })
        console.log(`chain ${chain.startBlock}..${chain.head}, ${chain.loadEvents} events`)
        const build = processorBuildInfo()
        for (const [i, spec] of process.argv.slice(2).entries()) {
            const [label, envs = '', pgs = ''] = spec.split(';')
            const env: Record<string, string> = { ...build.env, SQD_DEBUG: 'sqd:processor:settlement:batch', DEFER_INDEXES_MIN_LAG: '100' }
            for (const kv of envs.split(',').filter(Boolean)) env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1)
            const settings = pgs.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])
            for (const [k, v] of settings) await q(s.dbUrl, `ALTER SYSTEM SET ${k} = '${v}'`)
            await q(s.dbUrl, `SELECT pg_reload_conf()`)
            await q(s.dbUrl, `CHECKPOINT`)
            const db = `ab_${i}`
            await q(s.dbUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
            await q(s.dbUrl, `CREATE DATABASE ${db}`)
            const u = new URL(s.dbUrl)
            u.pathname = `/${db}`
            const dbUrl = u.toString()
            await applyMigrations(dbUrl)
            const topStatements = Number(process.env.AB_STATEMENTS ?? 0)
            if (topStatements > 0) {
                await q(dbUrl, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`)
                await q(dbUrl, `SELECT pg_stat_statements_reset()`)
            }
            const lsn = (await q(s.dbUrl, `SELECT pg_current_wal_lsn()::text AS l`))[0].l
            const ck0 = (await q(s.dbUrl, `SELECT num_timed + num_requested AS n FROM pg_stat_checkpointer`).catch(() => [{ n: NaN }]))[0].n
            const pg0 = treeCpuSec(s.pg.pid)
            const an0 = treeCpuSec(s.anvil.pid)
            const t = now()
            const p = s.startProcessor({ ...(await s.processorEnv(env)), DB_URL: dbUrl }, `ab-${label}`)
            let cpu: number | undefined
            try {
                await waitIndexed(s, p, 30 * 60_000, undefined, dbUrl)
                cpu = procSample(p.pid)?.cpuSec
            } finally {
                await p.stop()
            }
            const wall = ms(t)
            const pgCpu = treeCpuSec(s.pg.pid) - pg0
            const anCpu = treeCpuSec(s.anvil.pid) - an0
            const wal = Number((await q(s.dbUrl, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS b`, [lsn]))[0].b)
            const ck1 = (await q(s.dbUrl, `SELECT num_timed + num_requested AS n FROM pg_stat_checkpointer`).catch(() => [{ n: NaN }]))[0].n
            const tables = await q(dbUrl, `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, pg_total_relation_size(relid) AS b FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd > 1000 ORDER BY b DESC`)
            const timings = sumTimings(p.lines)
            const statements =
                topStatements > 0
                    ? (await q(dbUrl, `SELECT calls, rows, round(total_exec_time) AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS sql
                         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 ORDER BY total_exec_time DESC LIMIT $2`, [db, topStatements])).map(
                          (r) => `${r.ms} ms ${r.calls}× ${r.rows} rows: ${r.sql}`,
                      )
                    : undefined
            console.log(
                JSON.stringify({
                    label,
                    wallS: round(wall / 1000, 2),
                    eventsPerSec: round(chain.loadEvents / (wall / 1000)),
                    procCpuS: cpu,
                    pgCpuS: round(pgCpu, 1),
                    anvilCpuS: round(anCpu, 1),
                    walMb: round(wal / 1048576),
                    checkpoints: Number(ck1) - Number(ck0),
                    load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
                    timings,
                    statements,
                    tables: tables.map((r) => `${r.relname} ins ${r.n_tup_ins} upd ${r.n_tup_upd} hot ${r.n_tup_hot_upd} ${round(Number(r.b) / 1048576)}MB`),
                }),
            )
            await q(s.dbUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
            for (const [k] of settings) await q(s.dbUrl, `ALTER SYSTEM RESET ${k}`)
            await q(s.dbUrl, `SELECT pg_reload_conf()`)
        }
    } finally {
        await s.stop(false)
    }
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e)
        process.exit(1)
    },
)
