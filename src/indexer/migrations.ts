/**
 * The database schema: db/migrations/*.js applied in one transaction, with the same table and semantics as
 * `squid-typeorm-migration apply`. Run by the processor at start (unless SKIP_MIGRATIONS=true) and by the stack.
 */
import * as path from 'path'
import { DataSource } from 'typeorm'
import { projectRoot } from '../config'

/** Apply db/migrations/*.js (same table and semantics as `squid-typeorm-migration apply`). */
export async function applyMigrations(url: string, root = projectRoot()): Promise<string[]> {
    const ds = new DataSource({
        type: 'postgres',
        url,
        migrations: [path.join(root, 'db', 'migrations', '*.js')],
        entities: [],
        synchronize: false,
        migrationsRun: false,
        logging: false,
    })
    await ds.initialize()
    try {
        const done = await ds.runMigrations({ transaction: 'all' })
        return done.map((m) => m.name)
    } finally {
        await ds.destroy().catch(() => {})
    }
}
