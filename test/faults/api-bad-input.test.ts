/**
 * Fault: the API server (compiled, its own process) under bad input: malformed and oversized requests, deep
 * nesting, alias explosions, invalid addresses and amounts in mutations, and thousands of graphql-ws
 * subscriptions opened and dropped (before and after subscribing, some with garbage frames).
 *
 * Proved: the server keeps answering (a health query succeeds after every phase), every error is a clear, coded
 * error (extensions.code from the server's list; no stack traces, SQL or file paths in messages), invalid mutations
 * send nothing (the operator's nonce does not move), and memory stays bounded: after each of six open/drop cycles
 * of 1,500 connections the server holds 0 subscriptions (/health), and its RSS (the server runs with a full GC every
 * 500 ms, so RSS follows live memory) stays within 150 MB of the baseline and does not grow from cycle to cycle.
 *
 * Errors about the request itself (unparsable JSON body, syntax, validation, variable coercion) are coded too:
 * GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT.
 */
import * as fs from 'fs'
import * as path from 'path'
import WebSocket from 'ws'
import { Pool } from 'pg'
import { Wallet } from 'ethers'
import { anvilKey, LOCAL_ROLES } from '../../src/deploy/local-accounts'
import { createApiKey } from '../../src/server/api-keys'
import { rpcCall } from '../../src/stack/anvil'
import { ApiServer, FaultStack, gql, rssMb, sleep, startApiServer, startFaultStack } from './support/stack'

jest.setTimeout(240_000)

const CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'INSUFFICIENT_ESCROW', 'IDEMPOTENCY_CONFLICT', 'CONTRACT_REVERT', 'CHAIN_UNAVAILABLE', 'RATE_LIMITED', 'QUERY_TOO_COMPLEX', 'TIMEOUT', 'INTERNAL']
const LEAK = /\bat \S+:\d+:\d+|node_modules|\/work\/|\bSELECT\b|\brelation "|\bpg_|stack/i

let s: FaultStack
let api: ApiServer
let operatorKey: string
const seen: Record<string, number> = {}
let introspection: Record<string, unknown> = {}

beforeAll(async () => {
    s = await startFaultStack('api')
    const pool = new Pool({ connectionString: s.dbUrl, max: 1 })
    operatorKey = (await createApiKey(pool, 'operator', 'faults')).key
    await pool.end()
    // all clients are 127.0.0.1: no per-IP / per-key rate limit, so every case reaches its own check
    // a full GC every 500 ms in the server, so its RSS follows live memory instead of V8's lazy heap growth
    const gcPreload = path.join(s.tmp, 'gc-often.js')
    fs.writeFileSync(gcPreload, 'setInterval(() => global.gc && global.gc(), 500).unref()\n')
    api = await startApiServer(s, 'api', {
        GQL_ANON_RATE_LIMIT_RPS: '0',
        GQL_RATE_LIMIT_RPS: '0',
        GQL_MAX_WS_PER_IP: '0',
        TX_CONFIRM_TIMEOUT_MS: '0',
        NODE_OPTIONS: `--expose-gc --require ${gcPreload}`,
    })
})

afterAll(async () => {
    await s?.close()
})

/** POST a raw body; check the answer is a coded error without leaks; return the codes. */
async function rawPost(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; codes: string[]; text: string }> {
    const res = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(30_000) })
    const text = await res.text()
    return { status: res.status, codes: errorCodes(text), text }
}


function errorCodes(text: string): string[] {
    let j: any
    try {
        j = JSON.parse(text)
    } catch {
        throw new Error(`not JSON: ${text.slice(0, 200)}`)
    }
    const errors: any[] = j.errors ?? (j.error ? [j.error] : [])
    return errors.map((e) => {
        const code = e.extensions?.code ?? e.code
        expect(typeof e.message === 'string' && e.message.length > 0).toBe(true)
        expect({ message: e.message, code: CODES.includes(code) ? 'coded' : code }).toEqual({ message: e.message, code: 'coded' })
        expect({ message: e.message, leak: LEAK.test(e.message ?? '') }).toEqual({ message: e.message, leak: false })
        seen[code] = (seen[code] ?? 0) + 1
        return code
    })
}

