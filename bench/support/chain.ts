/** Small chain helpers for benchmarks and fault tests: receipts by polling, a funded payer. */
import { Contract, JsonRpcProvider, MaxUint256, Wallet } from 'ethers'
import { abiOf } from '../../src/contracts'
import type { Deployment } from '../../src/deploy/deployments'
import { anvilKey, FIRST_PARTICIPANT } from '../../src/deploy/local-accounts'
import { sleep } from './common'

/** Receipt by polling (ethers' wait() can miss an automined block when no further block follows). */
export async function minedReceipt(provider: JsonRpcProvider, hash: string, timeoutMs = 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
        const r = await provider.send('eth_getTransactionReceipt', [hash])
        if (r) {
            if (r.status !== '0x1') throw new Error(`transaction ${hash} reverted`)
            return r
        }
        if (Date.now() > deadline) throw new Error(`transaction ${hash} not mined within ${timeoutMs} ms`)
        await sleep(50)
    }
}

/** Anvil account `index` as a registered AI platform with `amount` of MockUSDC deposited in the Escrow. */
export async function fundPayer(rpcUrl: string, d: Deployment, index: number, amount: bigint): Promise<string> {
    const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true, pollingInterval: 100 })
    try {
        const wallet = new Wallet(anvilKey(index), provider)
        const registry = new Contract(d.contracts.ParticipantRegistry, abiOf('ParticipantRegistry'), wallet)
        const usdc = new Contract(d.contracts.MockUSDC, abiOf('MockUSDC'), wallet)
        const escrow = new Contract(d.contracts.Escrow, abiOf('Escrow'), wallet)
        let nonce = Number(await provider.send('eth_getTransactionCount', [wallet.address, 'pending']))
        const gasLimit = 500_000n
        const participant = await registry.getParticipant(wallet.address)
        const txs = []
        if (!participant.active) txs.push(await registry.register(0, wallet.address, `ipfs://bench-payer-${index}`, { nonce: nonce++, gasLimit }))
        txs.push(await usdc.faucet(wallet.address, amount, { nonce: nonce++, gasLimit }))
        txs.push(await usdc.approve(d.contracts.Escrow, amount, { nonce: nonce++, gasLimit }))
        txs.push(await escrow.deposit(d.contracts.MockUSDC, amount, { nonce: nonce++, gasLimit }))
        for (const tx of txs) await minedReceipt(provider, tx.hash)
        return wallet.address.toLowerCase()
    } finally {
        provider.destroy()
    }
}

/**
 * Register and fund the participants the project's simulator will use (same anvil accounts, same order:
 * AI platforms, publishers, advertisers from FIRST_PARTICIPANT on), with explicit nonces, all accounts in
 * parallel, before `Simulator.setup()` runs; setup then finds everyone registered and skips them. Works around
 * the simulator's setup racing nonces under interval mining and then, being idempotent only on registration,
 * never funding a platform whose faucet transaction was lost.
 */
export async function prepareParticipants(rpcUrl: string, d: Deployment, counts: { payers: number; publishers: number; advertisers: number }, usdc = 1_000_000n * 1_000_000n): Promise<void> {
    const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true, pollingInterval: 100, batchMaxCount: 1 })
    try {
        const registry = new Contract(d.contracts.ParticipantRegistry, abiOf('ParticipantRegistry'), provider)
        const token = new Contract(d.contracts.MockUSDC, abiOf('MockUSDC'), provider)
        const escrow = new Contract(d.contracts.Escrow, abiOf('Escrow'), provider)
        const kinds = [...Array(counts.payers).fill(0), ...Array(counts.publishers).fill(1), ...Array(counts.advertisers).fill(2)]
        await Promise.all(
            kinds.map(async (kind, k) => {
                const wallet = new Wallet(anvilKey(FIRST_PARTICIPANT + k), provider)
                if ((await registry.getParticipant(wallet.address)).active) return
                let nonce = Number(await provider.send('eth_getTransactionCount', [wallet.address, 'pending']))
                const opts = () => ({ nonce: nonce++, gasLimit: 500_000n })
                const hashes: string[] = []
                const send = async (c: Contract, method: string, args: unknown[]) => hashes.push((await (c.connect(wallet) as Contract)[method](...args, opts())).hash)
                await send(registry, 'register', [kind, wallet.address, `ipfs://bench/${['platform', 'publisher', 'advertiser'][kind]}/${k}`])
                if (kind === 1) await send(registry, 'setPublisherTerms', [wallet.address, BigInt(50 + ((k * 37) % 450)) * 1000n, true])
                if (kind === 0) {
                    await send(token, 'faucet', [wallet.address, usdc])
                    await send(token, 'approve', [d.contracts.Escrow, MaxUint256])
                    await send(escrow, 'deposit', [d.contracts.MockUSDC, usdc / 4n])
                }
                for (const h of hashes) await minedReceipt(provider, h)
            }),
        )
    } finally {
        provider.destroy()
    }
}

/** Anvil accounts `indexes` as registered publishers (payout = own address) consenting at `price(k)` per thousand. */
export async function registerPublishers(rpcUrl: string, d: Deployment, indexes: number[], price: (k: number) => bigint): Promise<string[]> {
    const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true, pollingInterval: 100 })
    try {
        return await Promise.all(
            indexes.map(async (index, k) => {
                const wallet = new Wallet(anvilKey(index), provider)
                const registry = new Contract(d.contracts.ParticipantRegistry, abiOf('ParticipantRegistry'), wallet)
                let nonce = Number(await provider.send('eth_getTransactionCount', [wallet.address, 'pending']))
                const hashes: string[] = []
                if (!(await registry.getParticipant(wallet.address)).active) hashes.push((await registry.register(1, wallet.address, `ipfs://bench-publisher-${index}`, { nonce: nonce++, gasLimit: 500_000n })).hash)
                hashes.push((await registry.setPublisherTerms(wallet.address, price(k), true, { nonce: nonce++, gasLimit: 500_000n })).hash)
                for (const h of hashes) await minedReceipt(provider, h)
                return wallet.address.toLowerCase()
            }),
        )
    } finally {
        provider.destroy()
    }
}
