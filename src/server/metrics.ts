/**
 * Prometheus metrics of the API server, served on GET /metrics of the same server (prom-client, one registry per
 * server so several servers in one process, as in tests, do not mix). Names and labels: README "API metrics,
 * compression and read replicas"; docs/grafana-api.json charts them.
 *
 * Label cardinality is bounded: operation names come from clients, so the first `maxOperationNames` distinct
 * names are kept and later ones are counted as "other"; error codes likewise (ours are a short fixed list).
 */
import type { IncomingMessage, ServerResponse } from 'http'
import type { Pool } from 'pg'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { sendBody } from './compression'
import type { ResultCache } from './result-cache'

export interface MetricsSources {
    /** pools whose use is reported (primary, replicas, /sql) */
    pools: () => { name: string; pool: Pool }[]
    wsConnections: () => number
    /** active subscriptions (one per subscribe message of a socket) */
    subscriptions: () => number
    /** distinct shared subscription executions */
    sharedExecutions: () => number
    /** live-query work since start (live/engine-options.ts LiveStats) */
    live?: () => { executions: number; statements: number; multiplexed: number }
    /** socket writes of large fan-outs (pubsub/fanout-writer.ts stats) */
    fanOut?: () => { sockets: number; fallbacks: number }
    resultCache?: ResultCache
    /** statements served per read target (db-routing.ts) */
    readTargets?: () => Map<string, number>
    /** seconds behind per replica (replica-lag.ts) */
    replicaLag?: () => Map<string, number>
}

/** Keeps the first `max` distinct values; any later one becomes "other". */
export class LabelCap {
    private seen = new Set<string>()

    constructor(readonly max: number) {}

    get(value: string): string {
        if (this.seen.has(value)) return value
        if (this.seen.size >= this.max) return 'other'
        this.seen.add(value)
        return value
    }
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/
const CODE_IN_TEXT = /"code"\s*:\s*"([A-Z][A-Z0-9_]{0,40})"/g

export interface ApiMetricsOptions {
    /** distinct operation names kept as labels (default 50) */
    maxOperationNames?: number
    /** process metrics (CPU, memory, event loop lag), prefixed api_ (default true) */
    processMetrics?: boolean
}

export class ApiMetrics {
    readonly registry = new Registry()
    readonly requestDuration: Histogram<'transport' | 'type' | 'operation'>
    readonly errors: Counter<'code'>
    readonly notifyPush: Histogram<string>
    private readonly names: LabelCap
    private readonly codes = new LabelCap(40)

