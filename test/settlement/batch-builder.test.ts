import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { getAddress, hexlify, isAddress } from 'ethers'
import { BatchInputError, buildBatch, LEAF_ENCODING, parseAddress, proofsOf, UsageRecord } from '../../src/settlement/batch-builder'
import { rng } from '../../src/simulator/random'

/** The previous implementation: ethers validation, aggregation, StandardMerkleTree.of over the sorted leaves. */
function reference(records: UsageRecord[]) {
    const perPayee = new Map<string, bigint>()
    for (const r of records) {
        if (!isAddress(r.payee) || !/^0x[0-9a-fA-F]{40}$/.test(r.payee)) throw new Error('bad address')
        const p = getAddress(r.payee).toLowerCase()
        perPayee.set(p, (perPayee.get(p) ?? 0n) + BigInt(r.amount))
    }
    const leaves = [...perPayee.entries()].filter(([, a]) => a > 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const tree = StandardMerkleTree.of(leaves, LEAF_ENCODING)
    return { root: tree.root, leaves: leaves.map(([payee, amount]) => ({ payee, amount })), tree }
}

function errorOf(fn: () => unknown): BatchInputError | undefined {
    try {
        fn()
    } catch (e) {
        if (e instanceof BatchInputError) return e
        throw e
    }
    return undefined
}

describe('buildBatch', () => {
    it('same leaves, root and proofs as the StandardMerkleTree implementation, records in any order and spelling', () => {
        const rand = rng(42)
        for (const [records, payees] of [
            [1, 1],
            [2, 1],
            [3, 3],
            [50, 7],
            [1000, 1000],
            [5000, 300],
        ]) {
            const addrs = Array.from({ length: payees }, () => hexlify(Uint8Array.from({ length: 20 }, () => Math.floor(rand() * 256))))
            const recs: UsageRecord[] = Array.from({ length: records }, (_, i) => {
                const a = addrs[Math.floor(rand() * payees)]
                const spelling = i % 3 === 0 ? getAddress(a) : i % 3 === 1 ? a : '0x' + a.slice(2).toUpperCase()
                const amount = i % 11 === 0 ? 0 : i % 2 ? String(Math.floor(rand() * 1e9)) : BigInt(Math.floor(rand() * 1e6)) * 10n ** 30n
                return { payee: spelling, amount }
            })
            if (recs.every((r) => BigInt(r.amount) === 0n)) recs[0].amount = 1
            const mine = buildBatch(recs)
            const ref = reference(recs)
            expect(mine.root).toBe(ref.root)
            expect(mine.leaves).toEqual(ref.leaves)
            expect(mine.totalAmount).toBe(ref.leaves.reduce((s, l) => s + l.amount, 0n))
            expect(mine.recordCount).toBe(records)
            const proofs = proofsOf(mine)
            mine.leaves.forEach((l, i) => expect(proofs.get(l.payee)).toEqual(ref.tree.getProof(i)))
            // the order of the records does not matter
            expect(buildBatch([...recs].reverse()).root).toBe(mine.root)
        }
    })

    it('addresses: accepted and refused exactly like ethers isAddress (EIP-55 for mixed case)', () => {
        const rand = rng(7)
        let mixedRefused = 0
        for (let k = 0; k < 3000; k++) {
            const a = hexlify(Uint8Array.from({ length: 20 }, () => Math.floor(rand() * 256)))
            const c = getAddress(a)
            // flip the case of one letter of the checksummed form: a wrong checksum (or all-lower/upper: valid)
            const letters = [...c.slice(2)].map((ch, i) => (/[a-fA-F]/.test(ch) ? i + 2 : -1)).filter((i) => i >= 0)
            const at = letters[Math.floor(rand() * letters.length)]
            const flipped = at === undefined ? c : c.slice(0, at) + (c[at] === c[at].toUpperCase() ? c[at].toLowerCase() : c[at].toUpperCase()) + c.slice(at + 1)
            for (const s of [a, c, a.toUpperCase().replace('0X', '0x'), flipped, a.replace('0x', '0X'), a.slice(0, 41), a + '0', ' ' + a]) {
                const ok = isAddress(s) && /^0x[0-9a-fA-F]{40}$/.test(s)
                const err = errorOf(() => parseAddress(s, 'payee'))
                expect(err === undefined).toBe(ok)
                if (ok) expect(parseAddress(s, 'payee')).toBe(s.toLowerCase())
                else expect(err!.field).toBe('payee')
                if (s === flipped && !ok) mixedRefused++
            }
        }
        expect(mixedRefused).toBeGreaterThan(2500)
        for (const bad of [undefined, null, 5, {}, '', '0x']) expect(errorOf(() => parseAddress(bad as any, 'payer'))?.field).toBe('payer')
    })

    it('a bad checksum in a later record of an already seen payee is refused (every spelling is checked)', () => {
        const c = getAddress('0x' + 'ab'.repeat(20))
        const i = [...c].findIndex((ch, j) => j > 1 && /[a-fA-F]/.test(ch))
        const wrong = c.slice(0, i) + (c[i] === c[i].toUpperCase() ? c[i].toLowerCase() : c[i].toUpperCase()) + c.slice(i + 1)
        expect(isAddress(wrong)).toBe(false)
        const err = errorOf(() => buildBatch([{ payee: c, amount: '1' }, { payee: c.toLowerCase(), amount: '1' }, { payee: wrong, amount: '1' }]))
        expect(err?.field).toBe('records[2].payee')
    })

    it('amounts: the same errors and fields as before', () => {
        const p = '0x' + '12'.repeat(20)
        const field = (amount: any) => errorOf(() => buildBatch([{ payee: p, amount: '1' }, { payee: p, amount }]))?.field
        for (const bad of ['-1', '1.5', '', ' ', 'abc', '0x10', '1e3', 1.5, -1, 2 ** 60, -1n, 1n << 256n, ((1n << 256n) + 5n).toString(), null, undefined]) {
            expect(field(bad)).toBe('records[1].amount')
        }
        expect(buildBatch([{ payee: p, amount: ' 12 ' }]).totalAmount).toBe(12n)
        expect(buildBatch([{ payee: p, amount: '0012' }]).totalAmount).toBe(12n)
        expect(buildBatch([{ payee: p, amount: '999999999999999' }]).totalAmount).toBe(999999999999999n)
        expect(buildBatch([{ payee: p, amount: '9999999999999999999999' }]).totalAmount).toBe(9999999999999999999999n)
        expect(buildBatch([{ payee: p, amount: 7 }, { payee: p, amount: 3n }]).leaves).toEqual([{ payee: p, amount: 10n }])
        const max = (1n << 256n) - 1n
        expect(errorOf(() => buildBatch([{ payee: p, amount: max }, { payee: '0x' + '13'.repeat(20), amount: 1n }]))?.message).toMatch(/total overflows/)
        expect(errorOf(() => buildBatch([{ payee: p, amount: max }, { payee: p, amount: 1n }]))?.message).toMatch(/total overflows/)
        expect(errorOf(() => buildBatch([{ payee: p, amount: '0' }]))?.field).toBe('records')
        expect(errorOf(() => buildBatch([]))?.field).toBe('records')
        // the first bad record wins, the address before the amount
        expect(errorOf(() => buildBatch([{ payee: p, amount: 'x' }, { payee: 'nope', amount: '1' }]))?.field).toBe('records[0].amount')
        expect(errorOf(() => buildBatch([{ payee: 'nope', amount: 'x' }]))?.field).toBe('records[0].payee')
    })
})
