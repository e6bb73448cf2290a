/**
 * Live queries: a subscription whose root field is a generated query (live.schema.ts) is served by executing the
 * same document as a query, through the server's normal execute path (OpenReader context, row caps, statement
 * timeout), once at subscribe time and again after each processor commit whose notice names a table the query
 * reads (tables-read.ts); a notice without a table list, a reorg (flagged, or a head that went backwards) and a
 * LISTEN reconnect re-run every live query. A result is pushed only when it differs from the last one sent
 * (SHA-1 of its JSON), and one live query runs at most once per `minIntervalMs` (changes meanwhile are coalesced
 * into the next run). A result pushed because of a reorg carries `extensions: { reorg: true }`.
 *
 * Shared work: subscribers with the same document, operation name, variables and caller role share one entry,
 * hence one execution per commit; each has its own bounded queue (slow consumers are dropped as for the other
 * subscriptions, see pubsub/shared.ts). Entries of the same document (different variables or roles) form a group:
 * the entries a commit made due run together, as one batch whose executions' SQL statements are multiplexed
 * (multiplex.ts: one statement per round for up to `multiplexMax` variable sets). So `minIntervalMs` holds per
 * group: a group re-runs at most once per interval, except that a new entry's first run starts at once (and takes
 * along the entries of its group that wait for a commit's re-run).
 */
import { createHash } from 'crypto'
import { DocumentNode, ExecutionArgs, ExecutionResult, getOperationAST, Kind, OperationDefinitionNode, print, visit, GraphQLSchema } from 'graphql'
import type { Caller } from '../context'
import { FeedLost } from '../pubsub/queue'
import { inline, Member } from '../pubsub/shared'
import { parseNotice, Notice } from '../pubsub/notice'
import { isLiveField } from './live.schema'
import { entitiesRead } from './tables-read'
import { BatchMember, MultiplexCounters, ParamTypeCache, StatementBatch, StatementSlots } from './multiplex'
import type { LiveExecute, LiveOptions, LiveStats } from './engine-options'

class Group {
    readonly entries = new Set<Entry>()
    timer: NodeJS.Timeout | undefined
    lastRunAt = 0
    constructor(readonly key: string) {}
}

class Entry {
    readonly members = new Set<Member>()
    last: ExecutionResult | undefined
    lastHash: string | undefined
    running = false
    /** a run is due (a relevant commit, or the first run) */
    pending = false
    reorg = false
    closed = false

    constructor(
        readonly key: string,
        readonly group: Group,
        readonly document: DocumentNode,
        readonly variables: Record<string, unknown> | undefined,
        readonly operationName: string | undefined,
        readonly caller: Caller | undefined,
        readonly entities: Set<string>,
    ) {}
}

function asQuery(document: DocumentNode): DocumentNode {
    return visit(document, {
        OperationDefinition: (node: OperationDefinitionNode) => (node.operation === 'subscription' ? { ...node, operation: 'query' } : node),
    })
}

const hash = (v: unknown) => createHash('sha1').update(JSON.stringify(v)).digest('base64')

export class LiveQueries {
    private entries = new Map<string, Entry>()
    private groups = new Map<string, Group>()
    private active = 0
    private waiting: (() => void)[] = []
    private lastHeight: number | undefined
    private counters = { executions: 0, pushes: 0, unchanged: 0, batches: 0 }
    private sql: MultiplexCounters = { statements: 0, multiplexed: 0, probes: 0 }
    private types = new ParamTypeCache()
    private statementSlots: StatementSlots
    /** subscribers of live queries open now */
    memberCount = 0
    private closed = false

    constructor(
        private schema: GraphQLSchema,
        private execute: LiveExecute,
        private options: LiveOptions,
    ) {
        this.statementSlots = new StatementSlots(options.concurrency ?? 4)
    }

    /** Is this operation a live query (a subscription on a generated query field)? */
    isLive(document: DocumentNode, operationName?: string | null): boolean {
        const op = getOperationAST(document, operationName)
        if (!op || op.operation !== 'subscription') return false
        const first = op.selectionSet.selections[0]
        return first?.kind === Kind.FIELD && isLiveField(this.schema, first.name.value)
    }

    subscribe(args: ExecutionArgs, caller: Caller | undefined): AsyncIterableIterator<ExecutionResult> {
        const operationName = args.operationName ?? undefined
        const variables = (args.variableValues ?? undefined) as Record<string, unknown> | undefined
        const text = print(args.document)
        const key = hash([text, operationName ?? null, variables ?? null, caller?.role ?? null])
        let e = this.entries.get(key)
        if (!e) {
            const groupKey = hash([text, operationName ?? null])
            let g = this.groups.get(groupKey)
            if (!g) this.groups.set(groupKey, (g = new Group(groupKey)))
            const query = asQuery(args.document)
            e = new Entry(key, g, query, variables, operationName, caller, entitiesRead(this.schema, query, variables))
            this.entries.set(key, e)
            g.entries.add(e)
            this.schedule(e)
        }
        const entry = e
        const m = new Member(this.options.queueCapacity, (member) => this.leave(entry, member))
        entry.members.add(m)
        this.memberCount++
        if (entry.last) m.queue.push(entry.last)
        return m
    }

