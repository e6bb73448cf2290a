/**
 * What one handler call knows about epochs (EpochContext): the snapshots of the epochs its blocks are in and of
 * those they finish, and, when one finishes, the blocks and stats stored before the call that the rollup and the
 * scores need. Loaded from the store at the start of every call (nothing survives it: a rollback never leaves
 * stale state behind).
 */
import { Store } from '@subsquid/typeorm-store'
import { Between } from 'typeorm'
import { Block as BlockEntity, EpochSnapshot, ValidatorEpochStat } from '../model'
import { ScoringConfig } from '../validators/scoring-config'
import { epochOf, epochStart, scheduledProposer } from '../validators/schedule'
import { epochKey, ParsedSnapshot, parseSnapshot } from './epoch-snapshots'
import { loadByIds } from './entity-buffer'

/** Which epochs a batch of heights touches, starts and finishes. */
export interface EpochPlan {
    /** epochs of the batch's blocks */
    epochs: number[]
    /** heights in the batch that are the first block of an epoch */
    boundaries: number[]
    /** epochs finished by those boundaries (boundary epoch − 1, when ≥ 0) */
    closing: number[]
}

export function planEpochs(heights: number[], epochBlocks: number): EpochPlan {
    const epochs = [...new Set(heights.map((h) => epochOf(h, epochBlocks)))]
    const boundaries = heights.filter((h) => h % epochBlocks === 0)
    const closing = boundaries.map((h) => epochOf(h, epochBlocks) - 1).filter((e) => e >= 0)
    return { epochs, boundaries, closing }
}

/** The id of a relation as typeorm hands it back (an id string, an entity, or null). */
export const relId = (r: unknown): string | null => (r == null ? null : typeof r === 'string' ? r : ((r as { id?: string }).id ?? null))

/** Per-batch epoch working set: snapshots, the stored blocks of the first epoch this batch finishes, stored stats for scoring. */
export class EpochContext {
    readonly snapshots = new Map<number, ParsedSnapshot>()
    /** blocks stored before this batch, of epochs this batch finishes */
    storedBlocks: BlockEntity[] = []
    /** stats stored before this batch, of the epochs scoring looks back on */
    storedStats: ValidatorEpochStat[] = []
    /** epochs finished (rolled up and scored) in this batch */
    readonly closed: number[] = []

    constructor(
        readonly epochBlocks: number,
        readonly scoring: ScoringConfig,
    ) {}

    get window(): number {
        return this.scoring.params.windowEpochs
    }

    /**
     * Load what the batch's blocks need: snapshots of their epochs (and of the epochs they finish), and when
     * an epoch finishes in this batch, its blocks stored earlier and the score history. At most three queries.
     */
    async load(store: Store, heights: number[]): Promise<{ plan: EpochPlan; needAllValidators: boolean }> {
        this.snapshots.clear()
        this.storedBlocks = []
        this.storedStats = []
        if (heights.length === 0) return { plan: { epochs: [], boundaries: [], closing: [] }, needAllValidators: false }
        const plan = planEpochs(heights, this.epochBlocks)
        const ids = [...new Set([...plan.epochs, ...plan.closing])].map(epochKey)
        for (const row of await loadByIds(store, EpochSnapshot, ids)) this.snapshots.set(row.epoch, parseSnapshot(row))
        const first = heights[0]
        const needAllValidators = plan.boundaries.length > 0 || !this.snapshots.has(epochOf(first, this.epochBlocks))
        // (an epoch can only be finished if its snapshot exists, but the history to load is the same either way)
        if (plan.closing.length) {
            const minClose = Math.min(...plan.closing)
            const from = epochStart(minClose, this.epochBlocks)
            if (from < first) {
                this.storedBlocks = await store.find(BlockEntity, {
                    where: { height: Between(from, first - 1) },
                    relations: { proposer: true, scheduledProposer: true },
                })
            }
            const lo = minClose - this.window + 1
            if (minClose - 1 >= lo) {
                this.storedStats = await store.find(ValidatorEpochStat, {
                    where: { epoch: Between(Math.max(0, lo), minClose - 1) },
                    relations: { validator: true },
                })
            }
        }
        return { plan, needAllValidators }
    }

    snapshot(epoch: number): ParsedSnapshot | undefined {
        return this.snapshots.get(epoch)
    }

    /** Scheduled proposer of `height` (undefined when the epoch's snapshot has no stake). */
    scheduled(height: number): string | undefined {
        const snap = this.snapshots.get(epochOf(height, this.epochBlocks))
        return snap ? scheduledProposer(height, snap.schedule) : undefined
    }
}
