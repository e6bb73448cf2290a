/**
 * Test stack for the API server: an embedded Postgres in a temp dir (random port), the project's
 * migrations applied programmatically, the processor's state tables, fixture helpers, and the server
 * started in-process on a random port.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Pool } from 'pg'
import { applyMigrations as applyDbMigrations } from '../../../src/indexer/migrations'
import { setLogSink } from '../../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/stack/postgres'
import { freePort } from '../../../src/stack/util'

export interface PgStack {
    pg: EmbeddedPostgres
    url: string
    pool: Pool
    close(): Promise<void>
}

/** Apply db/migrations (the processor's own step, src/indexer/migrations.ts) and create the processor's state tables. */
export async function applyMigrations(pool: Pool, url: string): Promise<string[]> {
    const files = await applyDbMigrations(url)
    // the processor's own state (typeorm-store creates it at its first run)
    await pool.query(`CREATE SCHEMA IF NOT EXISTS squid_processor`)
    await pool.query(`CREATE TABLE IF NOT EXISTS squid_processor.status (id int4 primary key, height int4 not null, hash text DEFAULT '0x', nonce int4 DEFAULT 0)`)
    await pool.query(`CREATE TABLE IF NOT EXISTS squid_processor.hot_block (height int4 primary key, hash text not null)`)
    return files
}

export interface ScratchPostgres {
    pg: EmbeddedPostgres
    /** the temp dir holding the data directory, removed by stop() */
    dir: string
    stop(): Promise<void>
}

/** An embedded Postgres in a fresh temp dir (random port, database "squid"), no migrations applied. */
export async function scratchPostgres(prefix: string, opts: { noFsync?: boolean } = {}): Promise<ScratchPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    fs.chmodSync(dir, 0o755) // as root, Postgres runs as "postgres" and must traverse it
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), database: 'squid', noFsync: opts.noFsync })
    return {
        pg,
        dir,
        async stop() {
            await pg.stop().catch(() => pg.kill())
            fs.rmSync(dir, { recursive: true, force: true })
        },
    }
}

export async function startPgStack(): Promise<PgStack> {
    setLogSink(() => undefined)
    const scratch = await scratchPostgres('server-pg-')
    const pg = scratch.pg
    const pool = new Pool({ connectionString: pg.url, max: 10 })
    // pool.end() resolves before the sockets are closed: the FATAL sent by the stopping server must not crash jest
    pool.on('error', () => undefined)
    try {
        await applyMigrations(pool, pg.url)
    } catch (e) {
        await pool.end().catch(() => undefined)
        await scratch.stop()
        throw e
    }
    return {
        pg,
        url: pg.url,
        pool,
        async close() {
            await pool.end().catch(() => undefined)
            await scratch.stop()
        },
    }
}

// ---------------------------------------------------------------------------
// fixtures (raw rows in the model tables)

export const TOKEN = '0x' + '7'.repeat(40)
export const PAYER = '0x' + 'a'.repeat(40)
export const OPERATOR = '0x' + 'b'.repeat(40)

export function addr(n: number): string {
    return '0x' + n.toString(16).padStart(40, '0')
}

export function bid(n: number): string {
    return '0x' + n.toString(16).padStart(64, '0')
}

export async function insertToken(pool: Pool, id = TOKEN, held = 1000n, locked = 250n): Promise<void> {
    await pool.query(
        `INSERT INTO token (id, symbol, decimals, min_deposit, max_deposit, allowed, updated_at, updated_at_block, escrow_held, escrow_locked,
            total_deposited, total_withdrawn, total_committed, total_finalized, total_rejected, total_claimed, total_fees,
            deposit_count, withdrawal_count, batch_count, claim_count)
         VALUES ($1, 'USDC', 6, 0, 0, true, now(), 1, $2, $3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
         ON CONFLICT (id) DO UPDATE SET escrow_held = $2, escrow_locked = $3`,
        [id, held.toString(), locked.toString()],
    )
}

export interface BatchRow {
    id: string
    status?: 'COMMITTED' | 'DISPUTED' | 'REJECTED' | 'FINALIZED'
    payer?: string
    token?: string
    root?: string
    totalAmount?: bigint
    recordCount?: number
    committedAt: Date
    committedAtBlock: number
    finalizedAt?: Date | null
    finalizedAtBlock?: number | null
    updatedAtBlock?: number
    claimedAmount?: bigint
    claimCount?: number
    disputedAt?: Date | null
    disputedAtBlock?: number | null
}