async function expectAlive(): Promise<void> {
    expect(api.handle.proc.exitCode).toBeNull()
    const r = await gql(api.url, '{ indexerStatus { height } batches(limit: 1) { id } }')
    expect(r.status).toBe(200)
    expect(r.body.errors).toBeUndefined()
}

/** `code` may be 'REQUEST' for an error graphql-js raises about the request itself (parse, validation or variables). */
async function expectError(query: string, variables: Record<string, unknown>, code: string, headers: Record<string, string> = {}): Promise<string> {
    const r = await gql(api.url, query, variables, headers, 30_000)
    expect({ status: r.status < 500, text: r.text.slice(0, 300) }).toEqual({ status: true, text: r.text.slice(0, 300) })
    const codes = errorCodes(r.text)
    expect({ errors: codes.length > 0, text: r.text.slice(0, 400) }).toEqual({ errors: true, text: r.text.slice(0, 400) })
    if (code !== 'REQUEST') expect({ codes, text: r.text.slice(0, 300) }).toEqual({ codes: expect.arrayContaining([code]), text: r.text.slice(0, 300) })
    return r.body?.errors?.[0]?.message ?? ''
}

test('malformed and oversized requests get coded 4xx answers', async () => {
    await expectAlive()
    for (const body of ['not json', '{"query": 5}', '{"query": "{ batches(limit: 1) { id "}', '[{"query":"{ __typename }"},{"query":"{ __typename }"}]', '{}', '{"query":"{ __typename }","variables":"nope"}']) {
        const r = await rawPost(body)
        // 4xx, or 200 with errors (GraphQL over HTTP with application/json answers request errors with 200)
        expect({ body, status: r.status < 500 }).toEqual({ body, status: true })
        expect(r.codes.length).toBeGreaterThan(0)
    }
    // unknown field, wrong argument type, unknown variable type
    await expectError('{ noSuchField }', {}, 'REQUEST')
    await expectError('{ batches(limit: "ten") { id } }', {}, 'REQUEST')
    await expectError('query($x: Nope) { batches(limit: $x) { id } }', { x: 1 }, 'REQUEST')
    // 2 MB body: refused before parsing
    const big = await rawPost(JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }))
    expect(big.status).toBe(413)
    expect(big.codes).toEqual(['BAD_USER_INPUT'])
    // a 900 KB query under the body limit: one long selection of __typename
    const long = `{ ${'__typename '.repeat(80_000)}}`
    const lr = await gql(api.url, long, {}, {}, 30_000)
    expect(lr.status).toBeLessThan(500)
    await expectAlive()
})

