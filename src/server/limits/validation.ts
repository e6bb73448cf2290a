/**
 * Validation rules that bound the work one GraphQL operation can ask for, checked before anything runs and before
 * the spec's validation rules (document-cache.ts): the measure (cost.ts) is linear in the document, so what is
 * refused here never reaches the costlier rules. The document itself is bounded earlier, before parsing
 * (document.ts: tokens, nesting, directives, fragment spreads).
 *
 * Per operation: depth (fragments inlined), aliases, root fields (after inlining fragments), complexity (estimated
 * result nodes, page sizes multiply), page size (`limit` / `first` over the row cap), input list items,
 * introspection (one `__schema`, a few `__type`, enumerating lists nested at most twice), a lower bound of the
 * response bytes, and the nesting of the variables (a JSON filter may hold any depth). Page sizes and list inputs
 * are read from the coerced variables (defaults included): the variables are coerced here, once, with a bounded
 * number of errors (BAD_USER_INPUT).
 *
 * Every refusal is `extensions.code = QUERY_TOO_COMPLEX` with `extensions.limit` naming the limit.
 */
import {
    ASTVisitor,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    Kind,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    valueFromASTUntyped,
} from 'graphql'
import { getVariableValues } from 'graphql/execution/values'
import { measureOperation, OperationCost } from './cost'
import { valueDepth } from './value-size'

export type { OperationCost } from './cost'

export interface QueryLimits {
    /** max selection-set nesting (the root fields are depth 1) */
    maxDepth: number
    /** max estimated result nodes */
    maxComplexity: number
    /** max aliased fields per operation */
    maxAliases: number
    /** max top-level fields per query/mutation (fragments inlined) */
    maxRootFields: number
    /** page size assumed for a list without `limit`/`first` */
    defaultListSize: number
    /** max lexical tokens of a query text (checked before parsing) */
    maxTokens: number
    /** max lines of a query text (checked before parsing) */
    maxLines: number
    /** max nesting of braces, brackets and parentheses in a query text (checked before parsing) */
    maxNesting: number
    /** max directives in a document */
    maxDirectives: number
    /** max fragment spreads and inline fragments in a document */
    maxFragmentSpreads: number
    /** max list items in the arguments of a query/subscription (literal lists and the variables they use) */
    maxInputItems: number
    /** rows a list may ask for (`limit` / `first`); absent: not checked here */
    maxListRows?: number
    /** response bytes; an operation whose smallest possible response is larger is refused; absent: not checked here */
    maxResponseBytes?: number
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
    maxDepth: 10,
    maxComplexity: 20_000,
    maxAliases: 30,
    maxRootFields: 20,
    defaultListSize: 100,
    maxTokens: 5_000,
    maxLines: 10_000,
    maxNesting: 64,
    maxDirectives: 50,
    maxFragmentSpreads: 200,
    maxInputItems: 5_000,
}

/** Introspection per operation: the full schema once, single types a few times, no deep re-enumeration. */
export const INTROSPECTION_LIMITS = { schemaFields: 1, typeFields: 10, depth: 2 }

/** Variable coercion errors reported at most (the rest of a 90,000-item list is not looked at). */
const MAX_VARIABLE_ERRORS = 20

export function tooComplex(message: string, node: OperationDefinitionNode | undefined, extra: Record<string, unknown>): GraphQLError {
    return new GraphQLError(message, node ? [node] : undefined, undefined, undefined, undefined, undefined, { code: 'QUERY_TOO_COMPLEX', ...extra })
}

/** A number fit for JSON (the estimate of an absurd query overflows to Infinity). */
const shown = (n: number) => (Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER)

function over(node: OperationDefinitionNode, limit: string, max: number, actual: number, message: string): GraphQLError {
    return tooComplex(message, node, { limit, max, actual: shown(actual) })
}

/** The first limit the measured operation exceeds, as a QUERY_TOO_COMPLEX error. */
function costError(node: OperationDefinitionNode, c: OperationCost, limits: QueryLimits): GraphQLError | undefined {
    const i = INTROSPECTION_LIMITS
    if (c.depth > limits.maxDepth) return over(node, 'depth', limits.maxDepth, c.depth, `query depth ${c.depth} exceeds the limit of ${limits.maxDepth}`)
    if (c.aliases > limits.maxAliases) return over(node, 'aliases', limits.maxAliases, c.aliases, `query uses ${c.aliases} aliases, the limit is ${limits.maxAliases}`)
    if (node.operation !== 'subscription' && c.rootFields > limits.maxRootFields) {
        return over(node, 'rootFields', limits.maxRootFields, c.rootFields, `query has ${c.rootFields} root fields (fragments inlined), the limit is ${limits.maxRootFields}`)
    }
    if (c.schemaFields > i.schemaFields) return over(node, 'introspection', i.schemaFields, c.schemaFields, `at most ${i.schemaFields} __schema field per operation`)
    if (c.typeFields > i.typeFields) return over(node, 'introspection', i.typeFields, c.typeFields, `at most ${i.typeFields} __type fields per operation`)
    if (c.introspectionDepth > i.depth) {
        return over(node, 'introspectionDepth', i.depth, c.introspectionDepth, `introspection nests fields/inputFields/interfaces/possibleTypes ${c.introspectionDepth} deep, the limit is ${i.depth}`)
    }
    if (limits.maxListRows !== undefined && c.pageSize > limits.maxListRows) {
        return over(node, 'listRows', limits.maxListRows, c.pageSize, `a page of ${c.pageSize} rows was asked for (limit/first), the limit is ${limits.maxListRows}`)
    }
    if (node.operation !== 'mutation' && c.inputItems > limits.maxInputItems) {
        return over(node, 'inputItems', limits.maxInputItems, c.inputItems, `the arguments hold ${c.inputItems} list items, the limit is ${limits.maxInputItems}`)
    }
    if (c.complexity > limits.maxComplexity) {
        return over(node, 'complexity', limits.maxComplexity, c.complexity, `query complexity ${shown(c.complexity)} exceeds the limit of ${limits.maxComplexity} (lower limit/first or select fewer nested lists)`)
    }
    if (limits.maxResponseBytes !== undefined && c.bytes > limits.maxResponseBytes) {
        return over(node, 'responseBytes', limits.maxResponseBytes, c.bytes, `the response would exceed ${limits.maxResponseBytes} bytes: lower limit/first or use shorter aliases`)
    }
    return undefined
}

