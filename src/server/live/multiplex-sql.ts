/**
 * The SQL side of live-query multiplexing (multiplex.ts): K statements with the same text and different parameter
 * values become one statement
 *
 *   SELECT _lm._i, _lq.* FROM unnest($1::T1[], …, $n::Tn[]) WITH ORDINALITY AS _lm(_p1, …, _pn, _i)
 *   CROSS JOIN LATERAL (SELECT row_number() OVER () AS _r, _ls.* FROM (<text, $k → _lm._pk>) AS _ls) AS _lq
 *   ORDER BY _lm._i, _lq._r
 *
 * whose rows, split by `_i` and stripped of `_i` and `_r`, are each statement's own rows in its own order (the
 * inner statement runs once per value tuple, its LIMIT/OFFSET/ORDER BY included). Tk are the types Postgres infers
 * for the original statement's parameters (probed with PREPARE, `paramTypesProbe`), so every `_pk` compares and
 * converts exactly as `$k` did. Not combined (each statement then runs alone): an array-typed parameter or an
 * array value (unnest would flatten it), a type Postgres could not infer.
 */

/** Replace each `$n` placeholder outside quoted literals and identifiers. */
export function replaceParams(sql: string, to: (n: number) => string): string {
    return scan(sql, '$', (rest) => {
        const m = /^\$([0-9]+)/.exec(rest)
        return m ? [m[0].length, to(Number(m[1]))] : undefined
    })
}

/**
 * The statement with its literal `LIMIT n` / `OFFSET n` made parameters $k (after its own), and their values:
 * OpenReader prints page sizes as literals, so `limit: $n` with different values gives different texts that still
 * combine this way (a LATERAL subquery's LIMIT may read the outer row).
 */
export function literalsAsParams(sql: string, values: readonly unknown[]): { text: string; values: unknown[] } {
    const out = [...values]
    const text = scan(sql, 'LO', (rest) => {
        const m = /^(LIMIT|OFFSET)(\s+)([0-9]+)\b/.exec(rest)
        if (!m) return undefined
        out.push(Number(m[3]))
        return [m[0].length, `${m[1]}${m[2]}$${out.length}`]
    })
    return { text, values: out }
}

/** Copy `sql`, letting `at` rewrite a token that starts with one of `first` outside quotes (not inside a word). */
function scan(sql: string, first: string, at: (rest: string) => [number, string] | undefined): string {
    let out = ''
    let i = 0
    while (i < sql.length) {
        const c = sql[i]
        if (c === "'" || c === '"') {
            let j = i + 1
            for (;;) {
                if (j >= sql.length) break
                if (sql[j] === c) {
                    if (sql[j + 1] === c) j += 2
                    else break
                } else j++
            }
            out += sql.slice(i, j + 1)
            i = j + 1
            continue
        }
        const hit = first.includes(c) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '') ? at(sql.slice(i, i + 40)) : undefined
        if (hit) {
            out += hit[1]
            i += hit[0]
            continue
        }
        out += c
        i++
    }
    return out
}

/** Can statements of this text, with these parameter types, be combined? */
export function combinableTypes(types: readonly string[] | null | undefined): types is readonly string[] {
    return !!types && types.length > 0 && types.every((t) => !!t && t !== 'unknown' && !t.endsWith('[]') && !/^(anyarray|anyelement|record)$/.test(t))
}

/** Can this value be an element of a parameter array? (arrays would be flattened by unnest) */
export function combinableValues(values: readonly unknown[]): boolean {
    return values.every((v) => !Array.isArray(v))
}

/** `maxRows`: the combined statement returns at most one row more than this (the caller then falls back). */
export function combinedSql(sql: string, types: readonly string[], maxRows?: number): string {
    const body = replaceParams(sql, (n) => {
        if (!(n >= 1 && n <= types.length)) throw new Error(`parameter $${n} out of range`)
        return `_lm._p${n}`
    })
    const arrays = types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')
    const cols = types.map((_, k) => `_p${k + 1}`).join(', ')
    return (
        `SELECT _lm._i, _lq.* FROM unnest(${arrays}) WITH ORDINALITY AS _lm(${cols}, _i) ` +
        `CROSS JOIN LATERAL (SELECT row_number() OVER () AS _r, _ls.* FROM (\n${body}\n) AS _ls) AS _lq ORDER BY _lm._i, _lq._r` +
        (maxRows === undefined ? '' : ` LIMIT ${maxRows + 1}`)
    )
}

/** The parameter arrays of a combined statement: one array per parameter, one element per value tuple. */
export function combinedValues(tuples: readonly (readonly unknown[])[], n: number): unknown[][] {
    const arrays: unknown[][] = Array.from({ length: n }, () => new Array(tuples.length))
    tuples.forEach((t, i) => {
        for (let k = 0; k < n; k++) arrays[k][i] = t[k] ?? null
    })
    return arrays
}

/** Split the rows of a combined statement (array mode) into each tuple's rows. */
export function splitRows(rows: unknown[][], tuples: number): unknown[][][] {
    const out: unknown[][][] = Array.from({ length: tuples }, () => [])
    for (const row of rows) {
        const i = Number(row[0]) - 1
        if (!(i >= 0 && i < tuples)) throw new Error(`combined statement returned tuple ${row[0]} of ${tuples}`)
        out[i].push(row.slice(2))
    }
    return out
}

/** A key telling value tuples apart (JSON, with bigint and Date made explicit). */
export function valuesKey(values: readonly unknown[]): string {
    return JSON.stringify(values, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))
}

/** The statements that read `sql`'s parameter types (no data is read: the statement is only prepared). */
export function paramTypesProbe(sql: string, name: string): string {
    return `PREPARE ${name} AS ${sql};\nSELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = '${name}';\nDEALLOCATE ${name}`
}
