/**
 * EVERY use of @subsquid/openreader's private modules (its `lib/...` files, which are not its package's public
 * entry) is here, so that an OpenReader upgrade is one file to audit on the server side, as
 * src/indexer/sdk-internals.ts is on the indexer side. test/server/openreader-internals.test.ts fails loudly
 * when one of them changes shape. Written against @subsquid/openreader 5.3.0 (PINNED_OPENREADER_VERSION).
 *
 *  1. lib/tools loadModel + lib/dialect getSchemaBuilder: OpenReader's own schema.graphql → GraphQL schema
 *     build (the generated queries), which schema.ts merges with our type-graphql resolvers. Why: the public
 *     entry only starts OpenReader's own server, and ours is graphql-http + graphql-ws (README, Composition).
 *  2. lib/context OpenreaderContext (type) and lib/sql/query Query / ListQuery: the per-operation database
 *     context its generated resolvers call (openreader-context.ts caps list queries and shares one snapshot;
 *     live/multiplex-sql.ts combines statements relying on `sql` naming `params` as $1..$n and printing
 *     limit/offset as literals).
 *  3. lib/scalars customScalars: its BigInt and DateTime scalars, so our resolvers' scalars are the same
 *     objects as the generated schema's (one scalar per name after the merge).
 */
export type { OpenreaderContext } from '@subsquid/openreader/lib/context'
export { ListQuery, Query } from '@subsquid/openreader/lib/sql/query'
export { customScalars } from '@subsquid/openreader/lib/scalars'
export { getSchemaBuilder } from '@subsquid/openreader/lib/dialect'
export { loadModel } from '@subsquid/openreader/lib/tools'

/** The version these internals were written against; the shape test checks the installed one. */
export const PINNED_OPENREADER_VERSION = '5.3.0'
