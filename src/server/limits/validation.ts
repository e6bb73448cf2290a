/**
 * Validation rules that bound the work one GraphQL operation can ask for, checked before anything runs:
 *
 * - depth: nesting of selection sets (fragments inlined), e.g. `batches { claims { batch { claims ... } } }`;
 * - aliases: number of aliased fields (the classic way to multiply one expensive field);
 * - root fields: number of top-level fields of a query/mutation;
 * - complexity: estimated number of result nodes. Every field costs 1; a list field multiplies the cost of
 *   its selection by its page size (`limit` / `first` argument, literal or variable, else `defaultListSize`),
 *   and Relay connections (`...Connection`) count their `edges`/`node` selection with `first`.
 *
 * Introspection fields are not counted (their size is bounded by the schema).
 * All of them report `extensions.code = QUERY_TOO_COMPLEX`. OpenReader's own response-size estimate
 * (`maxResponseNodes`) runs again at execution time with the real `where`/`limit`.
 */
import {
    ASTVisitor,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    getNamedType,
    getNullableType,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    isInterfaceType,
    isListType,
    isObjectType,
    isUnionType,
    Kind,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
} from 'graphql'

export interface QueryLimits {
    /** max selection-set nesting (the root fields are depth 1) */
    maxDepth: number
    /** max estimated result nodes */
    maxComplexity: number
    /** max aliased fields per operation */
    maxAliases: number
    /** max top-level fields per query/mutation */
    maxRootFields: number
    /** page size assumed for a list without `limit`/`first` */
    defaultListSize: number
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
    maxDepth: 10,
    maxComplexity: 20_000,
    maxAliases: 30,
    maxRootFields: 20,
    defaultListSize: 100,
}

export interface OperationCost {
    depth: number
    aliases: number
    rootFields: number
    complexity: number
}

function tooComplex(message: string, node: OperationDefinitionNode, extra: Record<string, unknown>): GraphQLError {
    return new GraphQLError(message, [node], undefined, undefined, undefined, undefined, { code: 'QUERY_TOO_COMPLEX', ...extra })
}

/** Integer value of an argument (literal or variable), if any. */
function intArg(field: FieldNode, names: string[], variables: Record<string, unknown> | null | undefined): number | undefined {
    for (const arg of field.arguments ?? []) {
        if (!names.includes(arg.name.value)) continue
        const v = valueOf(arg.value, variables)
        if (typeof v === 'number' && Number.isFinite(v)) return Math.max(0, Math.floor(v))
        if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v)
    }
    return undefined
}

function valueOf(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
    switch (node.kind) {
        case Kind.INT:
            return Number(node.value)
        case Kind.FLOAT:
            return Number(node.value)
        case Kind.VARIABLE:
            return variables?.[node.name.value]
        default:
            return undefined
    }
}

/** Possible concrete object types of a named output type (for inline fragments on interfaces/unions). */
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

/**
 * Depth, aliases, root fields and complexity of one operation. Fragment cycles are cut (the spec's
 * NoFragmentCycles rule reports them); unknown fields count 1 (FieldsOnCorrectType reports them).
 */
