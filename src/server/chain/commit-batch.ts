import { GraphQLError } from 'graphql'
import { batchIdFromKey, buildBatch, UsageRecord } from '../../settlement/batch-builder'
import { payeeError, protocolAddresses, unclaimablePayee } from '../../settlement/payee-rules'
import { apiError } from '../errors'
import { CommitLeaves } from './commit-leaves'
import { runTxMutation, TxMutationDeps } from './tx-mutation'

export interface CommitBatchRequest {
    payer: string // lowercase, validated
    token: string
    idempotencyKey: string
    dataURI: string
    records: UsageRecord[]
    /** the on-chain recordCount when `records` are already aggregates (the usage batcher); default records.length */
    recordCount?: number
}

/**
 * The commitBatch path (the mutation, and the usage batcher): aggregate per payee, build the tree, refuse unclaimable
 * payees, check the payer's free escrow (INSUFFICIENT_ESCROW, nothing sent), store the leaves, and commit through
 * runTxMutation with `idempotencyKey` (the batch id is derived from it, so a retry never commits twice).
 */
export async function commitBatchWith(deps: TxMutationDeps, req: CommitBatchRequest) {
    const { payer, token, idempotencyKey: key, dataURI, records } = req
    const built = buildBatch(records)
    const unclaimable = unclaimablePayee(built.leaves, new Map()) // the protocol's contracts: checked in plan
    if (unclaimable) throw payeeError(records, unclaimable.payee, unclaimable.why)
    const batchId = batchIdFromKey(key).toLowerCase()
    const planned = {
        batchId,
        payer,
        token,
        root: built.root.toLowerCase(),
        totalAmount: built.totalAmount.toString(),
        recordCount: req.recordCount ?? built.recordCount,
        leafCount: built.leaves.length,
        dataURI,
    }
    const leaves = new CommitLeaves(deps.db, batchId, built.root, built.leaves)
    try {
        return await runTxMutation(deps, {
            kind: 'commitBatch',
            idempotencyKey: key,
            request: { payer, token, root: planned.root, totalAmount: planned.totalAmount, recordCount: planned.recordCount, dataURI },
            plan: async (chain) => {
                const bad = unclaimablePayee(built.leaves, protocolAddresses(chain.deployment.contracts, token))
                if (bad) throw payeeError(records, bad.payee, bad.why)
                const account = await chain.escrowAccount(payer, token)
                if (account.available < built.totalAmount) throw insufficientEscrow(payer, token, account.available, built.totalAmount, account.locked)
                await leaves.store(chain)
                return {
                    planned,
                    call: {
                        role: 'operator',
                        contract: 'BatchLedger',
                        method: 'commitBatch',
                        args: [batchId, payer, token, built.root, built.totalAmount, planned.recordCount, dataURI],
                    },
                }
            },
            onNotSent: (chain) => leaves.discard(chain),
        })
    } catch (e) {
        // the balance moved between our check and the simulation (e.g. another pending commit of this payer)
        const revert = e instanceof GraphQLError ? (e.extensions?.revert as any) : undefined
        if (revert?.name === 'InsufficientBalance' && e instanceof GraphQLError && e.extensions?.stage === 'simulation') {
            throw insufficientEscrow(payer, token, BigInt(revert.args.available), BigInt(revert.args.requested))
        }
        throw e
    }
}

function insufficientEscrow(payer: string, token: string, available: bigint, required: bigint, locked?: bigint): GraphQLError {
    return apiError(
        'INSUFFICIENT_ESCROW',
        `payer ${payer} has ${available} of token ${token} free in escrow, the batch needs ${required}; deposit more first (nothing was sent)`,
        { payer, token, available: available.toString(), required: required.toString(), ...(locked !== undefined ? { locked: locked.toString() } : {}) },
    )
}
