import { keccak256, solidityPacked } from 'ethers'

/**
 * The proposer schedule. Each block height is a slot; its scheduled proposer is drawn, stake-weighted, from the
 * unjailed validators' stakes as they stood at the end of the previous epoch. The draw is a pure function of
 * (height, stakes), so the indexer recomputes it for every block and records a missed slot whenever the block's
 * actual proposer (its fee recipient's validator) is someone else, and the local simulator follows the same
 * schedule (skipping some slots on purpose).
 */
export interface StakeEntry {
    validator: string // lowercase address
    stake: bigint
}

export function epochOf(height: number, epochBlocks: number): number {
    return Math.floor(height / epochBlocks)
}

/** First block of `epoch`. The stake snapshot for the epoch is the state after block (first − 1). */
export function epochStart(epoch: number, epochBlocks: number): number {
    return epoch * epochBlocks
}

/** Canonical order of a snapshot, so every caller draws from the same cumulative ranges. */
export function normalizeSnapshot(stakes: StakeEntry[]): StakeEntry[] {
    return stakes
        .filter((s) => s.stake > 0n)
        .map((s) => ({ validator: s.validator.toLowerCase(), stake: s.stake }))
        .sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0))
}

/** The validator scheduled to propose `height`, or undefined when nobody has stake. */
export function scheduledProposer(height: number, snapshot: StakeEntry[]): string | undefined {
    const stakes = normalizeSnapshot(snapshot)
    const total = stakes.reduce((s, e) => s + e.stake, 0n)
    if (total === 0n) return undefined
    const draw = BigInt(keccak256(solidityPacked(['string', 'uint256'], ['slot', height]))) % total
    let acc = 0n
    for (const e of stakes) {
        acc += e.stake
        if (draw < acc) return e.validator
    }
    return stakes[stakes.length - 1].validator
}

/** Expected proposals of each validator in an epoch of `epochBlocks` slots: its stake share × slots. */
export function expectedBlocks(snapshot: StakeEntry[], epochBlocks: number): Map<string, number> {
    const stakes = normalizeSnapshot(snapshot)
    const total = stakes.reduce((s, e) => s + e.stake, 0n)
    const out = new Map<string, number>()
    for (const e of stakes) out.set(e.validator, total === 0n ? 0 : (Number((e.stake * 1_000_000n) / total) / 1e6) * epochBlocks)
    return out
}
