/**
 * Deferred indexes (src/indexer/write/deferred-indexes.ts) against a real Postgres with the project's migrations:
 * what is dropped, that the rebuild restores the exact same definitions, that a rolled-back batch drops nothing,
 * and when the per-run decision defers or rebuilds. (The processor path end to end: test/processor/e2e.test.ts,
 * the fresh index.)
 */
import { DataSource, EntityManager } from 'typeorm'
import { deferredIndexSettingsFromEnv } from '../../src/config'
import { DEFERRABLE_HISTORY_TABLES, DEFERRABLE_TABLES, DeferredIndexes } from '../../src/indexer/write/deferred-indexes'
import { PgStack, startPgStack } from '../server/support/stack'
import { schemaObjects, withClient } from './support/e2e'

jest.setTimeout(120_000)

let pg: PgStack
let ds: DataSource

beforeAll(async () => {
    // embedded Postgres with the project's migrations applied
    pg = await startPgStack()
    ds = new DataSource({ type: 'postgres', url: pg.url, entities: [] })
    await ds.initialize()
})

afterAll(async () => {
    await ds?.destroy().catch(() => {})
    await pg?.close()
})

/** Plain indexes and foreign keys on the deferrable tables (history tables included). */
async function deferrableObjects(): Promise<{ indexes: string[]; fks: string[] }> {
    return withClient(pg.url, async (c) => {
        const tables = [...DEFERRABLE_TABLES, ...DEFERRABLE_HISTORY_TABLES]
        const indexes = await c.query(
            `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1)
               AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY 1`,
            [tables],
        )
        const fks = await c.query(`SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1) ORDER BY 1`, [tables])
        return { indexes: indexes.rows.map((r) => r.indexname), fks: fks.rows.map((r) => r.conname) }
    })
}

const logs: string[] = []
const inTx = (fn: (em: EntityManager) => Promise<void>) => ds.transaction(fn)

test('settings: auto by default, a typed error for nonsense', () => {
    expect(deferredIndexSettingsFromEnv({})).toEqual({ enabled: true, minLag: 2000 })
    expect(deferredIndexSettingsFromEnv({ DEFER_INDEXES: 'false', DEFER_INDEXES_MIN_LAG: '10' })).toEqual({ enabled: false, minLag: 10 })
    expect(() => deferredIndexSettingsFromEnv({ DEFER_INDEXES: 'maybe' })).toThrow(/DEFER_INDEXES must be auto, true or false/)
    expect(() => deferredIndexSettingsFromEnv({ DEFER_INDEXES_MIN_LAG: '-3' })).toThrow(/whole number of blocks/)
})

test('close to the head (lag ≤ minLag) or at the head: nothing is deferred', async () => {
    const before = await schemaObjects(pg.url)
    const near = new DeferredIndexes({ enabled: true, minLag: 100 }, (m) => logs.push(m))
    await inTx((em) => near.beforeBatch(em, false, async () => 100))
    const atHead = new DeferredIndexes({ enabled: true, minLag: 0 }, (m) => logs.push(m))
    await inTx((em) => atHead.beforeBatch(em, true, async () => 5000))
    expect(await schemaObjects(pg.url)).toEqual(before)
})

test('a batch that rolls back drops nothing and records nothing', async () => {
    const before = await schemaObjects(pg.url)
    const d = new DeferredIndexes({ enabled: true, minLag: 0 }, (m) => logs.push(m))
    await expect(
        inTx(async (em) => {
            await d.beforeBatch(em, false, async () => 10)
            throw new Error('the handler failed after the drop')
        }),
    ).rejects.toThrow(/handler failed/)
    expect(await schemaObjects(pg.url)).toEqual(before)
    expect(await withClient(pg.url, (c) => c.query('SELECT count(*)::int AS n FROM squid_deferred_index'))).toMatchObject({ rows: [{ n: 0 }] })
})

