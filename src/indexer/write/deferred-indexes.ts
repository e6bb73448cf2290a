/**
 * Secondary indexes and foreign keys of the big append-only settlement tables are dropped while the processor
 * backfills far behind the head and rebuilt once it reaches the head (as Ponder does after its historical sync).
 *
 * Why: every settlement event becomes an EscrowMovement (or Claim) row (plus a ProtocolEventRow when it has no row of its own). Keeping their ~15
 * secondary indexes and 3 foreign keys up to date row by row costs Postgres about 6x the bare insert (measured:
 * 50,000 escrow movements in 1.4 s with them, 0.22 s with only the primary key); one CREATE INDEX / ADD FOREIGN
 * KEY over the finished table is a single sorted pass.
 *
 * What is deferred: only the tables in DEFERRABLE_TABLES and DEFERRABLE_HISTORY_TABLES, which the processor writes
 * by id and never queries by another column (those it does query, such as block by height or delegation by
 * validator, keep everything); only plain indexes (unique ones, those behind a constraint and those leading with
 * id stay) and foreign keys declared on those tables.
 *
 * Safety: the definitions are recorded in `squid_deferred_index` in the handler's own transaction, together with
 * the DROP statements and the batch's data (Postgres DDL is transactional), so a crash at any point leaves either
 * both or neither; after a restart the records say what to rebuild. The rebuild (CREATE INDEX IF NOT EXISTS, ADD
 * CONSTRAINT unless present) runs in the transaction of the first batch that reaches the head, before that batch
 * is reported as indexed. While indexes are deferred, API queries on these tables filter without their indexes:
 * the data is still being backfilled anyway.
 *
 * Env (src/config.ts deferredIndexSettingsFromEnv): DEFER_INDEXES=auto (default) defers when the first batch of a run is more than DEFER_INDEXES_MIN_LAG
 * (default 2,000) blocks behind the chain head; `false` never defers (and rebuilds whatever a previous run deferred).
 */
import type { EntityManager } from 'typeorm'
import type { DeferredIndexSettings } from '../../config'
import { VERSIONED, historyTable } from '../../model/versioned'

export const DEFERRABLE_TABLES = ['escrow_movement', 'protocol_event_row', 'claim', 'participant_day_stat'] as const

/**
 * Time-travel history tables (about one version per settlement event: an account changes in most blocks of a
 * backfill) defer their block-range indexes too (GiST, lower, upper: maintaining the GiST row by row was the
 * largest single cost of a backfill); an index leading with `id` stays, since the writer closes each id's open
 * version through it every call. The per-call reorg clean-up, which uses lower/upper, is skipped while the
 * process only writes above what it wrote before (batch.ts, `historyClean`).
 */
export const DEFERRABLE_HISTORY_TABLES: readonly string[] = VERSIONED.map((v) => historyTable(v.table))

export const DEFERRED_TABLE = 'squid_deferred_index'

const REBUILD_MAINTENANCE_WORK_MEM = '512MB'

/** how long the rebuild's second connection waits for a table lock before handing the index back */
const SIDE_LOCK_TIMEOUT = '1s'


interface Deferred {
    name: string
    table: string
    kind: 'index' | 'foreign key'
    definition: string
}

type Query = (sql: string, params?: unknown[]) => Promise<any[]>

export type DeferredIndexLog = (message: string) => void

/** Decides, per handler call, whether to drop or rebuild; one instance per processor run. */
export class DeferredIndexes {
    /** what is currently deferred (read from the table at the first call) */
    private deferred: Deferred[] | undefined
    private decided = false

    constructor(
        private readonly settings: DeferredIndexSettings,
        private readonly log: DeferredIndexLog,
    ) {}

    get active(): boolean {
        return (this.deferred?.length ?? 0) > 0
    }

    /**
     * Call at the start of each handler call, inside its transaction. `lag` is how far the batch's last block is
     * behind the chain head (only asked for on the first call); `isHead` is squid's ctx.isHead.
     */
    async beforeBatch(em: EntityManager, isHead: boolean, lag: () => Promise<number>): Promise<void> {
        const q: Query = (sql, params) => em.query(sql, params)
        if (this.deferred === undefined) this.deferred = await readDeferred(q)
        if (!this.decided) {
            this.decided = true
            if (this.settings.enabled && !isHead && !this.active) {
                const behind = await lag()
                if (behind > this.settings.minLag) {
                    const t = performance.now()
                    this.deferred = await dropDeferrable(q)
                    const n = count(this.deferred)
                    this.log(
                        `backfill ${behind} blocks behind the head: deferred ${n.indexes} indexes and ${n.fks} foreign keys of ` +
                            `${DEFERRABLE_TABLES.join(', ')} and the history tables until the head (${(performance.now() - t).toFixed(0)} ms; DEFER_INDEXES=false keeps them)`,
                    )
                }
            }
        }
        if (this.active && (isHead || !this.settings.enabled)) await this.rebuild(q, em)
    }

