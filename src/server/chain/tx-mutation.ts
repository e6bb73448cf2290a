import { Transaction } from 'ethers'
import { GraphQLError } from 'graphql'
import type { Pool } from 'pg'
import { ContractName } from '../../deploy/deployments'
import { apiError } from '../errors'
import { IdempotencyOptions, IdempotencyStore, MutationLease, MutationRow, publicResult, requestHash } from '../idempotency'
import { revertError } from './revert'
import { MinedReceipt, SettlementChain, SignerRole } from './settlement-chain'
import { BroadcastError } from './tx-sender'

/** Status of a mutation's transaction. SKIPPED: nothing needed sending (e.g. every payee already claimed). */
export type TxStatus = 'SUBMITTED' | 'CONFIRMED' | 'SKIPPED'

export interface TxOutcome {
    txHash: string | null
    status: TxStatus
    blockNumber: number | null
    /** true when this answer is the stored result of an earlier request with the same idempotencyKey */
    replayed: boolean
}

export interface TxCall {
    role: SignerRole
    contract: ContractName
    method: string
    args: unknown[]
}

/** What a mutation will do: the client-visible fields known before sending, and the call (none → SKIPPED). */
export interface TxPlan<P> {
    planned: P
    call?: TxCall
}

export interface TxMutationDeps {
    db: Pool
    chain: () => Promise<SettlementChain>
    /** how long to wait for the receipt before answering SUBMITTED (ms); 0 = do not wait */
    confirmTimeoutMs: number
    idempotency?: IdempotencyOptions
    /** the caller's role: idempotency keys are scoped by it and the mutation (`<role>:<kind>`, see ../idempotency.ts) */
    role?: string
}

export interface TxMutationSpec<P> {
    kind: string
    /** absent: no idempotency (the chain and the pending-state simulation still refuse most duplicates) */
    idempotencyKey?: string
    /** the normalised request: its hash tells a retry from a different request with the same key */
    request: unknown
    /** checks and planning; runs before anything is signed. Throwing releases the idempotency key. */
    plan: (chain: SettlementChain) => Promise<TxPlan<P>>
    /** after a failure with certainly nothing broadcast, before the key is released: undo what `plan` stored */
    onNotSent?: (chain: SettlementChain | undefined) => Promise<void>
}

/** Known API errors pass through; BroadcastError becomes CHAIN_UNAVAILABLE; anything else is rethrown as is. */
function asApiError(e: unknown): unknown {
    if (e instanceof GraphQLError) return e
    if (e instanceof BroadcastError) {
        const c: any = e.cause
        return apiError('CHAIN_UNAVAILABLE', `the node refused the transaction: ${c?.shortMessage ?? c?.code ?? 'error'}`)
    }
    return e
}

function callName(call: TxCall | undefined, stored?: string): { contract: string; method: string } {
    if (call) return { contract: call.contract, method: call.method }
    const [contract, method] = (stored ?? 'unknown.unknown').split('.')
    return { contract, method }
}

type Result<P> = P & TxOutcome

/**
 * Run one transaction-sending mutation: idempotency claim → plan (pre-send checks) → simulate, sign, record,
 * broadcast (per-signer nonce queue) → wait for the receipt → store and return the result. A mined revert is
 * decoded into CONTRACT_REVERT and stored (a retry gets the same error, never a second transaction).
 */
export async function runTxMutation<P extends object>(deps: TxMutationDeps, spec: TxMutationSpec<P>): Promise<Result<P>> {
    if (!spec.idempotencyKey) return execute(deps, spec, undefined)
    const store = new IdempotencyStore(deps.db, deps.idempotency, deps.role ? `${deps.role}:${spec.kind}` : '')
    const claim = await store.claim(spec.idempotencyKey, spec.kind, requestHash(spec.kind, spec.request))
    switch (claim.state) {
        case 'done':
            return replayDone(deps, store, claim.row)
        case 'failed':
            throw claim.error
        case 'in-flight': {
            const r = claim.row.result
            if (claim.row.txHash && r) return { ...publicResult<P>(r), txHash: claim.row.txHash, status: 'SUBMITTED', blockNumber: null, replayed: true }
            throw apiError('TIMEOUT', 'a request with this idempotencyKey is still in progress; retry later', {
                idempotencyKey: spec.idempotencyKey,
            })
        }
        case 'owner':
            if (claim.previous?.txHash) return recover(deps, spec, claim.lease, claim.previous)
            return execute(deps, spec, claim.lease)
    }
}