export function measureOperation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    variables: Record<string, unknown> | null | undefined,
    defaultListSize: number,
): OperationCost {
    let aliases = 0
    let maxDepth = 0
    const root: GraphQLObjectType | null | undefined =
        operation.operation === 'query'
            ? schema.getQueryType()
            : operation.operation === 'mutation'
              ? schema.getMutationType()
              : schema.getSubscriptionType()

    const visiting = new Set<string>()

    // returns the cost of one instance of `set` (sum of its fields)
    function walk(set: SelectionSetNode, parent: GraphQLNamedType | undefined, depth: number): number {
        let cost = 0
        for (const sel of set.selections) {
            if (sel.kind === Kind.FIELD) {
                if (sel.alias) aliases++
                // introspection (__schema, __type, __typename) is bounded by the schema itself: GraphiQL's
                // introspection query is deeper than any data query needs to be
                if (sel.name.value.startsWith('__')) continue
                const d = depth + 1
                if (d > maxDepth) maxDepth = d
                const def = fieldOf(schema, parent, sel.name.value)
                const type = def ? getNullableType(def.type) : undefined
                const named = def ? getNamedType(def.type) : undefined
                let childCost = 0
                if (sel.selectionSet) {
                    const isConnection = !!named && /Connection$/.test(named.name) && isObjectType(named) && !!named.getFields().edges
                    if (isConnection) {
                        // a connection's `edges` list is sized by the connection's `first`
                        const first = intArg(sel, ['first'], variables) ?? defaultListSize
                        childCost = connectionCost(sel.selectionSet, named as GraphQLObjectType, d, first)
                    } else {
                        childCost = walk(sel.selectionSet, named, d)
                    }
                }
                let multiplier = 1
                if (type && isListType(type)) {
                    multiplier = intArg(sel, ['limit', 'first'], variables) ?? defaultListSize
                    // lists of scalars (e.g. proof: [String!]) are cheap leaves, counted once
                    if (!sel.selectionSet) multiplier = 1
                }
                cost += 1 + multiplier * childCost
            } else if (sel.kind === Kind.INLINE_FRAGMENT) {
                const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent
                cost += walk(sel.selectionSet, cond ?? parent, depth)
            } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
                const name = sel.name.value
                const frag = fragments[name]
                if (!frag || visiting.has(name)) continue
                visiting.add(name)
                const cond = schema.getType(frag.typeCondition.name.value) ?? parent
                cost += walk(frag.selectionSet, cond, depth)
                visiting.delete(name)
            }
        }
        return cost
    }

    // connection: edges × first, everything else (totalCount, pageInfo) once
    function connectionCost(set: SelectionSetNode, conn: GraphQLObjectType, depth: number, first: number): number {
        let cost = 0
        for (const sel of set.selections) {
            if (sel.kind === Kind.FIELD && sel.alias) aliases++
            if (sel.kind === Kind.FIELD && depth + 1 > maxDepth) maxDepth = depth + 1
            if (sel.kind === Kind.FIELD && sel.name.value === 'edges' && sel.selectionSet) {
                const edgeType = getNamedType(conn.getFields().edges.type)
                cost += 1 + first * walk(sel.selectionSet, edgeType, depth + 1)
            } else if (sel.kind === Kind.FIELD) {
                if (sel.name.value.startsWith('__')) continue
                const def = conn.getFields()[sel.name.value]
                cost += 1 + (sel.selectionSet ? walk(sel.selectionSet, def ? getNamedType(def.type) : undefined, depth + 1) : 0)
            } else {
                const inner = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : fragments[sel.name.value]?.selectionSet
                if (inner && !(sel.kind === Kind.FRAGMENT_SPREAD && visiting.has(sel.name.value))) {
                    if (sel.kind === Kind.FRAGMENT_SPREAD) visiting.add(sel.name.value)
                    cost += connectionCost(inner, conn, depth, first)
                    if (sel.kind === Kind.FRAGMENT_SPREAD) visiting.delete(sel.name.value)
                }
            }
        }
        return cost
    }

    const complexity = walk(operation.selectionSet, root ?? undefined, 0)
    let rootFields = 0
    for (const sel of operation.selectionSet.selections) if (sel.kind === Kind.FIELD) rootFields++
    return { depth: maxDepth, aliases, rootFields, complexity }
}

/** The limit an operation exceeds (the first of depth, aliases, root fields, complexity), as a QUERY_TOO_COMPLEX error. */
export function operationLimitError(
    schema: GraphQLSchema,
    node: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    limits: QueryLimits,
    variables?: Record<string, unknown> | null,
): GraphQLError | undefined {
    const c = measureOperation(schema, node, fragments, variables, limits.defaultListSize)
    if (c.depth > limits.maxDepth) {
        return tooComplex(`query depth ${c.depth} exceeds the limit of ${limits.maxDepth}`, node, { limit: 'depth', max: limits.maxDepth, actual: c.depth })
    } else if (c.aliases > limits.maxAliases) {
        return tooComplex(`query uses ${c.aliases} aliases, the limit is ${limits.maxAliases}`, node, { limit: 'aliases', max: limits.maxAliases, actual: c.aliases })
    } else if (node.operation !== 'subscription' && c.rootFields > limits.maxRootFields) {
        return tooComplex(`query has ${c.rootFields} root fields, the limit is ${limits.maxRootFields}`, node, { limit: 'rootFields', max: limits.maxRootFields, actual: c.rootFields })
    } else if (c.complexity > limits.maxComplexity) {
        return tooComplex(`query complexity ${c.complexity} exceeds the limit of ${limits.maxComplexity} (lower limit/first or select fewer nested lists)`, node, {
            limit: 'complexity',
            max: limits.maxComplexity,
            actual: c.complexity,
        })
    }
    return undefined
}

function fragmentsOf(doc: DocumentNode): Record<string, FragmentDefinitionNode> {
    const fragments: Record<string, FragmentDefinitionNode> = {}
    for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def
    return fragments
}

/** What `validate(schema, document, [queryLimitsRule(limits, variables)])` reports, without a validation pass. */
export function checkQueryLimits(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits, variables?: Record<string, unknown> | null): GraphQLError[] {
    const fragments = fragmentsOf(document)
    const errors: GraphQLError[] = []
    for (const def of document.definitions) {
        if (def.kind !== Kind.OPERATION_DEFINITION) continue
        const e = operationLimitError(schema, def, fragments, limits, variables)
        if (e) errors.push(e)
    }
    return errors
}

/**
 * A validation rule that checks a whole document without the visitor: `validate` (document-cache.ts) calls it
 * directly instead of running a validation pass for it alone.
 */
export type DirectValidationRule = ValidationRule & { check(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] }

/** A validation rule enforcing `limits` (the variables are needed to read `limit: $n`). */
export function queryLimitsRule(limits: QueryLimits, variables?: Record<string, unknown> | null): DirectValidationRule {
    const rule = (context: ValidationContext): ASTVisitor => {
        const fragments = fragmentsOf(context.getDocument())
        return {
            OperationDefinition(node) {
                const e = operationLimitError(context.getSchema(), node, fragments, limits, variables)
                if (e) context.reportError(e)
                return false
            },
        }
    }
    return Object.assign(rule, { check: (schema: GraphQLSchema, document: DocumentNode) => checkQueryLimits(schema, document, limits, variables) })
}
