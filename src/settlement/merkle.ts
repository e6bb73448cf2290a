import { keccak256Into, keccak256PairInto } from './keccak'

/**
 * The payout Merkle tree, node for node the tree OpenZeppelin's `StandardMerkleTree.of(values, ['address', 'uint256'])`
 * builds (and that `MerkleProof.verify` / the Distributor check on chain), without its per-leaf generic ABI encoder
 * and hex-string hashing:
 *
 * - leaf = keccak256(keccak256(abi.encode(address payee, uint256 amount))): the 64-byte encoding is written by hand
 *   (12 zero bytes, the 20 address bytes, the amount big-endian in 32 bytes);
 * - leaves sorted by hash, ascending (StandardMerkleTree's default `sortLeaves: true`);
 * - the tree is one array of 2n-1 nodes, children of node i at 2i+1 and 2i+2, root at 0, and the k-th smallest leaf
 *   at position 2n-2-k;
 * - node = keccak256(min(a, b) ‖ max(a, b)) (commutative pair hash);
 * - a proof lists the siblings from the leaf up to (not including) the root.
 *
 * All nodes live in one Uint8Array (32 bytes each), ~64 bytes per leaf. test/settlement/merkle.test.ts compares the
 * root and every proof with StandardMerkleTree's for random sets of many sizes.
 */
export class PayoutTree {
    private constructor(
        /** (2n-1) × 32 bytes, OpenZeppelin's layout */
        readonly nodes: Uint8Array,
        /** tree position of the leaf of input i */
        private readonly positions: Uint32Array,
    ) {}

    /** Number of leaves. */
    get length(): number {
        return this.positions.length
    }

    /** Root as 0x-prefixed lowercase hex. */
    get root(): string {
        return hexAt(this.nodes, 0)
    }

    /** Build the tree of `leaves` (payee: 0x + 40 hex, any case; amount: 0 ≤ amount < 2^256). */
    static build(leaves: readonly { payee: string; amount: bigint }[]): PayoutTree {
        return PayoutTree.fromEncodings(leaves.length, (i, out) => encodeLeaf(leaves[i].payee, leaves[i].amount, out))
    }

    /** Build the tree of `n` leaves; `encode(i, out)` writes abi.encode(payee, amount) of leaf i into out[0..64). */
    static fromEncodings(n: number, encode: (i: number, out: Uint8Array) => void): PayoutTree {
        if (n === 0) throw new Error('a Merkle tree needs at least one leaf')
        const hashes = new Uint8Array(n * 32)
        const enc = new Uint8Array(64)
        for (let i = 0; i < n; i++) {
            encode(i, enc)
            keccak256Into(enc, 0, 64, enc, 0) // inner hash (overwrites the first 32 bytes of the encoding)
            keccak256Into(enc, 0, 32, hashes, i * 32)
        }
        return PayoutTree.fromLeafHashes(hashes)
    }

    /** Build the tree from leaf hashes (32 bytes each, in input order). */
    static fromLeafHashes(hashes: Uint8Array): PayoutTree {
        const n = hashes.length / 32
        if (n === 0 || !Number.isInteger(n)) throw new Error('a Merkle tree needs at least one 32-byte leaf hash')
        const order = sortByHash(hashes, n)
        const size = 2 * n - 1
        const nodes = new Uint8Array(size * 32)
        const positions = new Uint32Array(n)
        for (let k = 0; k < n; k++) {
            const i = order[k]
            const pos = size - 1 - k
            positions[i] = pos
            for (let j = 0; j < 32; j++) nodes[pos * 32 + j] = hashes[i * 32 + j]
        }
        for (let p = size - 1 - n; p >= 0; p--) {
            const l = (2 * p + 1) * 32
            const r = l + 32
            if (compare32(nodes, l, nodes, r) <= 0) keccak256PairInto(nodes, l, r, nodes, p * 32)
            else keccak256PairInto(nodes, r, l, nodes, p * 32)
        }
        return new PayoutTree(nodes, positions)
    }

    /** Leaf hash of input `i`. */
    leafHash(i: number): string {
        return hexAt(this.nodes, this.position(i) * 32)
    }

    /** Proof of input `i`: sibling hashes from the leaf up, as StandardMerkleTree.getProof(i) returns them. */
    proof(i: number): string[] {
        let pos = this.position(i)
        const out: string[] = []
        while (pos > 0) {
            const sibling = pos & 1 ? pos + 1 : pos - 1
            out.push(hexAt(this.nodes, sibling * 32))
            pos = (pos - 1) >> 1
        }
        return out
    }

    private position(i: number): number {
        if (!Number.isInteger(i) || i < 0 || i >= this.positions.length) throw new RangeError(`no leaf ${i} in a tree of ${this.positions.length}`)
        return this.positions[i]
    }
}

/** True when `proof` proves (payee, amount) under `root` (what MerkleProof.verify checks on chain). */
export function verifyPayoutProof(root: string, payee: string, amount: bigint, proof: readonly string[]): boolean {
    const buf = new Uint8Array(64)
    encodeLeaf(payee, amount, buf)
    keccak256Into(buf, 0, 64, buf, 0)
    keccak256Into(buf, 0, 32, buf, 0)
    for (const sibling of proof) {
        if (!/^0x[0-9a-fA-F]{64}$/.test(sibling)) return false
        const s = new Uint8Array(32)
        hexInto(sibling, 2, 32, s, 0)
        if (compare32(buf, 0, s, 0) <= 0) buf.set(s, 32)
        else {
            buf.copyWithin(32, 0, 32)
            buf.set(s, 0)
        }
        keccak256Into(buf, 0, 64, buf, 0)
    }
    return hexAt(buf, 0) === root.toLowerCase()
}

