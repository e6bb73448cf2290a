/**
 * The whole settlement flow through the real stack, the way a bot, a payee and a live client use it:
 *
 *   anvil (1 s blocks) + embedded Postgres (temp dir, random port) + the protocol deployed (disputeWindow 5 s)
 *   + the migrations + the compiled processor as a child (`node lib/main.js`) + the API server in-process
 *   (`startServer`, signer keys = the chain-31337 defaults: operator anvil 1, relayer anvil 2).
 *
 * 1. API keys (operator, relayer, read-only) with createApiKey.
 * 2. A payer (anvil 20) registers as AI platform, takes MockUSDC from the faucet, approves and deposits.
 * 3. graphql-ws clients subscribe to batchUpdated(id) and payoutClaimed(payee) before anything is committed.
 * 4. commitBatch without a key → UNAUTHENTICATED, with the read-only key → FORBIDDEN; nothing sent or stored.
 * 5. commitBatch with the operator key (500 records, 20 payees) → CONFIRMED; the same idempotencyKey again
 *    (sequentially, then 3 at once) → the same result, replayed, one transaction in all.
 * 6. Indexed (batchById: COMMITTED, root, total, records) and pushed over graphql-ws (latency logged).
 * 7. After the dispute window: finalizeBatch → indexed FINALIZED, pushed.
 * 8. A payee claims on chain with the amount and proof from payoutProof, with its own key; the claim is indexed
 *    and pushed to the client filtered on that payee, not to the one filtered on another payee.
 * 9. claimPayouts for three more payees with the relayer key → claims indexed and pushed.
 * 10. claimableBalance: 0 for a claimed payee, the leaf amount for an unclaimed one.
 * 11. reconcile (the code of `npm run reconcile`) → 0 mismatches.
 * 12. graphql-http serverAudits against this live server: every MUST passes.
 *
 * E2E_LOGS=1 echoes the stack's and the processor's output; E2E_KEEP=1 keeps the temp dir.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { Client as WsClient, createClient } from 'graphql-ws'
import { serverAudits } from 'graphql-http'
import { Pool } from 'pg'
import WebSocket from 'ws'
import { contract } from '../../src/contracts'
import { deployAll } from '../../src/deploy/deploy'
import { Deployment, writeDeployment } from '../../src/deploy/deployments'
import { anvilKey, LOCAL_ROLES } from '../../src/deploy/local-accounts'
import { localDeployOptions } from '../../src/deploy/local-options'
import { applyMigrations } from '../../src/indexer/migrations'
import { reconcile } from '../../src/reconcile'
import { createApiKey } from '../../src/server/api-keys'
import { SettlementChain } from '../../src/server/chain/settlement-chain'
import { RunningServer, startServer } from '../../src/server'
import { batchIdFromKey, LEAF_ENCODING } from '../../src/settlement/batch-builder'
import { Anvil, rpcCall, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/stack/postgres'
import { ManagedProcess, runNodeProcess } from '../../src/stack/processes'
import { freePort } from '../../src/stack/util'
import { data, firstError, gql } from '../server/support/stack'
import { ensureLib } from './support/lib'

jest.setTimeout(240_000)

const ROOT = path.resolve(__dirname, '../..')
const CHAIN_ID = 31337
const USDC = 1_000_000n
const PAYER_INDEX = 20
const FIRST_PAYEE_INDEX = 30
const PAYEE_COUNT = 20
const RECORDS = 500
const DISPUTE_WINDOW = 5
const VERBOSE = !!process.env.E2E_LOGS

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
/** A bound for Promise.race that does not keep jest alive once the race is won. */
const bound = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

// ---------------------------------------------------------------------------
// the stack

let tmp: string | undefined
let pg: EmbeddedPostgres | undefined
let anvil: Anvil | undefined
let processor: ManagedProcess | undefined
let server: RunningServer | undefined
let pool: Pool | undefined
let provider: JsonRpcProvider | undefined
let deployment: Deployment
let deploymentsFile: string
const wsClients: WsClient[] = []
const stackLogs: string[] = []
const processorLines: string[] = []
let clock: BlockClock | undefined

function note(line: string) {
    if (stackLogs.length < 5_000) stackLogs.push(line)
    if (VERBOSE) process.stdout.write(line + '\n')
}

/** First time (performance.now()) each block number was seen at `latest`, polled every `everyMs`. */
class BlockClock {
    readonly seen = new Map<number, number>()
    private stopped = false
    private loop: Promise<void>

