/** Small chain helpers for benchmarks and fault tests: receipts by polling, a funded payer. */
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { abiOf } from '../../src/contracts'
import type { Deployment } from '../../src/deploy/deployments'
import { anvilKey } from '../../src/deploy/local-accounts'
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
