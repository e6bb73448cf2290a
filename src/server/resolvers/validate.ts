import { apiError } from '../errors'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const BYTES32 = /^0x[0-9a-fA-F]{64}$/

export function address(value: string, name: string): string {
    if (typeof value !== 'string' || !ADDRESS.test(value)) throw apiError('BAD_USER_INPUT', `${name} must be a 0x-prefixed 20-byte hex address`, { argument: name })
    return value.toLowerCase()
}

export function optionalAddress(value: string | null | undefined, name: string): string | undefined {
    return value == null ? undefined : address(value, name)
}

export function batchId(value: string, name = 'batchId'): string {
    if (typeof value !== 'string' || !BYTES32.test(value)) throw apiError('BAD_USER_INPUT', `${name} must be a 0x-prefixed 32-byte hex batch id`, { argument: name })
    return value.toLowerCase()
}

export function range(from: Date, to: Date): { from: Date; to: Date } {
    if (!(from instanceof Date) || !(to instanceof Date) || isNaN(from.getTime()) || isNaN(to.getTime())) {
        throw apiError('BAD_USER_INPUT', 'from and to must be DateTime values')
    }
    if (to.getTime() <= from.getTime()) throw apiError('BAD_USER_INPUT', '`to` must be after `from` (the range is [from, to))')
    return { from, to }
}

export function limit(value: number | null | undefined, dflt: number, max: number, name = 'limit'): number {
    const v = value ?? dflt
    if (!Number.isInteger(v) || v < 1 || v > max) throw apiError('BAD_USER_INPUT', `${name} must be an integer between 1 and ${max}`, { argument: name })
    return v
}