async function execute<P extends object>(deps: TxMutationDeps, spec: TxMutationSpec<P>, lease: MutationLease | undefined): Promise<Result<P>> {
    let chain: SettlementChain | undefined
    let plan: TxPlan<P>
    let hash: string
    try {
        chain = await deps.chain()
        plan = await spec.plan(chain)
        if (!plan.call) {
            const result = { ...plan.planned, txHash: null, status: 'SKIPPED' as const, blockNumber: null }
            await lease?.complete(result)
            return { ...result, replayed: false }
        }
        const call = plan.call
        const sent = await chain.send(call.role, call.contract, call.method, call.args, {
            beforeBroadcast: async (tx) => {
                await lease?.markSent(tx.hash, tx.raw, {
                    ...plan.planned,
                    txHash: tx.hash,
                    status: 'SUBMITTED',
                    blockNumber: null,
                    __call: `${call.contract}.${call.method}`,
                })
            },
        })
        hash = sent.hash
    } catch (e) {
        if (e instanceof BroadcastError && e.ambiguous && chain) {
            // we cannot tell whether the node got it: ask
            const known = await chain.knowsTransaction(e.hash).catch(() => false)
            if (!known) {
                await lease?.orphan()
                throw apiError(
                    'CHAIN_UNAVAILABLE',
                    `the chain RPC failed while broadcasting transaction ${e.hash}; it may or may not have been sent` +
                        (lease ? ': retry with the same idempotencyKey to resolve it' : ''),
                    { txHash: e.hash },
                )
            }
            hash = e.hash
        } else {
            await spec.onNotSent?.(chain).catch(() => undefined)
            await lease?.release()
            throw asApiError(e)
        }
    }
    return confirm(deps, chain!, lease, plan!.planned, hash, callName(plan!.call))
}

async function confirm<P extends object>(
    deps: TxMutationDeps,
    chain: SettlementChain,
    lease: MutationLease | undefined,
    planned: P,
    hash: string,
    call: { contract: string; method: string },
): Promise<Result<P>> {
    const receipt = deps.confirmTimeoutMs > 0 ? await chain.waitForReceipt(hash, deps.confirmTimeoutMs) : null
    const base = { ...planned, __call: `${call.contract}.${call.method}` }
    if (!receipt) {
        const result = { ...base, txHash: hash, status: 'SUBMITTED' as const, blockNumber: null }
        await lease?.complete(result)
        return { ...publicResult<P>(result), txHash: hash, status: 'SUBMITTED', blockNumber: null, replayed: false }
    }
    if (receipt.status === 1) {
        const result = { ...base, txHash: hash, status: 'CONFIRMED' as const, blockNumber: receipt.blockNumber }
        await lease?.complete(result)
        return { ...publicResult<P>(result), txHash: hash, status: 'CONFIRMED', blockNumber: receipt.blockNumber, replayed: false }
    }
    const err = await minedRevert(chain, hash, receipt, call)
    await lease?.fail(err)
    throw err
}

async function minedRevert(chain: SettlementChain, hash: string, receipt: MinedReceipt, call: { contract: string; method: string }) {
    const info = await chain.revertOfMined(hash, receipt)
    return revertError(info, { ...call, stage: 'mined', txHash: hash })
}

/** A stored result; a SUBMITTED one is refreshed from the chain (CONFIRMED, or the decoded revert). */
async function replayDone<P extends object>(deps: TxMutationDeps, store: IdempotencyStore, row: MutationRow): Promise<Result<P>> {
    const r = row.result ?? {}
    if (r.status === 'SUBMITTED' && r.txHash) {
        let receipt: MinedReceipt | null = null
        let chain: SettlementChain | undefined
        try {
            chain = await deps.chain()
            receipt = await chain.receipt(r.txHash)
        } catch {
            // chain unreachable: answer what we stored
        }
        if (chain && receipt?.status === 1) {
            const updated = { ...r, status: 'CONFIRMED', blockNumber: receipt.blockNumber }
            await store.updateDone(row.idempotencyKey, updated)
            return { ...publicResult<P>(updated), replayed: true } as Result<P>
        }
        if (chain && receipt?.status === 0) {
            const err = await minedRevert(chain, r.txHash, receipt, callName(undefined, r.__call))
            await store.failDone(row.idempotencyKey, err)
            throw err
        }
    }
    return { ...publicResult<P>(r), replayed: true } as Result<P>
}

/**
 * Finish the work of an owner that died (or gave up) after recording a signed transaction: if the node knows it (or
 * accepts it again), wait for it; if it can never be mined (its nonce was used by another transaction), start over.
 */
async function recover<P extends object>(
    deps: TxMutationDeps,
    spec: TxMutationSpec<P>,
    lease: MutationLease,
    previous: MutationRow,
): Promise<Result<P>> {
    const r = previous.result ?? {}
    const hash = previous.txHash!
    let chain: SettlementChain
    try {
        chain = await deps.chain()
        let known = await chain.knowsTransaction(hash)
        if (!known && typeof r.__raw === 'string') {
            known = (await chain.rebroadcast(r.__raw)) === 'sent' || (await chain.receipt(hash)) != null
            if (!known) {
                const tx = Transaction.from(r.__raw)
                const mined = Number(await chain.provider.send('eth_getTransactionCount', [tx.from, 'latest']))
                if (mined > tx.nonce) {
                    // dropped for good: its nonce belongs to another transaction
                    await lease.resetToPending()
                    return execute(deps, spec, lease)
                }
            }
        }
        if (!known) {
            await lease.orphan()
            throw apiError('CHAIN_UNAVAILABLE', `transaction ${hash} of the first request is not known to the node yet; retry later`, { txHash: hash })
        }
    } catch (e) {
        if (lease.active) await lease.orphan()
        throw asApiError(e)
    }
    const planned = publicResult<P>(r)
    delete (planned as any).txHash
    delete (planned as any).status
    delete (planned as any).blockNumber
    return confirm(deps, chain, lease, planned, hash, callName(undefined, r.__call))
}
