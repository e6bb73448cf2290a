import { keccak256, toUtf8Bytes } from 'ethers'
import { keccak256Into } from './keccak'
import { PayoutTree } from './merkle'

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
    /** one per payee, sorted by payee; leaf i of `tree` */
    leaves: PayoutLeaf[]
    totalAmount: bigint
    recordCount: number
    tree: PayoutTree
}

/** The leaf encoding, as StandardMerkleTree and the Distributor contract see it. */
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

const DIGITS_RE = /^\d+$/

export function parseAmount(value: bigint | string | number, field: string): bigint {
    let amount: bigint
    try {
        if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error()
        if (typeof value === 'string' && !DIGITS_RE.test(value.trim())) throw new Error()
        amount = BigInt(value)
    } catch {
        throw new BatchInputError(`${field} must be a non-negative integer in token base units, got "${value}"`, field)
    }
    if (amount < 0n) throw new BatchInputError(`${field} must not be negative, got ${amount}`, field)
    if (amount > UINT256_MAX) throw new BatchInputError(`${field} overflows uint256`, field)
    return amount
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/
const HAS_UPPER_RE = /[A-F]/
const HAS_LOWER_RE = /[a-f]/

/**
 * An address as `0x` + 40 hex digits, returned lowercase. Like ethers' isAddress/getAddress: all-lowercase and
 * all-uppercase digits are accepted as they are; a mixed-case address must carry a valid EIP-55 checksum.
 */
export function parseAddress(value: string, field: string): string {
    const lower = addressOrUndefined(value)
    if (lower === undefined) throw new BatchInputError(`${field} is not a 0x-prefixed 20-byte address: "${value}"`, field)
    return lower
}

function addressOrUndefined(value: unknown): string | undefined {
    if (typeof value !== 'string' || value.length !== 42 || !ADDRESS_RE.test(value)) return undefined
    const lower = value.toLowerCase()
    if (lower === value) return lower
    if (HAS_LOWER_RE.test(value) && HAS_UPPER_RE.test(value) && !hasValidChecksum(value, lower)) return undefined
    return lower
}

const checksumBuf = new Uint8Array(40)
const checksumHash = new Uint8Array(32)

/** EIP-55: hex letter i is uppercase iff nibble i of keccak256(lowercase hex digits as ASCII) is ≥ 8. */
function hasValidChecksum(value: string, lower: string): boolean {
    for (let i = 0; i < 40; i++) checksumBuf[i] = lower.charCodeAt(i + 2)
    keccak256Into(checksumBuf, 0, 40, checksumHash, 0)
    for (let i = 0; i < 40; i++) {
        const c = value.charCodeAt(i + 2)
        if (c < 65) continue // a digit
        const nibble = i & 1 ? checksumHash[i >> 1] & 0x0f : checksumHash[i >> 1] >> 4
        const upper = c < 97
        if (upper !== nibble >= 8) return false
    }
    return true
}

/** A payee's running sum: `small` holds short decimal amounts as a double while exact, `big` the rest. */
interface Sum {
    payee: string
    small: number
    big: bigint
}

/** Above this, `small` is folded into `big` before adding another short amount (< 10^15) so it stays exact. */
const SMALL_LIMIT = Number.MAX_SAFE_INTEGER - 1e15

/**
 * Aggregate usage records per payee and build the OpenZeppelin StandardMerkleTree over (payee, amount) (the same
 * tree, built by ./merkle.ts). Leaves are sorted by payee so the same records always give the same root, whatever
 * their order. Each distinct payee spelling is validated once (one map lookup per record after that); short decimal
 * amounts are summed as doubles while exact, so a record costs no BigInt.
 */
export function buildBatch(records: UsageRecord[]): BuiltBatch {
    if (!Array.isArray(records) || records.length === 0) throw new BatchInputError('a batch needs at least one record', 'records')
    if (records.length > UINT32_MAX) throw new BatchInputError('too many records for one batch', 'records')
    // payee as sent (and its lowercase form) → its sum
    const sums = new Map<unknown, Sum>()
    const order: Sum[] = []
    for (let i = 0; i < records.length; i++) {
        const r = records[i]
        const raw = r.payee
        let sum = sums.get(raw)
        if (sum === undefined) {
            const payee = addressOrUndefined(raw)
            if (payee === undefined) throw parseAddressError(raw, i)
            sum = payee === raw ? undefined : sums.get(payee)
            if (sum === undefined) {
                sum = { payee, small: 0, big: 0n }
                order.push(sum)
                sums.set(payee, sum)
            }
            sums.set(raw, sum)
        }
        const value = r.amount
        const small = typeof value === 'string' ? shortDecimal(value) : -1
        if (small >= 0) {
            if (sum.small > SMALL_LIMIT) {
                sum.big += BigInt(sum.small)
                sum.small = 0
            }
            sum.small += small
        } else {
            sum.big += parseAmount(value, `records[${i}].amount`)
        }
    }
    const leaves: PayoutLeaf[] = []
    let totalAmount = 0n
    for (const s of order) {
        const amount = s.big + BigInt(s.small)
        if (amount === 0n) continue
        leaves.push({ payee: s.payee, amount })
        totalAmount += amount
    }
    if (leaves.length === 0) throw new BatchInputError('every record has amount 0: nothing to pay', 'records')
    if (totalAmount > UINT256_MAX) throw new BatchInputError('batch total overflows uint256', 'records')
    leaves.sort((a, b) => (a.payee < b.payee ? -1 : a.payee > b.payee ? 1 : 0))
    const tree = PayoutTree.build(leaves)
    return { root: tree.root, leaves, totalAmount, recordCount: records.length, tree }
}

function parseAddressError(raw: unknown, i: number): BatchInputError {
    const field = `records[${i}].payee`
    return new BatchInputError(`${field} is not a 0x-prefixed 20-byte address: "${raw}"`, field)
}

/** The value of a string of 1 to 15 decimal digits (exact as a double), else -1. */
function shortDecimal(value: string): number {
    const n = value.length
    if (n === 0 || n > 15) return -1
    let v = 0
    for (let k = 0; k < n; k++) {
        const c = value.charCodeAt(k) - 48
        if (c < 0 || c > 9) return -1
        v = v * 10 + c
    }
    return v
}

/** The proof of each leaf, keyed by lowercase payee. */
export function proofsOf(batch: BuiltBatch): Map<string, string[]> {
    const out = new Map<string, string[]>()
    batch.leaves.forEach((l, i) => out.set(l.payee, batch.tree.proof(i)))
    return out
}

/** A batch id derived from a client's idempotency key: the same key can never commit twice on chain. */
export function batchIdFromKey(idempotencyKey: string): string {
    return keccak256(toUtf8Bytes(`settlement-batch:${idempotencyKey}`))
}