    constructor(rpcUrl: string, everyMs = 40) {
        this.loop = (async () => {
            while (!this.stopped) {
                try {
                    const n = Number(await rpcCall(rpcUrl, 'eth_blockNumber', [], 2_000))
                    if (!this.seen.has(n)) this.seen.set(n, performance.now())
                } catch {
                    // anvil busy or stopping: next round
                }
                await sleep(everyMs)
            }
        })()
    }

    async stop() {
        this.stopped = true
        await this.loop
    }
}

// ---------------------------------------------------------------------------
// GraphQL over HTTP and graphql-ws

const keys: { operator: string; relayer: string; readOnly: string } = { operator: '', relayer: '', readOnly: '' }
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

async function query(source: string, variables?: Record<string, unknown>, key = keys.readOnly): Promise<any> {
    return data(await gql(server!.url, source, variables, key ? bearer(key) : {}))
}

/** Poll `fn` until it returns a value other than undefined (condition-based waits only). */
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
    const deadline = Date.now() + timeoutMs
    let last: unknown
    for (;;) {
        try {
            const v = await fn()
            if (v !== undefined) return v
        } catch (e) {
            last = e
        }
        if (processor && !processor.running) throw new Error(`processor exited while waiting for ${what}:\n${processorLines.slice(-40).join('\n')}`)
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as any)?.message ?? last})` : ''}\n` + processorLines.slice(-20).join('\n'))
        }
        await sleep(everyMs)
    }
}

interface Recorded<T> {
    at: number
    value: { data?: T | null; errors?: readonly unknown[] }
}

/** One graphql-ws subscription: every message with its arrival time (performance.now()). */
class Recording<T = any> {
    readonly events: Recorded<T>[] = []
    error: unknown
    completed = false
    private waiters: (() => void)[] = []
    readonly dispose: () => void

    constructor(client: WsClient, query: string, variables?: Record<string, unknown>) {
        this.dispose = client.subscribe<T>(
            { query, variables },
            {
                next: (value) => {
                    this.events.push({ at: performance.now(), value })
                    this.wake()
                },
                error: (e) => {
                    this.error = e
                    this.wake()
                },
                complete: () => {
                    this.completed = true
                    this.wake()
                },
            },
        )
    }

    private wake() {
        for (const w of this.waiters.splice(0)) w()
    }

    /** The first recorded event matching `pred` (waits for it). */
    async waitFor(what: string, pred: (data: T) => boolean, timeoutMs = 30_000): Promise<Recorded<T>> {
        const deadline = Date.now() + timeoutMs
        for (;;) {
            for (const e of this.events) {
                if (e.value.errors?.length) throw new Error(`${what}: subscription error ${JSON.stringify(e.value.errors)}`)
                if (e.value.data && pred(e.value.data)) return e
            }
            if (this.error) throw new Error(`${what}: subscription failed: ${JSON.stringify(this.error, Object.getOwnPropertyNames(this.error as object))}`)
            if (this.completed) throw new Error(`${what}: subscription completed early`)
            const left = deadline - Date.now()
            if (left <= 0) throw new Error(`${what}: no matching event in ${timeoutMs} ms; had ${JSON.stringify(this.events.map((e) => e.value))}`)
            await new Promise<void>((resolve) => {
                const t = setTimeout(resolve, Math.min(left, 1_000))
                this.waiters.push(() => {
                    clearTimeout(t)
                    resolve()
                })
            })
        }
    }

    data(): T[] {
        return this.events.map((e) => e.value.data!).filter(Boolean)
    }
}

function wsClient(key?: string): WsClient {
    const c = createClient({
        url: server!.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: key ? { authorization: `Bearer ${key}` } : undefined,
        retryAttempts: 0,
        lazy: true,
    })
    wsClients.push(c)
    return c
}

// ---------------------------------------------------------------------------
// chain helpers

async function receipt(hash: string, timeoutMs = 30_000) {
    const r = await until(`receipt of ${hash}`, async () => (await provider!.getTransactionReceipt(hash)) ?? undefined, timeoutMs, 100)
    return r
}

async function operatorNonces(): Promise<{ latest: number; pending: number }> {
    const operator = deployment.roles.operator
    const [latest, pending] = await Promise.all([provider!.getTransactionCount(operator, 'latest'), provider!.getTransactionCount(operator, 'pending')])
    return { latest, pending }
}

async function latestBlock(): Promise<{ number: number; timestamp: number }> {
    const b = await rpcCall(anvil!.url, 'eth_getBlockByNumber', ['latest', false])
    return { number: Number(b.number), timestamp: Number(b.timestamp) }
}

