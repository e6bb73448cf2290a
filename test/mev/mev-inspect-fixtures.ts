/** Loads the real mainnet blocks of ../shared/fixtures/mev-inspect with mev-inspect-py's answers for them. */
import fs from 'fs'
import path from 'path'
import { blockInputFromText } from '../../src/mev/classify'
import { BlockInput } from '../../src/mev/types'

export const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/mev-inspect')

/** Block numbers that have mev-inspect-py's output in reference/. */
export function referenceBlocks(): number[] {
    return fs
        .readdirSync(path.join(FIXTURES, 'reference'))
        .filter((f) => /^\d+\.json$/.test(f))
        .map((f) => Number(f.slice(0, -5)))
        .sort((a, b) => a - b)
}

const cache = new Map<number, BlockInput>()

export function loadBlock(n: number): BlockInput {
    let b = cache.get(n)
    if (!b) {
        b = blockInputFromText(fs.readFileSync(path.join(FIXTURES, `${n}.json`), 'utf8'))
        cache.set(n, b)
    }
    return b
}

export function loadReference(n: number): Record<string, any[]> {
    return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference', `${n}.json`), 'utf8'))
}

export function loadExpect(n: number): Record<string, any> | null {
    const p = path.join(FIXTURES, 'expect', `${n}.json`)
    return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')).expect ?? null : null
}

export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/** A reference row (snake_case, numbers or strings) in our camelCase/decimal-string shape, for the listed fields. */
export function refFields(row: Record<string, any>, fields: string[]): Record<string, string> {
    const out: Record<string, string> = {}
    for (const f of fields) out[camel(f)] = row[f] === null || row[f] === undefined ? String(row[f]) : String(row[f]).toLowerCase()
    return out
}

export const key = (hash: string, traceAddress: number[]): string => `${hash.toLowerCase()}@${traceAddress.join(',')}`