    private async rebuild(q: Query, em: EntityManager): Promise<void> {
        const list = this.deferred ?? []
        const t = performance.now()
        const side = await openSide(em)
        try {
            await rebuildDeferred(q, list, side)
        } finally {
            await side?.release()
        }
        const n = count(list)
        this.deferred = []
        this.log(`rebuilt ${n.indexes} deferred indexes and ${n.fks} foreign keys in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    }
}

function count(list: Deferred[]): { indexes: number; fks: number } {
    const indexes = list.filter((d) => d.kind === 'index').length
    return { indexes, fks: list.length - indexes }
}

async function readDeferred(q: Query): Promise<Deferred[]> {
    const rows = await q(`SELECT id, table_name, kind, definition FROM ${DEFERRED_TABLE} ORDER BY kind DESC, id`)
    return rows.map((r: any) => ({ name: r.id, table: r.table_name, kind: r.kind, definition: r.definition }))
}

/** Record and drop the plain indexes (but one leading with id) and foreign keys of the deferrable tables (those that exist). */
export async function dropDeferrable(q: Query): Promise<Deferred[]> {
    const tables = [...DEFERRABLE_TABLES, ...DEFERRABLE_HISTORY_TABLES]
    const indexes = await q(
        `SELECT i.relname AS name, t.relname AS table_name, pg_get_indexdef(i.oid) AS definition
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = current_schema() AND t.relname = ANY($1)
            AND NOT x.indisunique AND NOT x.indisprimary
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            AND pg_get_indexdef(x.indexrelid, 1, true) <> 'id'`,
        [tables],
    )
    const fks = await q(
        `SELECT c.conname AS name, t.relname AS table_name, pg_get_constraintdef(c.oid) AS definition
           FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = current_schema() AND t.relname = ANY($1) AND c.contype = 'f'`,
        [tables],
    )
    const list: Deferred[] = [
        ...fks.map((r: any) => ({ name: r.name, table: r.table_name, kind: 'foreign key' as const, definition: r.definition })),
        ...indexes.map((r: any) => ({ name: r.name, table: r.table_name, kind: 'index' as const, definition: r.definition })),
    ]
    for (const d of list) {
        await q(`INSERT INTO ${DEFERRED_TABLE} (id, table_name, kind, definition) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [
            d.name,
            d.table,
            d.kind,
            d.definition,
        ])
        if (d.kind === 'foreign key') await q(`ALTER TABLE ${ident(d.table)} DROP CONSTRAINT IF EXISTS ${ident(d.name)}`)
        else await q(`DROP INDEX IF EXISTS ${ident(d.name)}`)
    }
    return list
}

/** A second connection for the rebuild: autocommit statements outside the handler's transaction. */
export interface SideConnection {
    query: Query
    release: () => Promise<void>
}

/** A pooled connection of the handler's DataSource, or undefined when none can be had. */
async function openSide(em: EntityManager): Promise<SideConnection | undefined> {
    try {
        const runner = em.connection.createQueryRunner()
        await runner.connect()
        return { query: (sql, params) => runner.query(sql, params), release: () => runner.release() }
    } catch {
        return undefined
    }
}

/** Postgres' lock_not_available (lock_timeout expired) */
const LOCK_NOT_AVAILABLE = '55P03'

/**
 * Recreate what `list` recorded (indexes first, then foreign keys) and clear the records. With `side`, indexes are
 * built over two connections at once, each taking the next one from a common queue: a GiST build is not parallel
 * inside Postgres, and one build's I/O overlaps the other's sorting. An index the side connection builds commits on
 * its own; if the handler's transaction then fails, the records stay and the next run's rebuild skips it (IF NOT
 * EXISTS). The side connection gives up on a table the handler's transaction has locked (squid rolls back hot
 * blocks in it before the handler runs): lock_timeout, and that index goes back to the handler's connection.
 */
export async function rebuildDeferred(q: Query, list: Deferred[], side?: SideConnection): Promise<void> {
    // sorting a million-row column in memory instead of in temporary files: measured 0.67 s instead of 0.90 s per
    // text index over 1M escrow movements (the default is 64MB); for this transaction only
    if (list.length) await q(`SET LOCAL maintenance_work_mem = '${REBUILD_MAINTENANCE_WORK_MEM}'`)
    // a later migration may have created one again meanwhile
    const create = (query: Query, d: Deferred) => query(d.definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '))
    // the longest first (GiST: not parallel inside Postgres), so that the two connections end close together
    const queue = list.filter((x) => x.kind === 'index').sort((a, b) => Number(/ USING gist /i.test(b.definition)) - Number(/ USING gist /i.test(a.definition)))
    const main = async () => {
        for (let d = queue.shift(); d; d = queue.shift()) await create(q, d)
    }
    const second = async (c: SideConnection) => {
        await c.query(`SET maintenance_work_mem = '${REBUILD_MAINTENANCE_WORK_MEM}'`)
        await c.query(`SET lock_timeout = '${SIDE_LOCK_TIMEOUT}'`)
        try {
            for (let d = queue.shift(); d; d = queue.shift()) {
                try {
                    await create(c.query, d)
                } catch (e: any) {
                    if (e?.code !== LOCK_NOT_AVAILABLE) throw e
                    queue.push(d)
                    return
                }
            }
        } finally {
            await c.query('RESET maintenance_work_mem').catch(() => {})
            await c.query('RESET lock_timeout').catch(() => {})
        }
    }
    const lanes = await Promise.allSettled([main(), side ? second(side) : Promise.resolve()])
    for (const l of lanes) if (l.status === 'rejected') throw l.reason
    // what the side connection handed back after the handler's connection ran out of work
    await main()
    for (const d of list.filter((x) => x.kind === 'foreign key')) {
        const present = await q(`SELECT 1 FROM pg_constraint WHERE conname = $1 AND conrelid = $2::regclass`, [d.name, d.table])
        if (!present.length) await q(`ALTER TABLE ${ident(d.table)} ADD CONSTRAINT ${ident(d.name)} ${d.definition}`)
    }
    await q(`DELETE FROM ${DEFERRED_TABLE}`)
}

function ident(name: string): string {
    return '"' + name.replace(/"/g, '""') + '"'
}
