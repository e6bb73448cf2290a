/**
 * Live queries in the schema: every generated OpenReader query field (list, by-id, connection), and the custom
 * read queries of custom-queries.ts (without the arguments listed there), are offered again on the Subscription
 * root under the same name, with the same arguments and type. The fields only carry the
 * shape (validation, complexity limits, introspection): a live operation is run by live/engine.ts, which
 * executes the same document as a query after each relevant commit.
 */
import { GraphQLFieldConfigMap, GraphQLObjectType, GraphQLSchema } from 'graphql'
import { apiError } from '../errors'
import { CUSTOM_LIVE_QUERIES, customQueryEntities, isCustomLiveQuery } from './custom-queries'
import { entityNames } from './tables-read'

/** marks a Subscription field as a live query (field `extensions`) */
export const LIVE_QUERY_EXTENSION = 'liveQuery'

export function withLiveQueries(schema: GraphQLSchema, queryFieldNames: readonly string[]): GraphQLSchema {
    const query = schema.getQueryType()
    if (!query) return schema
    const config = schema.toConfig()
    const oldSub = schema.getSubscriptionType()
    const fields: GraphQLFieldConfigMap<unknown, unknown> = { ...(oldSub ? oldSub.toConfig().fields : {}) }
    const queryFields = query.toConfig().fields
    const custom = Object.keys(CUSTOM_LIVE_QUERIES)
    for (const name of custom) {
        if (!queryFields[name]) throw new Error(`live query ${name} (custom-queries.ts) is not a Query field`)
        // a typo in its table list fails here, at startup
        customQueryEntities(name, entityNames(schema))
    }
    for (const name of [...queryFieldNames, ...custom]) {
        const q = queryFields[name]
        if (!q || fields[name]) continue
        const omit = new Set(isCustomLiveQuery(name) ? (CUSTOM_LIVE_QUERIES[name].omitArgs ?? []) : [])
        fields[name] = {
            type: q.type,
            args: Object.fromEntries(Object.entries(q.args ?? {}).filter(([arg]) => !omit.has(arg))),
            description: `Live \`${name}\`: the query's result at once, then again after each processor commit that changed it.`,
            extensions: { ...q.extensions, [LIVE_QUERY_EXTENSION]: true },
            // reached only when live/engine.ts did not take the operation: its root field sits behind a fragment
            subscribe: () => {
                throw apiError('BAD_USER_INPUT', 'a live query selects its root field directly (no fragment or directive on Subscription), over graphql-ws')
            },
            resolve: (v: unknown) => v,
        }
    }
    const subscription = new GraphQLObjectType({ ...(oldSub ? oldSub.toConfig() : { name: 'Subscription' }), fields })
    return new GraphQLSchema({
        ...config,
        subscription,
        types: config.types.filter((t) => t !== oldSub),
    })
}

/** Is `fieldName` of the Subscription root a live query? */
export function isLiveField(schema: GraphQLSchema, fieldName: string): boolean {
    const f = schema.getSubscriptionType()?.getFields()[fieldName]
    return !!f && (f.extensions as Record<string, unknown> | undefined)?.[LIVE_QUERY_EXTENSION] === true
}
