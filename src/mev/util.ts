import { Quantity, Trace } from './types'

/** Parses a hex ("0x..") or decimal quantity. Returns 0n for null/empty. Throws on garbage. */
export function toBigInt(q: Quantity | null | undefined): bigint {
    if (q === null || q === undefined) return 0n
    if (typeof q === 'bigint') return q
    if (typeof q === 'number') {
        if (!Number.isSafeInteger(q)) throw new Error(`unsafe integer quantity: ${q}`)
        return BigInt(q)
    }
    const s = q.trim()
    if (s === '' || s === '0x') return 0n
    return BigInt(s) // BigInt accepts both "0x.." and decimal strings
}

export function lower(a: string | null | undefined): string | null {
    return a ? a.toLowerCase() : null
}

/** Pre-order (depth-first) comparison of trace addresses: [] < [0] < [0,0] < [0,1] < [1]. */
export function compareTraceAddress(a: number[], b: number[]): number {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
        if (a[i] !== b[i]) return a[i] - b[i]
    }
    return a.length - b.length
}

/** True when `child` lies strictly below `parent` in the call tree. */
export function isDescendant(child: number[], parent: number[]): boolean {
    if (child.length <= parent.length) return false
    for (let i = 0; i < parent.length; i++) {
        if (child[i] !== parent[i]) return false
    }
    return true
}

export function isSameOrDescendant(child: number[], parent: number[]): boolean {
    return (child.length === parent.length && compareTraceAddress(child, parent) === 0) || isDescendant(child, parent)
}

export function selectorOf(input: string | null | undefined): string | null {
    if (!input || input.length < 10) return null
    return input.slice(0, 10).toLowerCase()
}

/** 32-byte ABI words of calldata after the 4-byte selector (hex, no 0x). */
export function abiWords(input: string): string[] {
    const body = input.slice(10)
    const words: string[] = []
    for (let i = 0; i + 64 <= body.length; i += 64) words.push(body.slice(i, i + 64))
    return words
}

export function wordToAddress(word: string): string {
    return '0x' + word.slice(24).toLowerCase()
}

export function wordToUint(word: string): bigint {
    return BigInt('0x' + word)
}

/** Transactions of a block, each with its traces in call-tree (pre-)order. */
export interface TxTraces {
    transactionHash: string
    transactionPosition: number
    traces: Trace[]
}

export function groupByTransaction(traces: Trace[]): TxTraces[] {
    const byHash = new Map<string, TxTraces>()
    for (const t of traces) {
        if (!t.transactionHash) continue // block/uncle rewards
        const hash = t.transactionHash.toLowerCase()
        let tx = byHash.get(hash)
        if (!tx) {
            tx = { transactionHash: hash, transactionPosition: t.transactionPosition ?? -1, traces: [] }
            byHash.set(hash, tx)
        }
        if (tx.transactionPosition < 0 && t.transactionPosition != null) tx.transactionPosition = t.transactionPosition
        tx.traces.push(t)
    }
    const txs = [...byHash.values()]
    for (const tx of txs) tx.traces.sort((a, b) => compareTraceAddress(a.traceAddress, b.traceAddress))
    txs.sort((a, b) => a.transactionPosition - b.transactionPosition)
    return txs
}

export function traceKey(traceAddress: number[]): string {
    return traceAddress.join(',')
}

/** Traces that are errored themselves (the call frame failed). Keyed by traceKey. */
export function erroredKeys(traces: Trace[]): Set<string> {
    const s = new Set<string>()
    for (const t of traces) if (t.error) s.add(traceKey(t.traceAddress))
    return s
}

/** True when the trace or one of its ancestors failed, i.e. its effects were rolled back. */
export function isRolledBack(traceAddress: number[], errored: Set<string>): boolean {
    if (errored.size === 0) return false
    for (let i = 0; i <= traceAddress.length; i++) {
        if (errored.has(traceKey(traceAddress.slice(0, i)))) return true
    }
    return false
}

export function isPlainCall(t: Trace): boolean {
    return t.type === 'call' && (t.action.callType == null || t.action.callType === 'call')
}
