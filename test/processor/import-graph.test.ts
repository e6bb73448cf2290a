/**
 * No import cycles among the hand-written modules of src/ (relative imports, type-only ones included: a cycle of
 * types is still a knot a reader has to untie), and the layers point one way: entry point → engine (src/indexer)
 * → mappings, with src/processor.ts (configuration) below the engine. Fails with the offending arrows spelled
 * out, e.g. `mappings/a → mappings/b → mappings/a`. Generated code (src/model/generated: typeorm entities that
 * reference each other by design; src/abi) is not checked.
 */
import * as fs from 'fs'
import * as path from 'path'

const SRC = path.resolve(__dirname, '../../src')
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|(?:require|import)\(\s*['"](\.[^'"]+)['"]\s*\)/g

const GENERATED = [path.join(SRC, 'model', 'generated'), path.join(SRC, 'abi')]

function sourceFiles(dir: string): string[] {
    const out: string[] = []
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name)
        if (e.isDirectory()) {
            if (!GENERATED.includes(p)) out.push(...sourceFiles(p))
        }
        else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push(p)
    }
    return out
}

function resolve(from: string, spec: string): string | undefined {
    const base = path.resolve(path.dirname(from), spec)
    for (const c of [base + '.ts', path.join(base, 'index.ts'), base]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c
    return undefined
}

export function importGraph(root = SRC): Map<string, string[]> {
    const graph = new Map<string, string[]>()
    for (const f of sourceFiles(root)) {
        const text = fs.readFileSync(f, 'utf8')
        const deps = new Set<string>()
        for (const m of text.matchAll(IMPORT)) {
            const target = resolve(f, m[1] ?? m[2])
            if (target && target.startsWith(root)) deps.add(target)
        }
        graph.set(f, [...deps])
    }
    return graph
}

/** Cycles found by a depth-first search (one per back edge; every knot yields at least one). */
export function findCycles(graph: Map<string, string[]>): string[][] {
    const cycles: string[][] = []
    const seen = new Set<string>()
    const state = new Map<string, 'open' | 'done'>()
    const stack: string[] = []
    const visit = (n: string) => {
        state.set(n, 'open')
        stack.push(n)
        for (const d of graph.get(n) ?? []) {
            if (state.get(d) === 'open') {
                const cycle = stack.slice(stack.indexOf(d))
                const key = [...cycle].sort().join('|')
                if (!seen.has(key)) {
                    seen.add(key)
                    cycles.push([...cycle, d])
                }
            } else if (!state.has(d)) visit(d)
        }
        stack.pop()
        state.set(n, 'done')
    }
    for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n)
    return cycles
}

const rel = (f: string) => path.relative(SRC, f).replace(/\.ts$/, '')

test('the import graph of src/ has no cycles', () => {
    const graph = importGraph()
    expect(graph.size).toBeGreaterThan(50)
    const cycles = findCycles(graph).map((c) => c.map(rel).join(' → '))
    expect(cycles).toEqual([])
})

test('the engine (src/indexer) is below the entry point and above the mappings', () => {
    const graph = importGraph()
    const offending: string[] = []
    for (const [f, deps] of graph) {
        for (const d of deps) {
            const from = rel(f)
            const to = rel(d)
            // mappings and the chain configuration never reach up into the engine or the entry point
            const below = from.startsWith('mappings/') || from === 'processor' || from === 'chain-fields' || from === 'contracts'
            if (below && (to.startsWith('indexer/') || to === 'main')) offending.push(`${from} → ${to}`)
            // the mappings decode and apply; they do not reach up into the processor's configuration
            if (from.startsWith('mappings/') && to === 'processor') offending.push(`${from} → ${to}`)
            // nothing but the entry point imports it
            if (to === 'main') offending.push(`${from} → ${to}`)
        }
    }
    expect(offending).toEqual([])
})

test('the cycle finder finds a planted cycle', () => {
    const g = new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
    ])
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']])
})
