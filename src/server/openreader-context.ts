/**
 * OpenReader's per-request database context with a row cap on list queries: the generated
 * `entities(...)` SQL runs as `SELECT * FROM (<sql>) LIMIT cap+1`, and more than `cap` rows is a
 * QUERY_TOO_COMPLEX error instead of an unbounded result (`limit` is optional in the generated API).
 * Nested lists are bounded by the complexity rule, the statement timeout and the response byte cap.
 */
import type { Pool } from 'pg'
import { PoolOpenreaderContext } from '@subsquid/openreader/lib/db'
import { ListQuery, Query } from '@subsquid/openreader/lib/sql/query'
import { apiError } from './errors'

export class CappedOpenreaderContext extends PoolOpenreaderContext {
    constructor(
        pool: Pool,
        readonly maxRows: number,
    ) {
        super('postgres', pool)
    }

    async executeQuery<T>(query: Query<T>): Promise<T> {
        if (!(query instanceof ListQuery)) return super.executeQuery(query)
        // same query object (map() keeps its private state through the prototype), capped SQL
        const capped = Object.create(query, { sql: { value: `SELECT * FROM (\n${query.sql}\n) AS _capped LIMIT ${this.maxRows + 1}` } }) as Query<T>
        const out = await super.executeQuery(capped)
        if (Array.isArray(out) && out.length > this.maxRows) {
            throw apiError('QUERY_TOO_COMPLEX', `the list has more than ${this.maxRows} rows: pass a smaller limit (and page with offset) or a narrower where`, {
                limit: 'listRows',
                max: this.maxRows,
            })
        }
        return out
    }
}
