/** A small seeded PRNG (mulberry32): a simulation run is reproducible from its seed. */
export class Random {
    private state: number

    constructor(seed: number) {
        this.state = seed >>> 0
    }

    next(): number {
        // kept to 32 bits: a plain += would leave the exact integers after ~5 million draws
        let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }

    /** Integer in [min, max]. */
    int(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1))
    }

    chance(p: number): boolean {
        return this.next() < p
    }

    pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.next() * items.length)]
    }

    /** `n` distinct items (or all of them if fewer). */
    sample<T>(items: readonly T[], n: number): T[] {
        const copy = [...items]
        for (let i = copy.length - 1; i > 0; i--) {
            const j = Math.floor(this.next() * (i + 1))
            ;[copy[i], copy[j]] = [copy[j], copy[i]]
        }
        return copy.slice(0, Math.min(n, copy.length))
    }
}

/** `new Random(seed).next` as a plain function, for code that only needs numbers in [0, 1). */
export function rng(seed: number): () => number {
    const r = new Random(seed)
    return () => r.next()
}
