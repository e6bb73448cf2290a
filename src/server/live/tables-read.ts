/**
 * Which entities (= tables; the processor's notice names the entity classes it wrote) a live query reads: the
 * entity types its selection visits (nested relations included, through fragments too), the entity of each
 * Relay connection (its `totalCount` reads the table even when no node is selected), and the relations its
 * `where` filters and `orderBy` values walk through. An entity type is an object type with a generated
 * `<Type>WhereInput`. A custom read query (custom-queries.ts) reads the tables declared for it.
 */
import {
    DocumentNode,
    getNamedType,
    GraphQLField,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    isEnumType,
    isInputObjectType,
    isListType,
    isNonNullType,
    isObjectType,
    TypeInfo,
    valueFromAST,
    visit,
    visitWithTypeInfo,
} from 'graphql'
import { customQueryEntities, isCustomLiveQuery } from './custom-queries'

function entityOf(schema: GraphQLSchema, t: GraphQLNamedType | undefined | null): GraphQLObjectType | undefined {
    if (!t || !isObjectType(t)) return undefined
    const where = schema.getType(`${t.name}WhereInput`)
    if (where && isInputObjectType(where)) return t
    // a connection or edge type: its node's entity
    const edges = t.getFields().edges
    if (edges) return entityOf(schema, getNamedType(edges.type))
    const node = t.getFields().node
    if (node && /Edge$/.test(t.name)) return entityOf(schema, getNamedType(node.type))
    return undefined
}

const entityNamesOf = new WeakMap<GraphQLSchema, string[]>()

/** Every entity type of the schema (the processor's tables). */
export function entityNames(schema: GraphQLSchema): string[] {
    let names = entityNamesOf.get(schema)
    if (!names) {
        names = Object.values(schema.getTypeMap())
            .filter((t) => !t.name.startsWith('__') && entityOf(schema, t)?.name === t.name)
            .map((t) => t.name)
        entityNamesOf.set(schema, names)
    }
    return names
}

/** entities named by a `where` value (its nested `<Entity>WhereInput` objects) */
function walkWhere(type: GraphQLInputType, value: unknown, out: Set<string>): void {
    if (value == null) return
    if (isNonNullType(type)) return walkWhere(type.ofType, value, out)
    if (isListType(type)) {
        if (Array.isArray(value)) for (const v of value) walkWhere(type.ofType, v, out)
        return
    }
    if (!isInputObjectType(type) || typeof value !== 'object') return
    const m = /^(.+)WhereInput$/.exec(type.name)
    if (m) out.add(m[1])
    const fields = type.getFields()
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (fields[k]) walkWhere(fields[k].type, v, out)
}

/** entities an orderBy value such as `token_symbol_ASC` walks through, from `entity` */
function walkOrderBy(schema: GraphQLSchema, entity: GraphQLObjectType, value: unknown, out: Set<string>): void {
    const values = Array.isArray(value) ? value : [value]
    for (const v of values) {
        if (typeof v !== 'string') continue
        let cur: GraphQLObjectType | undefined = entity
        for (const seg of v.split('_')) {
            const f: GraphQLField<unknown, unknown> | undefined = cur?.getFields()[seg]
            const next: GraphQLObjectType | undefined = f ? entityOf(schema, getNamedType(f.type)) : undefined
            if (!next) break
            out.add(next.name)
            cur = next
        }
    }
}

export function entitiesRead(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined): Set<string> {
    const out = new Set<string>()
    const info = new TypeInfo(schema)
    visit(
        document,
        visitWithTypeInfo(info, {
            Field(node) {
                if (info.getParentType() === schema.getQueryType() && isCustomLiveQuery(node.name.value)) {
                    for (const e of customQueryEntities(node.name.value, entityNames(schema))) out.add(e)
                }
                const t = info.getType()
                const e = t ? entityOf(schema, getNamedType(t)) : undefined
                if (e) out.add(e.name)
            },
            Argument(node) {
                const arg = info.getArgument()
                const field = info.getFieldDef()
                if (!arg) return
                const value = valueFromAST(node.value, arg.type, variables as any)
                if (isInputObjectType(getNamedType(arg.type))) walkWhere(arg.type, value, out)
                const parent = field ? entityOf(schema, getNamedType(field.type)) : undefined
                if (parent && isEnumType(getNamedType(arg.type))) walkOrderBy(schema, parent, value, out)
            },
        }) as any,
    )
    return out
}

