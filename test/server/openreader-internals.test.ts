/**
 * The private OpenReader modules that src/server/openreader-internals.ts re-exports still have the shape the server
 * relies on. Each failure names the internal: after an OpenReader upgrade, re-read its source for that member and
 * adapt openreader-internals.ts and its users, then PINNED_OPENREADER_VERSION.
 */
import * as fs from 'fs'
import * as path from 'path'
import { GraphQLScalarType, GraphQLSchema } from 'graphql'
import { customScalars, getSchemaBuilder, ListQuery, loadModel, PINNED_OPENREADER_VERSION } from '../../src/server/openreader-internals'

const ROOT = path.resolve(__dirname, '../..')

describe('OpenReader internals used by the server', () => {
    it('the installed @subsquid/openreader is the pinned version', () => {
        const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@subsquid/openreader/package.json'), 'utf8')).version
        expect({ installed }).toEqual({ installed: PINNED_OPENREADER_VERSION })
    })

    it('loadModel + getSchemaBuilder build the generated schema from schema.graphql', async () => {
        expect(typeof loadModel).toBe('function')
        expect(typeof getSchemaBuilder).toBe('function')
        const model = loadModel(path.join(ROOT, 'schema.graphql'))
        const schema = (await getSchemaBuilder({ model, subscriptions: false })).build()
        expect(schema).toBeInstanceOf(GraphQLSchema)
        // the generated list, by-id and connection queries schema.ts merges
        const fields = Object.keys(schema.getQueryType()!.getFields())
        expect(fields).toEqual(expect.arrayContaining(['batches', 'batchById', 'batchesConnection']))
    })

    it('a ListQuery built from the model has the sql, params and map the capped context uses', () => {
        const model = loadModel(path.join(ROOT, 'schema.graphql'))
        // new ListQuery(model, dialect, typeName, fields, args): an entity list with one scalar field
        const q = new ListQuery(model, 'postgres', 'Batch', [{ field: 'id', aliases: ['id'], kind: 'scalar', type: { kind: 'scalar', name: 'String' }, prop: model.Batch.kind === 'entity' ? (model.Batch as any).properties.id : undefined }] as any, { limit: 1 })
        expect(typeof q.sql).toBe('string')
        expect(q.sql).toMatch(/FROM\s+"?batch"?/i)
        expect(Array.isArray(q.params)).toBe(true)
        expect(typeof q.map).toBe('function')
    })

    it('a ListQuery refers to its params as $1..$n in order and prints limit/offset as literals (live/multiplex-sql.ts relies on it)', () => {
        const model = loadModel(path.join(ROOT, 'schema.graphql'))
        const props = (model.Batch as any).properties
        const field = (name: string) => ({ field: name, aliases: [name], kind: 'scalar', type: props[name].type, prop: props[name] })
        const where = { op: 'AND', args: [{ op: 'eq', field: 'payer', value: '0xp' }, { op: 'gt', field: 'recordCount', value: 3 }] }
        const q = new ListQuery(model, 'postgres', 'Batch', [field('id'), field('payer')] as any, { where, limit: 7, offset: 2 } as any)
        expect(q.params).toEqual(['0xp', 3])
        expect(q.sql).toMatch(/= \$1\b[\s\S]*> \$2\b/)
        expect(q.sql).not.toMatch(/\$3/)
        expect(q.sql).toMatch(/LIMIT 7\b[\s\S]*OFFSET 2\b/)
    })

    it('customScalars has the BigInt and DateTime scalars', () => {
        expect(customScalars.BigInt).toBeInstanceOf(GraphQLScalarType)
        expect(customScalars.DateTime).toBeInstanceOf(GraphQLScalarType)
    })
})
