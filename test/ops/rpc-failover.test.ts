/**
 * The failover transport (src/rpc/failover.ts) and the processor's forwarder (src/indexer/rpc-failover.ts) against
 * small local HTTP endpoints whose behaviour the test switches: which endpoint answers, when a failed one is tried
 * again, what counts as a failure (and what does not), and what the forwarder tells squid when nothing answers.
 * The end-to-end proof with the processor and the signer is test/faults/rpc-failover.test.ts.
 */
import * as http from 'http'
import type { AddressInfo } from 'net'
import { startRpcForwarder } from '../../src/indexer/rpc-failover'
import { FailoverEvent, FailoverRpc, RpcUnavailableError } from '../../src/rpc/failover'

type Mode = 'ok' | 'http500' | 'hang' | 'notJson' | 'drop' | 'rpcError'

class Endpoint {
    mode: Mode = 'ok'
    hits = 0
    url = ''
    private server = http.createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c) => chunks.push(c))
        req.on('end', () => {
            this.hits++
            const call = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            switch (this.mode) {
                case 'ok':
                    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: this.name }))
                case 'rpcError':
                    return void res.writeHead(200).end(JSON.stringify({ jsonrpc: '2.0', id: call.id, error: { code: 3, message: 'execution reverted' } }))
                case 'http500':
                    return void res.writeHead(500).end('boom')
                case 'notJson':
                    return void res.writeHead(200).end('{"jsonrpc":"2.0","res')
                case 'drop':
                    return void req.socket.destroy()
                case 'hang':
                    return // never answers
            }
        })
    })
    constructor(readonly name: string) {}
    async start(): Promise<this> {
        await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
        return this
    }
    close(): Promise<void> {
        this.server.closeAllConnections()
        return new Promise((r) => this.server.close(() => r()))
    }
}

const call = (id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_blockNumber', params: [] })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let a: Endpoint, b: Endpoint

beforeEach(async () => {
    a = await new Endpoint('a').start()
    b = await new Endpoint('b').start()
})
afterEach(async () => {
    await a.close()
    await b.close()
})

test('the first endpoint serves while it answers; on each kind of failure the next one answers', async () => {
    const events: FailoverEvent[] = []
    const rpc = new FailoverRpc([a.url, b.url], { timeoutMs: 300, recheckMs: 60_000 }, (e) => events.push(e))
    expect((await rpc.post(call())).json).toEqual({ jsonrpc: '2.0', id: 1, result: 'a' })
    for (const mode of ['http500', 'hang', 'notJson', 'drop'] as Mode[]) {
        const fresh = new FailoverRpc([a.url, b.url], { timeoutMs: 300, recheckMs: 60_000 }, (e) => events.push(e))
        a.mode = mode
        const r = await fresh.post(call())
        expect({ mode, result: (r.json as any).result, endpoint: r.endpoint, failedAttempts: r.failedAttempts }).toEqual({ mode, result: 'b', endpoint: 1, failedAttempts: 1 })
    }
    expect(events.map((e) => e.kind === 'failed' && e.reason)).toEqual(['HTTP 500', 'no answer within 300 ms', 'the answer is not JSON', expect.stringMatching(/ECONNRESET|socket|other side closed/i)])
})

test('a JSON-RPC error is the node answer: returned, no failover', async () => {
    const rpc = new FailoverRpc([a.url, b.url], { timeoutMs: 1000, recheckMs: 1000 })
    a.mode = 'rpcError'
    const r = await rpc.post(call())
    expect(r.endpoint).toBe(0)
    expect((r.json as any).error.message).toBe('execution reverted')
    expect(b.hits).toBe(0)
})

test('a failed endpoint rests, then is tried again in its place: traffic comes back to the first', async () => {
    const events: FailoverEvent[] = []
    const rpc = new FailoverRpc([a.url, b.url], { timeoutMs: 1000, recheckMs: 300 }, (e) => events.push(e))
    a.mode = 'http500'
    await rpc.post(call())
    const hitsWhileResting = a.hits
    for (let i = 0; i < 5; i++) expect(((await rpc.post(call())).json as any).result).toBe('b')
    expect(a.hits).toBe(hitsWhileResting) // resting: not even tried
    expect(rpc.stats()[0]).toMatchObject({ failures: 1, resting: true })
    a.mode = 'ok'
    await sleep(350)
    const bHits = b.hits
    for (let i = 0; i < 5; i++) expect(((await rpc.post(call())).json as any).result).toBe('a')
    expect(b.hits).toBe(bHits)
    expect(events.map((e) => `${e.kind}:${e.endpoint}`)).toEqual(['failed:0', 'recovered:0'])
})

test('every endpoint failing: resting ones are tried as a last resort, then a clear error', async () => {
    const rpc = new FailoverRpc([a.url, b.url], { timeoutMs: 1000, recheckMs: 60_000 })
    a.mode = 'http500'
    await rpc.post(call()) // a rests now
    b.mode = 'drop'
    a.mode = 'ok'
    // b (healthy by the book) fails, then a, although resting, is tried and answers
    expect(((await rpc.post(call())).json as any).result).toBe('a')
    a.mode = 'http500'
    await expect(rpc.post(call())).rejects.toThrow(RpcUnavailableError)
    await expect(rpc.post(call())).rejects.toThrow(/every RPC endpoint failed \(2\); last: /)
})

test('forwarder: squid posts to 127.0.0.1 and gets the upstream body; nothing answers → HTTP 503 (squid retries 503)', async () => {
    const fwd = await startRpcForwarder([a.url, b.url], { timeoutMs: 500, recheckMs: 60_000 })
    try {
        expect(fwd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const post = (body: string) => fetch(fwd.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        // a batch goes through as one body
        const batch = JSON.stringify([JSON.parse(call(1)), JSON.parse(call(2))])
        let res = await post(batch)
        expect(res.status).toBe(200)
        a.mode = 'http500'
        res = await post(call(7))
        expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 7, result: 'b' })
        b.mode = 'notJson'
        res = await post(call(8))
        expect(res.status).toBe(503)
        expect(await res.text()).toMatch(/every RPC endpoint failed/)
        expect((await fetch(fwd.url)).status).toBe(405)
    } finally {
        await fwd.close()
    }
})
