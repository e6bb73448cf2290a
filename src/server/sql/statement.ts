/**
 * Static checks on analyst SQL before it reaches Postgres. This is a convenience layer (clear errors,
 * early refusal); the security boundary is the read-only role in a READ ONLY transaction.
 *
 * A small lexer skips comments (`--`, nested `/* *\/`), string literals ('...', E'...' with backslash
 * escapes, $tag$...$tag$) and quoted identifiers, then requires:
 * - one statement: a `;` may only end the text;
 * - a read query: the first keyword is SELECT or WITH (optionally after opening parentheses);
 * - no data-changing or locking keywords as bare words (INSERT, UPDATE, DELETE, MERGE, ..., INTO, FOR UPDATE/SHARE),
 *   nor pg_notify / set_config (they work inside a read-only transaction).
 * - balanced parentheses (the text is wrapped in `SELECT * FROM (...) LIMIT n`).
 */
export class SqlRejected extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'SqlRejected'
    }
}

const FORBIDDEN = new Set([
    'insert',
    'update',
    'delete',
    'merge',
    'truncate',
    'drop',
    'alter',
    'create',
    'grant',
    'revoke',
    'copy',
    'call',
    'lock',
    'listen',
    'notify',
    'unlisten',
    'pg_notify',
    'prepare',
    'execute',
    'deallocate',
    'discard',
    'reset',
    'set',
    'set_config',
    'into',
    'share',
    'nowait',
])

const QUOTED_FORBIDDEN = new Set(['pg_notify', 'set_config'])

export interface CheckedSql {
    /** the statement without trailing semicolons/whitespace */
    text: string
    /** highest $n placeholder used */
    maxParam: number
}

export function checkSelect(sql: string): CheckedSql {
    if (typeof sql !== 'string' || sql.trim() === '') throw new SqlRejected('sql must be a non-empty string')
    const words: string[] = []
    let depth = 0
    let maxParam = 0
    let end = -1 // index right after the last significant character
    let sawSemicolon = false
    let i = 0
    const n = sql.length
    while (i < n) {
        const c = sql[i]
        const next = sql[i + 1]
        if (/\s/.test(c)) {
            i++
            continue
        }
        if (c === '-' && next === '-') {
            const nl = sql.indexOf('\n', i)
            i = nl < 0 ? n : nl + 1
            continue
        }
        if (c === '/' && next === '*') {
            let level = 1
            i += 2
            while (i < n && level > 0) {
                if (sql[i] === '/' && sql[i + 1] === '*') {
                    level++
                    i += 2
                } else if (sql[i] === '*' && sql[i + 1] === '/') {
                    level--
                    i += 2
                } else i++
            }
            if (level > 0) throw new SqlRejected('unterminated /* comment')
            continue
        }
        if (c === ';') {
            sawSemicolon = true
            i++
            continue
        }
        if (sawSemicolon) throw new SqlRejected('only one statement is allowed (found text after ";")')
        if (c === "'" || ((c === 'E' || c === 'e') && next === "'")) {
            const escapes = c !== "'"
            i += escapes ? 2 : 1
            for (;;) {
                if (i >= n) throw new SqlRejected('unterminated string literal')
                if (escapes && sql[i] === '\\') {
                    i += 2
                    continue
                }
                if (sql[i] === "'") {
                    if (sql[i + 1] === "'") {
                        i += 2
                        continue
                    }
                    i++
                    break
                }
                i++
            }
            end = i
            continue
        }
        if (c === '"') {
            const close = sql.indexOf('"', i + 1)
            let j = close
            while (j >= 0 && sql[j + 1] === '"') j = sql.indexOf('"', j + 2)
            if (j < 0) throw new SqlRejected('unterminated quoted identifier')
            // a quoted function name is still that function
            const quoted = sql.slice(i + 1, j).replace(/""/g, '"').toLowerCase()
            if (QUOTED_FORBIDDEN.has(quoted)) throw new SqlRejected(`only read queries are allowed: ${quoted} is not permitted`)
            i = j + 1
            end = i
            continue
        }
        if (c === '$') {
            const m = /^\$(\d+)/.exec(sql.slice(i, i + 12))
            if (m) {
                maxParam = Math.max(maxParam, Number(m[1]))
                i += m[0].length
                end = i
                continue
            }
            const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 70))
            if (tag) {
                const close = sql.indexOf(tag[0], i + tag[0].length)
                if (close < 0) throw new SqlRejected('unterminated dollar-quoted string')
                i = close + tag[0].length
                end = i
                continue
            }
        }
        if (c === '(') depth++
        if (c === ')') {
            depth--
            if (depth < 0) throw new SqlRejected('unbalanced parentheses')
        }
        if (/[A-Za-z_]/.test(c)) {
            let j = i + 1
            while (j < n && /[A-Za-z0-9_$]/.test(sql[j])) j++
            words.push(sql.slice(i, j).toLowerCase())
            i = j
            end = i
            continue
        }
        i++
        end = i
    }
    if (depth !== 0) throw new SqlRejected('unbalanced parentheses')
    if (words.length === 0) throw new SqlRejected('no statement found')
    if (words[0] !== 'select' && words[0] !== 'with') {
        throw new SqlRejected(`only SELECT (or WITH ... SELECT) queries are allowed, got ${words[0].toUpperCase()}`)
    }
    const bad = words.find((w) => FORBIDDEN.has(w))
    if (bad) throw new SqlRejected(`only read queries are allowed: ${bad.toUpperCase()} is not permitted`)
    return { text: sql.slice(0, end), maxParam }
}
