/**
 * Hostile GraphQL requests, each with the answer it must get: the reported probes of issue 16 (#3, #4, #6, #7,
 * #14) and neighbours of the same classes. Used in-process (gql-cost.test.ts) and against the server process
 * (gql-server.test.ts).
 */
export interface AttackBody {
    query: string
    variables?: Record<string, unknown>
    operationName?: string
}

/** The request body of an attack, as an object. */
export const bodyOf = (a: Attack): AttackBody => a.body ?? JSON.parse(a.raw!)

export interface Attack {
    name: string
    body?: AttackBody
    /** the request text, when `body` cannot be serialized by JSON.stringify */
    raw?: string
    /** the one code every error must carry */
    code: 'QUERY_TOO_COMPLEX' | 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'BAD_USER_INPUT'
    /** extensions.limit of the first error (QUERY_TOO_COMPLEX) */
    limit?: string
}

function doubledFragments(depth: number, type = 'Batch'): string {
    let frags = `fragment F0 on ${type} { id }\n`
    for (let i = 1; i <= depth; i++) frags += `fragment F${i} on ${type} { ...F${i - 1} ...F${i - 1} }\n`
    return frags
}

const shortIds = (n: number) => Array.from({ length: n }, (_, i) => String(i))

export const ATTACKS: Attack[] = [
    // #3 exponential: 1 KB, doubled spreads 26 deep (was 25 s)
    { name: 'doubled fragment spreads 26 deep', body: { query: `{ batchById(id: "x") { ...F26 } }\n${doubledFragments(26)}` }, code: 'QUERY_TOO_COMPLEX', limit: 'complexity' },
    { name: 'doubled fragment spreads on Query (root fields)', body: { query: `{ ...Q20 }\nfragment Q0 on Query { __typename indexerStatus { height } }\n${Array.from({ length: 20 }, (_, i) => `fragment Q${i + 1} on Query { ...Q${i} ...Q${i} }`).join('\n')}` }, code: 'QUERY_TOO_COMPLEX', limit: 'rootFields' },
    {
        name: '190 fragments of the same fields, all spread together',
        body: { query: `{ batchById(id: "a") { ${Array.from({ length: 190 }, (_, i) => `...F${i}`).join(' ')} } }\n${Array.from({ length: 190 }, (_, i) => `fragment F${i} on Batch { ${'status '.repeat(5)}}`).join('\n')}` },
        code: 'QUERY_TOO_COMPLEX',
        limit: 'validation',
    },
    { name: 'fragment cycle', body: { query: `{ batchById(id: "x") { ...A } } fragment A on Batch { id ...B } fragment B on Batch { ...A }` }, code: 'GRAPHQL_VALIDATION_FAILED' },
    // #4 quadratic: 60,000 repeated directives (was 90 s, 1.2 GB)
    { name: '60,000 repeated directives', body: { query: `{ __typename ${'@skip(if: false) '.repeat(60_000)}}` }, code: 'QUERY_TOO_COMPLEX', limit: 'directives' },
    { name: '150,000 unknown fields', body: { query: `{ ${'nope '.repeat(150_000)}}` }, code: 'QUERY_TOO_COMPLEX', limit: 'tokens' },
    { name: '450,000 newlines, then 200 errors', body: { query: `{ batchById(id: "x") {${'\n'.repeat(450_000)}${Array.from({ length: 200 }, (_, i) => `nope${i}`).join(' ')} } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'lines' },
    { name: '9,000 newlines, then 200 errors', body: { query: `{ batchById(id: "x") {${'\n'.repeat(9_000)}${Array.from({ length: 200 }, (_, i) => `nope${i}`).join(' ')} } }` }, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'selection sets nested 5,000 deep', body: { query: `{ ${'batches { '.repeat(5_000)}id${' }'.repeat(5_000)} }` }, code: 'QUERY_TOO_COMPLEX', limit: 'nesting' },
    { name: 'list literal nested 100,000 deep', body: { query: `{ batches(where: { id_in: ${'['.repeat(100_000)}${']'.repeat(100_000)} }) { id } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'nesting' },
    { name: 'a 900 KB string literal and unknown fields', body: { query: `{ batchById(id: "${'x'.repeat(900_000)}") { id nope1 nope2 } }` }, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: '3,000 operations in one document', body: { query: Array.from({ length: 3_000 }, (_, i) => `query Q${i} { __typename }`).join('\n'), operationName: 'Q7' }, code: 'QUERY_TOO_COMPLEX', limit: 'tokens' },
    { name: '2,000 variables', body: { query: `query(${Array.from({ length: 2_000 }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }` }, code: 'QUERY_TOO_COMPLEX', limit: 'tokens' },
    { name: '1,200 unused variables', body: { query: `query(${Array.from({ length: 1_200 }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }` }, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: '40 aliases', body: { query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: indexerStatus { height }`).join(' ')} }` }, code: 'QUERY_TOO_COMPLEX', limit: 'aliases' },
    { name: 'a 100 KB alias in a 10,000-row list', body: { query: `{ batches(limit: 10000) { ${'a'.repeat(100_000)}: id } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'responseBytes' },
    { name: '__typename 3 times in a 10,000-row list', body: { query: `{ batches(limit: 10000) { a: __typename b: __typename c: __typename } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'complexity' },
    // #6 introspection: 20 aliased __schema per request (was 14.7 s for 10 requests)
    { name: '20 aliased __schema', body: { query: `{ ${Array.from({ length: 20 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }` }, code: 'QUERY_TOO_COMPLEX', limit: 'introspection' },
    { name: '__schema behind a fragment twice', body: { query: `{ ...S ...T } fragment S on Query { __schema { types { name } } } fragment T on Query { x: __schema { types { name } } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'introspection' },
    { name: 'introspection re-enumerating types 3 deep', body: { query: `{ __schema { types { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'introspectionDepth' },
    // #7 evasions: variable defaults, Relay `first`, root fields behind `... on Query`
    { name: 'page size in a variable default', body: { query: `query($n: Int = 100000) { batches(limit: $n) { id } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'listRows' },
    { name: 'nested page sizes in variable defaults', body: { query: `query($n: Int = 1000) { batches(limit: $n) { id claims(limit: $n) { id } } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'complexity' },
    { name: 'Relay first: 1,000,000', body: { query: `{ batchesConnection(orderBy: id_ASC, first: 1000000) { totalCount pageInfo { hasNextPage } } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'listRows' },
    { name: 'Relay first in a variable default', body: { query: `query($f: Int = 50000) { batchesConnection(orderBy: id_ASC, first: $f) { edges { cursor } } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'listRows' },
    { name: '51 root fields behind ... on Query', body: { query: `{ ... on Query { ${'indexerStatus { height } '.repeat(51)}} }` }, code: 'QUERY_TOO_COMPLEX', limit: 'rootFields' },
    // #14 a huge IN list answered INTERNAL
    { name: '90,000 id_in items in a variable', body: { query: `query($ids: [String!]) { batches(where: { id_in: $ids }, limit: 1) { id } }`, variables: { ids: shortIds(90_000) } }, code: 'QUERY_TOO_COMPLEX', limit: 'inputItems' },
    { name: '90,000 id_in literals', body: { query: `{ batches(where: { id_in: [${shortIds(90_000).join(',')}] }, limit: 1) { id } }` }, code: 'QUERY_TOO_COMPLEX', limit: 'tokens' },
    { name: '6,000 id_in items spread over OR filters', body: { query: `query($a: [String!], $b: [String!]) { batches(where: { OR: [{ id_in: $a }, { payer_in: $b }] }, limit: 1) { id } }`, variables: { a: shortIds(3_000), b: shortIds(3_000) } }, code: 'QUERY_TOO_COMPLEX', limit: 'inputItems' },
    {
        name: 'lists nested 100,000 deep in a variable',
        // JSON.stringify cannot write it (its recursion overflows): the request text is written by hand
        raw: `{"query": "query($ids: [String!]) { batches(where: { id_in: $ids }, limit: 1) { id } }", "variables": {"ids": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
        code: 'BAD_USER_INPUT',
    },
    {
        name: 'a JSON variable nested 100,000 deep',
        raw: `{"query": "query($j: JSON) { protocolEvents(where: { args_jsonContains: $j }, limit: 1) { id } }", "variables": {"j": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`,
        code: 'QUERY_TOO_COMPLEX',
        limit: 'nesting',
    },
    { name: '90,000 wrongly typed variable items', body: { query: `query($ids: [Int!]) { batches(limit: 1) { id } __typename }`, variables: { ids: shortIds(90_000) } }, code: 'BAD_USER_INPUT' },
]
