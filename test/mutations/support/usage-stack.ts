/**
 * The usage-pipeline test stack: anvil + deployment, the compiled processor indexing the registry into embedded
 * Postgres (publishers registered and given terms on chain), the GraphQL schema of MutationResolver + UsageResolver
 * with the project's auth checker, and helpers.
 */
import 'reflect-metadata'
import * as path from 'path'
import { Contract, Wallet } from 'ethers'
import { graphql, GraphQLSchema } from 'graphql'
import { buildSchema } from 'type-graphql'
import { abiOf } from '../../../src/contracts'
import { reconcile, ReconcileResult } from '../../../src/reconcile'
import { writeDeployment } from '../../../src/deploy/deployments'
import { anvilKey } from '../../../src/deploy/local-accounts'
import { authChecker } from '../../../src/server/auth-checker'
import { SettlementChain, signerKeysFromEnv } from '../../../src/server/chain/settlement-chain'
import { closeMutations, configureMutations, MutationResolver, mutationDeps } from '../../../src/server/resolvers/mutation.resolver'
import { UsageResolver } from '../../../src/server/resolvers/usage.resolver'
import { UsageBatcher } from '../../../src/usage/batcher'
import { buildLib, ProcessorHandle, startProcessor, stopProcessor } from '../../processor/support/e2e'
import { ChainHarness, dataOf, fundPayer, mined, pendingNonce, startChain } from '../harness'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../../src/stack/postgres'
import { freePort } from '../../../src/stack/util'
import { Pool } from 'pg'
import * as fs from 'fs'
import * as os from 'os'

export const SUBMIT = `mutation($input: SubmitUsageInput!) { submitUsage(input: $input) { accepted rejected records { usageId accepted duplicate code pricePerThousand payee } } }`
export const RECORDS = `query($where: UsageRecordWhere, $limit: Int) { usageRecords(where: $where, limit: $limit) { usageId publisher units pricePerThousand payee state batchKey batchId reason } }`
export const BATCHES = `query($where: UsageBatchWhere) { usageBatches(where: $where) { batchKey payer state reason recordCount totalAmount closedBy batchId txHash } }`
export const FINALIZE = `mutation($id: String!) { finalizeBatch(id: $id) { status } }`
export const CLAIM = `mutation($b: String!, $p: [String!]!) { claimPayouts(batchId: $b, payees: $p) { claimed { payee amount } status } }`

export const PRICE_A = 1500n
export const PRICE_B = 2500n
export let tmp: string
export let deploymentsFile: string
export let pg: EmbeddedPostgres
export let pool: Pool
export let chain: ChainHarness
export let proc: ProcessorHandle
export let settlement: SettlementChain
export let schema: GraphQLSchema
export let payer: Wallet
export let token: string
export const pub = { a: new Wallet(anvilKey(11)), b: new Wallet(anvilKey(12)), noConsent: new Wallet(anvilKey(13)), inactive: new Wallet(anvilKey(14)) }
export const payoutA = '0x' + 'a1'.repeat(20) // publisher A's registered payout address (not its own account)
export const unknownPublisher = '0x' + 'de'.repeat(20)
export const settings = { maxRecords: 5, maxAgeMs: 3_600_000, pollMs: 100, enabled: true }

export async function gql(source: string, variableValues: Record<string, unknown>, role: 'operator' | 'relayer' | 'read-only' = 'operator') {
    return graphql({ schema, source, variableValues, contextValue: { db: pool, caller: { keyId: 1, role }, openreader: undefined, requestId: 'usage-test' } })
}

export const submit = (records: { publisher: string; units: string; usageId: string }[], p = payer.address) =>
    gql(SUBMIT, { input: { payer: p, token, records } }).then((r) => dataOf(r, 'submitUsage'))

export async function send(wallet: Wallet, name: string, method: string, args: unknown[]) {
    const c = new Contract(chain.deployment.contracts[name as 'ParticipantRegistry'], abiOf(name), wallet.connect(chain.provider))
    const tx = await c[method](...args, { gasLimit: 500_000n })
    const r = await mined(chain.provider, tx.hash)
    if (r.status !== 1) throw new Error(`${name}.${method} reverted`)
}

export async function waitIndexed(sql: string, args: unknown[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
        if (proc.proc.exitCode != null) throw new Error(`processor exited:\n${proc.output().slice(-3000)}`)
        const r = await pool.query(sql, args).catch(() => ({ rowCount: 0 }))
        if (r.rowCount) return
        await new Promise((res) => setTimeout(res, 200))
    }
    throw new Error(`not indexed in time: ${sql}\n${proc.output().slice(-3000)}`)
}

/** Independent of the pipeline's code: Σ units per publisher at the test's prices, floored once. */
export function expectedTotal(records: { publisher: string; units: string; pricePerThousand: string }[]): bigint {
    const sums = new Map<string, bigint>()
    for (const r of records) sums.set(r.publisher + r.pricePerThousand, (sums.get(r.publisher + r.pricePerThousand) ?? 0n) + BigInt(r.units) * BigInt(r.pricePerThousand))
    return [...sums.values()].reduce((s, v) => s + v / 1000n, 0n)
}