    constructor(options: ApiMetricsOptions = {}) {
        const registers = [this.registry]
        this.names = new LabelCap(options.maxOperationNames ?? 50)
        this.requestDuration = new Histogram({
            name: 'api_request_duration_seconds',
            help: 'GraphQL operations (HTTP: whole request incl. cache hits; ws: execution) and /sql requests, by operation type and name',
            labelNames: ['transport', 'type', 'operation'],
            buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            registers,
        })
        this.errors = new Counter({ name: 'api_errors_total', help: 'errors returned to clients, by extensions.code', labelNames: ['code'], registers })
        this.notifyPush = new Histogram({
            name: 'api_notify_push_seconds',
            help: 'processor NOTIFY received by this server -> its change events published to subscribers (the payload carries no commit time)',
            buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            registers,
        })
        if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'api_' })
    }

    /** an operation name as a label value: capped set, "anonymous" for none, "invalid" for non-GraphQL names */
    operationLabel(name: string | null | undefined): string {
        if (!name) return 'anonymous'
        if (!NAME.test(name)) return 'invalid'
        return this.names.get(name)
    }

    observe(transport: 'http' | 'ws', type: string | undefined, name: string | null | undefined, seconds: number): void {
        const t = type === 'query' || type === 'mutation' || type === 'subscription' || type === 'sql' ? type : 'unknown'
        this.requestDuration.observe({ transport, type: t, operation: t === 'sql' ? 'sql' : this.operationLabel(name) }, seconds)
    }

    error(code: string | undefined): void {
        this.errors.inc({ code: this.codes.get(code && /^[A-Z][A-Z0-9_]{0,40}$/.test(code) ? code : 'UNKNOWN') })
    }

    /** Count the `extensions.code`s of an error response (the first 64 KiB of it: where the errors of a capped
     * response are, since `errors` precedes or replaces large `data`). */
    errorsInText(text: string | null | undefined): void {
        if (!text) return
        const head = text.length > 65_536 ? text.slice(0, 65_536) : text
        let any = false
        for (const m of head.matchAll(CODE_IN_TEXT)) {
            this.error(m[1])
            any = true
        }
        if (!any && /"errors"\s*:\s*\[\s*\{/.test(head)) this.error('UNKNOWN')
    }

    /** Gauges read at scrape time from the running server's parts. */
    attach(src: MetricsSources): void {
        const registers = [this.registry]
        // a counter whose value is read from the server's own totals at scrape time
        const counter = (name: string, help: string, read: () => number) =>
            new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()) } })
        new Gauge({
            name: 'api_db_pool_connections',
            help: 'database pool connections by pool and state (total, idle, waiting = clients queued for a connection)',
            labelNames: ['pool', 'state'],
            registers,
            collect() {
                this.reset()
                for (const { name, pool } of src.pools()) {
                    this.set({ pool: name, state: 'total' }, pool.totalCount)
                    this.set({ pool: name, state: 'idle' }, pool.idleCount)
                    this.set({ pool: name, state: 'waiting' }, pool.waitingCount)
                }
            },
        })
        new Gauge({ name: 'api_ws_connections', help: 'open graphql-ws connections', registers, collect() { this.set(src.wsConnections()) } })
        new Gauge({ name: 'api_ws_subscriptions', help: 'active graphql-ws subscriptions (one per subscribe message of a socket)', registers, collect() { this.set(src.subscriptions()) } })
        new Gauge({ name: 'api_live_executions', help: 'shared subscription executions (identical subscriptions share one)', registers, collect() { this.set(src.sharedExecutions()) } })
        const live = src.live
        if (live) {
            counter('api_live_query_executions_total', 'live-query executions (one per shared entry and due commit)', () => live().executions)
            counter('api_live_statements_total', 'SQL statements sent by live queries (a multiplexed statement serving many variable sets counts one)', () => live().statements)
            counter('api_live_multiplexed_total', 'live-query statement results served by a multiplexed statement', () => live().multiplexed)
        }
        const fanOut = src.fanOut
        if (fanOut) {
            counter('api_ws_fanout_thread_writes_total', 'pushes written to their socket by a fan-out writer thread', () => fanOut().sockets)
            counter('api_ws_fanout_fallbacks_total', 'pushes a writer thread could not write whole (full socket buffer, error): written through Node instead', () => fanOut().fallbacks)
        }
        const cache = src.resultCache
        if (cache) {
            counter('api_result_cache_hits_total', 'query responses served from the result cache', () => cache.hits)
            counter('api_result_cache_misses_total', 'cacheable queries not in the result cache', () => cache.misses)
            new Gauge({ name: 'api_result_cache_entries', help: 'responses held by the result cache', registers, collect() { this.set(cache.size) } })
        }
        if (src.replicaLag) this.attachReplicaLag(src.replicaLag)
        const targets = src.readTargets
        if (targets) {
            new Counter({
                name: 'api_db_reads_total',
                help: 'read statements by target (a replica name, or primary when no replica was available)',
                labelNames: ['target'],
                registers,
                collect() {
                    this.reset()
                    for (const [target, n] of targets()) this.inc({ target }, n)
                },
            })
        }
    }

    private attachReplicaLag(lag: () => Map<string, number>): void {
        new Gauge({
            name: 'api_db_replica_lag_seconds',
            help: 'how far each read replica is behind (0: replayed all it received; else age of its last replayed transaction)',
            labelNames: ['replica'],
            registers: [this.registry],
            collect() {
                this.reset()
                for (const [replica, s] of lag()) this.set({ replica }, s)
            },
        })
    }

    /** GET /metrics; with a token configured, only for `Authorization: Bearer <token>`. */
    async handle(req: IncomingMessage, res: ServerResponse, token?: string): Promise<void> {
        if (token && req.headers.authorization !== `Bearer ${token}`) {
            const body = JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: '/metrics needs "Authorization: Bearer <API_METRICS_TOKEN>"' } })
            res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' })
            res.end(body)
            return
        }
        const text = await this.registry.metrics()
        await sendBody(req, res, 200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' }, text)
    }
}
