/**
 * The write path of one handler call: the in-memory state (src/mappings/state.ts) back to Postgres. Mutable rows
 * are upserted, event rows inserted (foreign keys point backwards), rollups merged by Postgres; through the bulk
 * writer (bulk.ts: unnest arrays, COPY for finalized blocks, statements pipelined on the transaction's
 * connection) where it applies, else through squid's Store. Hot blocks: the rows are given to typeorm-store's
 * change tracker first, which is what lets squid roll them back on a reorg (see src/indexer/reorg.ts).
 */
import { Store } from '@subsquid/typeorm-store'
import { RollupBuffer } from '../../mappings/rollup-buffer'
import { MappingState } from '../../mappings/state'
import { BulkSession, Statement } from './bulk'
import { historyFromEnv } from '../../config/indexer'
import { storeEntityManager } from '../sdk-internals'
import { historyStatements } from './history'
import { SideWriter } from './side-writes'

export interface WriteStats {
    upserted: number
    inserted: number
    /**
     * ms per entity class: database time of its statements where writes are pipelined (from the previous
     * class's completion to its own), else the time of its awaited write (rollups: load + merge + write)
     */
    ms?: Record<string, number>
    /** ms of the history statements (time travel), measured like `ms` (not a table of its own: kept out of `ms`) */
    historyMs?: number
}

/**
 * ProtocolEventRow rows sent to the database in chunks while later events are still being applied (they are
 * pure functions of their event and nothing references them), so that Postgres inserts one chunk while the
 * handler builds the next. Bulk path only (finalized blocks); persist() writes the rest and waits for all.
 */
export class EarlyInserts {
    /** protocolEvents[0, sent) are queued */
    sent = 0
    private disabled = false

    constructor(
        private session: BulkSession,
        private state: MappingState,
        private side?: SideWriter,
        private chunk = EARLY_CHUNK_ROWS,
    ) {}

    /** Queue the rows added since the last call, if there are at least `chunk` of them. */
    poll(): void {
        const rows = this.state.protocolEvents
        if (this.disabled || rows.length - this.sent < this.chunk) return
        const stmts = this.session.prepareInsert(rows.slice(this.sent))
        if (!stmts) {
            this.disabled = true
            return
        }
        if (this.side && isCopy(stmts)) this.side.send(stmts)
        else this.session.send(stmts)
        this.sent = rows.length
    }
}

const EARLY_CHUNK_ROWS = 2_000

type WriteOp = { name: string; kind: 'upsert' | 'insert'; rows: { id: string }[] } | { name: string; kind: 'rollup'; rollup: RollupBuffer<any> }

function isCopy(stmts: Statement[]): boolean {
    return stmts.every((s) => s.copyData !== undefined)
}

/**
 * Write the state back: mutable rows upserted, event rows inserted (foreign keys point backwards), rollups merged
 * and upserted. With `side` (side-writes.ts), the rows of its tables go through it, and everything it was sent is
 * committed before this returns.
 */
