/**
 * Named (server-side prepared) statements for the API's repeated SQL. A dashboard runs the same few statement
 * texts over and over (each custom resolver has fixed SQL, each cached GraphQL document yields the same
 * OpenReader SQL); as unnamed statements Postgres parses, analyses and plans each of them on every execution,
 * which costs more Postgres CPU than running them. Named, each connection parses a text once, and Postgres'
 * plan cache may reuse a generic plan (it keeps planning per execution while that is cheaper: plan_cache_mode auto).
 *
 * Bounded: a text gets a name only once it was seen `minUses` times, and at most `maxNames` texts are ever named
 * (names are never reused, so every connection holds at most `maxNames` prepared statements); later texts stay
 * unnamed. The name is a hash of the text. When Postgres refuses a prepared statement because a table changed
 * under it ("cached plan must not change result type", after a migration), that text runs unnamed from then on.
 */
import { createHash } from 'crypto'
import { Pool, PoolConfig, QueryConfig } from 'pg'

export interface PreparedOptions {
    /** texts ever named (default 200) */
    maxNames?: number
    /** executions before a text is named (default 2) */
    minUses?: number
    /** longer texts stay unnamed (default 20,000 chars) */
    maxTextLength?: number
    /** texts counted while not yet named (default 2,000; the counts restart when full) */
    maxCandidates?: number
}

export class StatementNames {
    private names = new Map<string, string>()
    private refused = new Set<string>()
    private candidates = new Map<string, number>()
    private readonly maxNames: number
    private readonly minUses: number
    private readonly maxTextLength: number
    private readonly maxCandidates: number

    constructor(opts: PreparedOptions = {}) {
        this.maxNames = opts.maxNames ?? 200
        this.minUses = opts.minUses ?? 2
        this.maxTextLength = opts.maxTextLength ?? 20_000
        this.maxCandidates = opts.maxCandidates ?? 2_000
    }

    get size(): number {
        return this.names.size
    }

    /** The statement name for `text`, if it has (or now gets) one. */
    nameFor(text: string): string | undefined {
        const name = this.names.get(text)
        if (name !== undefined) return name
        if (this.names.size >= this.maxNames || text.length > this.maxTextLength || this.refused.has(text)) return undefined
        const uses = (this.candidates.get(text) ?? 0) + 1
        if (uses < this.minUses) {
            if (this.candidates.size >= this.maxCandidates) this.candidates.clear()
            this.candidates.set(text, uses)
            return undefined
        }
        this.candidates.delete(text)
        const fresh = 'api_' + createHash('sha1').update(text).digest('hex')
        this.names.set(text, fresh)
        return fresh
    }

    /** Run `text` unnamed from now on. */
    refuse(text: string): void {
        if (this.names.delete(text)) this.refused.add(text)
    }
}

/** Postgres refused to run a prepared statement whose tables changed under it. */
export function isPlanInvalidated(err: unknown): boolean {
    const e = err as { code?: string; message?: string } | undefined
    return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '')
}

/**
 * A pg Pool whose promise-style `query(text | config, values?)` runs repeated texts as named statements
 * (callback-style calls and configs with their own name or a custom submittable pass through unchanged).
 */
export class PreparedPool extends Pool {
    readonly statements: StatementNames

    constructor(config: PoolConfig, prepared: PreparedOptions = {}) {
        super(config)
        this.statements = new StatementNames(prepared)
    }

    override query(...args: any[]): any {
        const [first, second, third] = args
        if (typeof second === 'function' || typeof third === 'function') return (super.query as any)(...args)
        let config: QueryConfig
        if (typeof first === 'string') config = { text: first, values: second }
        else if (first && typeof first === 'object' && typeof first.text === 'string' && !first.name && typeof first.submit !== 'function') {
            config = second === undefined ? first : { ...first, values: second }
        } else return (super.query as any)(...args)
        const name = this.statements.nameFor(config.text)
        if (name === undefined) return super.query(config)
        return super.query({ ...config, name }).catch((e: unknown) => {
            if (!isPlanInvalidated(e)) throw e
            this.statements.refuse(config.text)
            return super.query(config)
        })
    }
}
