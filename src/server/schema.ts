/**
 * The composed GraphQL schema, all on the one `graphql@15` copy in node_modules:
 *
 *   OpenReader (generated from schema.graphql: entity queries with where/orderBy/limit/offset, Relay
 *   connections with totalCount; resolvers read `context.openreader`)
 * + type-graphql 1.2 (our queries, subscriptions and the mutations; auth via the one `authChecker`)
 * → merged with @graphql-tools/schema `mergeSchemas` (Query fields of both; the shared scalars BigInt /
 *   DateTime and the BatchStatus enum are the same definitions on both sides)
 * + the generated queries again on the Subscription root, as live queries (live/live.schema.ts).
 *
 * The schema is built once per process and schema file (type-graphql's metadata is global).
 */
import 'reflect-metadata'
import * as fs from 'fs'
import * as path from 'path'
import { GraphQLSchema } from 'graphql'
import { mergeSchemas } from '@graphql-tools/schema'
import { buildSchema, NonEmptyArray } from 'type-graphql'
import { projectRoot } from '../config'
import { authChecker } from './auth-checker'
import { withLiveQueries } from './live/live.schema'
import { getSchemaBuilder, loadModel } from './openreader-internals'
import { resolvers } from './resolvers'
import { DateTimeScalar } from './resolvers/scalars'
import { withTimeTravel } from './time-travel'

const built = new Map<string, Promise<GraphQLSchema>>()

export function defaultSchemaFile(): string {
    return path.join(projectRoot(), 'schema.graphql')
}

export function buildApiSchema(schemaFile = defaultSchemaFile()): Promise<GraphQLSchema> {
    const file = path.resolve(schemaFile)
    let p = built.get(file)
    if (!p) {
        p = build(file)
        built.set(file, p)
        p.catch(() => built.delete(file))
    }
    return p
}

async function build(file: string): Promise<GraphQLSchema> {
    if (!fs.existsSync(file)) throw new Error(`GraphQL model ${file} not found`)
    const model = loadModel(file)
    // the versioned entities' queries take `block` (time travel)
    const openreader = withTimeTravel((await getSchemaBuilder({ model, subscriptions: false })).build())
    const custom = await buildSchema({
        resolvers: resolvers as unknown as NonEmptyArray<Function>,
        authChecker,
        authMode: 'error',
        validate: false,
        scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    })
    const merged = mergeSchemas({ schemas: [openreader, custom] })
    // every generated query is also a live query (src/server/live/)
    return withLiveQueries(merged, Object.keys(openreader.getQueryType()?.getFields() ?? {}))
}
