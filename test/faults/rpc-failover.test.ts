/**
 * Fault: RPC failover (RPC_URL="flapping,dead,healthy"). Three endpoints in this order of preference: a fault proxy
 * in front of anvil that keeps failing and recovering (dropped connections, answers later than RPC_TIMEOUT_MS,
 * HTTP 429, HTTP 500, truncated JSON), a port where nothing listens, and a clean proxy in front of anvil.
 *
 * Proved, for the processor (in-process forwarder, src/indexer/rpc-failover.ts):
 * - it never exits, not even on HTTP 500 / truncated JSON, which are fatal for squid talking to one endpoint
 *   (rpc-faults.test.ts): a failed attempt moves to the next endpoint;
 * - the healthy endpoint carries the traffic while the first fails, and traffic comes back to the first once it
 *   answers again (the healthy one then gets nothing);
 * - the index ends equal to the chain: reconcile 0 mismatches;
 * - each incident is logged, a bounded number of lines (per state change, not per request).
 * And for the mutation signer (src/server/chain/failover-provider.ts): reads and transactions sent while the first
 * endpoint flaps all succeed, with consecutive nonces, every transaction mined once.
 */
import { FaultKind, RpcFaultProxy } from './support/rpc-proxy'
import { expectReconciled, FaultStack, freezeChain, rng, simulate, sleep, startFaultStack, stopProcessor, waitCaughtUp } from './support/stack'
import * as http from 'http'
import type { AddressInfo } from 'net'
import { rpcCall } from '../../src/stack/anvil'
import { freePort } from '../../src/stack/util'
import { SettlementChain } from '../../src/server/chain/settlement-chain'
import { anvilKey } from '../../src/deploy/local-accounts'
import type { FailoverEvent } from '../../src/rpc/failover'

jest.setTimeout(300_000)

const SEED = Number(process.env.FAULT_SEED ?? 15_2026)
const FLAP_KINDS: FaultKind[] = ['drop', 'delay', 'http429', 'http500', 'truncated']
const TIMEOUT_MS = 1_500

let s: FaultStack
let flapping: RpcFaultProxy
let healthy: RpcFaultProxy
let urls: string[]

beforeAll(async () => {
    s = await startFaultStack('rpc-failover')
    flapping = new RpcFaultProxy(s.anvil.url)
    flapping.delayMs = TIMEOUT_MS * 2 // an answer that comes after the attempt's timeout
    healthy = new RpcFaultProxy(s.anvil.url)
    const dead = `http://127.0.0.1:${await freePort()}`
    urls = [await flapping.start(), dead, await healthy.start()]
})

afterAll(async () => {
    await flapping?.close()
    await healthy?.close()
    await s?.close()
})

/** Alternate fault and clean windows on the flapping endpoint (each kind twice, seeded order) while `during` runs. */
async function flap(rand: () => number): Promise<FaultKind[]> {
    const schedule = [...FLAP_KINDS, ...FLAP_KINDS].sort(() => rand() - 0.5)
    for (const kind of schedule) {
        await sleep(1_000 + rand() * 1_500)
        await flapping.setFault(kind)
        await sleep(1_500 + rand() * 1_500)
        await flapping.setFault(null)
    }
    return schedule
}

test('processor: one endpoint dead, one flapping → never exits, comes back to the first, index equals the chain', async () => {
    await simulate(s, 5_000, 31)
    const env = { RPC_URL: urls.join(','), RPC_TIMEOUT_MS: String(TIMEOUT_MS), RPC_RECHECK_MS: '500' }
    const p = await s.launch('p-failover', env)
    await waitCaughtUp(s.dbUrl, s.anvil.url, 90_000, p)

    const rand = rng(SEED)
    let stop = false
    const sim = simulate(s, 150_000, 32, { stop: () => stop })
    const healthyBefore = healthy.requests
    let schedule: FaultKind[]
    try {
        schedule = await flap(rand)
    } finally {
        stop = true
        await sim
    }
    expect(p.proc.exitCode).toBeNull()
    expect(p.proc.signalCode).toBeNull()
    // every incident failed some requests, and the healthy endpoint took them over
    expect(flapping.windows.filter((w) => w.injected === 0).map((w) => w.kind)).toEqual([])
    expect(healthy.requests).toBeGreaterThan(healthyBefore)

    // back to the first: once it has answered for a while, the healthy endpoint gets nothing
    await sleep(2_000)
    const [f0, h0] = [flapping.requests, healthy.requests]
    await sleep(3_000)
    expect(flapping.requests).toBeGreaterThan(f0)
    expect(healthy.requests).toBe(h0)

    await freezeChain(s)
    const head = await waitCaughtUp(s.dbUrl, s.anvil.url, 120_000, p)
    await stopProcessor(p)

    const out = p.output()
    const failed = out.split('\n').filter((l) => /RPC endpoint \d \(.*\) failed/.test(l))
    const recovered = out.split('\n').filter((l) => /RPC endpoint 1 \(.*\) answers again/.test(l))
    expect(out).toMatch(/RPC endpoint 2 \(http:\/\/127\.0\.0\.1:\d+\) failed: ECONNREFUSED/)
    expect(recovered.length).toBeGreaterThanOrEqual(1)
    // one line per state change of an endpoint, not one per failed request
    expect(failed.length).toBeLessThanOrEqual(schedule.length * 6 + 10)

    const r = await expectReconciled(s)
    console.log(
        `faults/rpc-failover: seed ${SEED}; schedule ${schedule.join(',')}; flapping endpoint ${flapping.requests} requests ` +
            `(${flapping.windows.reduce((n, w) => n + w.injected, 0)} failed on purpose), healthy endpoint ${healthy.requests}; ` +
            `${failed.length} "failed" / ${recovered.length} "answers again" lines; head ${head.height}; reconcile ${r.checked} checked, 0 mismatches`,
    )
})

