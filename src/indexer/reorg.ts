/**
 * Reorg handling. The rollback itself is squid's: with hot blocks on (TypeormDatabase supportHotBlocks), every
 * write of an unfinalized block is first recorded by typeorm-store's change tracker (write/bulk.ts calls it
 * exactly as the Store does), and on a reorg squid undoes those rows before handing over the new branch. What
 * the engine adds is telling listeners: the notice (write/notify.ts) of the first batch on a new branch carries
 * `reorg: true`, since rows they saw may be gone.
 */

interface HeadRef {
    height: number
    hash: string
}

/** The last block handed to the handler, to recognise a batch that does not extend it. */
export class HeadTracker {
    private last?: HeadRef

    /** `first` (the batch's first block) does not extend the previously processed block. */
    isReorg(first: HeadRef & { parentHash: string }): boolean {
        const last = this.last
        return last != null && (first.height <= last.height || (first.height === last.height + 1 && first.parentHash !== last.hash))
    }

    /** The batch ending at `last` was processed. */
    advance(last: HeadRef): void {
        this.last = { height: last.height, hash: last.hash }
    }
}
