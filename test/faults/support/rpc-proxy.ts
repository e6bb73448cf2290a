/**
 * A JSON-RPC proxy on 127.0.0.1 that sits between the processor and anvil and misbehaves on command:
 *
 *   drop       the connection is destroyed without an answer
 *   delay      the answer comes `delayMs` late
 *   http429    HTTP 429 Too Many Requests (Retry-After: 1)
 *   http500    HTTP 500 Internal Server Error
 *   truncated  HTTP 200 with the first half of the real JSON body (valid HTTP, invalid JSON)
 *   behind     a node that fell behind: its head is frozen at `lagBy` blocks below the head when the fault began;
 *              `latest`/`safe`/`finalized` and eth_blockNumber answer that head, later blocks do not exist (null),
 *              eth_getLogs / trace_block past it fail like geth ("block range extends beyond current head")
 *
 * Requests are single JSON-RPC calls or batches. Every injected fault is counted per kind.
 */
import * as http from 'http'
import type { AddressInfo } from 'net'

export type FaultKind = 'drop' | 'delay' | 'http429' | 'http500' | 'truncated' | 'behind'
export const FAULT_KINDS: FaultKind[] = ['drop', 'delay', 'http429', 'http500', 'truncated', 'behind']

export interface FaultWindow {
    kind: FaultKind
    startedAt: number
    endedAt?: number
    injected: number
}

export class RpcFaultProxy {
    private server?: http.Server
    private agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
    private fault: FaultKind | null = null
    private lagHead = 0
    private readonly target: URL
    requests = 0
    readonly windows: FaultWindow[] = []
    delayMs = 1_500
    lagBy = 4

    constructor(target: string) {
        this.target = new URL(target)
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => this.handle(req, res))
        this.server.keepAliveTimeout = 5_000
        await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
        return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`
    }

    /** Start a fault window (or end the current one with null). */
    async setFault(kind: FaultKind | null): Promise<void> {
        const cur = this.windows[this.windows.length - 1]
        if (cur && cur.endedAt === undefined) cur.endedAt = Date.now()
        if (kind === 'behind') {
            const head = Number((await this.forwardJson({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] })).result)
            this.lagHead = Math.max(0, head - this.lagBy)
        }
        this.fault = kind
        if (kind) this.windows.push({ kind, startedAt: Date.now(), injected: 0 })
    }

    get current(): FaultKind | null {
        return this.fault
    }

    async close(): Promise<void> {
        await this.setFault(null)
        this.agent.destroy()
        if (!this.server) return
        this.server.closeAllConnections()
        await new Promise<void>((resolve) => this.server!.close(() => resolve()))
    }

    private count(): void {
        const w = this.windows[this.windows.length - 1]
        if (w && w.endedAt === undefined) w.injected++
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = []
        req.on('data', (c) => chunks.push(c))
        req.on('end', () => {
            this.requests++
            const body = Buffer.concat(chunks)
            void this.respond(req, res, body).catch(() => {
                if (!res.headersSent) res.writeHead(502).end()
                else res.destroy()
            })
        })
        req.on('error', () => res.destroy())
    }

    private async respond(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
        const fault = this.fault
        switch (fault) {
            case 'drop':
                this.count()
                req.socket.destroy()
                return
            case 'http429':
                this.count()
                res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('Too Many Requests')
                return
            case 'http500':
                this.count()
                res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error')
                return
            case 'delay':
                this.count()
                await new Promise((r) => setTimeout(r, this.delayMs))
                break
        }
        let out: Buffer
        if (fault === 'behind') {
            const parsed = JSON.parse(body.toString('utf8'))
            const calls: any[] = Array.isArray(parsed) ? parsed : [parsed]
            const answers = await Promise.all(calls.map((c) => this.behindCall(c)))
            out = Buffer.from(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]))
        } else {
            out = await this.forwardRaw(body)
        }
        if (fault === 'truncated') {
            this.count()
            // chunked, properly ended: the HTTP exchange is fine, the JSON is cut in half
            res.writeHead(200, { 'content-type': 'application/json' })
            res.end(out.subarray(0, Math.floor(out.length / 2)))
            return
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length }).end(out)
    }

    private async behindCall(call: any): Promise<any> {
        const lag = this.lagHead
        const hex = (n: number) => '0x' + n.toString(16)
        const tag = (v: unknown) => (v === 'latest' || v === 'safe' || v === 'finalized' || v === 'pending' ? lag : typeof v === 'string' && v.startsWith('0x') ? Number(v) : undefined)
        const beyond = (message: string) => {
            this.count()
            return { jsonrpc: '2.0', id: call.id, error: { code: -32000, message } }
        }
        switch (call.method) {
            case 'eth_blockNumber':
                this.count()
                return { jsonrpc: '2.0', id: call.id, result: hex(lag) }
            case 'eth_getBlockByNumber':
            case 'eth_getBlockReceipts':
            case 'trace_block':
            case 'debug_traceBlockByNumber': {
                const n = tag(call.params?.[0])
                if (n !== undefined && n > lag) {
                    if (call.method === 'trace_block' || call.method.startsWith('debug_')) return beyond(`block #${n} not found`)
                    this.count()
                    return { jsonrpc: '2.0', id: call.id, result: null }
                }
                if (n !== undefined && call.params[0] !== hex(n)) {
                    this.count()
                    call = { ...call, params: [hex(n), ...call.params.slice(1)] }
                }
                break
            }
            case 'eth_getLogs': {
                const f = call.params?.[0] ?? {}
                const to = tag(f.toBlock ?? 'latest')
                if (to !== undefined && to > lag) return beyond('block range extends beyond current head block')
                break
            }
        }
        return this.forwardJson(call)
    }

    private forwardJson(call: unknown): Promise<any> {
        return this.forwardRaw(Buffer.from(JSON.stringify(call))).then((b) => JSON.parse(b.toString('utf8')))
    }

    private forwardRaw(body: Buffer): Promise<Buffer> {
        return new Promise((resolve, reject) => {
            const r = http.request(
                {
                    host: this.target.hostname,
                    port: this.target.port,
                    path: this.target.pathname,
                    method: 'POST',
                    agent: this.agent,
                    headers: { 'content-type': 'application/json', 'content-length': body.length },
                    timeout: 60_000,
                },
                (res) => {
                    const chunks: Buffer[] = []
                    res.on('data', (c) => chunks.push(c))
                    res.on('end', () => resolve(Buffer.concat(chunks)))
                    res.on('error', reject)
                },
            )
            r.on('timeout', () => r.destroy(new Error('upstream timeout')))
            r.on('error', reject)
            r.end(body)
        })
    }
}
