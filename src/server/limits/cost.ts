/**
 * What one operation asks for, measured on its AST before anything runs (validation.ts turns it into errors).
 *
 * Fragments are inlined by value, not by text: each fragment is measured once (memoized per fragment and, inside a
 * Relay connection, per page size) and every spread adds that measure, so doubled spreads nested 26 deep cost 26
 * walks, not 2^26. Fragment cycles are cut (the spec's NoFragmentCycles reports them); unknown fields count as
 * leaves (FieldsOnCorrectType reports them).
 *
 * - complexity: estimated result nodes. Every field costs 1 (`__typename` too); a list field multiplies the cost of
 *   its selection by its page size (`limit` / `first`, literal or variable, else the argument's schema default,
 *   else `defaultListSize`); a Relay connection (`...Connection` with `edges`) multiplies its `edges` by `first`.
 * - bytes: a lower bound of the response size (each key with its quotes, colon and a one-character value, times
 *   the page sizes above it), so that huge aliases inside big lists are refused before they are built.
 * - pageSize: the largest `limit` / `first` asked for (checked against the row cap).
 * - inputItems: list items in the arguments (literal lists, and lists inside the variables they reference): each
 *   can become one SQL parameter of an `_in` filter.
 * - introspection: `__schema` / `__type` fields, and the nesting of the schema-enumerating lists (`fields`,
 *   `inputFields`, `interfaces`, `possibleTypes`) inside them; their selections are not in the complexity.
 */
import {
    FieldNode,
    FragmentDefinitionNode,
    getNamedType,
    getNullableType,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    isInterfaceType,
    isListType,
    isObjectType,
    isUnionType,
    Kind,
    OperationDefinitionNode,
    SelectionSetNode,
    valueFromASTUntyped,
} from 'graphql'
import { countListItems, literalListItems } from './value-size'

export interface OperationCost {
    depth: number
    aliases: number
    rootFields: number
    complexity: number
    bytes: number
    pageSize: number
    inputItems: number
    /** `__schema` fields */
    schemaFields: number
    /** `__type` fields */
    typeFields: number
    /** deepest nesting of fields / inputFields / interfaces / possibleTypes inside introspection */
    introspectionDepth: number
}

/** The measure of one selection set (depth relative to the set's parent). */
interface SetCost {
    complexity: number
    bytes: number
    depth: number
    aliases: number
    pageSize: number
    inputItems: number
    schemaFields: number
    typeFields: number
    introspectionDepth: number
}

const ZERO: SetCost = { complexity: 0, bytes: 0, depth: 0, aliases: 0, pageSize: 0, inputItems: 0, schemaFields: 0, typeFields: 0, introspectionDepth: 0 }
const ENUMERATING = new Set(['fields', 'inputFields', 'interfaces', 'possibleTypes'])

function add(a: SetCost, b: SetCost): SetCost {
    return {
        complexity: a.complexity + b.complexity,
        bytes: a.bytes + b.bytes,
        depth: Math.max(a.depth, b.depth),
        aliases: a.aliases + b.aliases,
        pageSize: Math.max(a.pageSize, b.pageSize),
        inputItems: a.inputItems + b.inputItems,
        schemaFields: a.schemaFields + b.schemaFields,
        typeFields: a.typeFields + b.typeFields,
        introspectionDepth: Math.max(a.introspectionDepth, b.introspectionDepth),
    }
}

function fieldOf(schema: GraphQLSchema, parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
    if (!parent) return undefined
    if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name]
    if (isUnionType(parent)) {
        for (const t of schema.getPossibleTypes(parent)) {
            const f = t.getFields()[name]
            if (f) return f
        }
    }
    return undefined
}

function isConnection(t: GraphQLNamedType | undefined): boolean {
    return !!t && isObjectType(t) && /Connection$/.test(t.name) && !!t.getFields().edges
}

/** The measure of one operation; fragments are memoized per instance (one instance per operation and request). */
class Measure {
    private readonly varItems = new Map<string, number>()
    private readonly memo = new Map<string, SetCost>()
    private readonly introMemo = new Map<string, SetCost>()
    private readonly rootMemo = new Map<string, number>()
    /** fragments being measured: a spread of one of them is a cycle, cut here (NoFragmentCycles reports it) */
    private readonly visiting = new Set<string>()

    constructor(
        private readonly schema: GraphQLSchema,
        private readonly fragments: Record<string, FragmentDefinitionNode>,
        private readonly variables: Record<string, unknown> | null | undefined,
        private readonly defaultListSize: number,
    ) {}

    private variableItems = (name: string): number => {
        let n = this.varItems.get(name)
        if (n === undefined) this.varItems.set(name, (n = countListItems(this.variables?.[name])))
        return n
    }

    /** page size of a list/connection field: its `limit`/`first` argument, else the argument's default */
    private pageSize(field: FieldNode, def: GraphQLField<unknown, unknown> | undefined): number | undefined {
        for (const arg of field.arguments ?? []) {
            if (arg.name.value !== 'limit' && arg.name.value !== 'first') continue
            const v = arg.value.kind === Kind.VARIABLE ? this.variables?.[arg.value.name.value] : valueFromASTUntyped(arg.value)
            const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
            if (typeof n === 'number' && Number.isFinite(n)) return Math.max(0, Math.floor(n))
        }
        const d = def?.args.find((a) => a.name === 'limit' || a.name === 'first')?.defaultValue
        return typeof d === 'number' ? d : undefined
    }

