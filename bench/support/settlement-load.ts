/**
 * The benchmark chain's content (bench/support/stack.ts prepareChain): a burst of real settlement activity by the
 * project's simulator (participants, batches with stored leaves, disputes, claims), then the bulk load —
 * SettlementLoad emitting Escrow `Deposited` events — mined block by block with explicit timestamps spread over
 * months, so that daily rollups and 90-day dashboards have data.
 */
import { Interface, Wallet, id } from 'ethers'
import { Pool } from 'pg'
import type { Deployment } from '../../src/deploy/deployments'
import { anvilKey, LOCAL_ROLES } from '../../src/deploy/local-accounts'
import { Simulator } from '../../src/simulator/simulator'
import { rpcCall } from '../../src/stack/anvil'
import { prepareParticipants } from './chain'
import { BenchError, note, sleep } from './common'

export interface LoadPlan {
    /** settlement events to mine in bulk */
    events: number
    /** events per transaction (one emitDeposits call) */
    eventsPerTx: number
    /** transactions per block */
    txsPerBlock: number
    /** distinct payer addresses of the load */
    payers: number
    /** the load's blocks are spread over this many days of chain time */
    spanDays: number
    /** seconds of simulator activity before the load */
    simulateSeconds: number
}

export async function rpcBatch(url: string, calls: unknown[], timeoutMs = 60_000): Promise<any[]> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(calls), signal: AbortSignal.timeout(timeoutMs) })
    if (!res.ok) throw new BenchError(`RPC batch: HTTP ${res.status}`)
    return (await res.json()) as any[]
}

function keccakSelector(sig: string): string {
    return id(sig).slice(2, 10)
}

/** The simulator's settlement activity for `seconds` (interval mining); its stats. */
export async function simulateSettlement(url: string, deployment: Deployment, dbUrl: string, seconds: number): Promise<Record<string, number>> {
    const pool = new Pool({ connectionString: dbUrl, max: 2 })
    try {
        const sim = await startedSimulator(url, deployment, pool)
        const until = Date.now() + seconds * 1000
        while (Date.now() < until) {
            await sim.tick().catch(() => undefined)
            await sleep(150)
        }
        await sim.stop()
        return { ...sim.stats }
    } finally {
        await pool.end()
    }
}

/**
 * A simulator whose setup went through. Setup is idempotent, but a simulator whose setup failed (a nonce race of the
 * node under interval mining) keeps a bad nonce state: a fresh instance per attempt.
 */
async function startedSimulator(url: string, deployment: Deployment, pool: Pool): Promise<Simulator> {
    await prepareParticipants(url, deployment, { payers: 4, publishers: 24, advertisers: 2 })
    for (let attempt = 1; ; attempt++) {
        let logged = 0
        const sim = new Simulator({
            rpcUrl: url,
            deployment,
            db: pool,
            seed: 10 + attempt,
            payers: 4,
            publishers: 24,
            advertisers: 2,
            recordsPerBatch: [50, 400],
            log: (m) => {
                if (/fail/i.test(m) && logged++ < 5) note('stack', `simulator: ${m.slice(0, 300)}`)
            },
        })
        try {
            await sim.setup()
            return sim
        } catch (e: any) {
            await sim.stop().catch(() => undefined)
            if (attempt >= 4) throw e
            note('stack', `simulator setup failed (${e?.message ?? e}); dropping its queued transactions, retrying with a fresh simulator`)
            // a failed setup can leave transactions queued behind a nonce gap: every later one would wait behind them
            await sleep(1_500)
            await rpcCall(url, 'anvil_dropAllTransactions', [])
            await sleep(1_500)
        }
    }
}

/**
 * The load, mined by hand (explicit timestamps): `plan.events` Deposited events of `loadAddress`, checked (every
 * transaction succeeded, the contract counted them all); automine is on again afterwards (a block per transaction
 * for mutations and faults, the clock continuing from the load's last block).
 */
export async function mineLoad(url: string, deployment: Deployment, loadAddress: string, plan: LoadPlan): Promise<{ firstBlock: number; blocks: number; ms: number }> {
    await rpcCall(url, 'evm_setIntervalMining', [0])
    await rpcCall(url, 'evm_setAutomine', [false])
    const iface = new Interface(['function emitDeposits(address token, uint256 count, uint256 payers)'])
    const from = new Wallet(anvilKey(LOCAL_ROLES.deployer)).address
    const token = deployment.contracts.MockUSDC
    let nonce = Number(await rpcCall(url, 'eth_getTransactionCount', [from, 'pending']))
    const eventsPerBlock = plan.eventsPerTx * plan.txsPerBlock
    const blocks = Math.ceil(plan.events / eventsPerBlock)
    const last = await rpcCall(url, 'eth_getBlockByNumber', ['latest', false])
    const step = Math.max(1, Math.floor((plan.spanDays * 86_400) / blocks))
    let ts = Number(last.timestamp) + 60
    const t1 = Date.now()
    const deadline = t1 + 30 * 60_000
    let remaining = plan.events
    for (let b = 0; b < blocks; b++) {
        if (Date.now() > deadline) throw new BenchError(`mining the load took longer than 30 minutes (block ${b} of ${blocks})`)
        const calls: unknown[] = []
        for (let t = 0; t < plan.txsPerBlock && remaining > 0; t++) {
            const n = Math.min(plan.eventsPerTx, remaining)
            remaining -= n
            calls.push({
                jsonrpc: '2.0',
                id: t,
                method: 'eth_sendTransaction',
                params: [{ from, to: loadAddress, data: iface.encodeFunctionData('emitDeposits', [token, n, plan.payers]), gas: '0x' + (n * 4_000 + 150_000).toString(16), nonce: '0x' + (nonce++).toString(16) }],
            })
        }
        const res: any[] = await rpcBatch(url, calls)
        const bad = res.find((r) => r.error)
        if (bad) throw new BenchError(`eth_sendTransaction failed: ${JSON.stringify(bad.error)}`)
        await rpcCall(url, 'evm_setNextBlockTimestamp', [ts])
        await rpcCall(url, 'evm_mine', [])
        ts += step
        if (b % 500 === 0 && b > 0) note('stack', `mined ${b}/${blocks} load blocks (${plan.events - remaining} events)`)
    }
    const ms = Date.now() - t1
    const lastLoad = await rpcCall(url, 'eth_getBlockByNumber', ['latest', false])
    const receipt = await rpcCall(url, 'eth_getTransactionReceipt', [lastLoad.transactions[lastLoad.transactions.length - 1]])
    if (receipt.status !== '0x1') throw new BenchError('the last load transaction reverted')
    const emitted = BigInt(await rpcCall(url, 'eth_call', [{ to: loadAddress, data: '0x' + keccakSelector('emitted()') }, 'latest']))
    if (emitted !== BigInt(plan.events)) throw new BenchError(`SettlementLoad emitted ${emitted} events, expected ${plan.events}`)
    await rpcCall(url, 'evm_setAutomine', [true])
    return { firstBlock: Number(last.number) + 1, blocks, ms }
}
