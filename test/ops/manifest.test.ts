/**
 * squid.yaml, checked as SQD Cloud would read it (@subsquid/manifest, unknown keys refused), and against this
 * repository: every command it runs exists (a compiled entry point's source, a node_modules binary), every variable
 * and secret it sets or asks for is documented in the README and parsed by src/config.ts, and it names no file that
 * is not in the repository. Static: nothing is deployed.
 */
import * as fs from 'fs'
import * as path from 'path'
import { chainFromEnv, ConfigError } from '../../src/config'
import { CONTRACT_NAMES } from '../../src/contracts'
import { readDeploymentsFile } from '../../src/processor'
import { isParsed } from './support/config-sources'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Manifest } = require('@subsquid/manifest')

const ROOT = path.join(__dirname, '..', '..')
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8')
const README = read('README.md')

function parse(text: string) {
    return Manifest.parse(text, { validation: { allowUnknown: false } })
}

const manifest = (() => {
    const r = parse(read('squid.yaml'))
    if (r.error) throw new Error(`squid.yaml does not validate: ${r.error.message}`)
    return r.value
})()
const raw = manifest.toObject()
const processors: { name: string; cmd: string[]; env?: Record<string, string> }[] = raw.deploy.processor

/** A command of the manifest resolves to something in this repository. */
function expectRunnable(cmd: string[]): void {
    if (cmd[0] === 'node') {
        const script = cmd.find((a, i) => i > 0 && !a.startsWith('-'))!
        // lib/ is built by build.cmd (tsc): its source must exist
        expect(script).toMatch(/^lib\/.*\.js$/)
        expect(fs.existsSync(path.join(ROOT, script.replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true)
    } else if (cmd[0] === 'npx') {
        expect(fs.existsSync(path.join(ROOT, 'node_modules', '.bin', cmd[1]))).toBe(true)
    } else {
        throw new Error(`unexpected command ${cmd.join(' ')}`)
    }
}

test('squid.yaml validates with @subsquid/manifest (unknown keys refused), and the validation is real', () => {
    expect(manifest.squidName()).toBe('settlement-squid')
    expect(processors.map((p) => p.name)).toEqual(['processor'])
    // the same validator refuses a broken manifest: a typo'd key, a processor without cmd
    expect(parse(read('squid.yaml').replace('replicas: 2', 'replica: 2')).error?.message).toMatch(/replica/)
    expect(parse(read('squid.yaml').replace(/processor:\n    cmd: .*\n/, 'processor:\n')).error).toBeDefined()
})

test('every command it runs exists: build (tsc), init (migrations), processor, api', () => {
    expect(raw.build.cmd).toEqual(['npx', 'tsc', '-p', 'tsconfig.json'])
    expect(fs.existsSync(path.join(ROOT, 'tsconfig.json'))).toBe(true)
    for (const cmd of [raw.build.cmd, raw.deploy.init.cmd, ...processors.map((p) => p.cmd), raw.deploy.api.cmd]) expectRunnable(cmd)
    expect(processors[0].cmd).toContain('lib/main.js')
    expect(raw.deploy.api.cmd).toContain('lib/server/index.js')
    expect(fs.readdirSync(path.join(ROOT, 'db', 'migrations')).some((f) => f.endsWith('.js'))).toBe(true)
})

test('every variable and secret is parsed by the code and documented in the README', () => {
    const envs: Record<string, string>[] = [raw.deploy.env, raw.deploy.api?.env, raw.deploy.init?.env, ...processors.map((p) => p.env)].filter(Boolean)
    const names = [...new Set(envs.flatMap((e) => Object.keys(e)))]
    const secrets: string[] = manifest.variables(['secrets'])
    expect(secrets.sort()).toEqual(['DEPLOYMENTS_FILE', 'RELAYER_KEY', 'RPC_URL', 'SIGNER_KEY'])
    for (const v of [...names, ...secrets]) {
        expect({ v, documented: README.includes('`' + v + '`') }).toEqual({ v, documented: true })
        expect({ v, parsed: isParsed(v) }).toEqual({ v, parsed: true })
    }
    // the Production section lists the secrets to set before the first deploy
    const production = README.slice(README.indexOf('## Production'))
    for (const s of secrets) expect(production).toContain(s)
})

test('evaluated with secrets, the manifest names only files that exist; the shipped template is refused until filled in', () => {
    const evaluated = manifest.eval({ secrets: { RPC_URL: 'https://a.example,https://b.example', DEPLOYMENTS_FILE: 'contracts/deployments/example.json', SIGNER_KEY: '0x' + '1'.repeat(64), RELAYER_KEY: '0x' + '2'.repeat(64) } }).toObject()
    expect(evaluated.deploy.env.RPC_URL).toBe('https://a.example,https://b.example')
    // no literal path to a missing file anywhere in the manifest (the Base deployments file is a secret's value)
    const literalPaths = read('squid.yaml').match(/(?<![\w/.])(?:contracts|config|db|lib|src)\/[\w./-]+/g) ?? []
    for (const p of literalPaths) {
        const src = p.replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')
        expect({ p, exists: fs.existsSync(path.join(ROOT, p)) || fs.existsSync(path.join(ROOT, src)) || /<chainId>/.test(p) }).toEqual({ p, exists: true })
    }
    // the template the README points at has every contract, is for the manifest's chain, and is refused as is
    const file = path.join(ROOT, evaluated.deploy.env.DEPLOYMENTS_FILE)
    const template = JSON.parse(fs.readFileSync(file, 'utf8'))
    expect(Object.keys(template.contracts).sort()).toEqual([...CONTRACT_NAMES].sort())
    expect(String(template.chainId)).toBe(evaluated.deploy.env.CHAIN_ID)
    let err: unknown
    try {
        readDeploymentsFile(file, Number(evaluated.deploy.env.CHAIN_ID))
    } catch (e) {
        err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toMatch(/has no valid address for/)
})

test('the SQD_GATEWAY example in the manifest is a gateway URL the config accepts for the manifest chain', () => {
    expect(processors[0].env?.SQD_GATEWAY).toBeUndefined() // optional: the dataset must carry traces (README)
    const example = /#\s+SQD_GATEWAY: (\S+)/.exec(read('squid.yaml'))?.[1]
    expect(example).toBe('https://v2.archive.subsquid.io/network/base-mainnet')
    expect(chainFromEnv({ RPC_URL: 'https://rpc.example', SQD_GATEWAY: example }).gateway).toBe(example)
    expect(raw.deploy.env.CHAIN_ID).toBe('8453')
})