// ---------------------------------------------------------------------------

beforeAll(async () => {
    setLogSink(note)
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'settlement-e2e-'))
    fs.chmodSync(tmp, 0o755) // as root, Postgres runs as "postgres" and must traverse it
    const dir = tmp
    const t0 = Date.now()
    // every handle is kept as soon as it exists, so afterAll stops whatever did start
    const started = await Promise.allSettled([
        (async () => ensureLib())(),
        freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'squid', noFsync: true })).then((p) => void (pg = p)),
        freePort().then((port) => startAnvil({ port, blockTime: 1, accounts: 60 })).then((a) => void (anvil = a)),
    ])
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) throw failed.reason
    provider = new JsonRpcProvider(anvil!.url, CHAIN_ID, { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100 })

    const [dep] = await Promise.all([deployAll(localDeployOptions(anvil!.url, { disputeWindow: DISPUTE_WINDOW })), applyMigrations(pg!.url)])
    deployment = dep
    deploymentsFile = writeDeployment(deployment, path.join(dir, `${CHAIN_ID}.json`))
    pool = new Pool({ connectionString: pg!.url, max: 4 })
    pool.on('error', () => undefined) // idle clients cut when Postgres stops at the end
    const gin = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'api' AND indexname = 'batch_leaves_leaves_gin'`)
    expect(gin.rows[0]?.indexdef).toMatch(/USING gin \(leaves jsonb_path_ops\)/)

    // the processor as a child: external-chain config (RPC_URL) against anvil, migrations already applied
    processor = runNodeProcess('processor', 'lib/main.js', {
        cwd: ROOT,
        env: {
            DB_URL: pg!.url,
            DATABASE_URL: '', // would win over DB_URL if the caller's environment had one
            RPC_URL: anvil!.url,
            CHAIN_ID: String(CHAIN_ID),
            DEPLOYMENTS_FILE: deploymentsFile,
            FINALITY_CONFIRMATIONS: '2',
            RPC_HEAD_POLL_MS: '200',
            PROMETHEUS_PORT: String(await freePort()),
            SKIP_MIGRATIONS: 'true',
            START_BLOCK: '',
        },
        stopSignal: 'SIGTERM',
        critical: false,
        output: (line) => {
            if (processorLines.length < 20_000) processorLines.push(line)
            if (VERBOSE) process.stdout.write(`[processor] ${line}\n`)
        },
    })

    server = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: pg!.url,
        rpcUrl: anvil!.url,
        log: (level, message, fields) => note(`[api] ${level} ${message}${fields ? ' ' + JSON.stringify(fields) : ''}`),
        // the audit suite and the polling below are anonymous / read-only: not what this test is about
        rateLimit: { anonymous: { perSecond: 10_000, burst: 10_000 } },
        mutations: {
            confirmTimeoutMs: 60_000, // CONFIRMED, not SUBMITTED, even on a loaded machine
            // the server's own env path (SettlementChain.fromEnv) with an explicit env: no SIGNER_KEY / RELAYER_KEY,
            // so chain 31337's defaults sign (operator = anvil 1, relayer = anvil 2)
            chain: () => SettlementChain.fromEnv({ RPC_URL: anvil!.url, CHAIN_ID: String(CHAIN_ID), DEPLOYMENTS_FILE: deploymentsFile }),
            log: (m, e) => note(`[mutations] ${m} ${e instanceof Error ? e.stack : e ?? ''}`),
        },
    })
    clock = new BlockClock(anvil!.url)
    console.log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (deployed at block ${deployment.startBlock})`)
})

afterAll(async () => {
    for (const c of wsClients.splice(0)) await Promise.resolve(c.dispose()).catch(() => undefined)
    await clock?.stop().catch(() => undefined)
    await server?.close().catch((e) => note(`server close failed: ${e}`))
    if (processor) {
        await Promise.race([processor.stop('SIGTERM'), bound(15_000)]).catch(() => undefined)
        if (processor.running) processor.kill()
        await Promise.race([processor.exited, bound(5_000)])
    }
    provider?.destroy()
    await pool?.end().catch(() => undefined)
    if (anvil) await anvil.stop().catch(() => anvil!.kill())
    if (pg) await pg.stop().catch(() => pg!.kill())
    setLogSink(null)
    if (tmp && !process.env.E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true })
})

// ---------------------------------------------------------------------------
// the flow (each step builds on the previous ones)

