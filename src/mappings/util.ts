import { id as keccakUtf8 } from 'ethers'
import type { ContractName } from '../contracts'
import { ProtocolContract } from '../model'

/** The protocol's role names; ids are keccak256(name), DEFAULT_ADMIN_ROLE is bytes32(0). */
export const ROLE_NAMES = [
    'GOVERNOR_ROLE',
    'OPERATOR_ROLE',
    'PAUSER_ROLE',
    'RELAYER_ROLE',
    'LEDGER_ROLE',
    'PROPOSER_ROLE',
    'EXECUTOR_ROLE',
    'CANCELLER_ROLE',
] as const

export const DEFAULT_ADMIN_ROLE = '0x' + '00'.repeat(32)

const ROLE_BY_HASH: ReadonlyMap<string, string> = new Map<string, string>([
    [DEFAULT_ADMIN_ROLE, 'DEFAULT_ADMIN_ROLE'],
    ...ROLE_NAMES.map((name) => [keccakUtf8(name).toLowerCase(), name] as [string, string]),
])

/** Human name of a role hash; unknown hashes map to "UNKNOWN". */
export function roleName(roleHash: string): string {
    return ROLE_BY_HASH.get(roleHash.toLowerCase()) ?? 'UNKNOWN'
}

/** keccak256 id of a role name (DEFAULT_ADMIN_ROLE → 0x00..00). */
export function roleId(name: string): string {
    return name === 'DEFAULT_ADMIN_ROLE' ? DEFAULT_ADMIN_ROLE : keccakUtf8(name).toLowerCase()
}

/** Contract names used in deployments files (src/contracts.ts), mapped to the schema enum. */
export const CONTRACT_ENUM: { readonly [C in ContractName]: ProtocolContract } = {
    ParticipantRegistry: ProtocolContract.PARTICIPANT_REGISTRY,
    TokenRegistry: ProtocolContract.TOKEN_REGISTRY,
    Escrow: ProtocolContract.ESCROW,
    BatchLedger: ProtocolContract.BATCH_LEDGER,
    Distributor: ProtocolContract.DISTRIBUTOR,
    PlatformTimelock: ProtocolContract.PLATFORM_TIMELOCK,
    MockUSDC: ProtocolContract.MOCK_USDC,
    ValidatorRegistry: ProtocolContract.VALIDATOR_REGISTRY,
    StakeToken: ProtocolContract.STAKE_TOKEN,
}

/** Zero-padded decimal, so that ids sort in chain order. */
export const pad = (n: number, width: number) => String(n).padStart(width, '0')
/** A block height as the id prefix of block-scoped rows (Block, MEV rows). */
export const heightKey = (height: number) => pad(height, 10)

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

// The keys of the last day / hour asked for: events come in chain order, so almost every call is for the
// same day and hour as the previous one (a Date and an ISO string per event saved, several times per event).
let lastDay = NaN
let lastDayKey = ''
let lastHour = NaN
let lastHourKey = ''

/** UTC day key YYYY-MM-DD of a millisecond timestamp. */
export function dayKey(tsMs: number): string {
    const day = Math.floor(tsMs / DAY_MS)
    if (day !== lastDay) {
        lastDayKey = new Date(tsMs).toISOString().slice(0, 10)
        lastDay = day
    }
    return lastDayKey
}

/** UTC hour key YYYY-MM-DDTHH of a millisecond timestamp. */
export function hourKey(tsMs: number): string {
    const hour = Math.floor(tsMs / HOUR_MS)
    if (hour !== lastHour) {
        lastHourKey = new Date(tsMs).toISOString().slice(0, 13)
        lastHour = hour
    }
    return lastHourKey
}

/** Start of the UTC day containing tsMs. */
export function dayStart(tsMs: number): Date {
    return new Date(Math.floor(tsMs / DAY_MS) * DAY_MS)
}

/** Start of the UTC hour containing tsMs. */
export function hourStart(tsMs: number): Date {
    return new Date(Math.floor(tsMs / HOUR_MS) * HOUR_MS)
}

/** Largest date Postgres timestamptz and JS both represent comfortably (year 9999). */
const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59)

/** A unix-seconds bigint as a Date, clamped to year 9999 (e.g. absurd uint64 deadlines). */
export function secondsToDate(seconds: bigint): Date {
    const maxS = BigInt(MAX_DATE_MS / 1000)
    if (seconds > maxS) return new Date(MAX_DATE_MS)
    if (seconds < 0n) return new Date(0)
    return new Date(Number(seconds) * 1000)
}

/** Unix seconds + delay as a Date, or null when it does not fit (before year 9999). */
export function readyAt(scheduledMs: number, delaySeconds: bigint): Date | null {
    const ms = BigInt(scheduledMs) + delaySeconds * 1000n
    if (ms > BigInt(MAX_DATE_MS)) return null
    return new Date(Number(ms))
}

export function lower(addr: string): string {
    return addr.toLowerCase()
}

export function escrowAccountId(payer: string, token: string): string {
    return `${payer.toLowerCase()}-${token.toLowerCase()}`
}

export function claimId(batchId: string, payee: string): string {
    return `${batchId.toLowerCase()}-${payee.toLowerCase()}`
}

export function roleAssignmentId(contractAddress: string, role: string, account: string): string {
    return `${contractAddress.toLowerCase()}-${role.toLowerCase()}-${account.toLowerCase()}`
}

export function timelockCallId(operationId: string, index: bigint | number): string {
    return `${operationId.toLowerCase()}-${index.toString()}`
}

export function tokenDayId(token: string, tsMs: number): string {
    return `${token.toLowerCase()}-${dayKey(tsMs)}`
}

export function tokenHourId(token: string, tsMs: number): string {
    return `${token.toLowerCase()}-${hourKey(tsMs)}`
}

export function participantDayId(account: string, token: string, tsMs: number): string {
    return `${account.toLowerCase()}-${token.toLowerCase()}-${dayKey(tsMs)}`
}

/** JSON-safe copy of decoded event args: bigint → decimal string, nested arrays/objects kept. */
export function jsonArgs(value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString()
    if (Array.isArray(value)) return value.map(jsonArgs)
    if (value instanceof Uint8Array) return '0x' + Buffer.from(value).toString('hex')
    if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(value)) out[k] = jsonArgs(v)
        return out
    }
    return value
}

/** First 4 bytes of calldata as 0x-hex, or null when shorter. */
export function selectorOf(data: string): string | null {
    return data.length >= 10 ? data.slice(0, 10).toLowerCase() : null
}

/** Numeric status of IBatchLedger.BatchStatus → name (None = 0). */
export const BATCH_STATUS_NAMES = ['NONE', 'COMMITTED', 'DISPUTED', 'REJECTED', 'FINALIZED'] as const

/** Numeric IParticipantRegistry.ParticipantKind → schema enum name. */
export const PARTICIPANT_KIND_NAMES = ['AI_PLATFORM', 'PUBLISHER', 'ADVERTISER'] as const
