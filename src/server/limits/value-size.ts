/**
 * Sizes of argument values, counted without recursion (a variable may nest lists or objects thousands deep):
 * the nesting of a variables object and the list items an operation's arguments carry (cost.ts, validation.ts).
 */
import { Kind, ValueNode } from 'graphql'

/** Nesting depth of a JSON-like value (0 for a scalar), without recursion; stops counting past `max`. */
export function valueDepth(value: unknown, max: number): number {
    let deepest = 0
    const stack: [unknown, number][] = [[value, 0]]
    while (stack.length) {
        const [v, d] = stack.pop()!
        if (v === null || typeof v !== 'object') continue
        if (d + 1 > deepest) deepest = d + 1
        if (deepest > max) return deepest
        for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) if (x !== null && typeof x === 'object') stack.push([x, d + 1])
    }
    return deepest
}

/** List items in a JSON-like value, counted without recursion (a variable may nest lists thousands deep). */
export function countListItems(value: unknown): number {
    let n = 0
    const stack: unknown[] = [value]
    while (stack.length) {
        const v = stack.pop()
        if (Array.isArray(v)) {
            n += v.length
            for (const x of v) if (x !== null && typeof x === 'object') stack.push(x)
        } else if (v !== null && typeof v === 'object') {
            for (const x of Object.values(v as Record<string, unknown>)) if (x !== null && typeof x === 'object') stack.push(x)
        }
    }
    return n
}

/** List items written in an argument's literal, a variable counted as `variableItems` says. */
export function literalListItems(node: ValueNode, variableItems: (name: string) => number): number {
    switch (node.kind) {
        case Kind.LIST:
            return node.values.reduce((n, v) => n + literalListItems(v, variableItems), node.values.length)
        case Kind.OBJECT:
            return node.fields.reduce((n, f) => n + literalListItems(f.value, variableItems), 0)
        case Kind.VARIABLE:
            return variableItems(node.name.value)
        default:
            return 0
    }
}