/**
 * The variables as execution will see them (coerced, defaults applied). When they do not coerce: the errors if
 * `report` (this operation is the one that runs), else what was sent with the defaults filled in (execution will
 * refuse it anyway; pricing it must still not be fooled).
 */
function coercedVariables(
    schema: GraphQLSchema,
    node: OperationDefinitionNode,
    raw: Record<string, unknown> | null | undefined,
    report: boolean,
): { values: Record<string, unknown> } | { errors: GraphQLError[] } {
    const defs = node.variableDefinitions ?? []
    if (!defs.length) return { values: {} }
    const inputs = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}
    const r = getVariableValues(schema, defs, inputs, { maxErrors: MAX_VARIABLE_ERRORS })
    if (r.coerced) return { values: r.coerced }
    if (report) return { errors: r.errors!.map((e) => new GraphQLError(e.message, e.nodes, e.source, e.positions, e.path, undefined, { code: 'BAD_USER_INPUT' })) }
    const values: Record<string, unknown> = { ...inputs }
    for (const d of defs) if (values[d.variable.name.value] === undefined && d.defaultValue) values[d.variable.name.value] = valueFromASTUntyped(d.defaultValue)
    return { values }
}

/** The limit an operation exceeds, as a QUERY_TOO_COMPLEX error (the variables as given: coerce them first). */
export function operationLimitError(
    schema: GraphQLSchema,
    node: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    limits: QueryLimits,
    variables?: Record<string, unknown> | null,
): GraphQLError | undefined {
    return costError(node, measureOperation(schema, node, fragments, variables, limits.defaultListSize), limits)
}

function fragmentsOf(doc: DocumentNode): Record<string, FragmentDefinitionNode> {
    const fragments: Record<string, FragmentDefinitionNode> = {}
    for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def
    return fragments
}

/**
 * What `validate(schema, document, [queryLimitsRule(limits, variables, operationName)])` reports, without a
 * validation pass. With an operation name only that operation is checked (the others never run); without one,
 * every operation is (a document with several needs a name to run at all).
 */
export function checkQueryLimits(
    schema: GraphQLSchema,
    document: DocumentNode,
    limits: QueryLimits,
    variables?: Record<string, unknown> | null,
    operationName?: string | null,
): GraphQLError[] {
    const fragments = fragmentsOf(document)
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    const errors: GraphQLError[] = []
    for (const op of operations) {
        if (operationName && op.name?.value !== operationName) continue
        const vars = coercedVariables(schema, op, variables, !!operationName || operations.length === 1)
        if ('errors' in vars) return vars.errors
        // a JSON variable (`args_jsonContains: $j`) passes coercion whatever its depth; serializing it recurses
        const depth = valueDepth(vars.values, limits.maxNesting + 1) - 1
        if (depth > limits.maxNesting) {
            errors.push(tooComplex(`the variables nest more than ${limits.maxNesting} deep`, op, { limit: 'nesting', max: limits.maxNesting }))
            continue
        }
        const e = operationLimitError(schema, op, fragments, limits, vars.values)
        if (e) errors.push(e)
    }
    return errors
}

/**
 * A validation rule that checks a whole document without the visitor: `validate` (document-cache.ts) calls it
 * directly, before the spec rules, instead of running a validation pass for it.
 */
export type DirectValidationRule = ValidationRule & { check(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] }

/** A validation rule enforcing `limits` (the request's variables are needed to read `limit: $n`). */
export function queryLimitsRule(limits: QueryLimits, variables?: Record<string, unknown> | null, operationName?: string | null): DirectValidationRule {
    const rule = (context: ValidationContext): ASTVisitor => {
        let done = false
        return {
            Document(node) {
                if (done) return false
                done = true
                for (const e of checkQueryLimits(context.getSchema(), node, limits, variables, operationName)) context.reportError(e)
                return false
            },
        }
    }
    return Object.assign(rule, { check: (schema: GraphQLSchema, document: DocumentNode) => checkQueryLimits(schema, document, limits, variables, operationName) })
}
