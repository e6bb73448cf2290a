/**
 * What time-travel history costs the index benchmark: the same backfill with the history tables written (the
 * default) and with `HISTORY=false`, each into a fresh database of the same Postgres, one after the other in the
 * same run (the main measured run has already warmed anvil and Postgres for both). Off first, then on: whatever
 * warming remains favours the second, so the cost errs high.
 */
import { Client } from 'pg'
import { applyMigrations } from '../../src/indexer/migrations'
import { VERSIONED, historyTable } from '../../src/model/versioned'
import { ms, note, now, round } from './common'
import { waitIndexed } from './context'
import { BenchStack } from './stack'

export interface HistoryRun {
    history: boolean
    wallMs: number
    eventsPerSec: number
    /** rows in the history tables at the end */
    historyRows: number
    /** size of the history tables with their indexes */
    historyMb: number
    /** WAL the whole cluster wrote during the run (nothing else writes meanwhile): the write volume */
    walMb: number
    /** per history table: rows inserted / updated (closing a version) / HOT-updated, heap and index sizes */
    tables: Record<string, { inserted: number; updated: number; hotUpdated: number; heapMb: number; indexesMb: Record<string, number> }>
}

export interface HistoryCost {
    off: HistoryRun
    on: HistoryRun
    /** on wall time ÷ off wall time − 1 (the issue allows at most 0.25) */
    cost: number
}

export async function measureHistoryCost(s: BenchStack, env: Record<string, string>, events: number, timeoutMs: number): Promise<HistoryCost> {
    const off = await runOnce(s, env, events, false, timeoutMs)
    const on = await runOnce(s, env, events, true, timeoutMs)
    return { off, on, cost: round(on.wallMs / off.wallMs - 1, 3) }
}

async function runOnce(s: BenchStack, env: Record<string, string>, events: number, history: boolean, timeoutMs: number): Promise<HistoryRun> {
    const name = history ? 'index_history_on' : 'index_history_off'
    const dbUrl = await freshDatabase(s.dbUrl, name)
    try {
        await applyMigrations(dbUrl)
        note('index', `history ${history ? 'on' : 'off'}: the same backfill into a fresh database`)
        const walStart = await walLsn(s.dbUrl)
        const started = now()
        const p = s.startProcessor({ ...(await s.processorEnv(env)), DB_URL: dbUrl, HISTORY: String(history) }, `processor-history-${history ? 'on' : 'off'}`)
        try {
            await waitIndexed(s, p, timeoutMs, undefined, dbUrl)
        } finally {
            await p.stop()
        }
        const wallMs = ms(started)
        const walMb = round((await walBytesSince(s.dbUrl, walStart)) / 1048576, 1)
        const c = new Client({ connectionString: dbUrl })
        await c.connect()
        let historyRows = 0
        let bytes = 0
        const tables: HistoryRun['tables'] = {}
        try {
            for (const v of VERSIONED) {
                const t = historyTable(v.table)
                historyRows += Number((await c.query(`SELECT count(*)::bigint AS n FROM "${t}"`)).rows[0].n)
                bytes += Number((await c.query(`SELECT pg_total_relation_size($1) AS b`, [t])).rows[0].b)
                const [st] = (await c.query(`SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, pg_relation_size(relid) AS heap FROM pg_stat_user_tables WHERE relname = $1`, [t])).rows
                const idx = (await c.query(`SELECT indexrelname AS name, pg_relation_size(indexrelid) AS b FROM pg_stat_user_indexes WHERE relname = $1`, [t])).rows
                tables[t] = {
                    inserted: Number(st?.n_tup_ins ?? 0),
                    updated: Number(st?.n_tup_upd ?? 0),
                    hotUpdated: Number(st?.n_tup_hot_upd ?? 0),
                    heapMb: round(Number(st?.heap ?? 0) / 1048576, 1),
                    indexesMb: Object.fromEntries(idx.map((r) => [r.name, round(Number(r.b) / 1048576, 1)])),
                }
            }
        } finally {
            await c.end()
        }
        return { history, wallMs: round(wallMs), eventsPerSec: round(events / (wallMs / 1000)), historyRows, historyMb: round(bytes / 1048576, 1), walMb, tables }
    } finally {
        await dropDatabase(s.dbUrl, name)
    }
}

async function walLsn(url: string): Promise<string> {
    const c = new Client({ connectionString: url })
    await c.connect()
    try {
        return (await c.query(`SELECT pg_current_wal_lsn()::text AS l`)).rows[0].l
    } finally {
        await c.end()
    }
}

async function walBytesSince(url: string, lsn: string): Promise<number> {
    const c = new Client({ connectionString: url })
    await c.connect()
    try {
        return Number((await c.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS b`, [lsn])).rows[0].b)
    } finally {
        await c.end()
    }
}

async function freshDatabase(stackUrl: string, name: string): Promise<string> {
    await dropDatabase(stackUrl, name)
    const c = new Client({ connectionString: stackUrl })
    await c.connect()
    try {
        await c.query(`CREATE DATABASE ${name}`)
    } finally {
        await c.end()
    }
    const u = new URL(stackUrl)
    u.pathname = `/${name}`
    return u.toString()
}

async function dropDatabase(stackUrl: string, name: string): Promise<void> {
    const c = new Client({ connectionString: stackUrl })
    await c.connect()
    try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    } finally {
        await c.end()
    }
}
