/**
 * What the /sql role may not execute: functions whose effects outlive its READ ONLY transaction or reach other
 * sessions. Decided by privileges (EXECUTE), not by words in the query: a keyword list is bypassed with
 * `U&"..."` identifiers, `pg_catalog.`-qualified names or `query_to_xml('select ...')`, privileges are not.
 *
 *   advisory locks, every flavour   session locks survive ROLLBACK; thousands exhaust the shared lock table
 *   pg_terminate/cancel_backend     all /sql callers share one role, so they could signal each other
 *   pg_notify                       forged change notices
 *   set_config                      `is_local = false` outlives the transaction (statement_timeout = 0, ...)
 *   pg_logical_emit_message         writes WAL even in a read-only transaction
 *   large objects (lo_*, loread, lowrite), replication slots, dblink (when installed)
 *   pg_stat_get_activity / pg_stat_get_backend_*   other callers' query text (and pg_stat_activity with them)
 * plus membership in the predefined roles that widen any of this (pg_signal_backend, pg_read_all_stats, ...).
 *
 * pg_catalog functions are executable by PUBLIC, and a role cannot be denied what PUBLIC holds: EXECUTE is revoked
 * from PUBLIC and granted back to every other existing non-superuser role (superusers, such as the embedded stack's
 * user, need no grant; a role created later that is not a superuser and needs one of these gets an explicit GRANT).
 * Only a superuser can do that; the check (`sessionEffectGaps`) runs on the /sql connection itself, whoever set it
 * up, and /sql stays disabled while anything is left.
 */
import type { Pool, PoolClient } from 'pg'
import { withClient } from '../pg-checkout'

/** proname pattern (Postgres regex, every overload, any schema) */
export const SESSION_EFFECT_FUNCTIONS =
    '^(pg_(try_)?advisory_.*|pg_terminate_backend|pg_cancel_backend|pg_notify|set_config|pg_logical_emit_message' +
    '|lo_.*|loread|lowrite|pg_stat_get_activity|pg_stat_get_backend_.*|dblink.*' +
    '|pg_(create|drop|copy)_.*replication_slot|pg_replication_slot_advance|pg_logical_slot_.*)$'

/** predefined roles the /sql role must not be a member of */
export const WIDENING_ROLES = ['pg_signal_backend', 'pg_read_all_stats', 'pg_monitor', 'pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program', 'pg_read_all_settings']

function ident(name: string): string {
    return `"${name.replace(/"/g, '""')}"`
}

/** Take EXECUTE on every session-effect function from `role` (see the header). Needs a superuser session. */
export async function revokeSessionEffects(client: PoolClient, role: string): Promise<void> {
    await client.query('BEGIN')
    try {
        // two servers starting together must not GRANT/REVOKE the same functions at once ("tuple concurrently updated")
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('squid_readonly:privileges'))`)
        const fns = await client.query(
            `SELECT p.oid::regprocedure::text AS sig,
                    (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')) AS public
               FROM pg_proc p WHERE p.proname ~ $1 AND has_function_privilege($2, p.oid, 'EXECUTE')`,
            [SESSION_EFFECT_FUNCTIONS, role],
        )
        const others = fns.rows.some((f) => f.public)
            ? (await client.query(`SELECT rolname FROM pg_roles WHERE rolname <> $1 AND rolname !~ '^pg_' AND NOT rolsuper`, [role])).rows.map((r) => r.rolname as string)
            : []
        for (const f of fns.rows) {
            if (f.public) {
                for (const other of others) await client.query(`GRANT EXECUTE ON FUNCTION ${f.sig} TO ${ident(other)}`)
                await client.query(`REVOKE EXECUTE ON FUNCTION ${f.sig} FROM PUBLIC`)
            }
            await client.query(`REVOKE EXECUTE ON FUNCTION ${f.sig} FROM ${ident(role)}`)
        }
        const memberships = await client.query(
            `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
            [role],
        )
        for (const { rolname } of memberships.rows) await client.query(`REVOKE ${ident(rolname)} FROM ${ident(role)}`)
        await client.query('COMMIT')
    } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw e
    }
}

/**
 * What the current session (the /sql connection) could still do beyond its transaction: functions it may execute,
 * widening roles it is in, superuser. Empty: safe to serve /sql with it.
 */
export async function sessionEffectGaps(pool: Pool): Promise<string[]> {
    return withClient(pool, async (client) => {
        const r = await client.query(
            `SELECT p.oid::regprocedure::text AS what FROM pg_proc p
              WHERE p.proname ~ $1 AND has_function_privilege(current_user, p.oid, 'EXECUTE')
             UNION ALL
             SELECT 'member of ' || r AS what FROM unnest($2::text[]) AS r
              WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) AND pg_has_role(current_user, r, 'MEMBER')
             UNION ALL
             SELECT 'superuser' AS what FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)`,
            [SESSION_EFFECT_FUNCTIONS, WIDENING_ROLES],
        )
        return r.rows.map((x) => x.what as string)
    })
}
