/**
 * What the change feed pushed lately, per topic: the rows a client may be showing. A reorg undoes the processor's
 * writes of the abandoned blocks, and the new branch's notice names only what the new blocks wrote: a batch
 * committed only on the abandoned branch is simply gone, an escrow balance is back to an older value, and no id
 * list says so. So after a reorg from block F the feed reads again every row it pushed with a block ≥ F (and not
 * already in the notice) and pushes the corrected row, or the last pushed one marked `removed` when it is gone.
 *
 * Bounded: the latest `capacity` rows per topic (a row pushed again moves to the end). Rows pushed before that, or
 * before this process started, are not corrected; reorgs are shallow (the processor's hot range), so the cap only
 * matters when thousands of rows change within it.
 */

export interface Pushed<Row = any, Payload = any> {
    /** the row as read from the database (compared with the row read after a reorg) */
    row: Row
    /** what subscribers got */
    payload: Payload
    /** the block of its last change */
    block: number
}

export class RecentRows<Topic extends string> {
    private byTopic = new Map<Topic, Map<string, Pushed>>()

    constructor(private readonly capacity = 5_000) {}

    remember(topic: Topic, id: string, pushed: Pushed): void {
        let rows = this.byTopic.get(topic)
        if (!rows) this.byTopic.set(topic, (rows = new Map()))
        rows.delete(id)
        rows.set(id, pushed)
        if (rows.size > this.capacity) rows.delete(rows.keys().next().value as string)
    }

    forget(topic: Topic, id: string): void {
        this.byTopic.get(topic)?.delete(id)
    }

    /** Rows of `topic` pushed with a change at block ≥ `from` (the ones a reorg from `from` may have undone). */
    since(topic: Topic, from: number): Map<string, Pushed> {
        const out = new Map<string, Pushed>()
        for (const [id, p] of this.byTopic.get(topic) ?? []) if (p.block >= from) out.set(id, p)
        return out
    }

    size(topic: Topic): number {
        return this.byTopic.get(topic)?.size ?? 0
    }
}