/** Start the stack before the file's tests, stop it after (call at the top of a test file). */
export function useUsageStack(): void {
    beforeAll(startStack)
    afterAll(stopStack)
}

async function startStack(): Promise<void> {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-'))
    fs.chmodSync(tmp, 0o755)
    buildLib()
    ;[pg, chain] = await Promise.all([startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid' }), startChain({ blockTime: 1 })])
    pool = new Pool({ connectionString: pg.url, max: 20 })
    pool.on('error', () => undefined)
    deploymentsFile = writeDeployment(chain.deployment, path.join(tmp, '31337.json'))
    proc = startProcessor(
        { DB_URL: pg.url, RPC_URL: chain.rpcUrl, CHAIN_ID: '31337', DEPLOYMENTS_FILE: deploymentsFile, FINALITY_CONFIRMATIONS: '2', RPC_HEAD_POLL_MS: '100', PROMETHEUS_PORT: String(await freePort()) },
        path.join(tmp, 'processor.log'),
    )
    token = chain.deployment.contracts.MockUSDC.toLowerCase()
    payer = await fundPayer(chain, 10, 10n ** 12n)
    await send(pub.a, 'ParticipantRegistry', 'register', [1, payoutA, 'ipfs://a'])
    await send(pub.a, 'ParticipantRegistry', 'setPublisherTerms', [pub.a.address, PRICE_A, true])
    await send(pub.b, 'ParticipantRegistry', 'register', [1, pub.b.address, 'ipfs://b'])
    await send(pub.b, 'ParticipantRegistry', 'setPublisherTerms', [pub.b.address, PRICE_B, true])
    await send(pub.noConsent, 'ParticipantRegistry', 'register', [1, pub.noConsent.address, 'ipfs://c'])
    await send(pub.noConsent, 'ParticipantRegistry', 'setPublisherTerms', [pub.noConsent.address, 1000n, false])
    await send(pub.inactive, 'ParticipantRegistry', 'register', [1, pub.inactive.address, 'ipfs://d'])
    await send(pub.inactive, 'ParticipantRegistry', 'setPublisherTerms', [pub.inactive.address, 1000n, true])
    await send(pub.inactive, 'ParticipantRegistry', 'deactivate', [pub.inactive.address])
    await waitIndexed(`SELECT 1 FROM participant WHERE id = $1 AND NOT active`, [pub.inactive.address.toLowerCase()])
    await waitIndexed(`SELECT 1 FROM participant WHERE id = $1 AND consent`, [pub.b.address.toLowerCase()])
    settlement = new SettlementChain({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, keys: signerKeysFromEnv(31337, {}), pollMs: 100 })
    configureMutations({ chain: settlement, confirmTimeoutMs: 20_000, log: () => undefined })
    schema = await buildSchema({ resolvers: [MutationResolver, UsageResolver], authChecker, validate: false })
}

async function stopStack(): Promise<void> {
    if (proc) await stopProcessor(proc, 'SIGKILL').catch(() => undefined)
    await closeMutations()
    settlement?.destroy()
    await pool?.end().catch(() => undefined)
    await chain?.close()
    await pg?.stop().catch(() => pg.kill())
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
}

export const batcher = (s = settings) => new UsageBatcher({ db: pool, settings: s, deps: () => mutationDeps(pool, 'operator'), log: () => undefined })
export const operatorNonce = () => pendingNonce(chain.provider, chain.deployment.roles.operator)

/**
 * Wait until the processor has indexed every batch the pipeline committed and every claim made through the API, then
 * run the project's reconcile (the code of `npm run reconcile`) against the chain; fails with the mismatches listed.
 */
export async function expectReconciled(): Promise<ReconcileResult & { usageBatches: number }> {
    const { rows } = await pool.query(`SELECT batch_id FROM api.usage_batches WHERE state = 'committed'`)
    const ids = rows.map((r) => String(r.batch_id).toLowerCase())
    await waitIndexed(`SELECT 1 FROM batch WHERE lower(id) = ANY($1) HAVING count(*) = $2`, [ids, ids.length])
    await waitIndexed(`SELECT 1 FROM claim WHERE lower(payee) = $1`, [payoutA])
    const contracts = Object.fromEntries(Object.entries(chain.deployment.contracts).map(([k, v]) => [k, v.toLowerCase()]))
    const r = await reconcile({ dbUrl: pg.url, rpcUrl: chain.rpcUrl, contracts })
    if (r.mismatches.length) throw new Error(`reconcile: ${r.checked} checked, ${r.mismatches.length} mismatches:\n${JSON.stringify(r.mismatches.slice(0, 20), null, 1)}`)
    return { ...r, usageBatches: ids.length }
}