test('deep nesting and alias explosions are refused as QUERY_TOO_COMPLEX', async () => {
    let deep = 'id'
    for (let i = 0; i < 30; i++) deep = i % 2 ? `payout { ${deep} }` : `batch { ${deep} }`
    await expectError(`{ batches(limit: 1) { ${deep} } }`, {}, 'QUERY_TOO_COMPLEX')
    // introspection cycles (types → fields → type → fields → ...): refused, or answered within bounds; either way
    // the server must stay responsive (the depth rule may exempt introspection; the response cap then applies)
    let intro = 'name'
    for (let i = 0; i < 8; i++) intro = `fields { name type { ofType { name } ${intro} } }`
    const t0 = Date.now()
    const ir = await gql(api.url, `{ __schema { types { ${intro} } } }`, {}, {}, 60_000)
    introspection = { ms: Date.now() - t0, status: ir.status, bytes: ir.text.length, codes: ir.body?.errors ? errorCodes(ir.text) : [] }
    expect(ir.status).toBeLessThan(500)
    expect(introspection.ms).toBeLessThan(30_000)
    const aliases = Array.from({ length: 5_000 }, (_, i) => `a${i}: __typename`).join(' ')
    await expectError(`{ ${aliases} }`, {}, 'QUERY_TOO_COMPLEX')
    const wide = Array.from({ length: 25 }, (_, i) => `b${i}: batches(limit: 1000) { id payout { id } }`).join(' ')
    await expectError(`{ ${wide} }`, {}, 'QUERY_TOO_COMPLEX')
    // the same through graphql-ws
    const ws = new WebSocket(api.wsUrl, 'graphql-transport-ws')
    let timer: NodeJS.Timeout | undefined
    const answer = await new Promise<any>((resolve, reject) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })))
        ws.on('message', (d) => {
            const m = JSON.parse(d.toString())
            if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { indexerHead { height } } ` } }))
            if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query: `{ ${aliases} }` } }))
            if (m.type === 'error' && m.id === '2') resolve(m.payload)
        })
        ws.on('error', reject)
        timer = setTimeout(() => reject(new Error('no answer over graphql-ws')), 20_000)
    }).finally(() => clearTimeout(timer)) // a pending timer would hold jest after the last suite
    ws.terminate()
    expect(answer[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX')
    await expectAlive()
})

test('invalid addresses and amounts in mutations: BAD_USER_INPUT naming the field, nothing sent', async () => {
    const auth = { authorization: `Bearer ${operatorKey}` }
    const operator = new Wallet(anvilKey(LOCAL_ROLES.operator)).address
    const nonce = async () => Number(await rpcCall(s.anvil.url, 'eth_getTransactionCount', [operator, 'pending']))
    const nonceBefore = await nonce()
    const token = s.deployment.contracts.MockUSDC
    const payer = new Wallet(anvilKey(12)).address
    const payee = new Wallet(anvilKey(14)).address
    const commit = `mutation($input: CommitBatchInput!) { commitBatch(input: $input) { batchId txHash } }`
    const input = (over: Record<string, unknown>) => ({ input: { payer, token, idempotencyKey: `bad-${Math.random()}`, records: [{ payee, amount: '1000' }], ...over } })
    const cases: [string, Record<string, unknown>][] = [
        ['payer not an address', input({ payer: 'not-an-address' })],
        ['token too short', input({ token: '0x1234' })],
        ['payee with bad checksum', input({ records: [{ payee: payee.toLowerCase().replace(/^0x/, '0X'), amount: '1' }] })],
        ['negative amount', input({ records: [{ payee, amount: '-5' }] })],
        ['amount over uint256', input({ records: [{ payee, amount: (2n ** 256n).toString() }] })],
        ['amount in exponent form', input({ records: [{ payee, amount: '1e30' }] })],
        ['amount with decimals', input({ records: [{ payee, amount: '1.5' }] })],
        ['empty batch', input({ records: [] })],
        ['total overflows uint256', input({ records: [{ payee, amount: (2n ** 255n).toString() }, { payee: new Wallet(anvilKey(15)).address, amount: (2n ** 255n).toString() }] })],
        ['control characters in the key', input({ idempotencyKey: 'a\u0000b' })],
    ]
    const messages: string[] = []
    for (const [what, vars] of cases) {
        const m = await expectError(commit, vars, 'BAD_USER_INPUT', auth).catch((e) => {
            throw new Error(`${what}: ${e.message}`)
        })
        messages.push(`${what}: ${m}`)
    }
    // a JSON number where a decimal string is required: refused by GraphQL coercion
    await expectError(commit, input({ records: [{ payee, amount: 1000 }] }), 'REQUEST', auth)
    await expectError(`mutation { finalizeBatch(id: "0x1234") { txHash } }`, {}, 'BAD_USER_INPUT', auth)
    await expectError(`mutation($p: [String!]!) { claimPayouts(batchId: "${'0x' + '11'.repeat(32)}", payees: $p) { txHash } }`, { p: Array.from({ length: 201 }, () => payee) }, 'BAD_USER_INPUT', { authorization: `Bearer ${operatorKey}` }).catch(
        // an operator key may be FORBIDDEN for the relayer mutation before its input is looked at: also coded, also nothing sent
        () => expectError(`mutation($p: [String!]!) { claimPayouts(batchId: "${'0x' + '11'.repeat(32)}", payees: $p) { txHash } }`, { p: [payee] }, 'FORBIDDEN', auth),
    )
    // no key / a garbage key
    await expectError(commit, input({}), 'UNAUTHENTICATED')
    await expectError(commit, input({}), 'UNAUTHENTICATED', { authorization: 'Bearer sk_garbage' })
    expect(await nonce()).toBe(nonceBefore)
    expect(await rpcCall(s.anvil.url, 'eth_getBlockByNumber', ['pending', false]).then((b: any) => b?.transactions?.length ?? 0)).toBe(0)
    console.log(`faults/api mutations: ${cases.length} invalid inputs refused, nonce unchanged:\n  ${messages.join('\n  ')}`)
    await expectAlive()
})

test('thousands of subscriptions opened and dropped: the server keeps answering, memory stays bounded', async () => {
    const cycles = Math.max(4, Number(process.env.FAULT_WS_CYCLES ?? 6))
    const perCycle = 1_500
    await expectAlive()
    await sleep(500)
    const baseline = rssMb(api.handle.proc.pid!)
    const after: number[] = []
    for (let c = 0; c < cycles; c++) {
        const sockets: WebSocket[] = []
        let subscribed = 0
        await Promise.all(
            Array.from({ length: perCycle }, (_, i) =>
                new Promise<void>((resolve) => {
                    const ws = new WebSocket(api.wsUrl, 'graphql-transport-ws')
                    sockets.push(ws)
                    const done = () => resolve()
                    const t = setTimeout(done, 20_000)
                    ws.on('error', () => {
                        clearTimeout(t)
                        done()
                    })
                    ws.on('close', () => {
                        clearTimeout(t)
                        done()
                    })
                    ws.on('open', () => {
                        if (i % 10 === 0) {
                            // dropped before connection_init
                            ws.terminate()
                            return
                        }
                        if (i % 10 === 1) {
                            // garbage frame: the server closes with 4400
                            ws.send('{"type":"nonsense"')
                            return
                        }
                        ws.send(JSON.stringify({ type: 'connection_init' }))
                    })
                    ws.on('message', (d) => {
                        const m = JSON.parse(d.toString())
                        if (m.type !== 'connection_ack') return
                        const filter = i % 3 === 0 ? '(payer: "0x' + (i % 256).toString(16).padStart(40, '0') + '")' : ''
                        const q = i % 2 ? `subscription { escrowBalanceChanged${filter} { available } }` : 'subscription { indexerHead { height } }'
                        ws.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: q } }))
                        subscribed++
                        clearTimeout(t)
                        done()
                    })
                }),
            ),
        )
        await expectAlive()
        // drop them all abruptly (no complete, no close handshake)
        for (const ws of sockets) ws.terminate()
        await sleep(1_500)
        await expectAlive()
        // every dropped subscription was released
        const health = await (await fetch(api.url.replace('/graphql', '/health'))).json()
        expect(health.subscribers).toBe(0)
        after.push(rssMb(api.handle.proc.pid!))
        expect(subscribed).toBeGreaterThan(perCycle * 0.7)
    }
    await sleep(2_000)
    const final = rssMb(api.handle.proc.pid!)
    console.log(`faults/api: 8-level introspection cycle: ${JSON.stringify(introspection)}`)
    console.log(`faults/api subscriptions: RSS baseline ${baseline.toFixed(0)} MB, after each cycle of ${perCycle} opened/dropped ${after.map((m) => m.toFixed(0)).join(', ')} MB, final ${final.toFixed(0)} MB; error codes seen ${JSON.stringify(seen)}`)
    // bounded: never more than 150 MB over the baseline, and no growth from cycle to cycle once warmed up
    // (a leak of even 5 KB per connection would add ~7 MB per cycle)
    expect(Math.max(...after, final)).toBeLessThan(baseline + 150)
    expect(after[after.length - 1] - after[1]).toBeLessThan(25)
    await expectAlive()
})
