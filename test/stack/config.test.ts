import * as fs from 'fs'
import * as path from 'path'
import {
    applyDatabaseEnv,
    chainFromEnv,
    rpcFailoverFromEnv,
    ConfigError,
    databaseFromEnv,
    gqlPort,
    historyFromEnv,
    indexerFromEnv,
    loadConfig,
    projectRoot,
    prometheusPort,
} from '../../src/config'

const root = path.resolve(__dirname, '..', '..')

function configError(fn: () => unknown): ConfigError {
    try {
        fn()
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError)
        return e as ConfigError
    }
    throw new Error('expected a ConfigError')
}

describe('project root', () => {
    test('is the folder with package.json', () => {
        expect(projectRoot()).toBe(root)
        expect(fs.existsSync(path.join(projectRoot(), 'package.json'))).toBe(true)
    })
})

describe('defaults (empty env)', () => {
    test('database: embedded', () => {
        expect(databaseFromEnv({})).toEqual({
            embedded: true,
            url: 'postgres://postgres:postgres@127.0.0.1:23798/squid',
            host: '127.0.0.1',
            port: 23798,
            database: 'squid',
            user: 'postgres',
            password: 'postgres',
            dataDir: path.join(root, '.data', 'postgres'),
        })
    })

    test('chain: local anvil', () => {
        expect(chainFromEnv({})).toEqual({
            local: true,
            rpcUrl: 'http://127.0.0.1:8545',
            rpcUrls: ['http://127.0.0.1:8545'],
            chainId: 31337,
            anvil: { port: 8545, blockTime: 1, chainId: 31337, dataDir: path.join(root, '.data', 'anvil') },
            rateLimit: undefined,
            finalityConfirmations: 10,
            startBlock: undefined,
            deploymentsFile: path.join(root, 'contracts', 'deployments', '31337.json'),
        })
    })

    test('servers', () => {
        expect(gqlPort({})).toBe(4350)
        expect(prometheusPort({})).toBe(3000)
        const all = loadConfig({})
        expect(all.gqlPort).toBe(4350)
        expect(all.prometheusPort).toBe(3000)
        expect(all.dataDir).toBe(path.join(root, '.data'))
    })
})

