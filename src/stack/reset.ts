import { Client } from 'pg'

/**
 * Forget everything indexed from a previous chain: the local anvil came up without its old state, so the
 * contracts were deployed anew and the old index describes a chain that no longer exists. API keys stay.
 */
export async function resetIndex(url: string): Promise<void> {
    const c = new Client({ connectionString: url })
    await c.connect()
    try {
        await c.query('DROP SCHEMA IF EXISTS squid_processor CASCADE')
        await c.query('DROP SCHEMA IF EXISTS public CASCADE')
        await c.query('CREATE SCHEMA public')
        await c.query(`DO $$ BEGIN
            IF to_regclass('api.batch_leaves') IS NOT NULL THEN DELETE FROM api.batch_leaves; END IF;
            IF to_regclass('api.mutations') IS NOT NULL THEN DELETE FROM api.mutations; END IF;
        END $$`)
    } finally {
        await c.end()
    }
}
