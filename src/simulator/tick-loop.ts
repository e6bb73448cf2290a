/**
 * The simulators' rhythm: a round every few seconds, one at a time (a round still running when the next is due
 * skips it, so nothing queues up), and a stop that waits for the round in flight.
 */
export class TickLoop {
    private timer?: NodeJS.Timeout
    private ticking = false
    private stopped = false

    start(everyMs: number, round: () => Promise<void>): void {
        this.timer = setInterval(() => void this.run(round), everyMs)
    }

    /** Runs `round` now unless one is running or the loop was stopped. */
    async run(round: () => Promise<void>): Promise<void> {
        if (this.ticking || this.stopped) return
        this.ticking = true
        try {
            await round()
        } finally {
            this.ticking = false
        }
    }

    async stop(): Promise<void> {
        this.stopped = true
        if (this.timer) clearInterval(this.timer)
        while (this.ticking) await new Promise((r) => setTimeout(r, 50))
    }
}

/** Waits for `work`, but at most `ms` (a round must not hang on slow receipts); the bound's timer is cleared either way. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
    let bound: NodeJS.Timeout | undefined
    await Promise.race([work, new Promise((res) => (bound = setTimeout(res, ms)))])
    clearTimeout(bound)
}
