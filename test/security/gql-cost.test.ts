/**
 * Issue 16 #3 #4 #6 #7 #14, in-process: the request path the server uses (DocumentCache.parse → validate with the
 * spec rules and the request's limits rule) refuses every hostile request of support/gql-attacks.ts with its
 * code and limit, measures what it refuses exactly (fragments inlined by value), and still accepts the requests
 * clients really send (GraphiQL's introspection, page sizes up to the row cap, big mutation inputs).
 * gql-server.test.ts sends the same requests to the server process and times them.
 */
import 'reflect-metadata'
import { getIntrospectionQuery, GraphQLError, GraphQLSchema, specifiedRules } from 'graphql'
import { DocumentCache } from '../../src/server/document-cache'
import { DEFAULT_SERVER_LIMITS, serverOptionsFromEnv, ServerLimits } from '../../src/server'
import { queryLimitsRule } from '../../src/server/limits/validation'
import { buildApiSchema } from '../../src/server/schema'
import { ATTACKS, AttackBody, bodyOf } from './support/gql-attacks'

let schema: GraphQLSchema

beforeAll(async () => {
    schema = await buildApiSchema()
})

/** What the server answers before execution: the errors of parse + validate (empty: it would run). */
function check(body: AttackBody, limits: ServerLimits = DEFAULT_SERVER_LIMITS): GraphQLError[] {
    const cache = new DocumentCache(schema, { limits })
    try {
        const doc = cache.parse(body.query)
        return [...cache.validate(schema, doc, [...specifiedRules, queryLimitsRule(limits, body.variables, body.operationName)])]
    } catch (e) {
        if (e instanceof GraphQLError) return [e]
        throw e
    }
}

describe('every hostile request is refused before it runs, with its code', () => {
    test.each(ATTACKS.map((a) => [a.name, a] as const))('%s', (_name, attack) => {
        const errors = check(bodyOf(attack))
        expect(errors.length).toBeGreaterThan(0)
        // bounded: never thousands of errors for thousands of faults
        expect(errors.length).toBeLessThanOrEqual(51)
        for (const e of errors) expect(e.extensions?.code).toBe(attack.code)
        if (attack.limit) expect(errors[0].extensions).toMatchObject({ limit: attack.limit, max: expect.any(Number) })
    })
})

