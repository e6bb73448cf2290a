/**
 * docker-compose.yml and the Dockerfile, checked against this repository. STATIC: no Docker engine runs here, so
 * nothing is built or started; what is checked is everything that can be wrong without one: the services and
 * profiles, every command (a package.json script's entry point whose source exists), every variable (parsed by the
 * code, documented), dependencies and volumes, and every path the Dockerfile copies (present in the build context,
 * not excluded by .dockerignore, or produced by an earlier stage), its stages and its non-root user.
 */
import * as fs from 'fs'
import * as path from 'path'
import { isParsed } from './support/config-sources'

// js-yaml is installed (a dependency of @subsquid/manifest); 3.x names the safe loader safeLoad, 4.x load
// eslint-disable-next-line @typescript-eslint/no-var-requires
const yaml = require('js-yaml')
const loadYaml: (s: string) => any = yaml.safeLoad ?? yaml.load

const ROOT = path.join(__dirname, '..', '..')
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8')
const compose = loadYaml(read('docker-compose.yml'))
const services: Record<string, any> = compose.services
const pkg = JSON.parse(read('package.json'))
const README = read('README.md')

/** package.json scripts that run a compiled entry point: script path → script name */
const entryScripts = new Map<string, string>(
    Object.entries(pkg.scripts as Record<string, string>)
        .map(([name, cmd]) => [/^node (lib\/\S+\.js)$/.exec(cmd)?.[1], name] as const)
        .filter((e): e is [string, string] => e[0] !== undefined),
)

const APP = ['processor', 'api', 'deploy', 'simulator']

test('services: Postgres, processor and API by default; anvil, deploy and the simulator under the local profile', () => {
    expect(Object.keys(services).sort()).toEqual(['anvil', 'api', 'db', 'deploy', 'processor', 'simulator'])
    for (const s of ['db', 'processor', 'api']) expect({ s, profiles: services[s].profiles }).toEqual({ s, profiles: undefined })
    for (const s of ['anvil', 'deploy', 'simulator']) expect({ s, profiles: services[s].profiles }).toEqual({ s, profiles: ['local'] })
    expect(services.db.image).toMatch(/^postgres:\d+/)
})

test('every app service runs a package.json script entry point from the image this repository builds', () => {
    const expected: Record<string, string> = { processor: 'process', api: 'serve', deploy: 'deploy', simulator: 'simulate' }
    for (const s of APP) {
        const svc = services[s]
        expect({ s, build: svc.build, image: svc.image }).toEqual({ s, build: '.', image: 'settlement-squid' })
        const cmd: string[] = svc.command
        expect(cmd[0]).toBe('node')
        const script = cmd.filter((a, i) => i > 0 && !a.startsWith('-'))
        expect(script).toHaveLength(1)
        expect({ s, script: entryScripts.get(script[0]) }).toEqual({ s, script: expected[s] })
        // lib/ is tsc's output of src/ (tsconfig outDir / rootDir)
        expect(fs.existsSync(path.join(ROOT, script[0].replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true)
    }
    expect(fs.existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true)
    const tsconfig = JSON.parse(read('tsconfig.json')).compilerOptions
    expect([tsconfig.outDir, tsconfig.rootDir]).toEqual(['lib', 'src'])
})

test('every variable the app services set is parsed by the code and documented; the API listens beyond loopback', () => {
    for (const s of APP) {
        for (const [name, value] of Object.entries(services[s].environment as Record<string, string>)) {
            expect({ s, name, parsed: isParsed(name) }).toEqual({ s, name, parsed: true })
            expect({ s, name, documented: README.includes('`' + name + '`') }).toEqual({ s, name, documented: true })
            // ${VAR:-default}: the host variable has the same name (what the README tells users to set)
            const ref = /^\$\{(\w+):-/.exec(String(value))?.[1]
            if (ref) expect(ref).toBe(name)
        }
    }
    expect(services.api.environment.GQL_HOST).toBe('0.0.0.0')
    expect(services.api.ports).toEqual([`127.0.0.1:${services.api.environment.GQL_PORT}:${services.api.environment.GQL_PORT}`])
})

test('dependencies exist; a default service depending on a local-profile one does not require it; volumes are declared', () => {
    for (const [name, svc] of Object.entries(services)) {
        for (const [dep, cond] of Object.entries((svc.depends_on ?? {}) as Record<string, any>)) {
            expect(services[dep]).toBeDefined()
            if (!svc.profiles && services[dep].profiles) expect({ name, dep, required: cond.required }).toEqual({ name, dep, required: false })
        }
        for (const v of (svc.volumes ?? []) as string[]) {
            const source = v.split(':')[0]
            if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes)).toContain(source)
        }
    }
    // the local profile's deployments file is where the deploy service writes it: the shared volume
    const mount = (services.deploy.volumes as string[]).find((v) => v.startsWith('deployments:'))!.split(':')[1]
    expect(services.processor.environment.DEPLOYMENTS_FILE).toContain(`:-${mount}/31337.json}`)
    for (const s of ['processor', 'api', 'simulator']) expect(services[s].volumes).toContain(`deployments:${mount}`)
})

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

interface Instr {
    op: string
    args: string
}
const instructions: Instr[] = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), args: l.slice(l.split(/\s+/)[0].length).trim() }))
const dockerignore = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))

