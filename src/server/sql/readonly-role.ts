/**
 * The Postgres role /sql runs under: `squid_readonly`, a LOGIN role with
 *   - SELECT on every table of schema `public` (the indexed model), present and future (default privileges
 *     of the role that creates them, i.e. the one running migrations, which is the server's DB user);
 *   - no USAGE on schema `api` (API keys, stored leaves, idempotency) nor `squid_processor`;
 *   - NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS, a connection limit, and
 *     `default_transaction_read_only = on` + a statement_timeout as role defaults;
 *   - no EXECUTE on functions with effects beyond its transaction or on other sessions (advisory locks,
 *     signalling backends, pg_notify, set_config, large objects, other sessions' activity, ...): see
 *     session-effects.ts (needs the server's DB user to be a superuser; otherwise a superuser runs it once).
 * /sql connects AS this role (its own pool) instead of `SET ROLE` from the server's session: with SET ROLE
 * a query could call set_config('role', ...) to switch back to the session user.
 *
 * The password is derived from the server's DB password (HMAC), so every server process sharing the
 * database derives the same one and `ALTER ROLE ... PASSWORD` at each start changes nothing.
 * Created at server start when the server's DB user may (superuser or CREATEROLE); otherwise supply a
 * ready-made read-only connection string (SQL_READONLY_DATABASE_URL).
 */
import { createHmac, randomBytes } from 'crypto'
import type { Pool } from 'pg'
import { sqlState } from '../error-mask'
import { checkout } from '../pg-checkout'
import { revokeSessionEffects } from './session-effects'

export const READONLY_ROLE = 'squid_readonly'

export function readonlyPassword(adminPassword: string | undefined, database: string): string {
    const secret = adminPassword && adminPassword.length > 0 ? adminPassword : randomBytes(32).toString('hex')
    return createHmac('sha256', secret).update(`squid_readonly:${database}`).digest('base64url')
}

export interface ReadonlyRoleResult {
    ok: boolean
    reason?: string
}

function ident(name: string): string {
    return `"${name.replace(/"/g, '""')}"`
}

function literal(value: string): string {
    return `'${value.replace(/'/g, "''")}'`
}

export async function ensureReadonlyRole(
    admin: Pool,
    opts: { role?: string; password: string; statementTimeoutMs: number; connectionLimit?: number },
): Promise<ReadonlyRoleResult> {
    const role = opts.role ?? READONLY_ROLE
    const c = await checkout(admin)
    const client = c.client
    try {
        const me = await client.query(`SELECT rolsuper, rolcreaterole, current_database() AS db FROM pg_roles WHERE rolname = current_user`)
        const { rolsuper, rolcreaterole, db } = me.rows[0] ?? {}
        if (!rolsuper && !rolcreaterole) return { ok: false, reason: 'the server database user may not create roles (needs CREATEROLE)' }
        const exists = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])
        if (exists.rowCount === 0) {
            try {
                await client.query(`CREATE ROLE ${ident(role)} LOGIN`)
            } catch (e) {
                // created concurrently by another server process
                if (sqlState(e) !== '42710' && sqlState(e) !== '23505') throw e
            }
        }
        const stmts = [
            `ALTER ROLE ${ident(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT ${opts.connectionLimit ?? 32} PASSWORD ${literal(opts.password)}`,
            `ALTER ROLE ${ident(role)} SET default_transaction_read_only = on`,
            `ALTER ROLE ${ident(role)} SET statement_timeout = ${Math.max(1, Math.round(opts.statementTimeoutMs))}`,
            `GRANT CONNECT ON DATABASE ${ident(db)} TO ${ident(role)}`,
            `GRANT USAGE ON SCHEMA public TO ${ident(role)}`,
            `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ident(role)}`,
            `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${ident(role)}`,
        ]
        for (const s of stmts) await client.query(s)
        // no function whose effects outlive the transaction or reach other sessions (session-effects.ts); a
        // non-superuser cannot revoke from PUBLIC: the check on the /sql connection then keeps /sql disabled
        if (rolsuper) await revokeSessionEffects(client, role)
        // never let it near the internal schemas, whatever was granted before
        const internal = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname IN ('api', 'squid_processor')`)
        for (const { nspname } of internal.rows) {
            await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ident(nspname)} FROM ${ident(role)}`)
            await client.query(`REVOKE ALL ON SCHEMA ${ident(nspname)} FROM ${ident(role)}`)
        }
        return { ok: true }
    } catch (e: any) {
        return { ok: false, reason: `cannot set up role ${role}: ${e?.message ?? e}` }
    } finally {
        c.release()
    }
}
