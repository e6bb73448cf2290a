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
 * subscriptions, see pubsub/shared.ts). Different variables are different entries (one execution each).
 */
import { createHash } from 'crypto'
import { DocumentNode, ExecutionArgs, ExecutionResult, getOperationAST, Kind, OperationDefinitionNode, print, visit, GraphQLSchema } from 'graphql'
import type { Caller } from '../context'
import { FeedLost } from '../pubsub/queue'
import { Member } from '../pubsub/shared'
import { parseNotice, Notice } from '../pubsub/notice'
import { isLiveField } from './live.schema'
import { entitiesRead } from './tables-read'

export type LiveExecute = (document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, caller: Caller | undefined) => Promise<ExecutionResult>

export interface LiveOptions {
    /** a live query runs at most once per this many ms (LIVE_MIN_INTERVAL_MS, default 250) */
    minIntervalMs: number
    /** results queued per subscriber before it is dropped as too slow */
    queueCapacity: number
    /** live queries executing at once (default 4: the API pool serves queries too) */
    concurrency?: number
    log?: (msg: string, fields?: Record<string, unknown>) => void
}

export interface LiveStats {
    /** distinct live queries (shared executions) open now */
    entries: number
    /** subscribers of live queries open now */
    members: number
    /** query executions since start */
    executions: number
    /** results pushed (once per entry and changed result, whatever the number of members) */
    pushes: number
    /** executions whose result equalled the last one sent */
    unchanged: number
}

class Entry {
    readonly members = new Set<Member>()
    last: ExecutionResult | undefined
    lastHash: string | undefined
    running = false
    dirty = false
    reorg = false
    closed = false
    lastRunAt = 0
    timer: NodeJS.Timeout | undefined

    constructor(
        readonly key: string,
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
    private active = 0
    private waiting: (() => void)[] = []
    private lastHeight: number | undefined
    private counters = { executions: 0, pushes: 0, unchanged: 0 }
    /** subscribers of live queries open now */
    memberCount = 0
    private closed = false

    constructor(
        private schema: GraphQLSchema,
        private execute: LiveExecute,
        private options: LiveOptions,
    ) {}

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
        const key = hash([print(args.document), operationName ?? null, variables ?? null, caller?.role ?? null])
        let e = this.entries.get(key)
        if (!e) {
            const query = asQuery(args.document)
            e = new Entry(key, query, variables, operationName, caller, entitiesRead(this.schema, query, variables))
            this.entries.set(key, e)
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
        return { entries: this.entries.size, members, ...this.counters }
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
        if (e.timer) clearTimeout(e.timer)
        e.timer = undefined
        if (this.entries.get(e.key) === e) this.entries.delete(e.key)
    }

    private schedule(e: Entry): void {
        if (e.closed || this.closed) return
        if (e.running) {
            e.dirty = true
            return
        }
        if (e.timer) return
        const wait = Math.max(0, e.lastRunAt + this.options.minIntervalMs - Date.now())
        e.timer = setTimeout(() => {
            e.timer = undefined
            void this.run(e)
        }, wait)
    }

    private async run(e: Entry): Promise<void> {
        if (e.closed) return
        e.running = true
        e.dirty = false
        const reorg = e.reorg
        e.reorg = false
        await this.slot()
        try {
            if (e.closed) return
            e.lastRunAt = Date.now()
            this.counters.executions++
            const result = await this.execute(e.document, e.variables, e.operationName, e.caller)
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
            for (const m of [...e.members]) m.queue.push(sent)
        } catch (err: any) {
            this.options.log?.('live query failed', { error: err?.message })
        } finally {
            this.release()
            e.running = false
            if (e.dirty) this.schedule(e)
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