test('Dockerfile: multi-stage, the runtime stage runs as a non-root user', () => {
    const stages = instructions.filter((i) => i.op === 'FROM').map((i) => /\bAS\s+(\S+)/i.exec(i.args)?.[1])
    expect(stages).toEqual(['build', 'deps', 'runtime'])
    const runtime = instructions.slice(instructions.findIndex((i) => i.op === 'FROM' && /AS runtime/i.test(i.args)))
    const user = runtime.filter((i) => i.op === 'USER').map((i) => i.args)
    expect(user).toEqual(['node'])
    // the user comes after the last RUN that needs root, and before the command
    expect(runtime.findIndex((i) => i.op === 'USER')).toBeGreaterThan(runtime.map((i) => i.op).lastIndexOf('RUN'))
    const cmd = JSON.parse(runtime.find((i) => i.op === 'CMD')!.args) as string[]
    expect(entryScripts.get(cmd[cmd.length - 1])).toBe('process')
})

test('Dockerfile: every path copied from the build context exists and is not excluded by .dockerignore', () => {
    const copies = instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
    expect(copies.length).toBeGreaterThan(5)
    for (const c of copies) {
        const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'))
        for (const src of parts.slice(0, -1)) {
            expect({ src, exists: fs.existsSync(path.join(ROOT, src)) }).toEqual({ src, exists: true })
            expect({ src, ignored: dockerignore.some((p) => src === p || src.startsWith(p + '/')) }).toEqual({ src, ignored: false })
        }
    }
    // what the build stage compiles is in the context: sources, ABIs, contracts, the forge/solc scripts
    for (const p of ['src', 'abi', 'contracts/src', 'contracts/solc.js', 'contracts/foundry.toml', 'scripts/forge.js', 'package-lock.json']) {
        expect(fs.existsSync(path.join(ROOT, p))).toBe(true)
    }
    // and what the context must not carry (local state, installs, build output) is excluded
    for (const p of ['node_modules', 'lib', '.data', 'contracts/out', '.git']) expect(dockerignore).toContain(p)
})

test('Dockerfile: every path copied from an earlier stage is produced there', () => {
    const stageOf = (name: string) => {
        const start = instructions.findIndex((i) => i.op === 'FROM' && new RegExp(`AS\\s+${name}$`, 'i').test(i.args))
        const end = instructions.findIndex((i, k) => k > start && i.op === 'FROM')
        return instructions.slice(start, end < 0 ? undefined : end)
    }
    const produced: Record<string, RegExp> = {
        // tsc -p tsconfig.json → lib/ (outDir); forge build → contracts/out (mkdir -p first, so it exists without forge)
        '/squid/lib': /npx tsc -p tsconfig\.json/,
        '/squid/contracts/out': /mkdir -p contracts\/out/,
        '/squid/node_modules': /npm ci/,
    }
    for (const c of instructions.filter((i) => i.op === 'COPY' && i.args.startsWith('--from'))) {
        const [, stage, src] = /^--from=(\S+)\s+(\S+)/.exec(c.args)!
        const runs = stageOf(stage).filter((i) => i.op === 'RUN').map((i) => i.args).join('\n')
        expect({ src, stage, produced: produced[src]?.test(runs) ?? false }).toEqual({ src, stage, produced: true })
    }
    // the runtime has what the processor and API read at run time (projectRoot-relative)
    const runtimeCopies = instructions.filter((i) => i.op === 'COPY').map((i) => i.args).join('\n')
    for (const p of ['schema.graphql', 'abi', 'config', 'db', 'package.json', 'contracts/deployments']) expect(runtimeCopies).toContain(p)
})
