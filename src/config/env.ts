/**
 * The parts every configuration module shares: the Env type, the one ConfigError, the project's folders and the
 * value parsers (each throws a ConfigError naming the variable). See src/config.ts for the list of variables.
 */
import * as path from 'path'
import { projectRoot } from '../paths'

export type Env = Record<string, string | undefined>

export class ConfigError extends Error {
    constructor(
        readonly variable: string,
        message: string,
    ) {
        super(message)
        this.name = 'ConfigError'
    }
}

// ---------------------------------------------------------------------------
// project layout

export { projectRoot }

/** Root of all local runtime state (embedded Postgres, anvil state). */
export function dataDir(env: Env = process.env): string {
    const v = str(env, 'DATA_DIR')
    return v ? path.resolve(projectRoot(), v) : path.join(projectRoot(), '.data')
}

// ---------------------------------------------------------------------------
// value parsers

export function str(env: Env, name: string): string | undefined {
    const v = env[name]
    if (v == null) return undefined
    const t = v.trim()
    return t === '' ? undefined : t
}

export function int(env: Env, name: string, opts: { min?: number; max?: number; what?: string } = {}): number | undefined {
    const v = str(env, name)
    if (v == null) return undefined
    const min = opts.min ?? 0
    const max = opts.max ?? Number.MAX_SAFE_INTEGER
    const what = opts.what ?? `an integer between ${min} and ${max}`
    if (!/^\d+$/.test(v)) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(v)}: expected ${what}`)
    const n = Number(v)
    if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(v)}: expected ${what}`)
    }
    return n
}

export function port(env: Env, name: string): number | undefined {
    return int(env, name, { min: 1, max: 65535, what: 'a TCP port number (1-65535)' })
}

export function positiveNumber(env: Env, name: string, allowZero: boolean): number | undefined {
    const v = str(env, name)
    if (v == null) return undefined
    const n = /^\d+(\.\d+)?$|^\.\d+$/.test(v) ? Number(v) : NaN
    if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
        throw new ConfigError(
            name,
            `Invalid ${name}=${JSON.stringify(v)}: expected a ${allowZero ? 'non-negative' : 'positive'} number`,
        )
    }
    return n
}

export function url(env: Env, name: string, protocols: string[]): URL | undefined {
    const v = str(env, name)
    if (v == null) return undefined
    let u: URL
    try {
        u = new URL(v)
    } catch {
        throw new ConfigError(name, `Invalid ${name}: ${JSON.stringify(redact(v))} is not a valid URL (expected ${protocols.map((p) => p + '//...').join(' or ')})`)
    }
    if (!protocols.includes(u.protocol)) {
        throw new ConfigError(name, `Invalid ${name}: protocol "${u.protocol}" is not supported (expected ${protocols.join(' or ')})`)
    }
    if (!u.hostname) throw new ConfigError(name, `Invalid ${name}: ${JSON.stringify(redact(v))} has no host`)
    return u
}

/** Hide a password in a URL-ish string for messages. */
export function redact(v: string): string {
    return v.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@')
}

/** A `true`/`false` switch (also 1/0, yes/no, on/off); unset → `fallback`. */
export function boolFromEnv(env: Env, name: string, fallback: boolean): boolean {
    const v = env[name]?.trim().toLowerCase()
    if (!v) return fallback
    if (['true', '1', 'yes', 'on'].includes(v)) return true
    if (['false', '0', 'no', 'off'].includes(v)) return false
    throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(env[name])}: expected true or false`)
}

export function optInt(env: Env, name: string): number | undefined {
    const v = env[name]?.trim()
    if (!v) return undefined
    if (!/^\d+$/.test(v)) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(v)}: expected a non-negative integer`)
    return Number(v)
}

export function positiveIntFromEnv(env: Env, name: string, fallback: number): number {
    const v = optInt(env, name)
    if (v === undefined) return fallback
    if (v < 1) throw new ConfigError(name, `Invalid ${name}=${JSON.stringify(env[name])}: expected a positive integer`)
    return v
}
