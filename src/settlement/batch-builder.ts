import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { getAddress, isAddress, keccak256, toUtf8Bytes } from 'ethers'

/** One usage record: `payee` earned `amount` (token base units) from one use of its content. */
export interface UsageRecord {
    payee: string
    amount: bigint | string | number
}

/** One leaf of a batch's tree: everything a payee earned in the batch. */
export interface PayoutLeaf {
    payee: string // lowercase
    amount: bigint
}

/** A batch ready to commit: its aggregated leaves, Merkle root and totals. */
export interface BuiltBatch {
    root: string
    leaves: PayoutLeaf[]
    totalAmount: bigint
    recordCount: number
    tree: StandardMerkleTree<[string, bigint]>
}

export const LEAF_ENCODING = ['address', 'uint256']
const UINT256_MAX = (1n << 256n) - 1n
const UINT32_MAX = 2 ** 32 - 1

/** Input the contracts would reject, found before anything is signed. `field` names the offending input. */
export class BatchInputError extends Error {
    constructor(
        message: string,
        readonly field: string,
    ) {
        super(message)
        this.name = 'BatchInputError'
    }
}

export function parseAmount(value: bigint | string | number, field: string): bigint {
    let amount: bigint
    try {
        if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error()
        if (typeof value === 'string' && !/^\d+$/.test(value.trim())) throw new Error()
        amount = BigInt(value)
    } catch {
        throw new BatchInputError(`${field} must be a non-negative integer in token base units, got "${value}"`, field)
    }
    if (amount < 0n) throw new BatchInputError(`${field} must not be negative, got ${amount}`, field)
    if (amount > UINT256_MAX) throw new BatchInputError(`${field} overflows uint256`, field)
    return amount
}

export function parseAddress(value: string, field: string): string {
    if (typeof value !== 'string' || !isAddress(value) || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
        throw new BatchInputError(`${field} is not a 0x-prefixed 20-byte address: "${value}"`, field)
    }
    return getAddress(value).toLowerCase()
}

/**
 * Aggregate usage records per payee and build the OpenZeppelin StandardMerkleTree over (payee, amount).
 * Leaves are sorted by payee so the same records always give the same root, whatever their order.
 */
export function buildBatch(records: UsageRecord[]): BuiltBatch {
    if (!Array.isArray(records) || records.length === 0) throw new BatchInputError('a batch needs at least one record', 'records')
    if (records.length > UINT32_MAX) throw new BatchInputError('too many records for one batch', 'records')
    const perPayee = new Map<string, bigint>()
    records.forEach((r, i) => {
        const payee = parseAddress(r.payee, `records[${i}].payee`)
        const amount = parseAmount(r.amount, `records[${i}].amount`)
        perPayee.set(payee, (perPayee.get(payee) ?? 0n) + amount)
    })
    const leaves = [...perPayee.entries()]
        .filter(([, amount]) => amount > 0n)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([payee, amount]) => ({ payee, amount }))
    if (leaves.length === 0) throw new BatchInputError('every record has amount 0: nothing to pay', 'records')
    const totalAmount = leaves.reduce((s, l) => s + l.amount, 0n)
    if (totalAmount > UINT256_MAX) throw new BatchInputError('batch total overflows uint256', 'records')
    const tree = StandardMerkleTree.of(
        leaves.map((l) => [l.payee, l.amount] as [string, bigint]),
        LEAF_ENCODING,
    )
    return { root: tree.root, leaves, totalAmount, recordCount: records.length, tree }
}

/** The proof of each leaf, keyed by lowercase payee. */
export function proofsOf(batch: BuiltBatch): Map<string, string[]> {
    const out = new Map<string, string[]>()
    for (const [i, [payee]] of batch.tree.entries()) out.set(payee.toLowerCase(), batch.tree.getProof(i))
    return out
}

/** A batch id derived from a client's idempotency key: the same key can never commit twice on chain. */
export function batchIdFromKey(idempotencyKey: string): string {
    return keccak256(toUtf8Bytes(`settlement-batch:${idempotencyKey}`))
}