    /** A raw NOTIFY payload of the processor. */
    push(payload: string | undefined): void {
        this.onNotice(parseNotice(payload))
    }

    onNotice(n: Notice): void {
        const backwards = n.height !== undefined && this.lastHeight !== undefined && n.height < this.lastHeight
        if (n.height !== undefined) this.lastHeight = n.height
        const reorg = !!n.reorg || backwards
        for (const e of this.entries.values()) {
            if (!reorg && n.tables && ![...e.entities].some((t) => n.tables!.has(t))) continue
            if (reorg) e.reorg = true
            this.schedule(e)
        }
    }

    /** Re-run every live query (the LISTEN connection came back: commits may have been missed). */
    refreshAll(): void {
        for (const e of this.entries.values()) this.schedule(e)
    }

    /** End every live query with a FEED_LOST error (watchdog.ts). */
    failAll(marker: FeedLost): number {
        let n = 0
        for (const e of [...this.entries.values()]) for (const m of [...e.members]) (m.queue.terminate(marker), n++)
        return n
    }

    get stats(): LiveStats {
        let members = 0
        for (const e of this.entries.values()) members += e.members.size
        return { entries: this.entries.size, members, ...this.counters, ...this.sql }
    }

    close(): void {
        this.closed = true
        for (const e of [...this.entries.values()]) {
            for (const m of [...e.members]) m.queue.end()
            this.drop(e)
        }
    }

    private leave(e: Entry, m: Member): void {
        if (e.members.delete(m)) this.memberCount--
        if (e.members.size === 0) this.drop(e)
    }

    private drop(e: Entry): void {
        e.closed = true
        if (this.entries.get(e.key) === e) this.entries.delete(e.key)
        const g = e.group
        g.entries.delete(e)
        if (g.entries.size === 0) {
            if (g.timer) clearTimeout(g.timer)
            g.timer = undefined
            if (this.groups.get(g.key) === g) this.groups.delete(g.key)
        }
    }

    /** Mark the entry due and arm its group: at once for a first run, else once the group's interval is over. */
    private schedule(e: Entry): void {
        if (e.closed || this.closed) return
        e.pending = true
        if (!e.running) this.arm(e.group, e.lastHash === undefined)
    }

    private arm(g: Group, now: boolean): void {
        if (g.timer && !now) return
        if (g.timer) clearTimeout(g.timer)
        const wait = now ? 0 : Math.max(0, g.lastRunAt + this.options.minIntervalMs - Date.now())
        g.timer = setTimeout(() => {
            g.timer = undefined
            void this.runGroup(g)
        }, wait)
    }

    /** Run every due entry of the group that is not running already, as one multiplexed batch. */
    private async runGroup(g: Group): Promise<void> {
        const due = [...g.entries].filter((e) => e.pending && !e.running && !e.closed)
        if (due.length === 0 || this.closed) return
        g.lastRunAt = Date.now()
        for (const e of due) {
            e.running = true
            e.pending = false
        }
        await this.slot()
        const batch = new StatementBatch(this.types, this.sql, this.statementSlots, { maxTuples: this.options.multiplexMax ?? 100, idleMs: 25, maxRows: 100_000 })
        try {
            this.counters.batches++
            // every member joins before any execution starts: the first round waits for all of them
            const runs = due.map((e) => ({ e, member: batch.member() }))
            await Promise.all(runs.map(({ e, member }) => this.run(e, member)))
        } finally {
            await batch.close()
            this.release()
            let again = false
            for (const e of due) {
                e.running = false
                if (e.pending && !e.closed) again = true
            }
            if (again) this.arm(g, false)
        }
    }

    private async run(e: Entry, member: BatchMember): Promise<void> {
        const reorg = e.reorg
        e.reorg = false
        try {
            if (e.closed) return
            this.counters.executions++
            const result = await this.execute(e.document, e.variables, e.operationName, e.caller, member)
            const h = hash(result)
            const first = e.lastHash === undefined
            if (h === e.lastHash) {
                this.counters.unchanged++
                return
            }
            e.lastHash = h
            e.last = result
            const sent = reorg && !first ? { ...result, extensions: { ...result.extensions, reorg: true } } : result
            this.counters.pushes++
            const fanOut = this.options.fanOut ?? inline
            fanOut(() => {
                for (const m of [...e.members]) m.queue.push(sent)
            })
        } catch (err: any) {
            this.options.log?.('live query failed', { error: err?.message })
        } finally {
            member.done()
        }
    }

    private slot(): Promise<void> {
        if (this.active < (this.options.concurrency ?? 4)) {
            this.active++
            return Promise.resolve()
        }
        return new Promise((resolve) => this.waiting.push(resolve))
    }

    private release(): void {
        const next = this.waiting.shift()
        if (next) next()
        else this.active--
    }
}
