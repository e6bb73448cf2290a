/**
 * The keccak-f[1600] permutation behind keccak.ts, in two backends: WebAssembly emitted byte by byte at load time
 * (native 64-bit lanes) and plain JavaScript on 32-bit halves (where WebAssembly is unavailable). keccak.ts does
 * the sponge (absorbing, padding, the digest) on a backend's state words.
 */

// round constants, as [lo, hi] 32-bit halves of the 64-bit values
const RC_LO = new Int32Array(24)
const RC_HI = new Int32Array(24)
;(() => {
    // derived with the LFSR of the Keccak reference (x^8 + x^6 + x^5 + x^4 + 1)
    let r = 1
    for (let round = 0; round < 24; round++) {
        let lo = 0
        let hi = 0
        for (let j = 0; j < 7; j++) {
            const bit = r & 1
            r = r & 0x80 ? ((r << 1) ^ 0x71) & 0xff : (r << 1) & 0xff
            if (bit) {
                const pos = (1 << j) - 1
                if (pos < 32) lo |= 1 << pos
                else hi |= 1 << (pos - 32)
            }
        }
        RC_LO[round] = lo
        RC_HI[round] = hi
    }
})()

/** rotation offsets r[x][y] of the ρ step */
const ROTATION = [
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]

/**
 * A keccak-f[1600] state and its permutation: `words` is the state as 50 little-endian 32-bit words (lane i, index
 * x + 5y, is words 2i (low half) and 2i+1 (high half)), `permute` runs the 24 rounds on it in place.
 */
export interface Sponge {
    readonly kind: 'wasm' | 'js'
    readonly words: Int32Array
    permute(): void
}

