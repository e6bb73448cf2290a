/** Get-or-create helpers. Stubs keep foreign keys valid when indexing starts after a referenced event. */
import { Batch, BatchStatus, ContractState, ProtocolParams, Token } from '../model'
import { EventMeta } from './decode'
import { MappingState } from './state'

export const PARAMS_ID = 'protocol'

export function ensureToken(state: MappingState, address: string, meta: EventMeta): Token {
    const id = address.toLowerCase()
    let t = state.tokens.get(id)
    if (t) return t
    t = new Token({
        id,
        symbol: '',
        decimals: 0,
        minDeposit: 0n,
        maxDeposit: 0n,
        allowed: false,
        allowedAt: null,
        allowedAtBlock: null,
        disallowedAt: null,
        updatedAt: new Date(meta.timestamp),
        updatedAtBlock: meta.blockNumber,
        escrowHeld: 0n,
        escrowLocked: 0n,
        totalDeposited: 0n,
        totalWithdrawn: 0n,
        totalCommitted: 0n,
        totalFinalized: 0n,
        totalRejected: 0n,
        totalClaimed: 0n,
        totalFees: 0n,
        depositCount: 0,
        withdrawalCount: 0,
        batchCount: 0,
        claimCount: 0,
    })
    return state.tokens.add(t)
}

/** The token id a batch settles in (the relation is loaded with the batch, or set when created). */
export function batchTokenId(b: Batch): string {
    return b.token.id
}

/**
 * The batch `id`; if it was never seen (indexing started after its commit) a stub is created so
 * relations stay valid, and a warning is recorded.
 */
export function ensureBatch(state: MappingState, id: string, meta: EventMeta, hint: { payer?: string; token?: string } = {}): Batch {
    let b = state.batches.get(id)
    if (b) return b
    state.warnings.push(`batch ${id} referenced at block ${meta.blockNumber} (${meta.id}) was never committed in the indexed range; created a stub`)
    const token = ensureToken(state, hint.token ?? '0x0000000000000000000000000000000000000000', meta)
    const at = new Date(meta.timestamp)
    b = new Batch({
        id,
        status: BatchStatus.COMMITTED,
        payer: hint.payer?.toLowerCase() ?? '',
        token: new Token({ id: token.id }),
        root: '0x',
        totalAmount: 0n,
        recordCount: 0,
        dataURI: '',
        operator: '',
        disputed: false,
        committedAt: at,
        committedAtBlock: meta.blockNumber,
        committedTx: meta.txHash,
        disputeDeadline: at,
        claimedAmount: 0n,
        claimCount: 0,
        updatedAtBlock: meta.blockNumber,
    })
    return state.batches.add(b)
}

export function ensureContractState(state: MappingState, meta: EventMeta): ContractState {
    let c = state.contractStates.get(meta.address)
    if (c) return c
    c = new ContractState({
        id: meta.address,
        contract: meta.contract,
        paused: false,
        implementation: null,
        upgradeCount: 0,
        updatedAtBlock: meta.blockNumber,
    })
    return state.contractStates.add(c)
}

export function ensureParams(state: MappingState, meta: EventMeta): ProtocolParams {
    let p = state.params.get(PARAMS_ID)
    if (p) return p
    p = new ProtocolParams({ id: PARAMS_ID, updatedAtBlock: meta.blockNumber })
    return state.params.add(p)
}