const payer = new Wallet(anvilKey(PAYER_INDEX))
const payees = Array.from({ length: PAYEE_COUNT }, (_, i) => new Wallet(anvilKey(FIRST_PAYEE_INDEX + i)))
const payeeAddr = (i: number) => payees[i].address.toLowerCase()
const IDEMPOTENCY_KEY = `e2e-settlement-${process.pid}-${Date.now()}`
const BATCH_ID = batchIdFromKey(IDEMPOTENCY_KEY).toLowerCase()

// 500 usage records over 20 payees (payee i gets records i, i + 20, …), amounts in USDC base units
const records = Array.from({ length: RECORDS }, (_, i) => ({ payee: payees[i % PAYEE_COUNT].address, amount: String(1_000 + ((i * 7_919) % 9_000)) }))
const leafAmount = new Map<string, bigint>()
for (const r of records) leafAmount.set(r.payee.toLowerCase(), (leafAmount.get(r.payee.toLowerCase()) ?? 0n) + BigInt(r.amount))
const TOTAL = [...leafAmount.values()].reduce((a, b) => a + b, 0n)
const DEPOSIT = 1_000n * USDC

const COMMIT = `mutation($input: CommitBatchInput!) {
    commitBatch(input: $input) { batchId payer token root totalAmount recordCount leafCount dataURI txHash status blockNumber replayed } }`
const commitVars = () => ({
    input: { payer: payer.address, token: deployment.contracts.MockUSDC, records, idempotencyKey: IDEMPOTENCY_KEY, dataURI: 'ipfs://e2e-usage-records' },
})
const BATCH_UPDATED = `subscription($id: String) { batchUpdated(id: $id) { id status totalAmount recordCount root claimCount claimedAmount updatedAtBlock } }`
const PAYOUT_CLAIMED = `subscription($payee: String) { payoutClaimed(payee: $payee) { batchId payee amount fee net claimer relayed txHash blockNumber } }`

let batchSub: Recording
let allBatchesSub: Recording
let claimedSelfSub: Recording // filtered on payee 0 (claims on chain itself)
let claimedOtherSub: Recording // filtered on payee 19 (never claims)
let claimedAllSub: Recording // unfiltered
let commitResult: any
let nonceBefore: { latest: number; pending: number }

test('1-2. API keys; the payer registers as AI platform and deposits into escrow', async () => {
    keys.operator = (await createApiKey(pool!, 'operator', 'e2e bot')).key
    keys.relayer = (await createApiKey(pool!, 'relayer', 'e2e relayer')).key
    keys.readOnly = (await createApiKey(pool!, 'read-only', 'e2e dashboard')).key

    const wallet = payer.connect(provider!)
    const d = deployment.contracts
    const registry = contract('ParticipantRegistry', d.ParticipantRegistry, wallet)
    const usdc = contract('MockUSDC', d.MockUSDC, wallet)
    const escrow = contract('Escrow', d.Escrow, wallet)
    // sent back to back with explicit nonces and gas limits (no estimate against a state the earlier ones change)
    let nonce = await provider!.getTransactionCount(payer.address, 'pending')
    const opts = () => ({ nonce: nonce++, gasLimit: 500_000n })
    const txs = [
        await registry.register(0 /* AIPlatform */, payer.address, 'ipfs://e2e-payer', opts()),
        await usdc.faucet(payer.address, DEPOSIT, opts()),
        await usdc.approve(d.Escrow, DEPOSIT, opts()),
        await escrow.deposit(d.MockUSDC, DEPOSIT, opts()),
    ]
    for (const tx of txs) expect((await receipt(tx.hash)).status).toBe(1)
    const account = await escrow.accountOf(payer.address, d.MockUSDC)
    expect(account.available).toBe(DEPOSIT)

    // the indexer follows: the payer's escrow account is indexed through the API
    const escrowAccount = await until('indexed escrow deposit', async () => {
        const r = await query(`query($payer: String!) { escrowAccounts(where: { payer_eq: $payer }) { payer available locked token { id } } }`, {
            payer: payer.address.toLowerCase(),
        })
        return r.escrowAccounts.length && r.escrowAccounts[0].available === DEPOSIT.toString() ? r.escrowAccounts[0] : undefined
    })
    expect(escrowAccount.token.id).toBe(d.MockUSDC.toLowerCase())

    // the activity feed through the API: the deposit is a ProtocolEvent (derived from its EscrowMovement by the
    // view), in order with the registration (a stored row), with the same fields the handlers used to store
    const feed = (
        await query(`query($tx: [String!]) { protocolEvents(where: { txHash_in: $tx }, orderBy: [blockNumber_ASC, logIndex_ASC]) { contract contractAddress name args txHash blockHash } }`, {
            tx: [txs[0].hash, txs[3].hash],
        })
    ).protocolEvents
    const deposit = feed.find((e: any) => e.name === 'Deposited')
    expect(feed.map((e: any) => e.name)).toEqual(['ParticipantRegistered', 'Deposited'])
    expect(deposit).toMatchObject({
        contract: 'ESCROW',
        contractAddress: d.Escrow.toLowerCase(),
        txHash: txs[3].hash,
        blockHash: (await receipt(txs[3].hash)).blockHash,
        args: { payer: payer.address.toLowerCase(), token: d.MockUSDC.toLowerCase(), amount: DEPOSIT.toString(), availableAfter: DEPOSIT.toString(), lockedAfter: '0' },
    })
})

