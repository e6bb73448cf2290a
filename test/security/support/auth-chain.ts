/**
 * Postgres + anvil with the protocol deployed and the mutations wired to it (test/mutations/harness.ts), plus a
 * funded payer: the real stack the mutation-level security suites run against.
 */
import type { Wallet } from 'ethers'
import { SettlementChain, signerKeysFromEnv } from '../../../src/server/chain/settlement-chain'
import { closeMutations, configureMutations } from '../../../src/server/resolvers/mutation.resolver'
import { ChainHarness, fundPayer, PgHarness, startChain, startPg } from '../../mutations/harness'

export interface MutationStack {
    pg: PgHarness
    chain: ChainHarness
    settlement: SettlementChain
    payer: Wallet
    token: string
    close(): Promise<void>
}

export async function startMutationStack(payerIndex = 10): Promise<MutationStack> {
    const [pg, chain] = await Promise.all([startPg(), startChain({ blockTime: 1 })])
    const settlement = new SettlementChain({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, keys: signerKeysFromEnv(31337, {}), pollMs: 100 })
    configureMutations({ chain: settlement, confirmTimeoutMs: 20_000, log: () => undefined })
    const payer = await fundPayer(chain, payerIndex, 1_000_000_000n)
    return {
        pg,
        chain,
        settlement,
        payer,
        token: chain.deployment.contracts.MockUSDC,
        async close() {
            await closeMutations()
            settlement.destroy()
            await chain.close()
            await pg.close()
        },
    }
}

export const COMMIT = `mutation($input: CommitBatchInput!) {
  commitBatch(input: $input) { batchId root totalAmount leafCount txHash status replayed }
}`
export const FINALIZE = `mutation($id: String!, $key: String) { finalizeBatch(id: $id, idempotencyKey: $key) { batchId txHash status replayed } }`
export const CLAIM = `mutation($batchId: String!, $payees: [String!]!, $key: String) {
  claimPayouts(batchId: $batchId, payees: $payees, idempotencyKey: $key) { batchId claimed { payee amount } alreadyClaimed txHash status replayed }
}`
