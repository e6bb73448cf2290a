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
        const started = now()
        const p = s.startProcessor({ ...(await s.processorEnv(env)), DB_URL: dbUrl, HISTORY: String(history) }, `processor-history-${history ? 'on' : 'off'}`)
        try {
            await waitIndexed(s, p, timeoutMs, undefined, dbUrl)
        } finally {
            await p.stop()
        }
        const wallMs = ms(started)
        const c = new Client({ connectionString: dbUrl })
        await c.connect()
        let historyRows = 0
        let bytes = 0
        try {
            for (const v of VERSIONED) {
                const t = historyTable(v.table)
                historyRows += Number((await c.query(`SELECT count(*)::bigint AS n FROM "${t}"`)).rows[0].n)
                bytes += Number((await c.query(`SELECT pg_total_relation_size($1) AS b`, [t])).rows[0].b)
            }
        } finally {
            await c.end()
        }
        return { history, wallMs: round(wallMs), eventsPerSec: round(events / (wallMs / 1000)), historyRows, historyMb: round(bytes / 1048576, 1) }
    } finally {
        await dropDatabase(s.dbUrl, name)
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