/** abi.encode(address, uint256) of one leaf into `out[0..64)`. */
export function encodeLeaf(payee: string, amount: bigint, out: Uint8Array): void {
    encodePayee(payee, out)
    if (amount < 0n || amount >> 256n !== 0n) throw new RangeError(`amount out of uint256 range: ${amount}`)
    if (amount <= 9007199254740991n) encodeSmallAmount(Number(amount), out)
    else hexInto(amount.toString(16).padStart(64, '0'), 0, 32, out, 32)
}

/** encodeLeaf with the amount as a decimal string (as stored), without a BigInt when it has at most 15 digits. */
export function encodeLeafDecimal(payee: string, amount: string, out: Uint8Array): void {
    if (amount.length > 0 && amount.length <= 15) {
        let v = 0
        for (let k = 0; k < amount.length; k++) {
            const c = amount.charCodeAt(k) - 48
            if (c < 0 || c > 9) {
                v = -1
                break
            }
            v = v * 10 + c
        }
        if (v >= 0) {
            encodePayee(payee, out)
            encodeSmallAmount(v, out)
            return
        }
    }
    encodeLeaf(payee, BigInt(amount), out)
}

function encodePayee(payee: string, out: Uint8Array): void {
    if (typeof payee !== 'string' || payee.length !== 42 || payee.charCodeAt(0) !== 48 || (payee.charCodeAt(1) | 32) !== 120) {
        throw new Error(`not an address: ${payee}`)
    }
    out.fill(0, 0, 12)
    hexInto(payee, 2, 20, out, 12)
}

/** A safe integer ≥ 0 as uint256 into out[32..64), byte by byte from the low end. */
function encodeSmallAmount(v: number, out: Uint8Array): void {
    for (let k = 63; k >= 32; k--) {
        out[k] = v % 256
        v = Math.floor(v / 256)
    }
}

const NIBBLE = new Int8Array(128).fill(-1)
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c
for (let c = 0; c < 6; c++) {
    NIBBLE[65 + c] = 10 + c
    NIBBLE[97 + c] = 10 + c
}

/** Decode `bytes` bytes of hex from `s` at character `from` into `out` at `outOff`; throws on a non-hex character. */
export function hexInto(s: string, from: number, bytes: number, out: Uint8Array, outOff: number): void {
    for (let k = 0; k < bytes; k++) {
        const c1 = s.charCodeAt(from + 2 * k)
        const c2 = s.charCodeAt(from + 2 * k + 1)
        const hi = c1 < 128 ? NIBBLE[c1] : -1
        const lo = c2 < 128 ? NIBBLE[c2] : -1
        if (hi < 0 || lo < 0) throw new Error(`not hex: ${s}`)
        out[outOff + k] = (hi << 4) | lo
    }
}

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** 32 bytes of `buf` at `off` as 0x-prefixed lowercase hex. */
export function hexAt(buf: Uint8Array, off: number): string {
    let s = '0x'
    for (let k = 0; k < 32; k++) s += HEX_BYTE[buf[off + k]]
    return s
}

/**
 * Input indices ordered by leaf hash, ascending, equal hashes in input order (StandardMerkleTree's stable sort).
 * Up to 2^20 leaves: one native numeric sort of (first 4 bytes · 2^20 + index), exact in a double, then runs that
 * share their first 4 bytes (rare) are re-sorted on the whole hash. Larger: a comparator sort.
 */
export function sortByHash(hashes: Uint8Array, n: number, numericUpTo = 1 << 20): Uint32Array {
    const head = (i: number) => hashes[i * 32] * 16777216 + ((hashes[i * 32 + 1] << 16) | (hashes[i * 32 + 2] << 8) | hashes[i * 32 + 3])
    const order = new Uint32Array(n)
    if (n > Math.min(numericUpTo, 1 << 20)) {
        for (let i = 0; i < n; i++) order[i] = i
        order.sort((a, b) => head(a) - head(b) || compare32(hashes, a * 32, hashes, b * 32) || a - b)
        return order
    }
    const keys = new Float64Array(n)
    for (let i = 0; i < n; i++) keys[i] = head(i) * 1048576 + i
    keys.sort()
    for (let k = 0; k < n; k++) order[k] = keys[k] % 1048576
    for (let k = 0; k < n - 1; ) {
        let end = k + 1
        while (end < n && Math.floor(keys[end] / 1048576) === Math.floor(keys[k] / 1048576)) end++
        if (end - k > 1) {
            const run = Array.from(order.subarray(k, end)).sort((a, b) => compare32(hashes, a * 32, hashes, b * 32) || a - b)
            order.set(run, k)
        }
        k = end
    }
    return order
}

function compare32(a: Uint8Array, ao: number, b: Uint8Array, bo: number): number {
    for (let k = 0; k < 32; k++) {
        const d = a[ao + k] - b[bo + k]
        if (d !== 0) return d
    }
    return 0
}
