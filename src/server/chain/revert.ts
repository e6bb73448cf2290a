import { AbiCoder, ErrorFragment, Interface } from 'ethers'
import type { GraphQLError } from 'graphql'
import { allErrorsInterface } from '../../contracts'
import { apiError } from '../errors'

/**
 * A revert decoded against the union of every protocol contract's custom errors (abi/*.json), plus Solidity's
 * built-in Error(string) and Panic(uint256). `args` is keyed by the error's parameter names; integers are
 * decimal strings, addresses checksummed, bytes hex.
 */
export interface RevertInfo {
    /** error name, e.g. "DisputeWindowOpen"; null when the revert carried no data or an unknown selector */
    name: string | null
    /** canonical signature, e.g. "DisputeWindowOpen(bytes32,uint64)" */
    signature: string | null
    selector: string | null
    args: Record<string, string | boolean | string[] | unknown>
    /** raw revert data (hex) */
    data: string
}

const ERROR_STRING = '0x08c379a0' // Error(string)
const PANIC = '0x4e487b71' // Panic(uint256)

let errorsIface: Interface | undefined
function errors(): Interface {
    return (errorsIface ??= allErrorsInterface())
}

function jsonValue(v: unknown): unknown {
    if (typeof v === 'bigint') return v.toString()
    if (Array.isArray(v)) return v.map(jsonValue)
    return v
}

/** Decode revert `data` (hex). Never throws: unknown data gives `{ name: null }`. */
export function decodeRevert(data: string): RevertInfo {
    const hex = typeof data === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(data) ? data.toLowerCase() : '0x'
    const selector = hex.length >= 10 ? hex.slice(0, 10) : null
    const unknown: RevertInfo = { name: null, signature: null, selector, args: {}, data: hex }
    if (!selector) return unknown
    try {
        if (selector === ERROR_STRING) {
            const [message] = AbiCoder.defaultAbiCoder().decode(['string'], '0x' + hex.slice(10))
            return { name: 'Error', signature: 'Error(string)', selector, args: { message }, data: hex }
        }
        if (selector === PANIC) {
            const [code] = AbiCoder.defaultAbiCoder().decode(['uint256'], '0x' + hex.slice(10))
            return { name: 'Panic', signature: 'Panic(uint256)', selector, args: { code: code.toString() }, data: hex }
        }
        const parsed = errors().parseError(hex)
        if (!parsed) return unknown
        const fragment: ErrorFragment = parsed.fragment
        const args: Record<string, unknown> = {}
        fragment.inputs.forEach((input, i) => {
            args[input.name || String(i)] = jsonValue(parsed.args[i])
        })
        return { name: parsed.name, signature: parsed.signature, selector, args, data: hex }
    } catch {
        return unknown
    }
}

const HEX_DATA = /^0x([0-9a-fA-F]{2})*$/

/**
 * The revert data buried in an ethers / JSON-RPC error, or undefined when the error is not a revert (network
 * failure, bad nonce...). Looks at `data` on the error and on its nested `error` / `info.error` / `cause`.
 */
export function revertDataOf(err: unknown): string | undefined {
    const seen = new Set<unknown>()
    const visit = (e: any, depth: number): string | undefined => {
        if (e == null || typeof e !== 'object' || depth > 5 || seen.has(e)) return undefined
        seen.add(e)
        if (typeof e.data === 'string' && HEX_DATA.test(e.data)) return e.data
        if (e.data && typeof e.data === 'object' && typeof e.data.data === 'string' && HEX_DATA.test(e.data.data)) return e.data.data
        return visit(e.error, depth + 1) ?? visit(e.info?.error, depth + 1) ?? visit(e.info, depth + 1) ?? visit(e.cause, depth + 1)
    }
    return visit(err, 0)
}

/** true when the node answered "execution reverted" (with or without data). */
export function isRevertError(err: unknown): boolean {
    const e = err as any
    if (e?.code === 'CALL_EXCEPTION') return true
    if (revertDataOf(err) !== undefined) return true
    const msg = String(e?.info?.error?.message ?? e?.error?.message ?? e?.shortMessage ?? e?.message ?? '')
    return /execution reverted|revert/i.test(msg)
}

function formatArgs(info: RevertInfo): string {
    return Object.entries(info.args)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
        .join(', ')
}

/** Human-readable one-liner: "DisputeWindowOpen(batchId=0x.., disputeDeadline=1700000000)". */
export function describeRevert(info: RevertInfo): string {
    if (!info.name) return info.selector ? `unknown error ${info.selector}` : 'reverted without a reason'
    return `${info.name}(${formatArgs(info)})`
}

/**
 * A CONTRACT_REVERT GraphQL error. `extensions.revert = { name, signature, args, data }`; `stage` says whether the
 * simulation (eth_call, nothing sent) or the mined transaction reverted.
 */
export function revertError(
    info: RevertInfo,
    opts: { contract: string; method: string; stage: 'simulation' | 'mined'; txHash?: string },
): GraphQLError {
    const where = `${opts.contract}.${opts.method}`
    const what = opts.stage === 'simulation' ? 'would revert (simulated, no transaction sent)' : `reverted on chain (tx ${opts.txHash})`
    return apiError('CONTRACT_REVERT', `${where} ${what}: ${describeRevert(info)}`, {
        revert: { name: info.name, signature: info.signature, args: info.args, data: info.data },
        contract: opts.contract,
        method: opts.method,
        stage: opts.stage,
        ...(opts.txHash ? { txHash: opts.txHash } : {}),
    })
}
