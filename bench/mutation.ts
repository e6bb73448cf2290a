/**
 * mutation: `commitBatch` through the API server (HTTP, operator API key) with 10,000 and 100,000 usage records
 * (one record per payee: the largest tree for the record count), and `payoutProof` latency over many payees of
 * the largest batch.
 *
 *   rootMs     buildBatch(records) in this process: aggregation + StandardMerkleTree root (the code the resolver runs)
 *   sentMs     POST → answer with status SUBMITTED (the server runs with TX_CONFIRM_TIMEOUT_MS=0, so it answers as soon
 *              as the transaction is sent): validation, tree, leaves stored, escrow check, simulation, signing, sending
 *   minedMs    POST → receipt seen by polling (anvil automine)
 *   proof      payoutProof(batchId, payee) for random payees: the first call (tree rebuilt from the stored leaves),
 *              then p50/p99 sequentially and under 20 concurrent clients
 */
import { Pool } from 'pg'
import { JsonRpcProvider } from 'ethers'
import { createApiKey } from '../src/server/api-keys'
import { buildBatch } from '../src/settlement/batch-builder'
import { rpcCall } from '../src/stack/anvil'
import { BenchError, BenchResult, distribution, environment, note, rng, round } from './support/common'
import { fundPayer, minedReceipt } from './support/chain'
import { RunContext } from './support/context'
import { closedLoop, gqlPost } from './support/http-load'

const COMMIT = `mutation($input: CommitBatchInput!) { commitBatch(input: $input) { batchId root txHash status } }`
const PROOF = `query($b: String!, $p: String!) { payoutProof(batchId: $b, payee: $p) { amount proof } }`

const payeeOf = (i: number) => '0x' + (0x5000000 + i).toString(16).padStart(40, '0')

export async function runMutation(ctx: RunContext): Promise<BenchResult> {
    const t0 = Date.now()
    // the protocol deployed is enough (the load chain is not needed); a block per transaction from here on
    const s = await ctx.stack()
    await rpcCall(s.rpcUrl, 'evm_setIntervalMining', [0])
    await rpcCall(s.rpcUrl, 'evm_setAutomine', [true])
    const sizes = ctx.opts.quick ? [10_000] : [10_000, 100_000]
    const payer = await fundPayer(s.rpcUrl, s.deployment, 45, 1_000_000_000_000n)
    const pool = new Pool({ connectionString: s.dbUrl, max: 2 })
    const { key } = await createApiKey(pool, 'operator', 'bench')
    await pool.end()
    const auth = { authorization: `Bearer ${key}` }
    const server = await s.startServer({ TX_CONFIRM_TIMEOUT_MS: '0', GQL_MAX_BODY_BYTES: String(64 * 1024 * 1024) })
    const provider = new JsonRpcProvider(s.rpcUrl, 31337, { staticNetwork: true })
    const commits: Record<string, unknown> = {}
    let proofFigures: Record<string, unknown> = {}
    try {
        let largest: { batchId: string; n: number } | undefined
        for (const n of sizes) {
            const records = Array.from({ length: n }, (_, i) => ({ payee: payeeOf(i), amount: String(1_000 + (i % 1_000)) }))
            // root in process (3 runs, median)
            const rootRuns: number[] = []
            let root = ''
            for (let k = 0; k < 3; k++) {
                const t = performance.now()
                root = buildBatch(records).root
                rootRuns.push(performance.now() - t)
            }
            const body = { input: { payer, token: s.deployment.contracts.MockUSDC, records, idempotencyKey: `bench-${n}-${Date.now()}`, dataURI: `ipfs://bench/${n}` } }
            const requestBytes = Buffer.byteLength(JSON.stringify({ query: COMMIT, variables: body }))
            const t = performance.now()
            const r = (await gqlPost(server.url, COMMIT, body, auth, 300_000)).commitBatch
            const sentMs = performance.now() - t
            if (r.root.toLowerCase() !== root.toLowerCase()) throw new BenchError(`server root ${r.root} differs from the local root ${root}`)
            const receipt = await minedReceipt(provider, r.txHash, 120_000)
            const minedMs = performance.now() - t
            commits[`records${n}`] = {
                records: n,
                payees: n,
                requestBytes,
                rootMs: distribution(rootRuns).p50,
                sentMs: round(sentMs),
                minedMs: round(minedMs),
                status: r.status,
                gasUsed: Number(receipt.gasUsed),
                batchId: r.batchId,
            }
            note('mutation', `${n} records: root ${round(distribution(rootRuns).p50)} ms, sent ${round(sentMs)} ms, mined ${round(minedMs)} ms`)
            largest = { batchId: r.batchId, n }
        }

        // payoutProof over the largest batch
        const { batchId, n } = largest!
        const rand = rng(7)
        const randomPayee = () => payeeOf(Math.floor(rand() * n))
        let t = performance.now()
        await gqlPost(server.url, PROOF, { b: batchId, p: randomPayee() })
        const coldMs = performance.now() - t
        const sequential: number[] = []
        const count = ctx.opts.quick ? 300 : 2_000
        const until = Date.now() + 60_000
        for (let i = 0; i < count && Date.now() < until; i++) {
            t = performance.now()
            const p = (await gqlPost(server.url, PROOF, { b: batchId, p: randomPayee() })).payoutProof
            sequential.push(performance.now() - t)
            if (!p.proof.length) throw new BenchError('empty proof')
        }
        const concurrent = await closedLoop(server.url, {
            concurrency: 20,
            durationMs: ctx.opts.quick ? 3_000 : 10_000,
            next: () => ({ kind: 'payoutProof', body: JSON.stringify({ query: PROOF, variables: { b: batchId, p: randomPayee() } }) }),
        })
        proofFigures = { batchLeaves: n, coldMs: round(coldMs), sequentialMs: distribution(sequential), concurrent20: { rps: concurrent.rps, latencyMs: concurrent.latencyMs, errors: concurrent.errors } }
        const seq = distribution(sequential)
        note('mutation', `payoutProof over ${n} leaves: cold ${round(coldMs)} ms, p50 ${seq.p50} ms, p99 ${seq.p99} ms`)
        const c100k = commits.records100000 as any
        return {
            name: 'mutation',
            quick: ctx.opts.quick,
            inputs: {
                sizes,
                recordsPerPayee: 1,
                amounts: '1000..1999 base units',
                serverEnv: { TX_CONFIRM_TIMEOUT_MS: '0 (answer once sent)', GQL_MAX_BODY_BYTES: '64 MiB (default 1 MiB cannot carry 100k records)' },
                proofRequests: sequential.length,
            },
            environment: environment({ postgres: s.postgresVersion }),
            figures: { commits, payoutProof: proofFigures, serverPeakRssMb: server.child.monitor.peakMb },
            summary: {
                commit100kMs: c100k ? c100k.sentMs : null,
                commit10kMs: (commits.records10000 as any).sentMs,
                root100kMs: c100k ? c100k.rootMs : null,
                proofP99Ms: seq.p99,
                proofP50Ms: seq.p50,
            },
            notes: ctx.opts.quick ? ['quick: 10,000 records only; proofs over the 10,000-leaf batch'] : [],
            durationMs: Date.now() - t0,
        }
    } finally {
        provider.destroy()
        await server.child.stop()
    }
}
