import 'reflect-metadata'
import { GraphQLError } from 'graphql'
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql'
import type { Pool } from 'pg'
import { BatchInputError, parseAddress } from '../../settlement/batch-builder'
import { loadTree, proofFor } from '../../settlement/leaf-store'
import { commitBatchWith } from '../chain/commit-batch'
import { SettlementChain } from '../chain/settlement-chain'
import { runTxMutation, TxMutationDeps } from '../chain/tx-mutation'
import type { Ctx as Context } from '../context'
import { apiError } from '../errors'
import { IdempotencyOptions, MAX_IDEMPOTENCY_KEY_LENGTH } from '../idempotency'
import { CommitBatchInput } from './commit-batch.input'
import { ClaimPayoutsResult, CommitBatchResult, DisputeBatchResult, FinalizeBatchResult } from './mutation-result.type'

/**
 * Mutations for bots. Every one of them:
 * - needs an API key with the right role (`@Authorized`, checked before any code here runs): commit/finalise/dispute
 *   need `operator`, claimPayouts needs `relayer`;
 * - validates all input first (BAD_USER_INPUT with `extensions.field`), then runs pre-send checks (escrow balance,
 *   stored leaves, claims), then simulates the call with eth_call on the pending block (a revert comes back as
 *   CONTRACT_REVERT with `extensions.revert = { name, signature, args }`, nothing sent), then signs with the
 *   server's key for that role (env only) through a per-signer nonce queue and broadcasts;
 * - waits up to TX_CONFIRM_TIMEOUT_MS (default 30 s) for the receipt: CONFIRMED, or SUBMITTED when not mined yet;
 * - with an `idempotencyKey` (required for commitBatch, optional elsewhere) returns the first result for any retry,
 *   concurrent or after a restart, and never sends a second transaction (see ../idempotency.ts).
 *
 * disputeBatch: the contract accepts disputes only from the batch's payer or one of its payees (with a proof), never
 * from the operator. So the server sends disputes with DISPUTER_KEY, the key of the platform (payer) it runs for, or of
 * a payee; without it disputeBatch answers CHAIN_UNAVAILABLE ("no disputer signer is configured"). When the disputer is
 * a payee, its leaf and proof come from the stored leaves. A disputer that is neither gets the decoded NotDisputant.
 */

export interface MutationConfig {
    /** the chain connection, or a factory; default: SettlementChain.fromEnv() on first use */
    chain?: SettlementChain | (() => Promise<SettlementChain>)
    /** wait for the receipt this long before answering SUBMITTED (default env TX_CONFIRM_TIMEOUT_MS or 30000) */
    confirmTimeoutMs?: number
    idempotency?: IdempotencyOptions
    /** most records one commitBatch may carry (default 100000) */
    maxRecords?: number
    /** most payees one claimPayouts may carry (default 200) */
    maxClaims?: number
    /** server-side log for unexpected errors (default console.error) */
    log?: (message: string, error?: unknown) => void
}

let config: MutationConfig = {}
let chainPromise: Promise<SettlementChain> | undefined

/** Configure the mutations (chain, timeouts). Call before serving; tests inject their chain here. */
export function configureMutations(cfg: MutationConfig): void {
    config = { ...cfg }
    chainPromise = undefined
}

/** Close the chain connection opened from env (if any) and forget the configuration. */
export async function closeMutations(): Promise<void> {
    const p = chainPromise
    chainPromise = undefined
    config = {}
    if (p) await p.then((c) => c.destroy()).catch(() => undefined)
}

function log(message: string, error?: unknown) {
    ;(config.log ?? ((m: string, e?: unknown) => console.error(m, e ?? '')))(message, error)
}

function getChain(): Promise<SettlementChain> {
    const c = config.chain
    if (c instanceof SettlementChain) return Promise.resolve(c)
    if (!chainPromise) {
        const factory = typeof c === 'function' ? c : () => SettlementChain.fromEnv()
        chainPromise = factory().catch((e) => {
            chainPromise = undefined
            if (e instanceof GraphQLError) throw e
            log('[mutations] cannot set up the chain connection', e)
            throw apiError('CHAIN_UNAVAILABLE', 'the server cannot reach the chain or has no deployment for it; see the server log')
        })
    }
    return chainPromise
}

function confirmTimeoutMs(): number {
    if (config.confirmTimeoutMs !== undefined) return config.confirmTimeoutMs
    const v = process.env.TX_CONFIRM_TIMEOUT_MS
    return v && /^\d+$/.test(v) ? Number(v) : 30_000
}

function deps(ctx: Context): TxMutationDeps {
    return mutationDeps(ctx.db, ctx.caller?.role)
}

