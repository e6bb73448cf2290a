/**
 * `npm start`: the whole product on one machine, in order, each step logging one line:
 *   1. Postgres: embedded (data under .data/postgres, so a restart resumes; restarted if it dies) unless DATABASE_URL / DB_* is set
 *   2. chain: a local anvil (state under .data/anvil) unless RPC_URL is set
 *   3. contracts: deployed once per chain (contracts/deployments/<chainId>.json)
 *   4. migrations, then the processor, the GraphQL server and (local chain only) the simulator
 * Ctrl-C stops everything in reverse order; a second Ctrl-C kills.
 */
import { applyDatabaseEnv, chainFromEnv, ConfigError, databaseFromEnv, databaseSource, gqlPort, headPollOverride, simulatorFromEnv } from '../config'
import { ensureDeployed } from '../deploy/deploy'
import { requireDeployment } from '../deploy/deployments'
import { localDeployOptions } from '../deploy/local-options'
import { applyMigrations } from '../indexer/migrations'
import { blockHashAt, startAnvil, rpcCall } from './anvil'
import { log } from './log'
import { superviseEmbeddedPostgres } from './postgres-supervisor'
import { installSignalHandlers, onShutdown, shutdownAndExit } from './shutdown'
import { supervise } from './supervise'
import { indexedFinalizedBlock, resetIndex } from './reset'
import { sleep } from './util'

async function waitForApi(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
        try {
            const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ query: '{ __typename }' }),
            })
            if (res.ok) return
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`the GraphQL server did not answer on port ${port} within ${timeoutMs / 1000} s`)
        await sleep(300)
    }
}

async function main(): Promise<void> {
    installSignalHandlers()
    const t0 = Date.now()

    // 1. database
    const db = databaseFromEnv()
    if (db.embedded) {
        // supervised: restarted with backoff if it dies, the stack stops loudly if it cannot be (postgres-supervisor.ts)
        const pg = (await superviseEmbeddedPostgres({ dataDir: db.dataDir!, port: db.port, user: db.user, password: db.password, database: db.database })).current()
        log('stack', `Postgres (embedded): ${pg.url.replace(/:[^:@/]*@/, ':***@')}, data in ${pg.dataDir}`)
    } else {
        log('stack', `Postgres: ${db.host}:${db.port}/${db.database} (from ${databaseSource()})`)
    }
    const dbUrl = applyDatabaseEnv(db)

    // 2. chain
    const chain = chainFromEnv()
    let rpcUrl = chain.rpcUrl
    if (chain.local) {
        const a = chain.anvil!
        const anvil = await startAnvil({ port: a.port, blockTime: a.blockTime, chainId: a.chainId, dataDir: a.dataDir, stateInterval: 30 })
        onShutdown('anvil', () => anvil.stop(), () => anvil.kill())
        rpcUrl = anvil.url
        log('stack', `anvil: ${anvil.url}, chain ${anvil.chainId}, ${anvil.resumed ? `resumed at block ${anvil.blockNumber}` : 'new chain'}`)
    } else {
        const id = Number(await rpcCall(rpcUrl, 'eth_chainId'))
        log('stack', `chain ${id} at ${rpcUrl.replace(/\/\/[^@/]*@/, '//***@')}`)
    }

    // 3. contracts
    if (chain.local) {
        const { deployment, fresh, file } = await ensureDeployed({ ...localDeployOptions(rpcUrl), log: (m) => log('deploy', m) }, chain.deploymentsFile)
        if (fresh) {
            // A new chain: whatever the database indexed before belongs to a chain that is gone.
            await resetIndex(dbUrl)
            log('stack', `contracts deployed at block ${deployment.startBlock} (${file}); index reset for the new chain`)
        } else {
            log('stack', `contracts already deployed at block ${deployment.startBlock}`)
            const indexed = await indexedFinalizedBlock(dbUrl)
            if (indexed && (await blockHashAt(rpcUrl, indexed.height)) !== indexed.hash) {
                // anvil's state is saved on a clean stop and every 30 s: after a crash the chain can be
                // behind (or beside) what was indexed. Rebuild rather than serve a chain that no longer exists.
                await resetIndex(dbUrl)
                log('stack', `the index was at block ${indexed.height}, which this chain does not have (anvil lost blocks in a crash): index reset`)
            }
        }
    } else {
        const id = Number(await rpcCall(rpcUrl, 'eth_chainId'))
        const d = requireDeployment(id, chain.deploymentsFile)
        log('stack', `contracts from ${chain.deploymentsFile ?? `contracts/deployments/${id}.json`} (block ${d.startBlock})`)
    }

    // 4. schema, then the long-running pieces
    const applied = await applyMigrations(dbUrl)
    log('stack', applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema up to date')

    const childEnv = { SKIP_MIGRATIONS: 'true', RPC_HEAD_POLL_MS: headPollOverride() ?? (chain.local ? '250' : '') }
    // Supervised: a crash (Postgres restarting, an RPC error squid does not retry) restarts the piece with
    // backoff instead of taking the stack down; the processor resumes from its last committed block.
    supervise('processor', 'lib/main.js', { env: childEnv })
    supervise('api', 'lib/server/index.js', { env: childEnv })
    if (chain.local && simulatorFromEnv().enabled) {
        supervise('simulator', 'lib/cli/simulate.js', {})
    }

    const port = gqlPort()
    await waitForApi(port, 60_000)
    log('stack', `ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    console.log(`GraphQL API: http://localhost:${port}/graphql`)
    console.log(`Dashboard:   http://localhost:${port}/dashboard`)
}

main().catch(async (e) => {
    log('stack', `cannot start: ${e instanceof ConfigError ? e.message : (e.shortMessage ?? e.message)}`)
    await shutdownAndExit(1)
})
