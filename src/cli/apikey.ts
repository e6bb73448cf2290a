/**
 * `npm run --silent apikey -- <command>`: manage the API's keys in the database of the stack.
 *
 *   create --role <operator|relayer|read-only> [--label <text>]   prints ONLY the new key (shown once)
 *   list [--json]                                                  id, role, label, created, revoked (never keys)
 *   revoke <id>
 *
 * Database from env (src/config.ts `databaseFromEnv`): DATABASE_URL, DB_URL, DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASS,
 * else the embedded Postgres of the local stack (127.0.0.1:23798, postgres/postgres, db squid).
 * Errors print one line on stderr; exit code 1 for bad arguments, 2 for database/runtime failures.
 */
import { Pool } from 'pg'
import { ConfigError, databaseFromEnv } from '../config'
import { API_ROLES, ApiKeyError, createApiKey, listApiKeys, parseRole, revokeApiKey } from '../server/api-keys'

export interface ApiKeyCliIo {
    stdout(text: string): void
    stderr(text: string): void
}

type Env = Record<string, string | undefined>

const USAGE = `usage: apikey create --role <${API_ROLES.join('|')}> [--label <text>] | apikey list [--json] | apikey revoke <id>`

class UsageError extends Error {}

interface Parsed {
    command: 'create' | 'list' | 'revoke' | 'help'
    role?: string
    label?: string
    json?: boolean
    id?: number
}

function parseArgs(argv: string[]): Parsed {
    const [command, ...rest] = argv
    if (command === undefined) throw new UsageError(`missing command; ${USAGE}`)
    if (command === 'help' || command === '--help' || command === '-h') return { command: 'help' }
    const flags: Record<string, string | true> = {}
    const positional: string[] = []
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i]
        if (a.startsWith('--')) {
            const eq = a.indexOf('=')
            const name = eq >= 0 ? a.slice(2, eq) : a.slice(2)
            if (name === 'json') {
                flags.json = true
                continue
            }
            let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : rest[++i]
            if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`)
            flags[name] = value
        } else {
            positional.push(a)
        }
    }
    const allow = (names: string[], maxPositional: number) => {
        const bad = Object.keys(flags).find((f) => !names.includes(f))
        if (bad) throw new UsageError(`unknown option --${bad} for "${command}"`)
        if (positional.length > maxPositional) throw new UsageError(`unexpected argument "${positional[maxPositional]}" for "${command}"`)
    }
    switch (command) {
        case 'create': {
            allow(['role', 'label'], 0)
            if (flags.role === undefined) throw new UsageError(`create needs --role <${API_ROLES.join('|')}>`)
            return { command, role: String(flags.role), label: flags.label === undefined ? undefined : String(flags.label) }
        }
        case 'list':
            allow(['json'], 0)
            return { command, json: flags.json === true }
        case 'revoke': {
            allow([], 1)
            const v = positional[0]
            if (v === undefined) throw new UsageError('revoke needs the id of the key (see "apikey list")')
            if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`invalid key id "${v}": expected a positive integer`)
            return { command, id: Number(v) }
        }
        default:
            throw new UsageError(`unknown command "${command}"; ${USAGE}`)
    }
}

function dbErrorLine(e: any, where: string): string {
    const code = e?.code
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
        return `cannot connect to Postgres at ${where} (${code}): start the stack, or point DB_URL / DATABASE_URL / DB_HOST... at your database`
    }
    if (code === '42P01' || code === '3F000') return `table api.api_keys does not exist in ${where}: run the database migrations first`
    if (code === '28P01' || code === '28000') return `Postgres at ${where} refused the credentials (${e.message})`
    if (code === '3D000') return `${e.message} (at ${where})`
    if (/timeout/i.test(String(e?.message))) return `cannot connect to Postgres at ${where}: connection timed out`
    return `database error: ${String(e?.message ?? e).split('\n')[0]}`
}

function pad(s: string, n: number) {
    return s.length >= n ? s : s + ' '.repeat(n - s.length)
}

/** Run the CLI; resolves to the process exit code. */
export async function runApiKeyCli(argv: string[], io: ApiKeyCliIo, env?: Env): Promise<number> {
    let parsed: Parsed
    let role: ReturnType<typeof parseRole> | undefined
    try {
        parsed = parseArgs(argv)
        if (parsed.command === 'create') {
            role = parseRole(parsed.role)
            if (parsed.label !== undefined && parsed.label.length > 200) throw new UsageError('--label is longer than 200 characters')
        }
    } catch (e) {
        if (e instanceof UsageError || e instanceof ApiKeyError) {
            io.stderr(`apikey: ${e.message}\n`)
            return 1
        }
        throw e
    }
    if (parsed.command === 'help') {
        io.stdout(USAGE + '\n')
        return 0
    }

    let db: Pool
    let where: string
    try {
        const cfg = databaseFromEnv(env)
        where = `${cfg.host}:${cfg.port}/${cfg.database}`
        db = new Pool({ connectionString: cfg.url, max: 1, connectionTimeoutMillis: 5_000 })
    } catch (e) {
        if (e instanceof ConfigError) {
            io.stderr(`apikey: ${e.message}\n`)
            return 1
        }
        throw e
    }
    db.on('error', () => undefined)
    try {
        switch (parsed.command) {
            case 'create': {
                const { key } = await createApiKey(db, role!, parsed.label)
                io.stdout(key + '\n')
                return 0
            }
            case 'list': {
                const keys = await listApiKeys(db)
                if (parsed.json) {
                    io.stdout(
                        JSON.stringify(
                            keys.map((k) => ({ id: k.id, role: k.role, label: k.label, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null })),
                            null,
                            2,
                        ) + '\n',
                    )
                    return 0
                }
                const rows = [['ID', 'ROLE', 'LABEL', 'CREATED', 'REVOKED']].concat(
                    keys.map((k) => [String(k.id), k.role, k.label ?? '-', k.createdAt.toISOString(), k.revokedAt?.toISOString() ?? '-']),
                )
                const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
                io.stdout(rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : pad(cell, widths[c]))).join('  ')).join('\n') + '\n')
                return 0
            }
            case 'revoke': {
                const outcome = await revokeApiKey(db, parsed.id!)
                if (outcome === 'not-found') {
                    io.stderr(`apikey: no key with id ${parsed.id}\n`)
                    return 1
                }
                io.stdout(outcome === 'revoked' ? `revoked key ${parsed.id}\n` : `key ${parsed.id} was already revoked\n`)
                return 0
            }
        }
    } catch (e) {
        io.stderr(`apikey: ${e instanceof ApiKeyError ? e.message : dbErrorLine(e, where)}\n`)
        return 2
    } finally {
        await db.end().catch(() => undefined)
    }
    return 0
}

if (require.main === module) {
    runApiKeyCli(process.argv.slice(2), {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
    }).then(
        (code) => {
            process.exitCode = code
        },
        (e) => {
            process.stderr.write(`apikey: ${String(e?.message ?? e).split('\n')[0]}\n`)
            process.exitCode = 2
        },
    )
}
