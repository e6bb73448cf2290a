// A usage batcher as its own process (compiled lib/), for kill tests: SIGKILL it at any moment.
// env: DB_URL, RPC_URL, DEPLOYMENTS_FILE, BATCH_MAX_RECORDS
const fs = require('fs')
const path = require('path')
const { Pool } = require('pg')
const lib = path.resolve(__dirname, '../../../lib')
const { UsageBatcher } = require(`${lib}/usage/batcher`)
const { configureMutations, mutationDeps } = require(`${lib}/server/resolvers/mutation.resolver`)
const { SettlementChain, signerKeysFromEnv } = require(`${lib}/server/chain/settlement-chain`)

const pool = new Pool({ connectionString: process.env.DB_URL, max: 5 })
pool.on('error', () => undefined)
const deployment = JSON.parse(fs.readFileSync(process.env.DEPLOYMENTS_FILE, 'utf8'))
const chain = new SettlementChain({ rpcUrl: process.env.RPC_URL, deployment, keys: signerKeysFromEnv(31337, {}), pollMs: 50 })
configureMutations({ chain, confirmTimeoutMs: 20_000, idempotency: { leaseMs: 1000 }, log: () => undefined })
const settings = { maxRecords: Number(process.env.BATCH_MAX_RECORDS), maxAgeMs: 1, pollMs: 20, enabled: true }
new UsageBatcher({ db: pool, settings, deps: () => mutationDeps(pool, 'operator'), log: (m, e) => console.error(m, e) }).start()
console.log('started')