/* eslint-disable prefer-const */
/** keccak-f[1600] on `s` (50 words), all 24 rounds, in JavaScript. */
function permuteJs(s: Int32Array): void {
    let a00l = s[0], a00h = s[1], a01l = s[2], a01h = s[3], a02l = s[4], a02h = s[5], a03l = s[6], a03h = s[7], a04l = s[8], a04h = s[9]
    let a05l = s[10], a05h = s[11], a06l = s[12], a06h = s[13], a07l = s[14], a07h = s[15], a08l = s[16], a08h = s[17], a09l = s[18], a09h = s[19]
    let a10l = s[20], a10h = s[21], a11l = s[22], a11h = s[23], a12l = s[24], a12h = s[25], a13l = s[26], a13h = s[27], a14l = s[28], a14h = s[29]
    let a15l = s[30], a15h = s[31], a16l = s[32], a16h = s[33], a17l = s[34], a17h = s[35], a18l = s[36], a18h = s[37], a19l = s[38], a19h = s[39]
    let a20l = s[40], a20h = s[41], a21l = s[42], a21h = s[43], a22l = s[44], a22h = s[45], a23l = s[46], a23h = s[47], a24l = s[48], a24h = s[49]
    for (let round = 0; round < 24; round++) {
        // θ: column parities C[x], D[x] = C[x-1] ^ rotl(C[x+1], 1)
        const c0l = a00l ^ a05l ^ a10l ^ a15l ^ a20l, c0h = a00h ^ a05h ^ a10h ^ a15h ^ a20h
        const c1l = a01l ^ a06l ^ a11l ^ a16l ^ a21l, c1h = a01h ^ a06h ^ a11h ^ a16h ^ a21h
        const c2l = a02l ^ a07l ^ a12l ^ a17l ^ a22l, c2h = a02h ^ a07h ^ a12h ^ a17h ^ a22h
        const c3l = a03l ^ a08l ^ a13l ^ a18l ^ a23l, c3h = a03h ^ a08h ^ a13h ^ a18h ^ a23h
        const c4l = a04l ^ a09l ^ a14l ^ a19l ^ a24l, c4h = a04h ^ a09h ^ a14h ^ a19h ^ a24h
        const d0l = c4l ^ ((c1l << 1) | (c1h >>> 31)), d0h = c4h ^ ((c1h << 1) | (c1l >>> 31))
        const d1l = c0l ^ ((c2l << 1) | (c2h >>> 31)), d1h = c0h ^ ((c2h << 1) | (c2l >>> 31))
        const d2l = c1l ^ ((c3l << 1) | (c3h >>> 31)), d2h = c1h ^ ((c3h << 1) | (c3l >>> 31))
        const d3l = c2l ^ ((c4l << 1) | (c4h >>> 31)), d3h = c2h ^ ((c4h << 1) | (c4l >>> 31))
        const d4l = c3l ^ ((c0l << 1) | (c0h >>> 31)), d4h = c3h ^ ((c0h << 1) | (c0l >>> 31))
        a00l ^= d0l; a00h ^= d0h; a05l ^= d0l; a05h ^= d0h; a10l ^= d0l; a10h ^= d0h; a15l ^= d0l; a15h ^= d0h; a20l ^= d0l; a20h ^= d0h
        a01l ^= d1l; a01h ^= d1h; a06l ^= d1l; a06h ^= d1h; a11l ^= d1l; a11h ^= d1h; a16l ^= d1l; a16h ^= d1h; a21l ^= d1l; a21h ^= d1h
        a02l ^= d2l; a02h ^= d2h; a07l ^= d2l; a07h ^= d2h; a12l ^= d2l; a12h ^= d2h; a17l ^= d2l; a17h ^= d2h; a22l ^= d2l; a22h ^= d2h
        a03l ^= d3l; a03h ^= d3h; a08l ^= d3l; a08h ^= d3h; a13l ^= d3l; a13h ^= d3h; a18l ^= d3l; a18h ^= d3h; a23l ^= d3l; a23h ^= d3h
        a04l ^= d4l; a04h ^= d4h; a09l ^= d4l; a09h ^= d4h; a14l ^= d4l; a14h ^= d4h; a19l ^= d4l; a19h ^= d4h; a24l ^= d4l; a24h ^= d4h

        // ρ and π: B[y, 2x + 3y] = rotl(A[x, y], r[x, y]); bXY below is B at lane index X + 5Y
        // (rotations by n < 32: hi' = hi << n | lo >>> 32-n; by n > 32: swap halves, rotate by n - 32)
        const b00l = a00l, b00h = a00h
        const b10l = (a01l << 1) | (a01h >>> 31), b10h = (a01h << 1) | (a01l >>> 31) // A[1,0] r=1 → B[0,2]
        const b20l = (a02h << 30) | (a02l >>> 2), b20h = (a02l << 30) | (a02h >>> 2) // A[2,0] r=62 → B[0,4]
        const b05l = (a03l << 28) | (a03h >>> 4), b05h = (a03h << 28) | (a03l >>> 4) // A[3,0] r=28 → B[0,1]
        const b15l = (a04l << 27) | (a04h >>> 5), b15h = (a04h << 27) | (a04l >>> 5) // A[4,0] r=27 → B[0,3]
        const b16l = (a05h << 4) | (a05l >>> 28), b16h = (a05l << 4) | (a05h >>> 28) // A[0,1] r=36 → B[1,3]
        const b01l = (a06h << 12) | (a06l >>> 20), b01h = (a06l << 12) | (a06h >>> 20) // A[1,1] r=44 → B[1,0]
        const b11l = (a07l << 6) | (a07h >>> 26), b11h = (a07h << 6) | (a07l >>> 26) // A[2,1] r=6 → B[1,2]
        const b21l = (a08h << 23) | (a08l >>> 9), b21h = (a08l << 23) | (a08h >>> 9) // A[3,1] r=55 → B[1,4]
        const b06l = (a09l << 20) | (a09h >>> 12), b06h = (a09h << 20) | (a09l >>> 12) // A[4,1] r=20 → B[1,1]
        const b07l = (a10l << 3) | (a10h >>> 29), b07h = (a10h << 3) | (a10l >>> 29) // A[0,2] r=3 → B[2,1]
        const b17l = (a11l << 10) | (a11h >>> 22), b17h = (a11h << 10) | (a11l >>> 22) // A[1,2] r=10 → B[2,3]
        const b02l = (a12h << 11) | (a12l >>> 21), b02h = (a12l << 11) | (a12h >>> 21) // A[2,2] r=43 → B[2,0]
        const b12l = (a13l << 25) | (a13h >>> 7), b12h = (a13h << 25) | (a13l >>> 7) // A[3,2] r=25 → B[2,2]
        const b22l = (a14h << 7) | (a14l >>> 25), b22h = (a14l << 7) | (a14h >>> 25) // A[4,2] r=39 → B[2,4]
        const b23l = (a15h << 9) | (a15l >>> 23), b23h = (a15l << 9) | (a15h >>> 23) // A[0,3] r=41 → B[3,4]
        const b08l = (a16h << 13) | (a16l >>> 19), b08h = (a16l << 13) | (a16h >>> 19) // A[1,3] r=45 → B[3,1]
        const b18l = (a17l << 15) | (a17h >>> 17), b18h = (a17h << 15) | (a17l >>> 17) // A[2,3] r=15 → B[3,3]
        const b03l = (a18l << 21) | (a18h >>> 11), b03h = (a18h << 21) | (a18l >>> 11) // A[3,3] r=21 → B[3,0]
        const b13l = (a19l << 8) | (a19h >>> 24), b13h = (a19h << 8) | (a19l >>> 24) // A[4,3] r=8 → B[3,2]
        const b14l = (a20l << 18) | (a20h >>> 14), b14h = (a20h << 18) | (a20l >>> 14) // A[0,4] r=18 → B[4,2]
        const b24l = (a21l << 2) | (a21h >>> 30), b24h = (a21h << 2) | (a21l >>> 30) // A[1,4] r=2 → B[4,4]
        const b09l = (a22h << 29) | (a22l >>> 3), b09h = (a22l << 29) | (a22h >>> 3) // A[2,4] r=61 → B[4,1]
        const b19l = (a23h << 24) | (a23l >>> 8), b19h = (a23l << 24) | (a23h >>> 8) // A[3,4] r=56 → B[4,3]
        const b04l = (a24l << 14) | (a24h >>> 18), b04h = (a24h << 14) | (a24l >>> 18) // A[4,4] r=14 → B[4,0]

        // χ: A[x, y] = B[x, y] ^ (~B[x+1, y] & B[x+2, y]); ι on A[0, 0]
        a00l = b00l ^ (~b01l & b02l) ^ RC_LO[round]; a00h = b00h ^ (~b01h & b02h) ^ RC_HI[round]
        a01l = b01l ^ (~b02l & b03l); a01h = b01h ^ (~b02h & b03h)
        a02l = b02l ^ (~b03l & b04l); a02h = b02h ^ (~b03h & b04h)
        a03l = b03l ^ (~b04l & b00l); a03h = b03h ^ (~b04h & b00h)
        a04l = b04l ^ (~b00l & b01l); a04h = b04h ^ (~b00h & b01h)
        a05l = b05l ^ (~b06l & b07l); a05h = b05h ^ (~b06h & b07h)
        a06l = b06l ^ (~b07l & b08l); a06h = b06h ^ (~b07h & b08h)
        a07l = b07l ^ (~b08l & b09l); a07h = b07h ^ (~b08h & b09h)
        a08l = b08l ^ (~b09l & b05l); a08h = b08h ^ (~b09h & b05h)
        a09l = b09l ^ (~b05l & b06l); a09h = b09h ^ (~b05h & b06h)
        a10l = b10l ^ (~b11l & b12l); a10h = b10h ^ (~b11h & b12h)
        a11l = b11l ^ (~b12l & b13l); a11h = b11h ^ (~b12h & b13h)
        a12l = b12l ^ (~b13l & b14l); a12h = b12h ^ (~b13h & b14h)
        a13l = b13l ^ (~b14l & b10l); a13h = b13h ^ (~b14h & b10h)
        a14l = b14l ^ (~b10l & b11l); a14h = b14h ^ (~b10h & b11h)
        a15l = b15l ^ (~b16l & b17l); a15h = b15h ^ (~b16h & b17h)
        a16l = b16l ^ (~b17l & b18l); a16h = b16h ^ (~b17h & b18h)
        a17l = b17l ^ (~b18l & b19l); a17h = b17h ^ (~b18h & b19h)
        a18l = b18l ^ (~b19l & b15l); a18h = b18h ^ (~b19h & b15h)
        a19l = b19l ^ (~b15l & b16l); a19h = b19h ^ (~b15h & b16h)
        a20l = b20l ^ (~b21l & b22l); a20h = b20h ^ (~b21h & b22h)
        a21l = b21l ^ (~b22l & b23l); a21h = b21h ^ (~b22h & b23h)
        a22l = b22l ^ (~b23l & b24l); a22h = b22h ^ (~b23h & b24h)
        a23l = b23l ^ (~b24l & b20l); a23h = b23h ^ (~b24h & b20h)
        a24l = b24l ^ (~b20l & b21l); a24h = b24h ^ (~b20h & b21h)
    }
    s[0] = a00l; s[1] = a00h; s[2] = a01l; s[3] = a01h; s[4] = a02l; s[5] = a02h; s[6] = a03l; s[7] = a03h; s[8] = a04l; s[9] = a04h
    s[10] = a05l; s[11] = a05h; s[12] = a06l; s[13] = a06h; s[14] = a07l; s[15] = a07h; s[16] = a08l; s[17] = a08h; s[18] = a09l; s[19] = a09h
    s[20] = a10l; s[21] = a10h; s[22] = a11l; s[23] = a11h; s[24] = a12l; s[25] = a12h; s[26] = a13l; s[27] = a13h; s[28] = a14l; s[29] = a14h
    s[30] = a15l; s[31] = a15h; s[32] = a16l; s[33] = a16h; s[34] = a17l; s[35] = a17h; s[36] = a18l; s[37] = a18h; s[38] = a19l; s[39] = a19h
    s[40] = a20l; s[41] = a20h; s[42] = a21l; s[43] = a21h; s[44] = a22l; s[45] = a22h; s[46] = a23l; s[47] = a23h; s[48] = a24l; s[49] = a24h
}
/* eslint-enable prefer-const */

