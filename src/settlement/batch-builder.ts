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

/**
 * Aggregate usage records per payee and build the OpenZeppelin StandardMerkleTree over (payee, amount) (the same
 * tree, built by ./merkle.ts). Leaves are sorted by payee so the same records always give the same root, whatever
 * their order. Each distinct payee spelling is validated once; the tree hashes each payee once.
 */
export function buildBatch(records: UsageRecord[]): BuiltBatch {
    if (!Array.isArray(records) || records.length === 0) throw new BatchInputError('a batch needs at least one record', 'records')
    if (records.length > UINT32_MAX) throw new BatchInputError('too many records for one batch', 'records')
    // spelling as sent → lowercase address (validated once per distinct spelling)
    const spellings = new Map<unknown, string>()
    const perPayee = new Map<string, bigint>()
    for (let i = 0; i < records.length; i++) {
        const r = records[i]
        const raw = r.payee
        let payee = spellings.get(raw)
        if (payee === undefined) {
            payee = addressOrUndefined(raw)
            if (payee === undefined) parseAddress(raw, `records[${i}].payee`) // throws the error
            spellings.set(raw, payee!)
        }
        const amount = recordAmount(r.amount, i)
        const sum = perPayee.get(payee!)
        perPayee.set(payee!, sum === undefined ? amount : sum + amount)
    }
    const leaves: PayoutLeaf[] = []
    let totalAmount = 0n
    for (const [payee, amount] of perPayee) {
        if (amount === 0n) continue
        leaves.push({ payee, amount })
        totalAmount += amount
    }
    if (leaves.length === 0) throw new BatchInputError('every record has amount 0: nothing to pay', 'records')
    if (totalAmount > UINT256_MAX) throw new BatchInputError('batch total overflows uint256', 'records')
    leaves.sort((a, b) => (a.payee < b.payee ? -1 : a.payee > b.payee ? 1 : 0))
    const tree = PayoutTree.build(leaves)
    return { root: tree.root, leaves, totalAmount, recordCount: records.length, tree }
}

/** parseAmount with a fast path for the usual case: a short decimal string. */
function recordAmount(value: bigint | string | number, i: number): bigint {
    if (typeof value === 'string' && value.length > 0 && value.length <= 15) {
        let ok = true
        for (let k = 0; k < value.length; k++) {
            const c = value.charCodeAt(k)
            if (c < 48 || c > 57) {
                ok = false
                break
            }
        }
        if (ok) return BigInt(Number(value))
    }
    return parseAmount(value, `records[${i}].amount`)
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
