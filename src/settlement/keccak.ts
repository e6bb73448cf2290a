/**
 * Keccak-256 (the Ethereum variant: original Keccak padding 0x01 ... 0x80, not SHA3's 0x06) for the hot paths of the
 * Merkle tree: 64-byte node/leaf encodings, 32-byte inner leaf hashes, 40-character checksum inputs.
 *
 * Why not ethers' `keccak256`: it takes and returns hex strings (or copies), allocates a hasher object per call and
 * runs a generic sponge on 32-bit halves of the 64-bit lanes; for the 300,000 hashes of a 100,000-leaf tree that
 * dominates (~15 µs a hash here). This version works on caller-provided byte arrays at an offset, allocates nothing
 * per call, and runs the keccak-f[1600] permutation in WebAssembly, which has native 64-bit XOR/AND/rotate: the
 * module is emitted byte by byte at load time in keccak-f.ts (about 1.2 KB of code, no binary file, no dependency). Where
 * WebAssembly is not available (or on a big-endian host) a JavaScript permutation on 50 local 32-bit variables
 * takes over (~5x slower, still ~5x faster than ethers). Both are checked against ethers' keccak256 in
 * test/settlement/keccak.test.ts for every length from 0 to 600 bytes.
 */

import { jsSponge, Sponge, wasmSponge } from './keccak-f'

const RATE = 136 // bytes absorbed per permutation for a 256-bit output

const backends = { wasm: wasmSponge(), js: jsSponge() }
let sponge: Sponge = backends.wasm ?? backends.js

/** Which permutation runs: "wasm" unless WebAssembly is unavailable. */
export function keccakBackend(): 'wasm' | 'js' {
    return sponge.kind
}

/** Switch the permutation (tests compare both); returns false when that backend is unavailable. */
export function useKeccakBackend(kind: 'wasm' | 'js'): boolean {
    const s = backends[kind]
    if (!s) return false
    sponge = s
    return true
}

/**
 * keccak256 of `len` bytes of `input` starting at `inOff`, written as 32 bytes into `out` at `outOff`. `out` may
 * overlap the input (the input is fully absorbed before anything is written).
 */
export function keccak256Into(input: Uint8Array, inOff: number, len: number, out: Uint8Array, outOff: number): void {
    const { words: s } = sponge
    s.fill(0)
    let p = inOff
    const end = inOff + len
    // full blocks
    while (end - p >= RATE) {
        for (let w = 0; w < RATE / 4; w++, p += 4) s[w] ^= input[p] | (input[p + 1] << 8) | (input[p + 2] << 16) | (input[p + 3] << 24)
        sponge.permute()
    }
    // last (partial) block with the padding 0x01 ... 0x80
    const rest = end - p
    let w = 0
    for (; w < rest >> 2; w++, p += 4) s[w] ^= input[p] | (input[p + 1] << 8) | (input[p + 2] << 16) | (input[p + 3] << 24)
    let tail = 0
    for (let k = 0; k < (rest & 3); k++) tail |= input[p + k] << (8 * k)
    tail |= 0x01 << (8 * (rest & 3))
    s[w] ^= tail
    s[RATE / 4 - 1] ^= 0x80000000
    sponge.permute()
    digestInto(s, out, outOff)
}

/** The first 32 bytes of the state (little-endian words), the digest, into `out` at `outOff`. */
function digestInto(s: Int32Array, out: Uint8Array, outOff: number): void {
    for (let i = 0; i < 8; i++) {
        const v = s[i]
        const o = outOff + 4 * i
        out[o] = v
        out[o + 1] = v >>> 8
        out[o + 2] = v >>> 16
        out[o + 3] = v >>> 24
    }
}

/**
 * keccak256(buf[a .. a+32) ‖ buf[b .. b+32)) into `out` at `outOff`: a Merkle node from two 32-byte children that
 * live in the same array, without copying them together first.
 */
export function keccak256PairInto(buf: Uint8Array, a: number, b: number, out: Uint8Array, outOff: number): void {
    const { words: s } = sponge
    for (let w = 0, p = a; w < 8; w++, p += 4) s[w] = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)
    for (let w = 8, p = b; w < 16; w++, p += 4) s[w] = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)
    s.fill(0, 16)
    s[16] = 0x01 // padding right after the 64 bytes
    s[RATE / 4 - 1] = 0x80000000
    sponge.permute()
    digestInto(s, out, outOff)
}

/** keccak256 of `data` as a new 32-byte array. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(32)
    keccak256Into(data, 0, data.length, out, 0)
    return out
}