export function jsSponge(): Sponge {
    const words = new Int32Array(50)
    return { kind: 'js', words, permute: () => permuteJs(words) }
}

/**
 * The permutation as a WebAssembly module, emitted here. Memory (one 64 KiB page, exported as "m"): the state as 25
 * little-endian i64 lanes at 0..200, the round constants at 256..448. Function "f": load the 25 lanes into locals,
 * run the 24 rounds (θ, ρ+π, χ, ι as in permuteJs, with i64.rotl), store the lanes back.
 */
export function wasmSponge(): Sponge | undefined {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly // not in the project's TypeScript lib (ES2021, no DOM)
    if (typeof wasm !== 'object') return undefined
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) return undefined // the word view below assumes little-endian
    const RC_AT = 256
    const lane = (x: number, y: number) => x + 5 * y // locals 0..24: A
    const b = (i: number) => 25 + i // locals 25..49: B
    const c = (x: number) => 50 + x // locals 50..54: C
    const D = 55
    const ROUND = 56 // i32: address of this round's constant
    const code: number[] = []
    const op = (...bytes: number[]) => code.push(...bytes)
    const get = (i: number) => op(0x20, ...uleb(i))
    const set = (i: number) => op(0x21, ...uleb(i))
    const i64Const = (v: number) => op(0x42, ...sleb(v))
    const i32Const = (v: number) => op(0x41, ...sleb(v))
    const [XOR, AND, ROTL, LOAD64, STORE64, ADD32, LT_U32, TEE, LOOP, BR_IF, END, VOID] = [0x85, 0x83, 0x89, 0x29, 0x37, 0x6a, 0x49, 0x22, 0x03, 0x0d, 0x0b, 0x40]
    for (let i = 0; i < 25; i++) {
        i32Const(0)
        op(LOAD64, 3, ...uleb(8 * i))
        set(i)
    }
    i32Const(RC_AT)
    set(ROUND)
    op(LOOP, VOID)
    // θ
    for (let x = 0; x < 5; x++) {
        get(lane(x, 0))
        for (let y = 1; y < 5; y++) {
            get(lane(x, y))
            op(XOR)
        }
        set(c(x))
    }
    for (let x = 0; x < 5; x++) {
        get(c((x + 4) % 5))
        get(c((x + 1) % 5))
        i64Const(1)
        op(ROTL, XOR)
        set(D)
        for (let y = 0; y < 5; y++) {
            get(lane(x, y))
            get(D)
            op(XOR)
            set(lane(x, y))
        }
    }
    // ρ and π: B[y, 2x + 3y] = rotl(A[x, y], r[x][y])
    for (let x = 0; x < 5; x++) {
        for (let y = 0; y < 5; y++) {
            get(lane(x, y))
            if (ROTATION[x][y]) {
                i64Const(ROTATION[x][y])
                op(ROTL)
            }
            set(b(lane(y, (2 * x + 3 * y) % 5)))
        }
    }
    // χ: A[x, y] = B[x, y] ^ (~B[x+1, y] & B[x+2, y])
    for (let y = 0; y < 5; y++) {
        for (let x = 0; x < 5; x++) {
            get(b(lane(x, y)))
            get(b(lane((x + 1) % 5, y)))
            i64Const(-1)
            op(XOR)
            get(b(lane((x + 2) % 5, y)))
            op(AND, XOR)
            set(lane(x, y))
        }
    }
    // ι
    get(0)
    get(ROUND)
    op(LOAD64, 3, 0, XOR)
    set(0)
    // next round while ROUND < RC_AT + 24 * 8
    get(ROUND)
    i32Const(8)
    op(ADD32, TEE, ...uleb(ROUND))
    i32Const(RC_AT + 24 * 8)
    op(LT_U32, BR_IF, 0, END)
    for (let i = 0; i < 25; i++) {
        i32Const(0)
        get(i)
        op(STORE64, 3, ...uleb(8 * i))
    }
    op(END)
    const body = [2, ...uleb(56), 0x7e /* i64 */, 1, 0x7f /* i32 */, ...code]
    const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content]
    const bytes = new Uint8Array([
        ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
        ...section(1, [1, 0x60, 0, 0]), // types: () -> ()
        ...section(3, [1, 0]), // functions: one, of type 0
        ...section(5, [1, 0x00, 1]), // memory: min 1 page
        ...section(7, [2, 1, 0x66 /* f */, 0x00, 0, 1, 0x6d /* m */, 0x02, 0]), // exports
        ...section(10, [1, ...uleb(body.length), ...body]), // code
    ])
    try {
        const instance = new wasm.Instance(new wasm.Module(bytes), {})
        const memory = instance.exports.m as { buffer: ArrayBuffer }
        const permute = instance.exports.f as () => void
        const rc = new Int32Array(memory.buffer, RC_AT, 48)
        for (let r = 0; r < 24; r++) {
            rc[2 * r] = RC_LO[r]
            rc[2 * r + 1] = RC_HI[r]
        }
        return { kind: 'wasm', words: new Int32Array(memory.buffer, 0, 50), permute }
    } catch {
        return undefined
    }
}

/** The part of the WebAssembly global used here. */
interface WasmApi {
    Module: new (bytes: Uint8Array) => object
    Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}

function uleb(n: number): number[] {
    const out: number[] = []
    do {
        let byte = n & 0x7f
        n >>>= 7
        if (n) byte |= 0x80
        out.push(byte)
    } while (n)
    return out
}

function sleb(n: number): number[] {
    const out: number[] = []
    for (;;) {
        const byte = n & 0x7f
        n >>= 7
        if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
            out.push(byte)
            return out
        }
        out.push(byte | 0x80)
    }
}
