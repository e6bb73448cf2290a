/**
 * Epochs: stake snapshots, the proposer schedule, per-validator epoch rollups and delegation scores.
 *
 * - Epoch e covers blocks [e*E, (e+1)*E − 1] (E = EPOCH_BLOCKS). Its EpochSnapshot is the registry state
 *   after block e*E − 1, written when the epoch's first block is processed (or, for the epoch indexing
 *   starts in, when its first indexed block is) — before that block's own events are applied.
 * - Each block's scheduled proposer is drawn from the unjailed validators' stakes in its epoch's snapshot
 *   (src/validators/schedule.ts).
 * - When block e*E is processed, epoch e−1 is finished: its blocks (stored + this batch's) are rolled up per
 *   validator (ValidatorEpochStat) and chain-wide (EpochSummary); then every validator is scored over its
 *   last `windowEpochs` stats (ValidatorScore, Validator.score/rank).
 *
 * Files: epoch-snapshots.ts (snapshot rows), epoch-context.ts (what a handler call loads), epoch-rollup.ts (the
 * close), epoch-scores.ts (scoring); this file is the entry the block loop calls.
 *
 * Nothing here survives a handler call: snapshots, stored blocks and stats are read from the store at the
 * start of each batch, so a rollback (hot blocks) never leaves stale state behind.
 */
import { epochOf, epochStart } from '../validators/schedule'
import { EpochContext } from './epoch-context'
import { closeEpoch } from './epoch-rollup'
import { buildSnapshot, parseSnapshot } from './epoch-snapshots'
import { MappingState } from './state'

export { EpochContext }

/**
 * Before block `height` is recorded (its events not yet applied, so the registry state is the one after
 * height − 1): take the epoch's snapshot if it has none, and finish the previous epoch at a boundary.
 */
export function beforeBlock(state: MappingState, ctx: EpochContext, height: number, timestampMs: number): void {
    const epoch = epochOf(height, ctx.epochBlocks)
    if (ctx.snapshots.has(epoch)) return
    const row = buildSnapshot(state.validators.all(), epoch, ctx.epochBlocks, height)
    state.epochSnapshots.add(row)
    ctx.snapshots.set(epoch, parseSnapshot(row))
    if (height === epochStart(epoch, ctx.epochBlocks) && epoch > 0 && ctx.snapshots.has(epoch - 1)) {
        closeEpoch(state, ctx, epoch - 1, height)
    }
}

/** Which validators' rows changed in scoring (for the change notice). */
export function scoredEpochs(ctx: EpochContext): string[] {
    return ctx.closed.map(String)
}