test('3. graphql-ws clients subscribe before the commit', async () => {
    const c1 = wsClient(keys.readOnly) // authorised through connectionParams
    const c2 = wsClient() // anonymous: subscriptions are public chain data
    const c3 = wsClient(keys.readOnly)
    batchSub = new Recording(c1, BATCH_UPDATED, { id: BATCH_ID })
    allBatchesSub = new Recording(c2, BATCH_UPDATED)
    claimedAllSub = new Recording(c2, PAYOUT_CLAIMED)
    claimedSelfSub = new Recording(c1, PAYOUT_CLAIMED, { payee: payeeAddr(0) })
    claimedOtherSub = new Recording(c3, PAYOUT_CLAIMED, { payee: payeeAddr(PAYEE_COUNT - 1) })
    await until('subscriptions registered with the hub', async () =>
        server!.hub.count('batchUpdated') >= 2 && server!.hub.count('payoutClaimed') >= 3 ? true : undefined,
    20_000, 50)
})

test('4. commitBatch without a key or with a read-only key is refused and sends nothing', async () => {
    nonceBefore = await operatorNonces()
    const anonymous = await gql(server!.url, COMMIT, commitVars())
    expect(firstError(anonymous).code).toBe('UNAUTHENTICATED')
    expect(anonymous.body.data?.commitBatch ?? null).toBeNull()
    const readOnly = await gql(server!.url, COMMIT, commitVars(), bearer(keys.readOnly))
    expect(firstError(readOnly).code).toBe('FORBIDDEN')
    // …and a relayer key may not commit either
    expect(firstError(await gql(server!.url, COMMIT, commitVars(), bearer(keys.relayer))).code).toBe('FORBIDDEN')

    expect(await operatorNonces()).toEqual(nonceBefore)
    const stored = await pool!.query(`SELECT (SELECT count(*) FROM api.batch_leaves WHERE batch_id = $1)::int AS leaves,
        (SELECT count(*) FROM api.mutations WHERE idempotency_key = $2)::int AS mutations`, [BATCH_ID, IDEMPOTENCY_KEY])
    expect(stored.rows[0]).toEqual({ leaves: 0, mutations: 0 })
})

