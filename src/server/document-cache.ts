/**
 * Parsed and validated GraphQL documents, cached by query text (HTTP and graphql-ws share one cache per server).
 * A dashboard sends the same few query texts over and over with different variables; parsing them and running
 * the spec's validation rules (a full TypeInfo walk with ~30 rules) cost more server CPU than executing them.
 *
 * - parse: LRU by the exact query string. Only texts up to `maxQueryChars` are kept, and the cache holds at most
 *   `maxEntries` documents and `maxTotalChars` characters of query text, so a flood of distinct (or large)
 *   queries evicts entries instead of growing memory. Syntax errors are not cached (they throw each time).
 *   Before parsing, the text's tokens, nesting, directives and fragment spreads are bounded (limits/document.ts).
 * - validate: the rules that depend on the request (the limits read `limit: $n` from the variables) run first,
 *   on every request, with a direct `check` (limits/validation.ts) when they have one: they are linear and refuse
 *   what would make the spec rules expensive. Then the spec rules, whose result depends only on (schema,
 *   document): computed once per cached document, stopping at `MAX_VALIDATION_ERRORS`. Each rule runs once.
 * - plan: the operation's type, whether it can run its OpenReader SQL outside a transaction (see
 *   openreader-context.ts), and whether it is introspection only: those results depend on the schema alone and
 *   are kept per document (`execute`).
 */
import {
    DocumentNode,
    ExecutionArgs,
    ExecutionResult,
    getNamedType,
    getOperationAST,
    GraphQLError,
    GraphQLSchema,
    isObjectType,
    Kind,
    OperationDefinitionNode,
    OperationTypeNode,
    parse,
    specifiedRules,
    validate,
    ValidationRule,
} from 'graphql'
import { withErrorCode } from './errors'
import { checkQueryText, DocumentLimits } from './limits/document'
import { DEFAULT_QUERY_LIMITS, DirectValidationRule } from './limits/validation'

/** Validation errors reported at most (each one locates itself by scanning the query text) */
export const MAX_VALIDATION_ERRORS = 50
/** what graphql answers when a rule ran out of its work budget ("Validation aborted.") */
const VALIDATION_BUDGET_ERROR = new GraphQLError(
    'the document takes too much work to validate (many overlapping fields or fragments): split it or merge its fragments',
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    // max: the comparison budget of graphql's OverlappingFieldsCanBeMergedRule (MAX_COMPLEXITY_BUDGET)
    { code: 'QUERY_TOO_COMPLEX', limit: 'validation', max: 500_000 },
)
/** introspection results kept per document (one per operation name) */
const MAX_INTROSPECTION_RESULTS = 8

export interface DocumentCacheOptions {
    /** documents kept (default 500) */
    maxEntries?: number
    /** longer query texts are parsed every time (default 16 KiB) */
    maxQueryChars?: number
    /** total query text kept (default 1 MiB) */
    maxTotalChars?: number
    /** bounds of a query text, checked before parsing (default: DEFAULT_QUERY_LIMITS) */
    limits?: DocumentLimits
}

export interface OperationPlan {
    /** the operation's type (undefined when the name matches no operation) */
    operation: OperationTypeNode | undefined
    /** the operation runs at most one OpenReader SQL statement: no transaction is needed for a consistent read */
    singleStatement: boolean
    /** every root field is `__schema`, `__type` or `__typename`: the result depends on the schema alone */
    introspection: boolean
}

const SPECIFIED: ReadonlySet<ValidationRule> = new Set(specifiedRules)

export class DocumentCache {
    private docs = new Map<string, DocumentNode>()
    private chars = 0
    private specErrors = new WeakMap<DocumentNode, readonly GraphQLError[]>()
    private plans = new WeakMap<DocumentNode, Map<string, OperationPlan>>()
    private introspection = new WeakMap<DocumentNode, Map<string, Promise<ExecutionResult>>>()
    private readonly limits: DocumentLimits
    private readonly maxEntries: number
    private readonly maxQueryChars: number
    private readonly maxTotalChars: number
    hits = 0
    misses = 0

    constructor(
        readonly schema: GraphQLSchema,
        opts: DocumentCacheOptions = {},
    ) {
        this.maxEntries = opts.maxEntries ?? 500
        this.maxQueryChars = opts.maxQueryChars ?? 16 * 1024
        this.maxTotalChars = opts.maxTotalChars ?? 1024 * 1024
        this.limits = opts.limits ?? DEFAULT_QUERY_LIMITS
    }

    get size(): number {
        return this.docs.size
    }

    /** graphql `parse`, cached; throws the GraphQLError of a syntax error */
    parse = (query: string): DocumentNode => {
        const hit = this.docs.get(query)
        if (hit) {
            this.hits++
            // most recently used last
            this.docs.delete(query)
            this.docs.set(query, hit)
            return hit
        }
        this.misses++
        let doc: DocumentNode
        try {
            checkQueryText(query, this.limits)
            doc = parse(query)
        } catch (e) {
            throw e instanceof GraphQLError && !e.extensions?.code ? withErrorCode(e, 'GRAPHQL_PARSE_FAILED') : e
        }
        if (query.length <= this.maxQueryChars) {
            while (this.docs.size > 0 && (this.docs.size >= this.maxEntries || this.chars + query.length > this.maxTotalChars)) {
                const oldest = this.docs.keys().next().value as string
                this.docs.delete(oldest)
                this.chars -= oldest.length
            }
            this.docs.set(query, doc)
            this.chars += query.length
        }
        return doc
    }