/** What runTxMutation needs, with this module's configured chain: also for the usage batcher (role operator). */
export function mutationDeps(db: Pool, role: string | undefined): TxMutationDeps {
    return { db, chain: getChain, confirmTimeoutMs: confirmTimeoutMs(), idempotency: config.idempotency, role }
}

// ---------------------------------------------------------------------------
// validation

function badInput(message: string, field: string): GraphQLError {
    return apiError('BAD_USER_INPUT', message, { field })
}

function parseBatchId(v: unknown, field: string): string {
    if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw badInput(`${field} must be a 0x-prefixed 32-byte hex batch id`, field)
    return v.toLowerCase()
}

function parseIdempotencyKey(v: unknown, field: string, required: boolean): string | undefined {
    if (v == null) {
        if (required) throw badInput(`${field} is required`, field)
        return undefined
    }
    if (typeof v !== 'string' || v.trim() === '') throw badInput(`${field} must not be empty`, field)
    if (v.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw badInput(`${field} is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, field)
    if (/[\u0000-\u001f\u007f]/.test(v)) throw badInput(`${field} must not contain control characters`, field)
    return v
}

function parseText(v: unknown, field: string, max: number, opts: { required?: boolean } = {}): string {
    if (v == null) {
        if (opts.required) throw badInput(`${field} is required`, field)
        return ''
    }
    if (typeof v !== 'string') throw badInput(`${field} must be a string`, field)
    if (opts.required && v.trim() === '') throw badInput(`${field} must not be empty`, field)
    if (v.length > max) throw badInput(`${field} is longer than ${max} characters`, field)
    return v
}

/** Known API errors pass; input errors become BAD_USER_INPUT; anything else is logged and answered INTERNAL. */
async function guard<T>(ctx: Context, what: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn()
    } catch (e) {
        if (e instanceof GraphQLError && e.extensions?.code) throw e
        if (e instanceof BatchInputError) throw badInput(e.message, e.field)
        log(`[mutations] ${what} failed (request ${ctx.requestId})`, e)
        throw apiError('INTERNAL', `internal error (request ${ctx.requestId})`, { requestId: ctx.requestId })
    }
}

@Resolver()
export class MutationResolver {
    @Authorized('operator')
    @Mutation(() => CommitBatchResult, {
        description:
            "Aggregate usage records per payee, build the Merkle tree, store its leaves, check the payer's free escrow balance " +
            '(INSUFFICIENT_ESCROW, nothing sent) and commit the batch on chain. Role: operator.',
    })
    async commitBatch(
        @Arg('input', () => CommitBatchInput, { validate: false }) input: CommitBatchInput,
        @Ctx() ctx: Context,
    ): Promise<CommitBatchResult> {
        return guard(ctx, 'commitBatch', async () => {
            const payer = parseAddress(input.payer, 'payer')
            const token = parseAddress(input.token, 'token')
            const key = parseIdempotencyKey(input.idempotencyKey, 'idempotencyKey', true)!
            const dataURI = parseText(input.dataURI, 'dataURI', 2048)
            const maxRecords = config.maxRecords ?? 100_000
            if (!Array.isArray(input.records) || input.records.length === 0) throw badInput('a batch needs at least one record', 'records')
            if (input.records.length > maxRecords) throw badInput(`a batch may carry at most ${maxRecords} records`, 'records')
            return (await commitBatchWith(deps(ctx), { payer, token, idempotencyKey: key, dataURI, records: input.records })) as CommitBatchResult
        })
    }

    @Authorized('operator')
    @Mutation(() => FinalizeBatchResult, {
        description: 'Finalise a batch after its dispute window: the payer is charged and the payout opens. Role: operator.',
    })
    async finalizeBatch(
        @Arg('id', () => String) id: string,
        @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null | undefined,
        @Ctx() ctx: Context,
    ): Promise<FinalizeBatchResult> {
        return guard(ctx, 'finalizeBatch', async () => {
            const batchId = parseBatchId(id, 'id')
            const key = parseIdempotencyKey(idempotencyKey, 'idempotencyKey', false)
            return (await runTxMutation(deps(ctx), {
                kind: 'finalizeBatch',
                idempotencyKey: key,
                request: { batchId },
                plan: async (chain) => {
                    await requireBatch(chain, batchId)
                    return { planned: { batchId }, call: { role: 'operator', contract: 'BatchLedger', method: 'finalize', args: [batchId] } }
                },
            })) as FinalizeBatchResult
        })
    }

    @Authorized('operator')
    @Mutation(() => DisputeBatchResult, {
        description:
            "Dispute a batch within its window, signed with the server's DISPUTER_KEY (the payer's key, or a payee's). Role: operator.",
    })
    async disputeBatch(
        @Arg('id', () => String) id: string,
        @Arg('reason', () => String) reason: string,
        @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null | undefined,
        @Ctx() ctx: Context,
    ): Promise<DisputeBatchResult> {
        return guard(ctx, 'disputeBatch', async () => {
            const batchId = parseBatchId(id, 'id')
            const why = parseText(reason, 'reason', 1000, { required: true })
            const key = parseIdempotencyKey(idempotencyKey, 'idempotencyKey', false)
            return (await runTxMutation(deps(ctx), {
                kind: 'disputeBatch',
                idempotencyKey: key,
                request: { batchId, reason: why },
                plan: async (chain) => {
                    const disputant = chain.sender('disputer').address.toLowerCase()
                    const batch = await requireBatch(chain, batchId)
                    const byPayer = batch.payer === disputant
                    let amount = 0n
                    let proof: string[] = []
                    if (!byPayer) {
                        const leaf = await proofFor(ctx.db, batchId, disputant)
                        if (leaf) {
                            amount = leaf.amount
                            proof = leaf.proof
                        }
                    }
                    return {
                        planned: { batchId, disputant, byPayer, reason: why },
                        call: { role: 'disputer', contract: 'BatchLedger', method: 'dispute', args: [batchId, amount, proof, why] },
                    }
                },
            })) as DisputeBatchResult
        })
    }

    @Authorized('relayer')
    @Mutation(() => ClaimPayoutsResult, {
        description:
            "Claim finalised payouts for payees (Distributor.claimMany, relayer key) with proofs from the stored leaves. Payees that " +
            'already claimed are skipped and listed in alreadyClaimed. Role: relayer.',
    })
    async claimPayouts(
        @Arg('batchId', () => String) batchIdArg: string,
        @Arg('payees', () => [String]) payeesArg: string[],
        @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null | undefined,
        @Ctx() ctx: Context,
    ): Promise<ClaimPayoutsResult> {
        return guard(ctx, 'claimPayouts', async () => {
            const batchId = parseBatchId(batchIdArg, 'batchId')
            const key = parseIdempotencyKey(idempotencyKey, 'idempotencyKey', false)
            const maxClaims = config.maxClaims ?? 200
            if (!Array.isArray(payeesArg) || payeesArg.length === 0) throw badInput('payees must list at least one payee', 'payees')
            if (payeesArg.length > maxClaims) throw badInput(`at most ${maxClaims} payees per call`, 'payees')
            const payees: string[] = []
            payeesArg.forEach((p, i) => {
                const a = parseAddress(p, `payees[${i}]`)
                if (!payees.includes(a)) payees.push(a)
            })
            const tree = await loadTree(ctx.db, batchId)
            if (!tree) throw apiError('NOT_FOUND', `no leaves stored for batch ${batchId}: it was not built by this API`, { field: 'batchId' })
            const leaves = payees.map((payee) => {
                const i = tree.indexOf(payee)
                if (i === undefined) throw apiError('NOT_FOUND', `payee ${payee} has no leaf in batch ${batchId}`, { field: `payees[${payeesArg.findIndex((p) => p.toLowerCase() === payee)}]` })
                return { payee, amount: tree.amount(i), proof: tree.proof(i) }
            })
            return (await runTxMutation(deps(ctx), {
                kind: 'claimPayouts',
                idempotencyKey: key,
                request: { batchId, payees: [...payees].sort() },
                plan: async (chain) => {
                    const claimed = await Promise.all(leaves.map((l) => chain.isClaimed(batchId, l.payee)))
                    const todo = leaves.filter((_, i) => !claimed[i])
                    const planned = {
                        batchId,
                        claimed: todo.map((l) => ({ payee: l.payee, amount: l.amount.toString() })),
                        alreadyClaimed: leaves.filter((_, i) => claimed[i]).map((l) => l.payee),
                    }
                    if (todo.length === 0) return { planned }
                    return {
                        planned,
                        call: {
                            role: 'relayer',
                            contract: 'Distributor',
                            method: 'claimMany',
                            args: [batchId, todo.map((l) => l.payee), todo.map((l) => l.amount), todo.map((l) => l.proof)],
                        },
                    }
                },
            })) as ClaimPayoutsResult
        })
    }
}

async function requireBatch(chain: SettlementChain, batchId: string) {
    const batch = await chain.getBatch(batchId)
    if (batch.status === 0) throw apiError('NOT_FOUND', `no batch ${batchId} on chain`, { field: 'id' })
    return batch
}
