import { spawnSync } from 'child_process'
import * as fs from 'fs'
import * as path from 'path'
import * as ts from 'typescript'
import { runApiKeyCli } from '../../src/cli/apikey'
import {
    clearApiKeyCache,
    createApiKey,
    hashApiKey,
    listApiKeys,
    resolveCaller,
    revokeApiKey,
} from '../../src/server/api-keys'
import { freePort } from '../../src/stack/util'
import { PgHarness, startPg } from './harness'

jest.setTimeout(60_000)

const ROOT = path.resolve(__dirname, '../..')
const KEY_RE = /^sk_[A-Za-z0-9_-]{43}$/

let pg: PgHarness

beforeAll(async () => {
    pg = await startPg()
})

afterAll(async () => {
    await pg?.close()
})

beforeEach(() => clearApiKeyCache())

async function expectUnauthenticated(p: Promise<unknown>) {
    await expect(p).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } })
}

describe('api keys', () => {
    test('create: sk_ + 32 random bytes, stored only as its sha256', async () => {
        const { key, info } = await createApiKey(pg.pool, 'operator', 'bot-1')
        expect(key).toMatch(KEY_RE)
        expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32)
        expect(info).toMatchObject({ role: 'operator', label: 'bot-1', revokedAt: null })
        const rows = (await pg.pool.query(`SELECT * FROM api.api_keys WHERE id = $1`, [info.id])).rows
        expect(rows[0].key_hash).toBe(hashApiKey(key))
        expect(JSON.stringify(rows)).not.toContain(key.slice(3))
        const other = await createApiKey(pg.pool, 'operator')
        expect(other.key).not.toBe(key)
    })

    test('resolveCaller: no header → anonymous; valid Bearer key → its role; case-insensitive scheme', async () => {
        const { key, info } = await createApiKey(pg.pool, 'relayer')
        expect(await resolveCaller(pg.pool, undefined)).toBeUndefined()
        expect(await resolveCaller(pg.pool, '')).toBeUndefined()
        expect(await resolveCaller(pg.pool, `Bearer ${key}`)).toEqual({ keyId: info.id, role: 'relayer' })
        expect(await resolveCaller(pg.pool, `bearer   ${key} `)).toEqual({ keyId: info.id, role: 'relayer' })
    })

    test('resolveCaller: a present but invalid header → UNAUTHENTICATED', async () => {
        const { key } = await createApiKey(pg.pool, 'read-only')
        await expectUnauthenticated(resolveCaller(pg.pool, key)) // no scheme
        await expectUnauthenticated(resolveCaller(pg.pool, `Basic ${key}`))
        await expectUnauthenticated(resolveCaller(pg.pool, 'Bearer'))
        await expectUnauthenticated(resolveCaller(pg.pool, 'Bearer sk_short'))
        await expectUnauthenticated(resolveCaller(pg.pool, `Bearer ${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)) // unknown
    })

    test('revocation takes effect at once in this process and within the cache TTL elsewhere', async () => {
        const { key, info } = await createApiKey(pg.pool, 'operator')
        let now = 1_000_000
        const opts = { ttlMs: 5_000, now: () => now }
        expect(await resolveCaller(pg.pool, `Bearer ${key}`, opts)).toMatchObject({ role: 'operator' })
        // another process revokes (plain SQL): still cached...
        await pg.pool.query(`UPDATE api.api_keys SET revoked_at = now() WHERE id = $1`, [info.id])
        now += 4_000
        expect(await resolveCaller(pg.pool, `Bearer ${key}`, opts)).toMatchObject({ role: 'operator' })
        // ...until the TTL runs out
        now += 1_001
        await expectUnauthenticated(resolveCaller(pg.pool, `Bearer ${key}`, opts))

        const second = await createApiKey(pg.pool, 'relayer')
        expect(await resolveCaller(pg.pool, `Bearer ${second.key}`, opts)).toMatchObject({ role: 'relayer' })
        expect(await revokeApiKey(pg.pool, second.info.id)).toBe('revoked')
        await expectUnauthenticated(resolveCaller(pg.pool, `Bearer ${second.key}`, opts)) // same process: no wait
        expect(await revokeApiKey(pg.pool, second.info.id)).toBe('already-revoked')
        expect(await revokeApiKey(pg.pool, 999_999)).toBe('not-found')
    })

    test('list never returns key material', async () => {
        const keys = await listApiKeys(pg.pool)
        expect(keys.length).toBeGreaterThan(0)
        for (const k of keys) expect(Object.keys(k).sort()).toEqual(['createdAt', 'id', 'label', 'revokedAt', 'role'])
    })
})

describe('apikey CLI (in process)', () => {
    function io() {
        const o = { out: '', err: '', stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) }
        return o
    }
    const env = () => ({ DB_URL: pg.pg.url })

    test('create prints only the key; it authenticates with its role', async () => {
        const o = io()
        expect(await runApiKeyCli(['create', '--role', 'relayer', '--label', 'claims bot'], o, env())).toBe(0)
        expect(o.err).toBe('')
        expect(o.out).toMatch(/^sk_[A-Za-z0-9_-]{43}\n$/)
        const caller = await resolveCaller(pg.pool, `Bearer ${o.out.trim()}`)
        expect(caller?.role).toBe('relayer')
        const o2 = io()
        expect(await runApiKeyCli(['create', '--role=read-only'], o2, env())).toBe(0)
        expect(o2.out).toMatch(/^sk_[A-Za-z0-9_-]{43}\n$/)
    })

    test('list shows id/role/label/created/revoked, never keys; --json; revoke', async () => {
        const o = io()
        expect(await runApiKeyCli(['create', '--role', 'operator', '--label', 'to-revoke'], o, env())).toBe(0)
        const key = o.out.trim()
        const l = io()
        expect(await runApiKeyCli(['list'], l, env())).toBe(0)
        expect(l.out.split('\n')[0]).toMatch(/^ID\s+ROLE\s+LABEL\s+CREATED\s+REVOKED$/)
        expect(l.out).toContain('to-revoke')
        expect(l.out).not.toContain('sk_')
        const j = io()
        expect(await runApiKeyCli(['list', '--json'], j, env())).toBe(0)
        const rows = JSON.parse(j.out)
        const row = rows.find((r: any) => r.label === 'to-revoke')
        expect(row).toMatchObject({ role: 'operator', revokedAt: null })
        expect(j.out).not.toContain('sk_')

        const r = io()
        expect(await runApiKeyCli(['revoke', String(row.id)], r, env())).toBe(0)
        expect(r.out).toBe(`revoked key ${row.id}\n`)
        clearApiKeyCache()
        await expectUnauthenticated(resolveCaller(pg.pool, `Bearer ${key}`))
        const again = io()
        expect(await runApiKeyCli(['revoke', String(row.id)], again, env())).toBe(0)
        expect(again.out).toBe(`key ${row.id} was already revoked\n`)
        const missing = io()
        expect(await runApiKeyCli(['revoke', '987654'], missing, env())).toBe(1)
        expect(missing.err).toBe('apikey: no key with id 987654\n')
    })

    test.each([
        [['create', '--role', 'admin']],
        [['create']],
        [['create', '--role']],
        [['create', '--role', 'operator', '--colour', 'red']],
        [['revoke']],
        [['revoke', 'abc']],
        [['list', 'extra']],
        [['frobnicate']],
        [[]],
    ])('bad arguments %j → exit 1, one line on stderr, nothing on stdout', async (args) => {
        const o = io()
        // a database that does not exist: argument errors must not need one
        expect(await runApiKeyCli(args, o, { DB_URL: 'postgres://postgres:postgres@127.0.0.1:1/none' })).toBe(1)
        expect(o.out).toBe('')
        expect(o.err).toMatch(/^apikey: [^\n]+\n$/)
    })

    test('unreachable database → exit 2 with one readable line', async () => {
        const o = io()
        const port = await freePort()
        expect(await runApiKeyCli(['list'], o, { DB_URL: `postgres://postgres:postgres@127.0.0.1:${port}/squid` })).toBe(2)
        expect(o.err).toMatch(/^apikey: cannot connect to Postgres at 127\.0\.0\.1:\d+\/squid \(ECONNREFUSED\)[^\n]*\n$/)
        // no env at all → the embedded default (port 23798)
        const d = io()
        const code = await runApiKeyCli(['list'], d, {})
        if (code !== 0) expect(d.err).toMatch(/^apikey: [^\n]*127\.0\.0\.1:23798\/squid[^\n]*\n$/)
    })

    test('database without the api schema → exit 2 telling to run the migrations', async () => {
        await pg.pool.query(`CREATE DATABASE nomigrations`).catch(() => undefined)
        const o = io()
        const url = pg.pg.url.replace(/\/squid$/, '/nomigrations')
        expect(await runApiKeyCli(['list'], o, { DB_URL: url })).toBe(2)
        expect(o.err).toMatch(/^apikey: table api\.api_keys does not exist [^\n]*migrations[^\n]*\n$/)
    })
})

/** Transpile src/cli/apikey.ts and its relative imports into node_modules/.cache (so `pg` and projectRoot resolve). */
function transpileCli(): string {
    const out = path.join(ROOT, 'node_modules', '.cache', 'mutations-test-cli')
    fs.rmSync(out, { recursive: true, force: true })
    const todo = [path.join(ROOT, 'src', 'cli', 'apikey.ts')]
    const done = new Set<string>()
    while (todo.length) {
        const file = todo.pop()!
        if (done.has(file)) continue
        done.add(file)
        const source = fs.readFileSync(file, 'utf8')
        for (const m of source.matchAll(/from '(\.[^']+)'/g)) todo.push(path.resolve(path.dirname(file), m[1]) + '.ts')
        const js = ts.transpileModule(source, {
            compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true, experimentalDecorators: true },
        }).outputText
        const target = path.join(out, path.relative(path.join(ROOT, 'src'), file)).replace(/\.ts$/, '.js')
        fs.mkdirSync(path.dirname(target), { recursive: true })
        fs.writeFileSync(target, js)
    }
    return path.join(out, 'cli', 'apikey.js')
}

describe('apikey CLI (real process)', () => {
    let cli: string
    beforeAll(() => {
        cli = transpileCli()
    })

    test('create prints exactly one line: the key', () => {
        const r = spawnSync(process.execPath, [cli, 'create', '--role', 'operator'], { env: { PATH: process.env.PATH, DB_URL: pg.pg.url }, encoding: 'utf8' })
        expect(r.status).toBe(0)
        expect(r.stderr).toBe('')
        expect(r.stdout).toMatch(/^sk_[A-Za-z0-9_-]{43}\n$/)
    })

    test('bad role → exit 1 with one line', () => {
        const r = spawnSync(process.execPath, [cli, 'create', '--role', 'root'], { env: { PATH: process.env.PATH, DB_URL: pg.pg.url }, encoding: 'utf8' })
        expect(r.status).toBe(1)
        expect(r.stdout).toBe('')
        expect(r.stderr).toBe('apikey: invalid role "root": expected one of operator, relayer, read-only\n')
    })
})