    /** `measure(fragment)` once per `key`; a fragment being measured (a cycle) or unknown counts nothing */
    private once<T>(memo: Map<string, T>, key: string, name: string, zero: T, measure: (frag: FragmentDefinitionNode) => T): T {
        const frag = this.fragments[name]
        if (!frag || this.visiting.has(name)) return zero
        let c = memo.get(key)
        if (c === undefined) {
            this.visiting.add(name)
            c = measure(frag)
            this.visiting.delete(name)
            memo.set(key, c)
        }
        return c
    }

    /** `connFirst`: the set is a Relay connection's selection, its `edges` list has `connFirst` items */
    walk(set: SelectionSetNode, parent: GraphQLNamedType | undefined, connFirst?: number): SetCost {
        let total = ZERO
        for (const sel of set.selections) {
            if (sel.kind === Kind.INLINE_FRAGMENT) {
                const cond = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parent
                total = add(total, this.walk(sel.selectionSet, cond ?? parent, connFirst))
            } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
                const name = sel.name.value
                const c = this.once(this.memo, `${name}|${connFirst ?? ''}`, name, ZERO, (f) =>
                    this.walk(f.selectionSet, this.schema.getType(f.typeCondition.name.value) ?? parent, connFirst),
                )
                total = add(total, c)
            } else {
                total = add(total, this.field(sel, parent, connFirst))
            }
        }
        return total
    }

    private field(sel: FieldNode, parent: GraphQLNamedType | undefined, connFirst: number | undefined): SetCost {
        const name = sel.name.value
        const keyBytes = (sel.alias ?? sel.name).value.length + 4
        const alias = sel.alias ? 1 : 0
        const inputItems = (sel.arguments ?? []).reduce((n, a) => n + literalListItems(a.value, this.variableItems), 0)
        if (name === '__schema' || name === '__type') {
            const inner = sel.selectionSet ? this.introspection(sel.selectionSet) : ZERO
            return {
                ...inner,
                // GraphiQL's introspection query is deeper than any data query needs to be: not in the depth
                depth: 0,
                aliases: inner.aliases + alias,
                inputItems: inner.inputItems + inputItems,
                schemaFields: name === '__schema' ? 1 : 0,
                typeFields: name === '__type' ? 1 : 0,
            }
        }
        if (name === '__typename') return { ...ZERO, complexity: 1, bytes: keyBytes, aliases: alias }
        const def = fieldOf(this.schema, parent, name)
        const type = def ? getNullableType(def.type) : undefined
        const named = def ? getNamedType(def.type) : undefined
        const page = this.pageSize(sel, def)
        let child = ZERO
        if (sel.selectionSet) child = isConnection(named) ? this.walk(sel.selectionSet, named, page ?? this.defaultListSize) : this.walk(sel.selectionSet, named)
        let multiplier = 1
        // lists of scalars (e.g. proof: [String!]) are cheap leaves, counted once
        if (sel.selectionSet && type && isListType(type)) multiplier = connFirst !== undefined && name === 'edges' ? connFirst : (page ?? this.defaultListSize)
        return {
            complexity: 1 + multiplier * child.complexity,
            bytes: keyBytes + multiplier * child.bytes,
            depth: child.depth + 1,
            aliases: alias + child.aliases,
            pageSize: Math.max(page ?? 0, child.pageSize),
            inputItems: inputItems + child.inputItems,
            schemaFields: child.schemaFields,
            typeFields: child.typeFields,
            introspectionDepth: child.introspectionDepth,
        }
    }

    /** inside `__schema` / `__type`: only aliases and the nesting of the enumerating lists count */
    private introspection(set: SelectionSetNode): SetCost {
        let total = ZERO
        for (const sel of set.selections) {
            if (sel.kind === Kind.FIELD) {
                const inner = sel.selectionSet ? this.introspection(sel.selectionSet) : ZERO
                const nest = ENUMERATING.has(sel.name.value) ? 1 : 0
                total = add(total, { ...inner, aliases: inner.aliases + (sel.alias ? 1 : 0), introspectionDepth: inner.introspectionDepth + nest })
            } else if (sel.kind === Kind.INLINE_FRAGMENT) total = add(total, this.introspection(sel.selectionSet))
            else total = add(total, this.once(this.introMemo, sel.name.value, sel.name.value, ZERO, (f) => this.introspection(f.selectionSet)))
        }
        return { ...total, complexity: 0, bytes: 0 }
    }

    /** root fields after inlining fragments (`... on Query { a b }` runs a and b as root fields) */
    rootFields(set: SelectionSetNode): number {
        let n = 0
        for (const sel of set.selections) {
            if (sel.kind === Kind.FIELD) n += sel.name.value === '__typename' ? 0 : 1
            else if (sel.kind === Kind.INLINE_FRAGMENT) n += this.rootFields(sel.selectionSet)
            else n += this.once(this.rootMemo, sel.name.value, sel.name.value, 0, (f) => this.rootFields(f.selectionSet))
        }
        return n
    }
}

export function measureOperation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    variables: Record<string, unknown> | null | undefined,
    defaultListSize: number,
): OperationCost {
    const root =
        operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType()
    const m = new Measure(schema, fragments, variables, defaultListSize)
    const c = m.walk(operation.selectionSet, root ?? undefined)
    return {
        depth: c.depth,
        aliases: c.aliases,
        rootFields: m.rootFields(operation.selectionSet),
        complexity: c.complexity,
        bytes: c.bytes,
        pageSize: c.pageSize,
        inputItems: c.inputItems,
        schemaFields: c.schemaFields,
        typeFields: c.typeFields,
        introspectionDepth: c.introspectionDepth,
    }
}