export async function upsertBatch(pool: Pool, b: BatchRow): Promise<void> {
    await pool.query(
        `INSERT INTO batch (id, status, payer, token_id, root, total_amount, record_count, data_uri, operator, disputed,
            committed_at, committed_at_block, committed_tx, dispute_deadline, disputed_at, disputed_at_block,
            finalized_at, finalized_at_block, finalized_tx, claimed_amount, claim_count, updated_at_block)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'ipfs://x', $8, $9, $10, $11, $12, $10::timestamptz + interval '1 hour', $13, $14,
            $15, $16, $17, $18, $19, $20)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, disputed = EXCLUDED.disputed, disputed_at = EXCLUDED.disputed_at,
            disputed_at_block = EXCLUDED.disputed_at_block, finalized_at = EXCLUDED.finalized_at,
            finalized_at_block = EXCLUDED.finalized_at_block, finalized_tx = EXCLUDED.finalized_tx,
            claimed_amount = EXCLUDED.claimed_amount, claim_count = EXCLUDED.claim_count, updated_at_block = EXCLUDED.updated_at_block`,
        [
            b.id,
            b.status ?? 'COMMITTED',
            b.payer ?? PAYER,
            b.token ?? TOKEN,
            b.root ?? '0x' + '0'.repeat(64),
            (b.totalAmount ?? 0n).toString(),
            b.recordCount ?? 1,
            OPERATOR,
            !!b.disputedAt,
            b.committedAt,
            b.committedAtBlock,
            '0x' + 'c'.repeat(64),
            b.disputedAt ?? null,
            b.disputedAtBlock ?? null,
            b.finalizedAt ?? null,
            b.finalizedAtBlock ?? null,
            b.finalizedAt ? '0x' + 'f'.repeat(64) : null,
            (b.claimedAmount ?? 0n).toString(),
            b.claimCount ?? 0,
            b.updatedAtBlock ?? b.finalizedAtBlock ?? b.committedAtBlock,
        ],
    )
}

export async function insertPayout(pool: Pool, batchId: string, total: bigint, openedAt: Date, block: number): Promise<void> {
    await pool.query(
        `INSERT INTO payout (id, batch_id, token_id, root, total_amount, claimed_amount, fees_paid, remaining, claim_count, fully_claimed,
            opened_at, opened_at_block, opened_tx, updated_at_block)
         VALUES ($1, $1, $2, $3, $4, 0, 0, $4, 0, false, $5, $6, $7, $6)`,
        [batchId, TOKEN, '0x' + '0'.repeat(64), total.toString(), openedAt, block, '0x' + 'e'.repeat(64)],
    )
}

export async function insertClaim(
    pool: Pool,
    c: { batchId: string; payee: string; amount: bigint; fee?: bigint; block: number; at: Date; relayed?: boolean; logIndex?: number },
): Promise<string> {
    const id = `${c.batchId}-${c.payee}`
    const fee = c.fee ?? 0n
    await pool.query(
        `INSERT INTO claim (id, batch_id, payout_id, token_id, payee, amount, fee, net, claimer, relayed, claimed_total_after,
            block_number, log_index, tx_hash, timestamp)
         VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $4, $8, $5, $9, $10, $11, $12)`,
        [id, c.batchId, TOKEN, c.payee, c.amount.toString(), fee.toString(), (c.amount - fee).toString(), !!c.relayed, c.block, c.logIndex ?? 0, '0x' + 'd'.repeat(64), c.at],
    )
    return id
}

export async function upsertEscrowAccount(pool: Pool, payer: string, available: bigint, locked: bigint, block: number): Promise<string> {
    const id = `${payer}-${TOKEN}`
    await pool.query(
        `INSERT INTO escrow_account (id, payer, token_id, available, locked, total_deposited, total_withdrawn, total_locked, total_unlocked,
            total_charged, movement_count, created_at, updated_at, updated_at_block)
         VALUES ($1, $2, $3, $4, $5, $4, 0, $5, 0, 0, 1, now(), now(), $6)
         ON CONFLICT (id) DO UPDATE SET available = EXCLUDED.available, locked = EXCLUDED.locked, updated_at_block = EXCLUDED.updated_at_block`,
        [id, payer, TOKEN, available.toString(), locked.toString(), block],
    )
    return id
}

export async function setIndexerHead(pool: Pool, finalized: number, hot: number[] = []): Promise<void> {
    await pool.query(`INSERT INTO squid_processor.status (id, height, hash) VALUES (0, $1, $2) ON CONFLICT (id) DO UPDATE SET height = $1, hash = $2`, [
        finalized,
        '0x' + finalized.toString(16).padStart(64, '0'),
    ])
    await pool.query(`DELETE FROM squid_processor.hot_block`)
    for (const h of hot) await pool.query(`INSERT INTO squid_processor.hot_block (height, hash) VALUES ($1, $2)`, [h, '0x' + h.toString(16).padStart(64, 'a')])
}

// ---------------------------------------------------------------------------
// HTTP helpers

export interface GqlResponse {
    status: number
    headers: Headers
    body: any
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GqlResponse> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await res.text()
    let parsed: any
    try {
        parsed = JSON.parse(text)
    } catch {
        parsed = text
    }
    return { status: res.status, headers: res.headers, body: parsed }
}

export async function gql(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse> {
    return post(url, { query, variables }, headers)
}

/** data of a successful response (throws with the errors otherwise) */
export function data(res: GqlResponse): any {
    if (res.status !== 200 || res.body?.errors?.length) throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(res.body)}`)
    return res.body.data
}

export function firstError(res: GqlResponse): { code: string; message: string; extensions: any } {
    const e = res.body?.errors?.[0]
    if (!e) throw new Error(`expected an error, got ${res.status} ${JSON.stringify(res.body)}`)
    return { code: e.extensions?.code, message: e.message, extensions: e.extensions }
}

/** Poll `cond` every `everyMs` until it holds; throws after `timeoutMs`, naming `what`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'a condition', everyMs = 10): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!(await cond())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
        await new Promise((r) => setTimeout(r, everyMs))
    }
}
