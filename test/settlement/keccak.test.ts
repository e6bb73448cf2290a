import { randomBytes } from 'crypto'
import { keccak256 } from 'ethers'
import { keccak256Bytes, keccak256Into, keccakBackend, useKeccakBackend } from '../../src/settlement/keccak'

const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex')

afterAll(() => {
    useKeccakBackend('wasm')
})

test('the WebAssembly permutation is the default', () => {
    expect(keccakBackend()).toBe('wasm')
})

describe.each(['wasm', 'js'] as const)('keccak256 (settlement/keccak, %s permutation)', (backend) => {
    beforeAll(() => {
        expect(useKeccakBackend(backend)).toBe(true)
    })

    it('equals ethers keccak256 for every length 0..600 (one to five blocks, every padding position)', () => {
        for (let len = 0; len <= 600; len++) {
            const data = randomBytes(len)
            expect(hex(keccak256Bytes(data))).toBe(keccak256(data))
        }
    })

    it('known vectors', () => {
        expect(hex(keccak256Bytes(new Uint8Array(0)))).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470')
        expect(hex(keccak256Bytes(Buffer.from('abc')))).toBe('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45')
        expect(hex(keccak256Bytes(new Uint8Array(64).fill(0xff)))).toBe(keccak256(new Uint8Array(64).fill(0xff)))
    })

    it('reads at an offset and writes at an offset, also in place', () => {
        for (let k = 0; k < 200; k++) {
            const data = randomBytes(200)
            const off = k % 50
            const len = (k * 7) % 140
            const out = new Uint8Array(80)
            keccak256Into(data, off, len, out, 13)
            expect(hex(out.subarray(13, 45))).toBe(keccak256(data.subarray(off, off + len)))
            const buf = Uint8Array.from(data.subarray(0, 64))
            keccak256Into(buf, 0, 64, buf, 0)
            expect(hex(buf.subarray(0, 32))).toBe(keccak256(data.subarray(0, 64)))
        }
    })
})