test('behind the head: plain indexes and foreign keys dropped and recorded; a restart rebuilds them at the head, identical', async () => {
    const before = await schemaObjects(pg.url)
    const objects = await deferrableObjects()
    expect(objects.indexes.length).toBeGreaterThan(10)
    expect(objects.fks.length).toBeGreaterThan(2)
    // the history tables' (id, lower(block_range)) index stays: the writer closes open versions through it
    const kept = objects.indexes.filter((n) => n.endsWith('_history_id_from'))
    expect(kept.length).toBe(DEFERRABLE_HISTORY_TABLES.length)
    expect(objects.indexes.filter((n) => n.endsWith('_history_range')).length).toBe(DEFERRABLE_HISTORY_TABLES.length)
    // the as-of twins of the current tables' indexes (1795308991700-HistoryIndexes.js) are deferred too
    expect(objects.indexes).toEqual(expect.arrayContaining(['escrow_account_history_payer_asof', 'batch_history_status_asof', 'validator_history_stake_asof']))
    const dropped = objects.indexes.filter((n) => !kept.includes(n))

    const run1 = new DeferredIndexes({ enabled: true, minLag: 0 }, (m) => logs.push(m))
    await inTx((em) => run1.beforeBatch(em, false, async () => 10))
    expect(run1.active).toBe(true)
    expect(await deferrableObjects()).toEqual({ indexes: kept, fks: [] })
    const recorded = await withClient(pg.url, (c) => c.query('SELECT id, kind FROM squid_deferred_index ORDER BY id'))
    expect(recorded.rows.map((r) => r.id).sort()).toEqual([...dropped, ...objects.fks].sort())
    // primary keys and unique indexes stay (the processor writes by id; upserts need them)
    const after = await schemaObjects(pg.url)
    for (const t of DEFERRABLE_TABLES) expect([t, after.some((d) => d.startsWith(`${t} `) && d.includes('PRIMARY KEY'))]).toEqual([t, true])
    expect(after.length).toBe(before.length - dropped.length - objects.fks.length)
    expect(logs.join('\n')).toMatch(/backfill 10 blocks behind the head: deferred \d+ indexes and \d+ foreign keys/)

    // a later batch of the same run, still behind: nothing more happens
    await inTx((em) => run1.beforeBatch(em, false, async () => 5))
    expect(await deferrableObjects()).toEqual({ indexes: kept, fks: [] })

    // a new run (restart after a crash) reads the records; still behind → stays deferred; at the head → rebuilt
    const run2 = new DeferredIndexes({ enabled: true, minLag: 0 }, (m) => logs.push(m))
    await inTx((em) => run2.beforeBatch(em, false, async () => 3))
    expect(run2.active).toBe(true)
    // one of the indexes came back meanwhile (a later migration with IF NOT EXISTS): the rebuild skips it
    await withClient(pg.url, (c) => c.query(`CREATE INDEX IF NOT EXISTS escrow_movement_payer_timestamp ON escrow_movement (payer, "timestamp")`))
    await inTx((em) => run2.beforeBatch(em, true, async () => 0))
    expect(run2.active).toBe(false)
    expect(await schemaObjects(pg.url)).toEqual(before)
    expect(await withClient(pg.url, (c) => c.query('SELECT count(*)::int AS n FROM squid_deferred_index'))).toMatchObject({ rows: [{ n: 0 }] })
    expect(logs.join('\n')).toMatch(/rebuilt \d+ deferred indexes and \d+ foreign keys/)
})

test('DEFER_INDEXES=false on a database a previous run left deferred: rebuilt at the first batch', async () => {
    const before = await schemaObjects(pg.url)
    await inTx((em) => new DeferredIndexes({ enabled: true, minLag: 0 }, () => {}).beforeBatch(em, false, async () => 10))
    expect((await deferrableObjects()).indexes.every((n) => n.endsWith('_history_id_from'))).toBe(true)
    await inTx((em) => new DeferredIndexes({ enabled: false, minLag: 0 }, () => {}).beforeBatch(em, false, async () => 10))
    expect(await schemaObjects(pg.url)).toEqual(before)
})

test('rebuild over two connections: an index on a table the handler transaction holds locked (hot-block rollback) is built by the handler connection', async () => {
    const before = await schemaObjects(pg.url)
    await inTx((em) => new DeferredIndexes({ enabled: true, minLag: 0 }, () => {}).beforeBatch(em, false, async () => 10))
    const rebuilt: string[] = []
    await inTx(async (em) => {
        // what typeorm-store's rollback of a hot block leaves: a row-exclusive lock on the table until commit
        await em.query('LOCK TABLE escrow_account_history IN ROW EXCLUSIVE MODE')
        await new DeferredIndexes({ enabled: true, minLag: 0 }, (m) => rebuilt.push(m)).beforeBatch(em, true, async () => 0)
    })
    expect(rebuilt.join('\n')).toMatch(/rebuilt \d+ deferred indexes/)
    expect(await schemaObjects(pg.url)).toEqual(before)
})
