import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { getAddress, hexlify, randomBytes } from 'ethers'
import { LEAF_ENCODING } from '../../src/settlement/batch-builder'
import { PayoutTree, verifyPayoutProof } from '../../src/settlement/merkle'
import { rng } from '../../src/simulator/random'

const MAX = (1n << 256n) - 1n

function randomLeaves(n: number, rand: () => number): { payee: string; amount: bigint }[] {
    return Array.from({ length: n }, (_, i) => {
        const bytes = Uint8Array.from({ length: 20 }, () => Math.floor(rand() * 256))
        let payee = hexlify(bytes)
        if (i % 3 === 1) payee = getAddress(payee) // checksummed (mixed case)
        if (i % 7 === 2) payee = '0x' + payee.slice(2).toUpperCase()
        const kind = i % 5
        const amount =
            kind === 0 ? BigInt(Math.floor(rand() * 1e6))
            : kind === 1 ? 0n
            : kind === 2 ? MAX - BigInt(Math.floor(rand() * 1000))
            : kind === 3 ? BigInt(hexlify(randomBytes(1 + Math.floor(rand() * 31))))
            : 2n ** 53n + BigInt(Math.floor(rand() * 1000)) - 500n // around the double/bigint switch
        return { payee, amount }
    })
}

function expectSameAsOpenZeppelin(leaves: { payee: string; amount: bigint }[]) {
    const mine = PayoutTree.build(leaves)
    const oz = StandardMerkleTree.of(
        leaves.map((l) => [l.payee, l.amount] as [string, bigint]),
        LEAF_ENCODING,
    )
    expect(mine.root).toBe(oz.root)
    expect(mine.length).toBe(oz.length)
    // the whole node array, not only the root
    const nodes = Array.from({ length: 2 * leaves.length - 1 }, (_, i) => '0x' + Buffer.from(mine.nodes.subarray(i * 32, i * 32 + 32)).toString('hex'))
    expect(nodes).toEqual((oz as any).tree)
    for (let i = 0; i < leaves.length; i++) {
        const proof = mine.proof(i)
        expect(proof).toEqual(oz.getProof(i))
        expect(mine.leafHash(i)).toBe(oz.leafHash([leaves[i].payee, leaves[i].amount]))
        expect(verifyPayoutProof(mine.root, leaves[i].payee, leaves[i].amount, proof)).toBe(true)
    }
}

describe('PayoutTree equals StandardMerkleTree.of(values, ["address", "uint256"])', () => {
    const rand = rng(20240601)
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 255, 256, 257, 1000]) {
        it(`${n} random leaves: root, every node, every proof, every leaf hash`, () => {
            expectSameAsOpenZeppelin(randomLeaves(n, rand))
        })
    }

    it('repeated identical leaves keep the input order among equal hashes (stable sort)', () => {
        const a = { payee: '0x' + '11'.repeat(20), amount: 5n }
        const b = { payee: '0x' + '22'.repeat(20), amount: 7n }
        expectSameAsOpenZeppelin([a, b, a, a, b])
    })

    it('3,000 leaves (three runs with different seeds)', () => {
        for (const seed of [1, 2, 3]) expectSameAsOpenZeppelin(randomLeaves(1000 + seed * 333, rng(seed)))
    })

    it('proofs verify with StandardMerkleTree.verify; tampered proofs and amounts do not', () => {
        const leaves = randomLeaves(50, rng(9))
        const t = PayoutTree.build(leaves)
        for (let i = 0; i < leaves.length; i++) {
            const p = t.proof(i)
            expect(StandardMerkleTree.verify(t.root, LEAF_ENCODING, [leaves[i].payee, leaves[i].amount], p)).toBe(true)
            expect(verifyPayoutProof(t.root, leaves[i].payee, leaves[i].amount + 1n, p)).toBe(false)
            const bad = [...p]
            bad[0] = '0x' + (bad[0][2] === '0' ? '1' : '0') + bad[0].slice(3)
            expect(verifyPayoutProof(t.root, leaves[i].payee, leaves[i].amount, bad)).toBe(false)
        }
    })

    it('rejects what StandardMerkleTree cannot encode', () => {
        expect(() => PayoutTree.build([])).toThrow()
        expect(() => PayoutTree.build([{ payee: '0x1234', amount: 1n }])).toThrow()
        expect(() => PayoutTree.build([{ payee: '0x' + 'zz'.repeat(20), amount: 1n }])).toThrow()
        expect(() => PayoutTree.build([{ payee: '0x' + '11'.repeat(20), amount: -1n }])).toThrow()
        expect(() => PayoutTree.build([{ payee: '0x' + '11'.repeat(20), amount: MAX + 1n }])).toThrow()
        expect(() => PayoutTree.build([{ payee: '0x' + '11'.repeat(20), amount: 1n }]).proof(1)).toThrow(RangeError)
    })
})

describe('PayoutTree.fromLeafHashes equals SimpleMerkleTree.of(hashes) (same sort, layout, node hash)', () => {
    /** hashes that share long prefixes (the numeric sort key sees only 4 bytes), with duplicates */
    function craftedHashes(n: number, rand: () => number): Uint8Array {
        const out = new Uint8Array(n * 32)
        const prefixes = Array.from({ length: 4 }, () => Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)))
        for (let i = 0; i < n; i++) {
            const h = Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256))
            const shared = [0, 4, 5, 31, 32][Math.floor(rand() * 5)]
            h.set(prefixes[Math.floor(rand() * prefixes.length)].subarray(0, shared))
            out.set(h, i * 32)
            if (i > 0 && rand() < 0.1) out.copyWithin(i * 32, (i - 1) * 32, i * 32) // duplicate of the previous one
        }
        return out
    }

    it('hashes sharing 4, 5, 31 and 32 leading bytes: same nodes and proofs, both sort paths', () => {
        const { SimpleMerkleTree } = require('@openzeppelin/merkle-tree')
        const { sortByHash } = require('../../src/settlement/merkle')
        const rand = rng(77)
        for (const n of [1, 2, 3, 10, 100, 600]) {
            const hashes = craftedHashes(n, rand)
            const hex = Array.from({ length: n }, (_, i) => '0x' + Buffer.from(hashes.subarray(i * 32, i * 32 + 32)).toString('hex'))
            const oz = SimpleMerkleTree.of(hex)
            const mine = PayoutTree.fromLeafHashes(hashes)
            expect(mine.root).toBe(oz.root)
            const nodes = Array.from({ length: 2 * n - 1 }, (_, i) => '0x' + Buffer.from(mine.nodes.subarray(i * 32, i * 32 + 32)).toString('hex'))
            expect(nodes).toEqual(oz.tree)
            for (let i = 0; i < n; i++) expect(mine.proof(i)).toEqual(oz.getProof(i))
            // the comparator sort (used above 2^20 leaves) gives the same order as the numeric one
            expect(Array.from(sortByHash(hashes, n, 0))).toEqual(Array.from(sortByHash(hashes, n)))
        }
    })
})