describe('database from env', () => {
    test('DATABASE_URL → external, passed through to DB_URL', () => {
        const env: Record<string, string | undefined> = { DATABASE_URL: 'postgres://alice:s%40cret@db.example:6543/idx?sslmode=require' }
        const cfg = databaseFromEnv(env)
        expect(cfg).toMatchObject({ embedded: false, host: 'db.example', port: 6543, database: 'idx', user: 'alice', password: 's@cret' })
        applyDatabaseEnv(cfg, env)
        expect(env.DB_URL).toBe('postgres://alice:s%40cret@db.example:6543/idx?sslmode=require')
    })

    test('DATABASE_URL wins over DB_URL and DB_*; port defaults to 5432', () => {
        const cfg = databaseFromEnv({ DATABASE_URL: 'postgresql://u:p@h/d', DB_URL: 'postgres://x:y@other:1/z', DB_HOST: 'ignored' })
        expect(cfg).toMatchObject({ embedded: false, host: 'h', port: 5432, database: 'd' })
    })

    test('DB_URL alone (squid style)', () => {
        expect(databaseFromEnv({ DB_URL: 'postgres://u:p@h:7/d' })).toMatchObject({ embedded: false, url: 'postgres://u:p@h:7/d', port: 7 })
    })

    test('DB_* variables → external with squid defaults, folded into DB_URL', () => {
        const env: Record<string, string | undefined> = { DB_HOST: 'pg.local', DB_PORT: '5433', DB_PASS: 'p@ss:/w' }
        const cfg = databaseFromEnv(env)
        expect(cfg).toMatchObject({ embedded: false, host: 'pg.local', port: 5433, database: 'postgres', user: 'postgres', password: 'p@ss:/w' })
        applyDatabaseEnv(cfg, env)
        expect(env).toEqual({ DB_URL: 'postgres://postgres:p%40ss%3A%2Fw@pg.local:5433/postgres' })
        expect(new URL(env.DB_URL!).password).toBe('p%40ss%3A%2Fw')
        expect(decodeURIComponent(new URL(env.DB_URL!).password)).toBe('p@ss:/w')
    })

    test('EMBEDDED_PG_PORT, EMBEDDED_PG_DIR and DATA_DIR', () => {
        expect(databaseFromEnv({ EMBEDDED_PG_PORT: '15432' })).toMatchObject({ embedded: true, port: 15432, url: 'postgres://postgres:postgres@127.0.0.1:15432/squid' })
        expect(databaseFromEnv({ DATA_DIR: '/var/tmp/x' }).dataDir).toBe('/var/tmp/x/postgres')
        expect(databaseFromEnv({ EMBEDDED_PG_DIR: 'pgdata' }).dataDir).toBe(path.join(root, 'pgdata'))
    })

    test('squid typeorm-config reads what applyDatabaseEnv wrote', () => {
        const saved = { ...process.env }
        try {
            for (const k of ['DATABASE_URL', 'DB_URL', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS', 'DB_SSL']) delete process.env[k]
            process.env.EMBEDDED_PG_PORT = '24001'
            applyDatabaseEnv(databaseFromEnv())
            // eslint-disable-next-line @typescript-eslint/no-var-requires
            const { createConnectionOptions } = require('@subsquid/typeorm-config/lib/connectionOptions')
            expect(createConnectionOptions()).toMatchObject({ url: 'postgres://postgres:postgres@127.0.0.1:24001/squid' })
            // a child process inheriting this env sees an external DB, not "embedded"
            expect(databaseFromEnv().embedded).toBe(false)
        } finally {
            for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
            Object.assign(process.env, saved)
        }
    })
})

describe('chain from env', () => {
    test('RPC_URL → external chain, no anvil, 75 confirmations', () => {
        const c = chainFromEnv({ RPC_URL: 'https://rpc.example/v1?key=abc', RPC_RATE_LIMIT: '12.5', START_BLOCK: '1000' })
        expect(c).toMatchObject({ local: false, rpcUrl: 'https://rpc.example/v1?key=abc', chainId: undefined, rateLimit: 12.5, finalityConfirmations: 75, startBlock: 1000 })
        expect(c.anvil).toBeUndefined()
        expect(c.deploymentsFile).toBeUndefined()
    })

    test('RPC_URL list → failover endpoints in order; SQD_GATEWAY; failover knobs', () => {
        const c = chainFromEnv({ RPC_URL: ' https://a.example/k1 , http://b.example:8545 ', SQD_GATEWAY: 'https://v2.archive.subsquid.io/network/base-mainnet' })
        expect(c.rpcUrls).toEqual(['https://a.example/k1', 'http://b.example:8545/'])
        expect(c.rpcUrl).toBe('https://a.example/k1')
        expect(c.gateway).toBe('https://v2.archive.subsquid.io/network/base-mainnet')
        expect(chainFromEnv({ RPC_URL: 'wss://one.example' }).rpcUrls).toEqual(['wss://one.example/'])
        expect(rpcFailoverFromEnv({})).toEqual({ timeoutMs: 10_000, recheckMs: 5_000 })
        expect(rpcFailoverFromEnv({ RPC_TIMEOUT_MS: '2500', RPC_RECHECK_MS: '100' })).toEqual({ timeoutMs: 2500, recheckMs: 100 })
        const bad: [string, Record<string, string>, RegExp][] = [
            ['RPC_URL', { RPC_URL: 'http://a.example,,http://b.example' }, /empty entry/],
            ['RPC_URL', { RPC_URL: 'http://a.example,wss://b.example' }, /each must be http/],
            ['RPC_URL', { RPC_URL: 'http://a.example,http://a.example' }, /listed twice/],
            ['RPC_URL', { RPC_URL: 'http://a.example,b.example:8545' }, /is not supported/],
            ['SQD_GATEWAY', { RPC_URL: 'http://a.example', SQD_GATEWAY: 'ftp://gw' }, /not supported/],
            ['SQD_GATEWAY', { SQD_GATEWAY: 'https://v2.archive.subsquid.io/network/base-mainnet' }, /local anvil chain has no SQD Network gateway/],
        ]
        for (const [variable, env, msg] of bad) {
            const e = configError(() => chainFromEnv(env))
            expect(e.variable).toBe(variable)
            expect(e.message).toMatch(msg)
        }
        expect(configError(() => rpcFailoverFromEnv({ RPC_TIMEOUT_MS: '0' })).variable).toBe('RPC_TIMEOUT_MS')
        expect(configError(() => rpcFailoverFromEnv({ RPC_RECHECK_MS: 'soon' })).variable).toBe('RPC_RECHECK_MS')
    })

    test('RPC_URL + CHAIN_ID / DEPLOYMENTS_FILE', () => {
        expect(chainFromEnv({ RPC_URL: 'wss://x', CHAIN_ID: '8453' }).deploymentsFile).toBe(path.join(root, 'contracts/deployments/8453.json'))
        expect(chainFromEnv({ RPC_URL: 'http://x', DEPLOYMENTS_FILE: '/abs/d.json' }).deploymentsFile).toBe('/abs/d.json')
    })

    test('anvil knobs', () => {
        const c = chainFromEnv({ ANVIL_PORT: '9545', ANVIL_BLOCK_TIME: '0.5', FINALITY_CONFIRMATIONS: '0' })
        expect(c).toMatchObject({ local: true, rpcUrl: 'http://127.0.0.1:9545', finalityConfirmations: 0, anvil: { port: 9545, blockTime: 0.5 } })
        expect(chainFromEnv({ ANVIL_BLOCK_TIME: '0' }).anvil!.blockTime).toBe(0) // automine
    })

    test('blank values count as unset', () => {
        expect(chainFromEnv({ RPC_URL: '  ', ANVIL_PORT: '' }).anvil!.port).toBe(8545)
        expect(databaseFromEnv({ DATABASE_URL: '' }).embedded).toBe(true)
    })
})

describe('validation: one readable ConfigError naming the variable', () => {
    test.each([
        ['GQL_PORT', 'abc', () => gqlPort({ GQL_PORT: 'abc' })],
        ['PROMETHEUS_PORT', '70000', () => prometheusPort({ PROMETHEUS_PORT: '70000' })],
        ['ANVIL_PORT', '0', () => chainFromEnv({ ANVIL_PORT: '0' })],
        ['DB_PORT', '54x', () => databaseFromEnv({ DB_PORT: '54x' })],
        ['EMBEDDED_PG_PORT', '-1', () => databaseFromEnv({ EMBEDDED_PG_PORT: '-1' })],
        ['FINALITY_CONFIRMATIONS', 'ten', () => chainFromEnv({ FINALITY_CONFIRMATIONS: 'ten' })],
        ['START_BLOCK', '1e6', () => chainFromEnv({ START_BLOCK: '1e6' })],
        ['RPC_RATE_LIMIT', '0', () => chainFromEnv({ RPC_RATE_LIMIT: '0' })],
        ['ANVIL_BLOCK_TIME', '-1', () => chainFromEnv({ ANVIL_BLOCK_TIME: '-1' })],
        ['CHAIN_ID', '0x1', () => chainFromEnv({ CHAIN_ID: '0x1' })],
        ['HISTORY', 'sometimes', () => indexerFromEnv({ HISTORY: 'sometimes' })],
    ])('%s=%s', (variable, value, fn) => {
        const e = configError(fn)
        expect(e.variable).toBe(variable)
        expect(e.message).toContain(variable)
        expect(e.message).toContain(JSON.stringify(value))
        expect(e.message).not.toContain('\n')
    })

    test('malformed URLs', () => {
        let e = configError(() => databaseFromEnv({ DATABASE_URL: 'not a url' }))
        expect(e.variable).toBe('DATABASE_URL')
        expect(e.message).toMatch(/^Invalid DATABASE_URL: .* is not a valid URL/)

        e = configError(() => databaseFromEnv({ DB_URL: 'mysql://u:p@h/d' }))
        expect(e.variable).toBe('DB_URL')
        expect(e.message).toContain('"mysql:" is not supported')

        e = configError(() => chainFromEnv({ RPC_URL: 'localhost:8545' }))
        expect(e.variable).toBe('RPC_URL')

        e = configError(() => databaseFromEnv({ DATABASE_URL: 'postgres://u:p@h:port/d' }))
        expect(e.variable).toBe('DATABASE_URL')
    })

    test('passwords are not echoed in URL errors', () => {
        const e = configError(() => databaseFromEnv({ DATABASE_URL: 'postgres://u:hunter2@h:xx/d' }))
        expect(e.message).not.toContain('hunter2')
    })

    test('loadConfig throws the first problem', () => {
        const e = configError(() => loadConfig({ GQL_PORT: '43 50' }))
        expect(e.message).toBe('Invalid GQL_PORT="43 50": expected a TCP port number (1-65535)')
    })
})

describe('HISTORY (time-travel history writes)', () => {
    test('on unless switched off', () => {
        expect(historyFromEnv({})).toBe(true)
        expect(historyFromEnv({ HISTORY: 'false' })).toBe(false)
        expect(indexerFromEnv({ HISTORY: 'off' }).history).toBe(false)
        expect(indexerFromEnv({}).history).toBe(true)
    })
})