    /**
     * graphql `validate(schema, document, rules)`: the request's own rules first (a `check` without a visitor pass
     * when they have one), then, if they found nothing, graphql's `specifiedRules` (evaluated once per document).
     */
    validate = (schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[] = specifiedRules): readonly GraphQLError[] => {
        const errors = this.validateUncoded(schema, document, rules)
        // the limit rules code theirs (QUERY_TOO_COMPLEX); the spec rules' errors get GRAPHQL_VALIDATION_FAILED,
        // except graphql's own work budget (OverlappingFieldsCanBeMerged on many overlapping fragments)
        const coded = (e: GraphQLError) =>
            e.extensions?.code ? e : e.message === 'Validation aborted.' ? VALIDATION_BUDGET_ERROR : withErrorCode(e, 'GRAPHQL_VALIDATION_FAILED')
        return errors.length ? errors.map(coded) : errors
    }

    private validateUncoded(schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[]): readonly GraphQLError[] {
        const options = { maxErrors: MAX_VALIDATION_ERRORS }
        let errors: GraphQLError[] = []
        const visiting: ValidationRule[] = []
        let spec = false
        for (const r of rules) {
            if (SPECIFIED.has(r)) {
                spec = true
                continue
            }
            const check = (r as Partial<DirectValidationRule>).check
            if (typeof check === 'function') errors = errors.concat(check(schema, document))
            else visiting.push(r)
        }
        if (errors.length) return errors
        if (visiting.length) errors = [...validate(schema, document, visiting, undefined, options)]
        if (errors.length || !spec) return errors
        if (schema !== this.schema) return validate(schema, document, specifiedRules, undefined, options)
        let specErrors = this.specErrors.get(document)
        if (!specErrors) {
            specErrors = validate(schema, document, specifiedRules, undefined, options)
            this.specErrors.set(document, specErrors)
        }
        return specErrors
    }

    /**
     * graphql `execute` through `run`, except that an introspection-only operation without variables is answered
     * from the result (without errors) kept for its document and operation name.
     */
    execute(args: ExecutionArgs, run: (args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult): Promise<ExecutionResult> | ExecutionResult {
        if (args.schema !== this.schema || !this.plan(args.document, args.operationName).introspection) return run(args)
        // with variables (rare for introspection) it runs each time: they would have to be part of the key
        if (args.variableValues && Object.keys(args.variableValues).length) return run(args)
        const key = args.operationName ?? ''
        let byKey = this.introspection.get(args.document)
        if (!byKey) this.introspection.set(args.document, (byKey = new Map()))
        const hit = byKey.get(key)
        if (hit) return hit
        const pending = Promise.resolve(run(args))
        if (byKey.size < MAX_INTROSPECTION_RESULTS) {
            byKey.set(key, pending)
            pending.then(
                (r) => r.errors?.length && byKey!.delete(key),
                () => byKey!.delete(key),
            )
        }
        return pending
    }

    /** How the operation `operationName` of a (valid) document may run; cached per document. */
    plan(document: DocumentNode, operationName?: string | null): OperationPlan {
        let byName = this.plans.get(document)
        if (!byName) this.plans.set(document, (byName = new Map()))
        const key = operationName ?? ''
        let p = byName.get(key)
        if (!p) {
            const op = getOperationAST(document, operationName)
            p = { operation: op?.operation, singleStatement: isSingleStatement(this.schema, document, operationName), introspection: !!op && isIntrospectionOnly(op) }
            byName.set(key, p)
        }
        return p
    }
}

/**
 * True when the operation is a query with exactly one root field (no fragments or directives at the root) that
 * is not a Relay connection: OpenReader answers such a field with one SQL statement (a list, or an entity by
 * id, nested relations included), and a single statement reads one snapshot by itself. Connections run a
 * count besides the page, several root fields run one statement each: those need a shared snapshot.
 */
export function isSingleStatement(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): boolean {
    const op = getOperationAST(document, operationName)
    if (!op || op.operation !== 'query') return false
    const fields = op.selectionSet.selections
    let n = 0
    for (const sel of fields) {
        if (sel.kind !== Kind.FIELD || sel.directives?.length) return false
        if (sel.name.value === '__typename') continue
        n++
        const def = schema.getQueryType()?.getFields()[sel.name.value]
        if (!def) return false
        const named = getNamedType(def.type)
        if (isObjectType(named) && /Connection$/.test(named.name) && named.getFields().edges) return false
    }
    return n <= 1
}

/** True when every root field of the operation is `__schema`, `__type` or `__typename` (no fragments, no directives). */
export function isIntrospectionOnly(op: OperationDefinitionNode): boolean {
    if (op.operation !== 'query') return false
    return op.selectionSet.selections.every((sel) => sel.kind === Kind.FIELD && !sel.directives?.length && /^__(schema|type|typename)$/.test(sel.name.value))
}
