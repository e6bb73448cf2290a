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
        if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
            let j = i + 1
            while (j < sql.length && /[0-9]/.test(sql[j])) j++
            out += to(Number(sql.slice(i + 1, j)))
            i = j
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

export function combinedSql(sql: string, types: readonly string[]): string {
    const body = replaceParams(sql, (n) => {
        if (!(n >= 1 && n <= types.length)) throw new Error(`parameter $${n} out of range`)
        return `_lm._p${n}`
    })
    const arrays = types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')
    const cols = types.map((_, k) => `_p${k + 1}`).join(', ')
    return (
        `SELECT _lm._i, _lq.* FROM unnest(${arrays}) WITH ORDINALITY AS _lm(${cols}, _i) ` +
        `CROSS JOIN LATERAL (SELECT row_number() OVER () AS _r, _ls.* FROM (\n${body}\n) AS _ls) AS _lq ORDER BY _lm._i, _lq._r`
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
