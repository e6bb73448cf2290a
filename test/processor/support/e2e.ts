/** Helpers for end-to-end processor tests: compiled processor as a child process, DB polling, table dumps. */
import { ChildProcess, spawn, spawnSync } from 'child_process'
import * as fs from 'fs'
import * as path from 'path'
import { Client } from 'pg'
import { rpcCall } from '../../../src/stack/anvil'

export const ROOT = path.resolve(__dirname, '../../..')

/** Compile src/ → lib/ once per test run (the processor runs as `node lib/main.js`). */
export function buildLib(): void {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
        cwd: ROOT,
        encoding: 'utf8',
    })
    if (!fs.existsSync(path.join(ROOT, 'lib/main.js')) || !fs.existsSync(path.join(ROOT, 'lib/model/index.js'))) {
        throw new Error(`tsc did not produce lib/main.js:\n${r.stdout}\n${r.stderr}`)
    }
}

export interface ProcessorHandle {
    proc: ChildProcess
    logFile: string
    output(): string
    exited: Promise<number | null>
}

export function startProcessor(env: Record<string, string>, logFile: string): ProcessorHandle {
    const out = fs.openSync(logFile, 'a')
    const proc = spawn(process.execPath, [path.join(ROOT, 'lib/main.js')], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', out, out],
    })
    fs.closeSync(out)
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
    return { proc, logFile, exited, output: () => fs.readFileSync(logFile, 'utf8') }
}

export async function stopProcessor(h: ProcessorHandle, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (h.proc.exitCode != null || h.proc.signalCode != null) return
    h.proc.kill(signal)
    const t = setTimeout(() => h.proc.kill('SIGKILL'), 10_000)
    await h.exited
    clearTimeout(t)
}

export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: url })
    await c.connect()
    try {
        return await fn(c)
    } finally {
        await c.end()
    }
}

/** Head the indexed state reflects (top hot block, else the finalized status), or undefined. */
export async function indexedHead(url: string): Promise<{ height: number; hash: string } | undefined> {
    return withClient(url, async (c) => {
        const exists = await c.query(`SELECT to_regclass('squid_processor.status') AS t`)
        if (!exists.rows[0].t) return undefined
        const hot = await c.query(`SELECT height, hash FROM squid_processor.hot_block ORDER BY height DESC LIMIT 1`)
        if (hot.rowCount) return { height: Number(hot.rows[0].height), hash: hot.rows[0].hash }
        const s = await c.query(`SELECT height, hash FROM squid_processor.status WHERE id = 0`)
        if (!s.rowCount || Number(s.rows[0].height) < 0) return undefined
        return { height: Number(s.rows[0].height), hash: s.rows[0].hash }
    })
}

export async function chainHead(rpcUrl: string): Promise<{ height: number; hash: string }> {
    const b = await rpcCall(rpcUrl, 'eth_getBlockByNumber', ['latest', false])
    return { height: Number(b.number), hash: b.hash }
}

/** Wait until the indexed head is the chain head (same hash). */
export async function waitCaughtUp(dbUrl: string, rpcUrl: string, timeoutMs: number, h?: ProcessorHandle): Promise<{ height: number; hash: string }> {
    const deadline = Date.now() + timeoutMs
    let last: unknown
    while (Date.now() < deadline) {
        if (h && (h.proc.exitCode != null || h.proc.signalCode != null)) {
            throw new Error(`processor exited (${h.proc.exitCode ?? h.proc.signalCode}):\n${h.output().slice(-4000)}`)
        }
        const [idx, head] = await Promise.all([indexedHead(dbUrl).catch(() => undefined), chainHead(rpcUrl)])
        last = { idx, head }
        if (idx && idx.height === head.height && idx.hash === head.hash) return idx
        await new Promise((r) => setTimeout(r, 200))
    }
    throw new Error(`processor did not catch up in ${timeoutMs} ms: ${JSON.stringify(last)}\n${h ? h.output().slice(-4000) : ''}`)
}

/** Every entity table of the public schema (not migrations), rows ordered by id, as JSON-comparable values. */
export async function dumpEntities(url: string): Promise<Record<string, unknown[]>> {
    return withClient(url, async (c) => {
        const tables = await c.query(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY table_name`,
        )
        const out: Record<string, unknown[]> = {}
        for (const { table_name } of tables.rows) {
            // history tables (time travel) hold several versions per id
            const order = table_name.endsWith('_history') ? 'id, lower(block_range)' : 'id'
            const rows = await c.query(`SELECT * FROM "${table_name}" ORDER BY ${order}`)
            out[table_name] = rows.rows.map((r) => JSON.parse(JSON.stringify(r)))
        }
        return out
    })
}

export async function rowCounts(url: string): Promise<Record<string, number>> {
    const d = await dumpEntities(url)
    return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v.length]))
}

/** Definitions of every index and constraint in the public schema (to compare two databases' schemas). */
export async function schemaObjects(url: string): Promise<string[]> {
    return withClient(url, async (c) => {
        const idx = await c.query(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public'`)
        const con = await c.query(
            `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d
               FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
        )
        return [...idx.rows, ...con.rows].map((r) => r.d as string).sort()
    })
}