test('signer: reads and transactions while the first endpoint flaps all succeed, each transaction mined once', async () => {
    const events: FailoverEvent[] = []
    const chain = new SettlementChain({
        rpcUrl: urls[0],
        rpcUrls: urls,
        failover: { timeoutMs: TIMEOUT_MS, recheckMs: 300 },
        onFailover: (e) => events.push(e),
        deployment: s.deployment,
        keys: { operator: anvilKey(1) },
        pollMs: 100,
    })
    const rand = rng(SEED + 1)
    let stop = false
    const flapper = (async () => {
        while (!stop) {
            await flapping.setFault(FLAP_KINDS[Math.floor(rand() * FLAP_KINDS.length)])
            await sleep(400 + rand() * 600)
            await flapping.setFault(null)
            await sleep(400 + rand() * 600)
        }
    })()
    const sent: { hash: string; nonce: number }[] = []
    try {
        const token = s.deployment.contracts.MockUSDC
        for (let i = 0; i < 12; i++) {
            await chain.escrowAccount('0x' + '11'.repeat(20), token)
            const tx = await chain.sender('operator').send(async () => ({ to: '0x' + (0xa0 + i).toString(16).padStart(40, '0'), data: '0x', gasLimit: 21_000n }))
            sent.push({ hash: tx.hash, nonce: tx.nonce })
        }
    } finally {
        stop = true
        await flapper
        await flapping.setFault(null)
    }
    // consecutive nonces, every hash mined (none lost, none replaced)
    expect(sent.map((t) => t.nonce - sent[0].nonce)).toEqual([...Array(12).keys()])
    for (const t of sent) {
        const rc = await chain.waitForReceipt(t.hash, 30_000)
        expect(rc?.status).toBe(1)
    }
    expect(events.some((e) => e.kind === 'failed' && e.endpoint === 0)).toBe(true)
    chain.destroy()
})

test('signer: a broadcast mined but cut off is not sent again under the next nonce (the next endpoint says "nonce too low")', async () => {
    // an endpoint that delivers each broadcast to anvil, has it mined, and then drops the connection without an answer
    let cut = 0
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c) => chunks.push(c))
        req.on('end', async () => {
            const body = Buffer.concat(chunks).toString('utf8')
            const answer = await fetch(s.anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text())
            if (!body.includes('eth_sendRawTransaction')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(answer)
            await rpcCall(s.anvil.url, 'evm_mine', [])
            cut++
            req.socket.destroy()
        })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const cutter = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const chain = new SettlementChain({
        rpcUrl: cutter,
        rpcUrls: [cutter, urls[2]],
        failover: { timeoutMs: TIMEOUT_MS, recheckMs: 1 },
        onFailover: () => undefined,
        deployment: s.deployment,
        keys: { operator: anvilKey(1) },
        pollMs: 100,
    })
    const sent: { hash: string; nonce: number }[] = []
    try {
        for (let i = 0; i < 4; i++) {
            const tx = await chain.sender('operator').send(async () => ({ to: '0x' + (0xc0 + i).toString(16).padStart(40, '0'), data: '0x', gasLimit: 21_000n }))
            sent.push({ hash: tx.hash, nonce: tx.nonce })
        }
    } finally {
        server.closeAllConnections()
        server.close()
    }
    expect(cut).toBe(4)
    // one transaction per send, consecutive nonces: none was signed again under the next nonce
    expect(sent.map((t) => t.nonce - sent[0].nonce)).toEqual([0, 1, 2, 3])
    for (const t of sent) expect((await chain.waitForReceipt(t.hash, 30_000))?.status).toBe(1)
    const count = Number(await rpcCall(s.anvil.url, 'eth_getTransactionCount', [chain.sender('operator').address, 'latest']))
    expect(count).toBe(sent[3].nonce + 1)
    chain.destroy()
})