test('5. commitBatch with the operator key; the same idempotencyKey sends one transaction', async () => {
    // the indexer is at the head before the commit, so the push latency measured below is the steady state
    const head = await latestBlock()
    await until('indexer at the chain head', async () => {
        const s = (await query(`{ indexerStatus { height } }`)).indexerStatus
        return s.height >= head.number ? s : undefined
    })

    const res = await gql(server!.url, COMMIT, commitVars(), bearer(keys.operator))
    commitResult = data(res).commitBatch
    expect(commitResult).toMatchObject({
        batchId: BATCH_ID,
        payer: payer.address.toLowerCase(),
        token: deployment.contracts.MockUSDC.toLowerCase(),
        totalAmount: TOTAL.toString(),
        recordCount: RECORDS,
        leafCount: PAYEE_COUNT,
        status: 'CONFIRMED',
        replayed: false,
    })
    expect(commitResult.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    const r = await receipt(commitResult.txHash)
    expect(r.status).toBe(1)
    expect(r.blockNumber).toBe(commitResult.blockNumber)
    expect(r.from.toLowerCase()).toBe(deployment.roles.operator.toLowerCase())

    const chainBatch = await contract('BatchLedger', deployment.contracts.BatchLedger, provider!).getBatch(BATCH_ID)
    expect(String(chainBatch.root).toLowerCase()).toBe(commitResult.root)
    expect(chainBatch.totalAmount).toBe(TOTAL)

    const replays: any[] = []
    replays.push(data(await gql(server!.url, COMMIT, commitVars(), bearer(keys.operator))).commitBatch)
    replays.push(data(await gql(server!.url, COMMIT, commitVars(), bearer(keys.operator))).commitBatch)
    const concurrent = await Promise.all([0, 1, 2].map(() => gql(server!.url, COMMIT, commitVars(), bearer(keys.operator))))
    for (const c of concurrent) replays.push(data(c).commitBatch)
    for (const replay of replays) expect(replay).toEqual({ ...commitResult, replayed: true })

    const after = await operatorNonces()
    expect(after).toEqual({ latest: nonceBefore.latest + 1, pending: nonceBefore.pending + 1 })
})

test('6. the commit is indexed and pushed to the graphql-ws client', async () => {
    const batch = await until('batch indexed as COMMITTED', async () => {
        const b = (await query(`query($id: String!) { batchById(id: $id) { id status root totalAmount recordCount payer operator committedTx disputeDeadline token { id } } }`, { id: BATCH_ID })).batchById
        return b?.status === 'COMMITTED' ? b : undefined
    })
    expect(batch).toMatchObject({
        id: BATCH_ID,
        root: commitResult.root,
        totalAmount: TOTAL.toString(),
        recordCount: RECORDS,
        payer: payer.address.toLowerCase(),
        operator: deployment.roles.operator.toLowerCase(),
        committedTx: commitResult.txHash,
        token: { id: deployment.contracts.MockUSDC.toLowerCase() },
    })

    const pushed = await batchSub.waitFor('batchUpdated COMMITTED', (d: any) => d.batchUpdated.status === 'COMMITTED')
    expect(pushed.value.data).toMatchObject({ batchUpdated: { id: BATCH_ID, status: 'COMMITTED', totalAmount: TOTAL.toString(), recordCount: RECORDS, root: commitResult.root } })
    await allBatchesSub.waitFor('unfiltered batchUpdated COMMITTED', (d: any) => d.batchUpdated.id === BATCH_ID && d.batchUpdated.status === 'COMMITTED')

    const minedAt = clock!.seen.get(commitResult.blockNumber)
    if (minedAt === undefined) console.log(`commit block ${commitResult.blockNumber} was not observed by the block clock`)
    else console.log(`commit mined (block ${commitResult.blockNumber} first seen at latest) → graphql-ws batchUpdated: ${(pushed.at - minedAt).toFixed(0)} ms (block clock resolution 40 ms)`)
})

test('7. after the dispute window, finalizeBatch → indexed FINALIZED and pushed', async () => {
    const deadline = Number((await contract('BatchLedger', deployment.contracts.BatchLedger, provider!).getBatch(BATCH_ID)).disputeDeadline)
    // the one wait that is not about the stack: the chain's clock has to pass the dispute deadline
    await until('the dispute window to close', async () => ((await latestBlock()).timestamp >= deadline ? true : undefined), (DISPUTE_WINDOW + 30) * 1_000, 250)

    const FINALIZE = `mutation($id: String!, $key: String) { finalizeBatch(id: $id, idempotencyKey: $key) { batchId txHash status blockNumber replayed } }`
    // the read-only key may not finalise either
    expect(firstError(await gql(server!.url, FINALIZE, { id: BATCH_ID, key: `${IDEMPOTENCY_KEY}-finalize` }, bearer(keys.readOnly))).code).toBe('FORBIDDEN')
    const fin = data(await gql(server!.url, FINALIZE, { id: BATCH_ID, key: `${IDEMPOTENCY_KEY}-finalize` }, bearer(keys.operator))).finalizeBatch
    expect(fin).toMatchObject({ batchId: BATCH_ID, status: 'CONFIRMED', replayed: false })
    expect((await receipt(fin.txHash)).status).toBe(1)

    const batch = await until('batch indexed as FINALIZED', async () => {
        const b = (await query(`query($id: String!) { batchById(id: $id) { status finalizedTx finalizedAtBlock payout { totalAmount remaining } } }`, { id: BATCH_ID })).batchById
        return b?.status === 'FINALIZED' ? b : undefined
    })
    expect(batch).toMatchObject({ finalizedTx: fin.txHash, finalizedAtBlock: fin.blockNumber, payout: { totalAmount: TOTAL.toString(), remaining: TOTAL.toString() } })
    const pushed = await batchSub.waitFor('batchUpdated FINALIZED', (d: any) => d.batchUpdated.status === 'FINALIZED')
    const minedAt = clock!.seen.get(fin.blockNumber)
    if (minedAt !== undefined) console.log(`finalize mined → graphql-ws batchUpdated: ${(pushed.at - minedAt).toFixed(0)} ms`)
})

test('8. a payee claims on chain with the proof from payoutProof; only its filtered client gets payoutClaimed', async () => {
    const who = payeeAddr(0)
    const PROOF = `query($b: String!, $p: String!) { payoutProof(batchId: $b, payee: $p) { amount proof root claimed claimable batchStatus } }`
    const proof = (await query(PROOF, { b: BATCH_ID, p: who })).payoutProof
    expect(proof).toMatchObject({ amount: leafAmount.get(who)!.toString(), root: commitResult.root, claimed: false, claimable: true, batchStatus: 'FINALIZED' })
    expect(StandardMerkleTree.verify(commitResult.root, LEAF_ENCODING, [payees[0].address, proof.amount], proof.proof)).toBe(true)

    // the payee sends the claim itself, with its own key
    const distributor = contract('Distributor', deployment.contracts.Distributor, payees[0].connect(provider!))
    const tx = await distributor.claim(BATCH_ID, BigInt(proof.amount), proof.proof, { gasLimit: 500_000n })
    const r = await receipt(tx.hash)
    expect(r.status).toBe(1)
    expect(r.from.toLowerCase()).toBe(who)

    const claim = await until('claim indexed', async () => {
        const c = (await query(`query($b: String!, $p: String!) { claims(where: { batch: { id_eq: $b }, payee_eq: $p }) { payee amount fee net claimer relayed txHash } }`, { b: BATCH_ID, p: who })).claims
        return c.length ? c[0] : undefined
    })
    const fee = (leafAmount.get(who)! * BigInt(deployment.config.feeBps)) / 10_000n
    expect(claim).toMatchObject({ payee: who, amount: proof.amount, fee: fee.toString(), net: (BigInt(proof.amount) - fee).toString(), claimer: who, relayed: false, txHash: tx.hash })

    const pushed = await claimedSelfSub.waitFor('payoutClaimed(payee)', (d: any) => d.payoutClaimed.txHash === tx.hash)
    expect(pushed.value.data).toMatchObject({ payoutClaimed: { batchId: BATCH_ID, payee: who, amount: proof.amount, fee: fee.toString(), relayed: false } })
    await claimedAllSub.waitFor('unfiltered payoutClaimed', (d: any) => d.payoutClaimed.txHash === tx.hash)
    const minedAt = clock!.seen.get(r.blockNumber)
    if (minedAt !== undefined) console.log(`payee claim mined → graphql-ws payoutClaimed: ${(pushed.at - minedAt).toFixed(0)} ms`)
    expect((await query(PROOF, { b: BATCH_ID, p: who })).payoutProof).toMatchObject({ claimed: true, claimable: false })
})

test('9. claimPayouts with the relayer key claims for three more payees', async () => {
    const targets = [1, 2, 3].map(payeeAddr)
    const CLAIM = `mutation($b: String!, $p: [String!]!) { claimPayouts(batchId: $b, payees: $p) { batchId claimed { payee amount } alreadyClaimed txHash status replayed } }`
    // the operator key is not a relayer
    expect(firstError(await gql(server!.url, CLAIM, { b: BATCH_ID, p: targets }, bearer(keys.operator))).code).toBe('FORBIDDEN')
    const res = data(await gql(server!.url, CLAIM, { b: BATCH_ID, p: [...targets, payeeAddr(0)] }, bearer(keys.relayer))).claimPayouts
    expect(res.status).toBe('CONFIRMED')
    expect(res.alreadyClaimed).toEqual([payeeAddr(0)])
    expect(res.claimed).toEqual(targets.map((p) => ({ payee: p, amount: leafAmount.get(p)!.toString() })))
    const r = await receipt(res.txHash)
    expect(r.status).toBe(1)
    expect(r.from.toLowerCase()).toBe(deployment.roles.relayer.toLowerCase())

    const claims = await until('relayed claims indexed', async () => {
        const c = (await query(`query($b: String!) { claims(where: { batch: { id_eq: $b } }, orderBy: payee_ASC) { payee amount relayed claimer txHash } }`, { b: BATCH_ID })).claims
        return c.length === 4 ? c : undefined
    })
    for (const p of targets) {
        expect(claims.find((c: any) => c.payee === p)).toMatchObject({ amount: leafAmount.get(p)!.toString(), relayed: true, claimer: deployment.roles.relayer.toLowerCase(), txHash: res.txHash })
    }
    for (const p of targets) await claimedAllSub.waitFor(`payoutClaimed ${p}`, (d: any) => d.payoutClaimed.payee === p && d.payoutClaimed.relayed === true)
    await batchSub.waitFor('batchUpdated with 4 claims', (d: any) => d.batchUpdated.claimCount === 4)

    // every claim went out to the unfiltered client; the client filtered on payee 0 saw only payee 0's; the one
    // filtered on payee 19 (never claimed) saw nothing
    expect(claimedAllSub.data().map((d: any) => d.payoutClaimed.payee).sort()).toEqual([payeeAddr(0), ...targets].sort())
    expect(claimedSelfSub.data().map((d: any) => d.payoutClaimed.payee)).toEqual([payeeAddr(0)])
    expect(claimedOtherSub.events).toEqual([])
    expect(claimedOtherSub.error).toBeUndefined()
})

test('10. claimableBalance: 0 for a claimed payee, the leaf amount for an unclaimed one', async () => {
    const BALANCE = `query($p: String!) { claimableBalance(payee: $p) { tokens { token claimable claimableBatches pending claimed } batches { batchId amount } } }`
    const token = deployment.contracts.MockUSDC.toLowerCase()
    const claimed = (await query(BALANCE, { p: payeeAddr(0) })).claimableBalance
    expect(claimed.tokens).toEqual([{ token, claimable: '0', claimableBatches: 0, pending: '0', claimed: leafAmount.get(payeeAddr(0))!.toString() }])
    expect(claimed.batches).toEqual([])
    const open = (await query(BALANCE, { p: payeeAddr(10) })).claimableBalance
    expect(open.tokens).toEqual([{ token, claimable: leafAmount.get(payeeAddr(10))!.toString(), claimableBatches: 1, pending: '0', claimed: '0' }])
    expect(open.batches).toEqual([{ batchId: BATCH_ID, amount: leafAmount.get(payeeAddr(10))!.toString() }])

    const life = (await query(`query($id: String!) { batchLifecycle(id: $id) { status leafCount events { kind } claims { count unclaimedPayees } payout { claimedAmount } } }`, { id: BATCH_ID }))
        .batchLifecycle
    expect(life).toMatchObject({ status: 'FINALIZED', leafCount: PAYEE_COUNT, claims: { count: 4, unclaimedPayees: PAYEE_COUNT - 4 } })
    expect(life.events.map((e: any) => e.kind)).toEqual(['COMMITTED', 'FINALIZED', 'PAYOUT_OPENED', 'FIRST_CLAIM', 'LAST_CLAIM'])
})

test('11. reconcile: the indexed state matches the chain', async () => {
    const contracts = Object.fromEntries(Object.entries(deployment.contracts).map(([k, v]) => [k, v.toLowerCase()]))
    const r = await reconcile({ dbUrl: pg!.url, rpcUrl: anvil!.url, contracts })
    if (r.mismatches.length) console.log(JSON.stringify(r.mismatches.slice(0, 30), null, 1))
    expect(r.mismatches).toEqual([])
    // at least every leaf of the batch (claimed or not), the batch, its payout and the claims were compared
    expect(r.checked).toBeGreaterThan(PAYEE_COUNT + 6)
    console.log(`reconcile: ${r.checked} checked, 0 mismatches at block ${r.height}`)
})

test('12. graphql-http serverAudits against the live server: every MUST passes', async () => {
    const results = []
    for (const audit of serverAudits({ url: server!.url, fetchFn: fetch })) results.push(await audit.fn())
    const must = results.filter((r) => r.name.startsWith('MUST'))
    const mustFailures = must.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}: ${(r as any).reason}`)
    expect(mustFailures).toEqual([])
    expect(must.length).toBeGreaterThan(10)
    console.log(`graphql-http audits: ${results.filter((r) => r.status === 'ok').length}/${results.length} ok, ${must.length}/${must.length} MUST ok`)
})

test('neither the processor nor the API logged an error', () => {
    const bad = processorLines.filter((l) => /"level":[45]/.test(l) || /^\s*(ERROR|FATAL)\b/.test(l))
    expect(bad).toEqual([])
    // [mutations] lines are unexpected failures answered INTERNAL; [api] error lines are unexpected errors
    expect(stackLogs.filter((l) => l.startsWith('[mutations]') || l.startsWith('[api] error'))).toEqual([])
})

