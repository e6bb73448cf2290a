/**
 * Parsed and validated GraphQL documents, cached by query text (HTTP and graphql-ws share one cache per server).
 * A dashboard sends the same few query texts over and over with different variables; parsing them and running
 * the spec's validation rules (a full TypeInfo walk with ~30 rules) cost more server CPU than executing them.
 *
 * - parse: LRU by the exact query string. Only texts up to `maxQueryChars` are kept, and the cache holds at most
 *   `maxEntries` documents and `maxTotalChars` characters of query text, so a flood of distinct (or large)
 *   queries evicts entries instead of growing memory. Syntax errors are not cached (they throw each time).
 * - validate: the spec rules' result depends only on (schema, document): it is computed once per cached
 *   document. Rules that depend on the request (the depth/complexity limits read `limit: $n` from the
 *   variables) run on every request; those with a direct `check` (limits/validation.ts) without a visitor pass. When the spec rules found errors the whole rule set runs again, so
 *   invalid documents answer exactly as without the cache.
 * - plan: the operation's type, and whether it can run its OpenReader SQL outside a transaction (see
 *   openreader-context.ts).
 */
import {
    DocumentNode,
    getNamedType,
    getOperationAST,
    GraphQLError,
    GraphQLSchema,
    isObjectType,
    Kind,
    OperationTypeNode,
    parse,
    specifiedRules,
    validate,
    ValidationRule,
} from 'graphql'
import { withErrorCode } from './errors'
import type { DirectValidationRule } from './limits/validation'

export interface DocumentCacheOptions {
    /** documents kept (default 500) */
    maxEntries?: number
    /** longer query texts are parsed every time (default 16 KiB) */
    maxQueryChars?: number
    /** total query text kept (default 1 MiB) */
    maxTotalChars?: number
}

export interface OperationPlan {
    /** the operation's type (undefined when the name matches no operation) */
    operation: OperationTypeNode | undefined
    /** the operation runs at most one OpenReader SQL statement: no transaction is needed for a consistent read */
    singleStatement: boolean
}

const SPECIFIED: ReadonlySet<ValidationRule> = new Set(specifiedRules)

export class DocumentCache {
    private docs = new Map<string, DocumentNode>()
    private chars = 0
    private specErrors = new WeakMap<DocumentNode, readonly GraphQLError[]>()
    private plans = new WeakMap<DocumentNode, Map<string, OperationPlan>>()
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
            doc = parse(query)
        } catch (e) {
            throw e instanceof GraphQLError ? withErrorCode(e, 'GRAPHQL_PARSE_FAILED') : e
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
     * graphql `validate(schema, document, rules)` where the rules from graphql's `specifiedRules` are evaluated once
     * per document and the others (request-dependent) every time.
     */
    validate = (schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[] = specifiedRules): readonly GraphQLError[] => {
        const errors = this.validateUncoded(schema, document, rules)
        // the limit rules code theirs (QUERY_TOO_COMPLEX); the spec rules' errors get GRAPHQL_VALIDATION_FAILED
        return errors.length ? errors.map((e) => (e.extensions?.code ? e : withErrorCode(e, 'GRAPHQL_VALIDATION_FAILED'))) : errors
    }

    private validateUncoded(schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[]): readonly GraphQLError[] {
        if (schema !== this.schema) return validate(schema, document, rules)
        let spec = this.specErrors.get(document)
        if (!spec) {
            spec = validate(schema, document, specifiedRules)
            this.specErrors.set(document, spec)
        }
        if (spec.length) return validate(schema, document, rules)
        let errors: GraphQLError[] = []
        const visiting: ValidationRule[] = []
        for (const r of rules) {
            if (SPECIFIED.has(r)) continue
            const check = (r as Partial<DirectValidationRule>).check
            if (typeof check === 'function') errors = errors.concat(check(schema, document))
            else visiting.push(r)
        }
        return visiting.length ? errors.concat(validate(schema, document, visiting)) : errors
    }

    /** How the operation `operationName` of a (valid) document may run; cached per document. */
    plan(document: DocumentNode, operationName?: string | null): OperationPlan {
        let byName = this.plans.get(document)
        if (!byName) this.plans.set(document, (byName = new Map()))
        const key = operationName ?? ''
        let p = byName.get(key)
        if (!p) {
            p = { operation: getOperationAST(document, operationName)?.operation, singleStatement: isSingleStatement(this.schema, document, operationName) }
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
