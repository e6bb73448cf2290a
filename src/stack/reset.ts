import { Client } from 'pg'

/**
 * Forget everything indexed from a previous chain: the local anvil came up without its old state, so the
 * contracts were deployed anew and the old index describes a chain that no longer exists. API keys stay.
 */
export async function resetIndex(url: string): Promise<void> {
    const c = new Client({ connectionString: url })
    // a connection lost mid-way fails the pending query; unheard, its 'error' event would kill the stack
    c.on('error', () => undefined)
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

/**
 * The block the index last finalised, if any. When it is not on the chain any more (a local anvil that
 * crashed lost its newest blocks), the index must be rebuilt: squid can roll back hot blocks, not finalised ones.
 */
export async function indexedFinalizedBlock(url: string): Promise<{ height: number; hash: string } | undefined> {
    const c = new Client({ connectionString: url })
    // a connection lost mid-way fails the pending query; unheard, its 'error' event would kill the stack
    c.on('error', () => undefined)
    await c.connect()
    try {
        const t = await c.query(`SELECT to_regclass('squid_processor.status') AS t`)
        if (!t.rows[0].t) return undefined
        const r = await c.query('SELECT height, hash FROM squid_processor.status WHERE id = 0')
        if (r.rowCount === 0 || r.rows[0].height < 0) return undefined
        return { height: Number(r.rows[0].height), hash: r.rows[0].hash }
    } finally {
        await c.end()
    }
}