describe('the measure', () => {
    test('fragments count as inlined, measured once each: 2^26 + 1 nodes for doubled spreads 26 deep', () => {
        const [e] = check(bodyOf(ATTACKS.find((a) => a.name === 'doubled fragment spreads 26 deep')!))
        expect(e.extensions).toMatchObject({ limit: 'complexity', actual: 2 ** 26 + 1 })
    })

    test('page sizes come from the coerced variables, defaults included', () => {
        const q = `query($n: Int = 10) { batches(limit: $n) { id claims(limit: $n) { id } } }`
        expect(check({ query: q })).toEqual([])
        expect(check({ query: q, variables: { n: 500 } })[0].extensions).toMatchObject({ limit: 'complexity', actual: 1 + 500 * (1 + 1 + 500) })
        // a non-null variable with a default, given null: coercion refuses it before any pricing
        expect(check({ query: `query($n: Int! = 5) { batches(limit: $n) { id } }`, variables: { n: null } })[0].extensions?.code).toBe('BAD_USER_INPUT')
    })

    test('`first` is capped like `limit`, by the row cap', () => {
        const limits = { ...DEFAULT_SERVER_LIMITS, maxListRows: 50 }
        expect(check({ query: `{ batchesConnection(orderBy: id_ASC, first: 50) { totalCount } }` }, limits)).toEqual([])
        expect(check({ query: `{ batchesConnection(orderBy: id_ASC, first: 51) { totalCount } }` }, limits)[0].extensions).toMatchObject({ limit: 'listRows', max: 50, actual: 51 })
        expect(check({ query: `{ batches(limit: 51) { id } }` }, limits)[0].extensions).toMatchObject({ limit: 'listRows', actual: 51 })
        // a connection's edges are sized by first
        expect(check({ query: `{ batchesConnection(orderBy: id_ASC, first: 5000) { edges { node { id claims(limit: 10) { id } } } } }` })[0].extensions?.limit).toBe('complexity')
    })

    test('root fields count after inlining fragments; __typename is not one', () => {
        const twenty = 'indexerStatus { height } '.repeat(20)
        expect(check({ query: `{ ... on Query { ${twenty} } __typename }` })).toEqual([])
        expect(check({ query: `{ ...R indexerStatus { height } } fragment R on Query { ${twenty} }` })[0].extensions).toMatchObject({ limit: 'rootFields', actual: 21 })
    })

    test('list items in arguments: queries are capped, mutation inputs are not (bounded by the body size)', () => {
        const ids = (n: number) => Array.from({ length: n }, (_, i) => `0x${i}`)
        const q = `query($ids: [String!]) { batches(where: { id_in: $ids }, limit: 1) { id } }`
        expect(check({ query: q, variables: { ids: ids(5_000) } })).toEqual([])
        expect(check({ query: q, variables: { ids: ids(5_001) } })[0].extensions).toMatchObject({ limit: 'inputItems', actual: 5_001 })
        const m = `mutation($p: [String!]!) { claimPayouts(batchId: "0x01", payees: $p, idempotencyKey: "k") { batchId } }`
        const errors = check({ query: m, variables: { p: ids(12_000) } })
        expect(errors.map((e) => e.extensions?.limit)).not.toContain('inputItems')
    })

    test('the limits apply to the selected operation only', () => {
        const doc = `query Small { batches(limit: 1) { id } } query Big { batches(limit: 100000) { id } }`
        expect(check({ query: doc, operationName: 'Small' })).toEqual([])
        expect(check({ query: doc, operationName: 'Big' })[0].extensions?.limit).toBe('listRows')
    })

    test('what clients send still passes: GraphiQL introspection, a deep-but-legal query, a few directives', () => {
        expect(check({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true }) })).toEqual([])
        expect(check({ query: `{ __type(name: "Batch") { fields { name type { name fields { name } } } } }` })).toEqual([])
        expect(check({ query: `query($a: Boolean!) { batches(limit: 10) { id @include(if: $a) status @skip(if: $a) } }`, variables: { a: true } })).toEqual([])
    })

    test('the document limits are configurable (GQL_MAX_TOKENS etc.)', () => {
        const limits = { ...DEFAULT_SERVER_LIMITS, maxTokens: 11 }
        expect(check({ query: `{ batches(limit: 1) { id status } }` }, limits)[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: 11 })
        expect(check({ query: `{ batches(limit: 1) { id } }` }, limits)).toEqual([])
    })
})

test('JSON variables nest at most maxNesting deep', () => {
    const q = `query($j: JSON) { protocolEvents(where: { args_jsonContains: $j }, limit: 1) { id } }`
    const nested = (d: number) => JSON.parse('['.repeat(d) + ']'.repeat(d))
    expect(check({ query: q, variables: { j: nested(DEFAULT_SERVER_LIMITS.maxNesting) } })).toEqual([])
    expect(check({ query: q, variables: { j: nested(DEFAULT_SERVER_LIMITS.maxNesting + 1) } })[0].extensions).toMatchObject({ limit: 'nesting' })
})

test('bind address and CORS come from GQL_HOST / GQL_CORS_ORIGIN (defaults: 127.0.0.1 in startServer, *)', () => {
    expect(serverOptionsFromEnv({})).toMatchObject({ host: undefined, corsOrigin: undefined })
    expect(serverOptionsFromEnv({ GQL_HOST: '0.0.0.0', GQL_CORS_ORIGIN: 'https://dash.example' })).toMatchObject({ host: '0.0.0.0', corsOrigin: 'https://dash.example' })
    expect(serverOptionsFromEnv({ GQL_CORS_ORIGIN: '' }).corsOrigin).toBe('')
    expect(serverOptionsFromEnv({ GQL_MAX_TOKENS: '800', GQL_MAX_INPUT_ITEMS: '100', GQL_MAX_LIST_ROWS: '500' }).limits).toMatchObject({ maxTokens: 800, maxInputItems: 100, maxListRows: 500 })
    expect(() => serverOptionsFromEnv({ GQL_MAX_TOKENS: 'lots' })).toThrow(/GQL_MAX_TOKENS/)
})