export async function persist(
    state: MappingState,
    store: Store,
    session: BulkSession | undefined = BulkSession.of(store),
    early?: EarlyInserts,
    side?: SideWriter,
): Promise<WriteStats> {
    const ops: WriteOp[] = []
    for (const buf of state.entityBuffersInWriteOrder()) {
        const rows = buf.changed()
        if (rows.length) ops.push({ name: buf.cls.name, kind: 'upsert', rows })
    }
    for (const rows of [
        state.claims,
        state.movements,
        state.roleChanges,
        state.pauseChanges,
        state.upgrades,
        state.parameterChanges,
        early ? state.protocolEvents.slice(early.sent) : state.protocolEvents,
        state.delegationEvents,
        state.slashEvents,
        state.jailEvents,
        state.commissionChanges,
        state.blocks,
        state.arbitrages,
        state.swaps,
        state.sandwiches,
        state.liquidations,
        state.jitLiquidity,
        state.nftTrades,
        state.minerPayments,
        state.mevEvents,
        state.epochSnapshots.changed(),
        state.epochStats,
        state.scores,
        state.epochSummaries,
    ] as { id: string }[][]) {
        if (rows.length) ops.push({ name: rows[0].constructor.name, kind: 'insert', rows })
    }
    for (const rollup of [state.tokenDays, state.tokenHours, state.participantDays]) {
        if (rollup.ids().length) ops.push({ name: rollup.cls.name, kind: 'rollup', rollup })
    }

    let upserted = 0
    let historyMs = 0
    let inserted = early?.sent ?? 0
    const ms: Record<string, number> = {}
    let t = performance.now()
    const lap = (name: string) => {
        const now = performance.now()
        ms[name] = (ms[name] ?? 0) + (now - t)
        t = now
    }
    // pipelined: each op's statements are queued as soon as they are encoded; completion times are recorded
    const done: Promise<void>[] = []
    let lastDone = performance.now()
    const queue = async (name: string, stmts: Statement[], kind: 'insert' | 'upsert', rows: { id: string }[]) => {
        // hot block: the change tracker first (it waits for what is queued); nothing to wait for otherwise
        if (session!.tracker) await session!.track(kind, rows)
        const target = side && !session!.tracker && side.takes(name) && isCopy(stmts) ? side : session!
        target.send(stmts)
        done.push(
            target.drainMark().then(() => {
                const now = performance.now()
                ms[name] = (ms[name] ?? 0) + (now - lastDone)
                lastDone = now
            }),
        )
    }
    const settle = async () => {
        if (!session) return
        await session.drain()
        await side?.drain()
        await Promise.all(done.splice(0))
        t = performance.now()
        lastDone = t
    }
    for (const op of ops) {
        if (op.kind === 'rollup') {
            const deltas = op.rollup.deltaRows() as { id: string }[]
            // merged by Postgres (no load) where possible, else loaded, merged here and upserted
            const stmts = session?.prepareRollupMerge(deltas, op.rollup.snapshotFields, (id) => op.rollup.snapshotsOf(id))
            if (stmts) {
                await queue(op.name, stmts, 'upsert', deltas)
                upserted += deltas.length
                continue
            }
            await settle()
            const rows = (await op.rollup.loadAndMerge(store)) as { id: string }[]
            if (rows.length) await store.upsert(rows)
            upserted += rows.length
            lap(op.name)
            continue
        }
        const stmts = op.kind === 'upsert' ? session?.prepareUpsert(op.rows) : session?.prepareInsert(op.rows)
        if (stmts) await queue(op.name, stmts, op.kind, op.rows)
        else {
            // not on the bulk path: everything queued so far first, then the store, awaited
            await settle()
            if (op.kind === 'upsert') await store.upsert(op.rows)
            else await store.insert(op.rows)
            lap(op.name)
        }
        if (op.kind === 'upsert') upserted += op.rows.length
        else inserted += op.rows.length
    }
    // time travel: the versions of the rows upserted above (after them: a column not loaded is read back)
    if (session && historyWrites()) {
        const history = historyStatements(state, session, storeEntityManager(store))
        if (history) queueHistory(session, history, done, (t) => (historyMs += t), side)
        else state.warnings.push('history of versioned entities not written for this call: rows not on the bulk path')
    }
    await settle()
    return { upserted, inserted, ms, historyMs }
}

let historyOn: boolean | undefined
/** HISTORY (validated at startup by indexerFromEnv), read once. */
export function historyWrites(): boolean {
    return (historyOn ??= historyFromEnv())
}

/**
 * The history statements: the closing UPDATEs on the handler's connection, the versions' COPY through the side
 * connection when there is one (finalized blocks: history.ts's close does not depend on their order).
 */
function queueHistory(session: BulkSession, stmts: Statement[], done: Promise<void>[], took: (ms: number) => void, side?: SideWriter): void {
    if (stmts.length === 0) return
    // from the completion of what was queued before to the completion of the history statements
    const before = session.drainMark().then(() => performance.now())
    const toSide = side && !session.tracker ? stmts.filter((s) => s.copyData !== undefined) : []
    session.send(stmts.filter((s) => !toSide.includes(s)))
    if (toSide.length) side!.send(toSide)
    done.push(Promise.all([before, session.drainMark(), side?.drainMark()]).then(([t0]) => took(performance.now() - t0)))
}
