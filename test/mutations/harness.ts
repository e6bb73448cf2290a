/**
 * Real stack for mutation tests: embedded Postgres (temp dir, random port) with the api migration, anvil (random
 * port), the protocol deployed with localDeployOptions, and a small type-graphql schema holding only
 * MutationResolver (plus a dummy query) with the project's auth checker, executed with graphql().
 */
import 'reflect-metadata'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { graphql, GraphQLSchema } from 'graphql'
import { Pool } from 'pg'
import { buildSchema, Query, Resolver } from 'type-graphql'
import { abiOf } from '../../src/contracts'
import { deployAll } from '../../src/deploy/deploy'
import { Deployment } from '../../src/deploy/deployments'
import { anvilKey } from '../../src/deploy/local-accounts'
import { localDeployOptions } from '../../src/deploy/local-options'
import { authChecker } from '../../src/server/auth-checker'
import type { ApiRole, Caller } from '../../src/server/context'
import { MutationResolver } from '../../src/server/resolvers/mutation.resolver'
import { Anvil, startAnvil } from '../../src/stack/anvil'
import { setLogSink } from '../../src/stack/log'
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/stack/postgres'
import { freePort } from '../../src/stack/util'

@Resolver()
class PingResolver {
    @Query(() => String)
    ping(): string {
        return 'pong'
    }
}

let schemaPromise: Promise<GraphQLSchema> | undefined
export function testSchema(): Promise<GraphQLSchema> {
    return (schemaPromise ??= buildSchema({ resolvers: [MutationResolver, PingResolver], authChecker, validate: false }))
}

export interface PgHarness {
    pg: EmbeddedPostgres
    pool: Pool
    tmp: string
    close(): Promise<void>
}

/** Embedded Postgres + the api migration. */
export async function startPg(): Promise<PgHarness> {
    setLogSink(() => undefined)
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mutations-pg-'))
    fs.chmodSync(tmp, 0o755) // as root, Postgres runs as "postgres" and must traverse it
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), database: 'squid' })
    const pool = new Pool({ connectionString: pg.url, max: 20 })
    pool.on('error', () => undefined) // idle clients cut by the shutdown at the end
    for (const file of ['1700000000000-Api.js', '1795308991100-ApiMutationScope.js']) {
        const Migration = require(`../../db/migrations/${file}`)
        await new Migration().up({ query: (sql: string) => pool.query(sql) })
    }
    return {
        pg,
        pool,
        tmp,
        async close() {
            await pool.end().catch(() => undefined)
            await pg.stop().catch(() => pg.kill())
            fs.rmSync(tmp, { recursive: true, force: true })
        },
    }
}

export interface ChainHarness {
    anvil: Anvil
    rpcUrl: string
    provider: JsonRpcProvider
    deployment: Deployment
    close(): Promise<void>
}

export async function startChain(opts: { blockTime?: number } = {}): Promise<ChainHarness> {
    setLogSink(() => undefined)
    const anvil = await startAnvil({ port: await freePort(), blockTime: opts.blockTime ?? 1 })
    const deployment = await deployAll(localDeployOptions(anvil.url))
    const provider = new JsonRpcProvider(anvil.url, 31337, { staticNetwork: true, batchMaxCount: 1, pollingInterval: 100 })
    return {
        anvil,
        rpcUrl: anvil.url,
        provider,
        deployment,
        async close() {
            provider.destroy()
            await anvil.stop().catch(() => anvil.kill())
        },
    }
}

/** Execute `source` against the test schema as `caller` (undefined = no key). */
export async function gql(pool: Pool, source: string, variableValues: Record<string, unknown> = {}, caller?: Caller | ApiRole) {
    const schema = await testSchema()
    const c: Caller | undefined = typeof caller === 'string' ? { keyId: 1, role: caller } : caller
    return graphql({
        schema,
        source,
        variableValues,
        contextValue: { db: pool, caller: c, openreader: undefined, requestId: 'test-' + Math.random().toString(36).slice(2, 8) },
    })
}

/** The first error's code / extensions of a graphql() result. */
export function errorOf(res: { errors?: readonly any[] }): { code: string; message: string; ext: Record<string, any> } {
    if (!res.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(res)}`)
    const e = res.errors[0]
    return { code: e.extensions?.code, message: e.message, ext: e.extensions ?? {} }
}

export function dataOf<T = any>(res: { data?: any; errors?: readonly any[] }, field: string): T {
    if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors.map((e: any) => ({ message: e.message, ext: e.extensions })))}`)
    return res.data[field]
}

export async function pendingNonce(provider: JsonRpcProvider, address: string): Promise<number> {
    return Number(await provider.send('eth_getTransactionCount', [address, 'pending']))
}

/** Wait until a transaction is mined and return its receipt. */
export async function mined(provider: JsonRpcProvider, hash: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
        const r = await provider.getTransactionReceipt(hash)
        if (r) return r
        if (Date.now() > deadline) throw new Error(`transaction ${hash} not mined in ${timeoutMs} ms`)
        await new Promise((res) => setTimeout(res, 100))
    }
}

/**
 * Make anvil account `index` a funded AI platform: register (from its own account), faucet MockUSDC, approve the
 * escrow and deposit `amount`. All sent at once with explicit nonces, then awaited.
 */
export async function fundPayer(chain: ChainHarness, index: number, amount: bigint): Promise<Wallet> {
    const wallet = new Wallet(anvilKey(index), chain.provider)
    const d = chain.deployment
    const registry = new Contract(d.contracts.ParticipantRegistry, abiOf('ParticipantRegistry'), wallet)
    const usdc = new Contract(d.contracts.MockUSDC, abiOf('MockUSDC'), wallet)
    const escrow = new Contract(d.contracts.Escrow, abiOf('Escrow'), wallet)
    let nonce = await pendingNonce(chain.provider, wallet.address)
    const gasLimit = 500_000n
    const participant = await registry.getParticipant(wallet.address)
    const txs = []
    if (!participant.active) txs.push(await registry.register(0, wallet.address, `ipfs://payer-${index}`, { nonce: nonce++, gasLimit }))
    txs.push(await usdc.faucet(wallet.address, amount, { nonce: nonce++, gasLimit }))
    txs.push(await usdc.approve(d.contracts.Escrow, amount, { nonce: nonce++, gasLimit }))
    txs.push(await escrow.deposit(d.contracts.MockUSDC, amount, { nonce: nonce++, gasLimit }))
    for (const tx of txs) {
        const r = await mined(chain.provider, tx.hash)
        if (r.status !== 1) throw new Error(`funding step reverted: ${tx.hash}`)
    }
    return wallet
}

/** Move anvil's clock forward and mine a block. */
export async function advanceTime(provider: JsonRpcProvider, seconds: number): Promise<void> {
    await provider.send('evm_increaseTime', [seconds])
    await provider.send('evm_mine', [])
}

/** A deterministic fresh payee address. */
export function payee(n: number): string {
    return '0x' + (0x1000 + n).toString(16).padStart(40, '0')
}
