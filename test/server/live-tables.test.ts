/**
 * What decides whether a commit wakes a live query: the entities a document reads (tables-read.ts) and the
 * entity names the processor's notice carries (notify.ts → notice.ts).
 */
import { GraphQLSchema, parse, validate } from 'graphql'
import { encodePayload } from '../../src/indexer/write/notify'
import { entitiesRead } from '../../src/server/live/tables-read'
import { mergeNotices, parseNotice } from '../../src/server/pubsub/notice'
import { buildApiSchema } from '../../src/server/schema'

let schema: GraphQLSchema
beforeAll(async () => {
    schema = await buildApiSchema()
})

const read = (q: string, vars?: Record<string, unknown>) => {
    const doc = parse(q)
    expect(validate(schema, doc)).toEqual([])
    return [...entitiesRead(schema, doc, vars)].sort()
}

test('every generated list, by-id and connection query is a Subscription field with the same arguments', () => {
    const query = schema.getQueryType()!.getFields()
    const sub = schema.getSubscriptionType()!.getFields()
    for (const name of ['batches', 'batchById', 'batchesConnection', 'validatorScores', 'mevEvents']) {
        expect(sub[name]).toBeDefined()
        expect(sub[name].args.map((a) => `${a.name}: ${a.type}`)).toEqual(query[name].args.map((a) => `${a.name}: ${a.type}`))
        expect(String(sub[name].type)).toBe(String(query[name].type))
    }
    // the hand-made subscriptions are still there
    expect(sub.batchUpdated).toBeDefined()
})

test('entities read: selection (nested relations), connection totals, where and orderBy relations', () => {
    expect(read(`subscription { batches(where: {status_eq: COMMITTED}) { id } }`)).toEqual(['Batch'])
    expect(read(`subscription { batchById(id: "x") { id claims { id } payout { id } } }`)).toEqual(['Batch', 'Claim', 'Payout'])
    expect(read(`subscription { batchesConnection(orderBy: id_ASC) { totalCount } }`)).toEqual(['Batch'])
    expect(read(`subscription($w: BatchWhereInput) { batches(where: $w) { id } }`, { w: { token: { symbol_eq: 'X' } } })).toEqual(['Batch', 'Token'])
    expect(read(`subscription { batches(orderBy: token_symbol_ASC) { id } }`)).toEqual(['Batch', 'Token'])
    expect(read(`subscription { batches { ...F } } fragment F on Batch { dispute { id } }`)).toEqual(['Batch', 'Dispute'])
})

test('the notice carries the written entity names; unknown stays unknown when merged', () => {
    const a = parseNotice(encodePayload({ height: 1, hash: '0x1', head: true, changed: { batches: ['b'] }, tables: ['Batch'] }))
    expect([...a.tables!]).toEqual(['Batch'])
    const b = parseNotice(encodePayload({ height: 2, hash: '0x2', head: true, changed: {}, tables: ['Claim'] }))
    expect([...mergeNotices(a, b).tables!].sort()).toEqual(['Batch', 'Claim'])
    const old = parseNotice(JSON.stringify({ height: 3, hash: '0x3', head: true, changed: {} }))
    expect(old.tables).toBeUndefined()
    expect(mergeNotices(parseNotice(encodePayload({ height: 4, hash: '0x4', head: true, changed: {}, tables: [] })), old).tables).toBeUndefined()
    // a truncated payload keeps its table list
    const ids = Array.from({ length: 2000 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}`)
    const big = parseNotice(encodePayload({ height: 5, hash: '0x5', head: true, changed: { batches: ids }, tables: ['Batch', 'Claim'] }))
    expect(big.byRange.has('batches')).toBe(true)
    expect([...big.tables!]).toEqual(['Batch', 'Claim'])
})
