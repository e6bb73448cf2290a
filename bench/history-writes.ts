/**
 * history-writes: where the time of the history writes goes (the index benchmark's `historyCost`), statement by
 * statement and per index set, without the rest of the processor. Replays the escrow-account history of the index
 * benchmark's shape into `escrow_account_history` of a fresh database (the project's migrations): 40 handler calls
 * (quick: 5) of 125 blocks, each block changing ~180 of 1,000 accounts; per call, in one transaction, the writer's
 * statements (src/indexer/write/history.ts): the reorg cleanup (DELETE/UPDATE from the call's first block), the
 * UPDATE closing each id's open version, and the INSERT … SELECT FROM unnest … LEFT JOIN of the new versions. Variants:
 *   all       the migration's indexes (GiST range, btree (id, lower), lower, upper)
 *   noGist    without the GiST range index
 *   idOnly    only btree (id, lower): the cleanup then scans the table
 *   copyAll   all indexes, the versions written with COPY FROM STDIN instead of INSERT … SELECT
 */
import { Client } from 'pg'
import { applyMigrations } from '../src/indexer/migrations'
import { copyFrom } from '../src/indexer/write/pg-copy'
import { BenchResult, environment, ms, note, now, round } from './support/common'
import { RunContext } from './support/context'

const PAYERS = 1_000
const BLOCKS_PER_CALL = 125
const CHANGES_PER_BLOCK = 180
const TOKEN = '0x' + 'ab'.repeat(20)
const H = 'escrow_account_history'
const COLS = ['id', 'payer', 'token_id', 'available', 'locked', 'total_deposited', 'total_withdrawn', 'total_locked', 'total_unlocked', 'total_charged', 'movement_count', 'created_at', 'updated_at', 'updated_at_block']
const TYPES = ['text', 'text', 'text', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'int4', 'timestamptz', 'timestamptz', 'int4']
const VARIANTS: Record<string, { drop: string[]; copy: boolean }> = {
    all: { drop: [], copy: false },
    noGist: { drop: [`${H}_range`], copy: false },
    idOnly: { drop: [`${H}_range`, `${H}_from`, `${H}_to`], copy: false },
    copyAll: { drop: [], copy: true },
}

interface Version {
    id: string
    block: number
    next: number | null
}

const ids = Array.from({ length: PAYERS }, (_, i) => '0x' + i.toString(16).padStart(40, '0') + '-' + TOKEN)
const arr = (xs: unknown[]) => '{' + xs.map((x) => (x == null ? 'NULL' : '"' + String(x) + '"')).join(',') + '}'

/** The versions of one call: one per account and block it changed, those followed by another in the call closed. */
function callVersions(call: number, rand: () => number): Version[] {
    const out: Version[] = []
    const last = new Map<string, Version>()
    for (let b = call * BLOCKS_PER_CALL + 1; b <= (call + 1) * BLOCKS_PER_CALL; b++) {
        const changed = new Set<string>()
        for (let k = 0; k < CHANGES_PER_BLOCK; k++) changed.add(ids[Math.floor(rand() * PAYERS)])
        for (const id of changed) {
            const v = { id, block: b, next: null }
            const prev = last.get(id)
            if (prev) prev.next = b
            last.set(id, v)
            out.push(v)
        }
    }
    return out
}

function lcg(seed: number): () => number {
    let s = seed
    return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648
}

async function replay(c: Client, variant: string, calls: number) {
    const { drop, copy } = VARIANTS[variant]
    await c.query(`TRUNCATE ${H}`)
    await c.query(`CREATE INDEX IF NOT EXISTS "${H}_range" ON ${H} USING gist (block_range)`)
    await c.query(`CREATE INDEX IF NOT EXISTS "${H}_from" ON ${H} (lower(block_range))`)
    await c.query(`CREATE INDEX IF NOT EXISTS "${H}_to" ON ${H} (upper(block_range))`)
    for (const d of drop) await c.query(`DROP INDEX "${d}"`)
    await c.query('CHECKPOINT')
    const ms_ = { cleanup: 0, close: 0, insert: 0, commit: 0 }
    const lap = (k: keyof typeof ms_, t: bigint) => (ms_[k] += ms(t))
    const rand = lcg(1)
    let versions = 0
    const t0 = now()
    for (let call = 0; call < calls; call++) {
        const vs = callVersions(call, rand)
        versions += vs.length
        const first = call * BLOCKS_PER_CALL + 1
        await c.query('BEGIN')
        let t = now()
        await c.query(`DELETE FROM ${H} WHERE lower(block_range) >= $1::int4`, [first])
        await c.query(`UPDATE ${H} SET block_range = int4range(lower(block_range), NULL) WHERE upper(block_range) >= $1::int4`, [first])
        lap('cleanup', t)
        t = now()
        const firsts = new Map<string, number>()
        for (const v of vs) if (!firsts.has(v.id)) firsts.set(v.id, v.block)
        await c.query(
            `UPDATE ${H} AS h SET block_range = int4range(lower(h.block_range), u.b) FROM unnest($1::text[], $2::int4[]) AS u(id, b)
              WHERE h.id = u.id AND upper_inf(h.block_range) AND lower(h.block_range) < u.b`,
            [arr([...firsts.keys()]), arr([...firsts.values()])],
        )
        lap('close', t)
        t = now()
        await writeVersions(c, vs, copy)
        lap('insert', t)
        t = now()
        await c.query('COMMIT')
        lap('commit', t)
    }
    const totalMs = ms(t0)
    const bytes = Number((await c.query(`SELECT pg_total_relation_size('${H}') AS b`)).rows[0].b)
    const r = {
        versions,
        totalMs: round(totalMs),
        usPerVersion: round((totalMs * 1000) / versions, 1),
        cleanupMs: round(ms_.cleanup),
        closeMs: round(ms_.close),
        insertMs: round(ms_.insert),
        commitMs: round(ms_.commit),
        mb: round(bytes / 1048576, 1),
    }
    note('history-writes', `${variant}: ${JSON.stringify(r)}`)
    return r
}

