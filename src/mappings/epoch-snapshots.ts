/**
 * Epoch snapshots: the registry state (each validator's stake, shares, jail, commission and counters) after the
 * block before an epoch's first, stored as EpochSnapshot rows, and parsed back with the lookups the proposer
 * schedule and the rollups need. Also the ids of the per-epoch rows.
 */
import { EpochSnapshot, Validator } from '../model'
import { StakeEntry, epochStart, normalizeSnapshot } from '../validators/schedule'
import { pad } from './util'

export const epochKey = (epoch: number) => pad(epoch, 8)
export const validatorEpochId = (validator: string, epoch: number) => `${validator}-${epochKey(epoch)}`

/** One validator in an EpochSnapshot (JSON; amounts as decimal strings). */
export interface SnapshotEntry {
    validator: string
    stake: string
    totalShares: string
    jailed: boolean
    commissionBps: number
    slashCount: number
    jailCount: number
    commissionHikeCount: number
}

/** A snapshot with its lookups precomputed. */
export interface ParsedSnapshot {
    row: EpochSnapshot
    entries: Map<string, SnapshotEntry>
    /** unjailed validators with stake: what the schedule draws from (normalised order) */
    schedule: StakeEntry[]
    totalStake: bigint
}

export function parseSnapshot(row: EpochSnapshot): ParsedSnapshot {
    const list = (row.validators as SnapshotEntry[]) ?? []
    const entries = new Map(list.map((e) => [e.validator, e]))
    const schedule = normalizeSnapshot(list.filter((e) => !e.jailed).map((e) => ({ validator: e.validator, stake: BigInt(e.stake) })))
    return { row, entries, schedule, totalStake: list.reduce((s, e) => s + BigInt(e.stake), 0n) }
}

/** The registry state of `validators` as a snapshot row for `epoch`. */
export function buildSnapshot(validators: Validator[], epoch: number, epochBlocks: number, takenAtBlock: number): EpochSnapshot {
    const list: SnapshotEntry[] = validators
        .map((v) => ({
            validator: v.id,
            stake: v.stake.toString(),
            totalShares: v.totalShares.toString(),
            jailed: v.jailed,
            commissionBps: v.commissionBps,
            slashCount: v.slashCount,
            jailCount: v.jailCount,
            commissionHikeCount: v.commissionHikeCount,
        }))
        .sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0))
    let scheduled = 0n
    let total = 0n
    for (const e of list) {
        total += BigInt(e.stake)
        if (!e.jailed) scheduled += BigInt(e.stake)
    }
    return new EpochSnapshot({
        id: epochKey(epoch),
        epoch,
        startBlock: epochStart(epoch, epochBlocks),
        takenAtBlock,
        validators: list,
        scheduledStake: scheduled,
        totalStake: total,
    })
}
