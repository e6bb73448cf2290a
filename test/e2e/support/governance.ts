/**
 * Chain actions the simulators do not produce on the fault stack (its dispute window is 3 s, too short for the
 * settlement simulator's disputes): two batches disputed by their payer and ruled through the timelock (one upheld,
 * one dismissed), and a validator's commission change scheduled and applied. Returns the blocks around each
 * transition, for as-of checks on both sides of it. Needs automine (freezeChain) and an escrow funded for the payer.
 */
import { Contract, JsonRpcProvider, Wallet } from 'ethers'
import { contract } from '../../../src/contracts'
import type { Deployment } from '../../../src/deploy/deployments'
import { FIRST_PARTICIPANT, LOCAL_ROLES, anvilKey } from '../../../src/deploy/local-accounts'
import { buildBatch, batchIdFromKey } from '../../../src/settlement/batch-builder'
import { SIM_ACCOUNTS } from '../../../src/simulator/accounts'
import { rpcCall } from '../../../src/stack/anvil'

const ZERO = '0x' + '00'.repeat(32)

export async function disputesAndCommission(rpcUrl: string, d: Deployment): Promise<{ blocks: number[]; disputed: string[]; bothPendingAt: number; validator: string }> {
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 100 })
    // plain wallets (nonce read at each send), sent again on a nonce error: work the simulators left in flight past
    // their stop may still send as the same accounts (the timelock proposer above all)
    const w = (i: number) => new Wallet(anvilKey(i), provider)
    const blocks: number[] = []
    const mined = async (from: Wallet, send: (o: { nonce: number }) => Promise<{ hash: string }>) => {
        let hash = ''
        for (let attempt = 1; !hash; attempt++) {
            try {
                // (the mined count: anvil's pending count lagged behind it after evm_increaseTime)
                hash = (await send({ nonce: await provider.getTransactionCount(from.address, 'latest') })).hash
            } catch (e: any) {
                if (attempt >= 10 || !/nonce/i.test(String(e?.message ?? e))) throw e
                await new Promise((res) => setTimeout(res, 500)) // the other sender's transaction gets mined meanwhile
            }
        }
        // (the receipt polled directly: ethers' waitForTransaction can miss an automined block no other block follows)
        for (let i = 0; i < 300; i++) {
            const r = await rpcCall<{ status: string; blockNumber: string } | null>(rpcUrl, 'eth_getTransactionReceipt', [hash])
            if (r) {
                if (r.status !== '0x1') throw new Error(`transaction ${hash} reverted`)
                const n = Number(r.blockNumber)
                blocks.push(n - 1, n)
                return { blockNumber: n }
            }
            await new Promise((res) => setTimeout(res, 100))
        }
        throw new Error(`transaction ${hash} not mined in 30 s`)
    }
    try {
        // what the simulators left queued behind a nonce gap would hold our transactions back: dropped
        await rpcCall(rpcUrl, 'anvil_dropAllTransactions', [])
        const payerW = w(FIRST_PARTICIPANT)
        const operatorW = w(LOCAL_ROLES.operator)
        const payer = await payerW.getAddress()
        const ledgerAt = d.contracts.BatchLedger
        const ledger = (x: Wallet) => contract('BatchLedger', ledgerAt, x) as Contract
        const built = buildBatch([
            { payee: new Wallet(anvilKey(FIRST_PARTICIPANT + 3)).address, amount: 3_000_000n },
            { payee: payer, amount: 1_000_000n },
        ])
        const ids = ['upheld', 'dismissed'].map((k) => batchIdFromKey(`tt-${k}-${Date.now()}`))
        let bothPendingAt = 0
        for (const id of ids) {
            await mined(operatorW, (o) => ledger(operatorW).commitBatch(id, payer, d.contracts.MockUSDC, built.root, built.totalAmount, 2, `ipfs://${id}`, o))
            bothPendingAt = (await mined(payerW, (o) => ledger(payerW).dispute(id, 0, [], 'numbers look off', o))).blockNumber
        }
        const iface = ledger(payerW).interface
        const proposerW = w(LOCAL_ROLES.proposer)
        const timelock = contract('PlatformTimelock', d.contracts.PlatformTimelock, proposerW) as Contract
        const datas = [iface.encodeFunctionData('resolveDispute', [ids[0], true]), iface.encodeFunctionData('resolveDispute', [ids[1], false])]
        const salt = '0x' + Date.now().toString(16).padStart(64, '0')
        await mined(proposerW, (o) => timelock.scheduleBatch([ledgerAt, ledgerAt], [0, 0], datas, ZERO, salt, d.config.timelockMinDelay, o))

        // a validator's commission: scheduled, then applied after the delay
        const validator = w(SIM_ACCOUNTS.firstValidator)
        const registry = contract('ValidatorRegistry', d.contracts.ValidatorRegistry, validator) as Contract
        const address = await validator.getAddress()
        const rec = await registry.getValidator(address)
        if (Number(rec.commissionEffectiveAt) === 0) {
            const next = Number(rec.commissionBps) >= 100 ? Number(rec.commissionBps) - 75 : Number(rec.commissionBps) + 75
            await mined(validator, (o) => registry.scheduleCommissionChange(next, o))
        }
        await rpcCall(rpcUrl, 'evm_increaseTime', [Math.max(d.config.timelockMinDelay, d.config.commissionDelay) + 2])
        await rpcCall(rpcUrl, 'evm_mine', [])
        await mined(proposerW, (o) => timelock.executeBatch([ledgerAt, ledgerAt], [0, 0], datas, ZERO, salt, o))
        await mined(validator, (o) => registry.applyCommissionChange(address, o))
        return { blocks: [...new Set(blocks)].sort((a, b) => a - b), disputed: ids, bothPendingAt, validator: address.toLowerCase() }
    } finally {
        provider.destroy()
    }
}