/** The new versions of one call: INSERT … SELECT FROM unnest … LEFT JOIN (the writer's statement), or COPY. */
async function writeVersions(c: Client, vs: Version[], copy: boolean): Promise<void> {
    const amount = (i: number) => String(1_000_000 + i)
    if (copy) {
        const lines = vs.map((v, i) => {
            const row = [v.id, v.id.slice(0, 42), TOKEN, ...Array.from({ length: 7 }, () => amount(i)), '5', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', String(v.block)]
            return [...row, `[${v.block},${v.next ?? ''})`].join('\t') + '\n'
        })
        await copyFrom(c, `COPY ${H} (${COLS.join(', ')}, block_range) FROM STDIN`, [Buffer.from(lines.join(''))])
    } else {
        const params = [
            arr(vs.map((v) => v.id)),
            arr(vs.map((v) => v.id.slice(0, 42))),
            arr(vs.map(() => null)), // a relation the handler did not load: read back from the current row
            ...Array.from({ length: 7 }, () => arr(vs.map((_, i) => amount(i)))),
            arr(vs.map(() => 5)),
            arr(vs.map(() => '2026-01-01T00:00:00Z')),
            arr(vs.map(() => '2026-01-01T00:00:00Z')),
            arr(vs.map((v) => v.block)),
            arr(vs.map((v) => v.block)),
            arr(vs.map((v) => v.next)),
        ]
        const select = COLS.map((col, i) => (col === 'token_id' ? `coalesce(u.c${i}, e.token_id)` : `u.c${i}`))
        const unnest = [...TYPES, 'int4', 'int4'].map((ty, i) => `$${i + 1}::${ty}[]`)
        await c.query(
            `INSERT INTO ${H} (${COLS.join(', ')}, block_range) SELECT ${select.join(', ')}, int4range(u.b0, u.b1)
               FROM unnest(${unnest.join(', ')}) AS u(${COLS.map((_, i) => 'c' + i).join(', ')}, b0, b1) LEFT JOIN escrow_account AS e ON e.id = u.c0`,
            params,
        )
    }
}

export async function runHistoryWrites(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    const s = await ctx.stack()
    const calls = ctx.opts.quick ? 5 : 40
    const admin = new Client({ connectionString: s.dbUrl })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS history_writes WITH (FORCE)`)
    await admin.query(`CREATE DATABASE history_writes`)
    const u = new URL(s.dbUrl)
    u.pathname = '/history_writes'
    const c = new Client({ connectionString: u.toString() })
    const figures: Record<string, Awaited<ReturnType<typeof replay>>> = {}
    try {
        await applyMigrations(u.toString())
        await c.connect()
        await c.query(
            `INSERT INTO token (id, symbol, decimals, min_deposit, max_deposit, allowed, updated_at, updated_at_block, escrow_held, escrow_locked, total_deposited,
                total_withdrawn, total_committed, total_finalized, total_rejected, total_claimed, total_fees, deposit_count, withdrawal_count, batch_count, claim_count)
             VALUES ($1, 'T', 6, 0, 0, true, now(), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
            [TOKEN],
        )
        await c.query(
            `INSERT INTO escrow_account (id, payer, token_id, available, locked, total_deposited, total_withdrawn, total_locked, total_unlocked, total_charged, movement_count, created_at, updated_at, updated_at_block)
             SELECT id, left(id, 42), $2, 1, 1, 1, 1, 1, 1, 1, 1, now(), now(), 1 FROM unnest($1::text[]) AS id`,
            [arr(ids), TOKEN],
        )
        for (const v of Object.keys(VARIANTS)) figures[v] = await replay(c, v, calls)
    } finally {
        await c.end().catch(() => undefined)
        await admin.query(`DROP DATABASE IF EXISTS history_writes WITH (FORCE)`).catch(() => undefined)
        await admin.end()
    }
    const all = figures.all.totalMs
    return {
        name: 'history-writes',
        quick: ctx.opts.quick,
        inputs: { calls, blocksPerCall: BLOCKS_PER_CALL, accounts: PAYERS, changesPerBlock: CHANGES_PER_BLOCK, variants: VARIANTS },
        environment: environment({ postgres: s.postgresVersion }),
        figures,
        summary: {
            usPerVersion: figures.all.usPerVersion,
            gistShare: round(1 - figures.noGist.totalMs / all, 3),
            closeShare: round(figures.all.closeMs / all, 3),
            copyVsInsert: round(figures.copyAll.totalMs / all, 3),
        },
        notes: ['one connection, statements awaited one by one (the processor pipelines them with its other writes): the absolute time is an upper bound of what history adds, the shares are the point'],
        durationMs: Date.now() - t0,
    }
}
