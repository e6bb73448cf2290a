/**
 * The server's shutdown does not wait forever on a database connection that was never given back (a leak): pool.end()
 * alone would, and with it server.close(), the suite's afterAll and jest itself (which kept the test Postgres running).
 */
import { Pool } from 'pg'
import { RunningServer, startServer } from '../../src/server'
import { endPool } from '../../src/server/startup/cleanups'
import { PgStack, startPgStack } from './support/stack'

jest.setTimeout(120_000)

let stack: PgStack

beforeAll(async () => {
    stack = await startPgStack()
})

afterAll(async () => {
    await stack?.close()
})

test('endPool: a connection still checked out is named in a warning after the grace, not waited for', async () => {
    const pool = new Pool({ connectionString: stack.url })
    pool.on('error', () => undefined)
    const leaked = await pool.connect()
    leaked.on('error', () => undefined)
    const warnings: string[] = []
    await endPool('test', pool, (_level, message) => warnings.push(message), 300)
    expect(warnings).toEqual(['test pool: 1 connection(s) still checked out 300 ms into the shutdown; not waiting for them'])
    leaked.release(true) // the late end() completes now
})

test('endPool: with every connection back it ends the pool, no warning', async () => {
    const pool = new Pool({ connectionString: stack.url })
    const c = await pool.connect()
    c.release()
    const warnings: string[] = []
    await endPool('test', pool, (_level, message) => warnings.push(message), 5_000)
    expect(warnings).toEqual([])
    expect(pool.totalCount).toBe(0)
    expect(pool.ended).toBe(true)
})

test('server.close() finishes while a connection of its pool is leaked', async () => {
    const warnings: string[] = []
    const server: RunningServer = await startServer({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: stack.url,
        rpcUrl: null,
        log: (level, message) => level === 'warn' && warnings.push(message),
    })
    const leaked = await server.pool.connect()
    leaked.on('error', () => undefined)
    await server.close()
    expect(warnings).toContain('primary pool: 1 connection(s) still checked out 10000 ms into the shutdown; not waiting for them')
    leaked.release(true)
})
