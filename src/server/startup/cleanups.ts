/** What startServer undoes on close (or when a later step fails): run last-first, a failing step logged and skipped. */
import type { LogFn } from '../http-deps'

export class Cleanups {
    private readonly steps: (() => Promise<void> | void)[] = []

    constructor(private readonly log: LogFn) {}

    push(fn: () => Promise<void> | void) {
        this.steps.push(fn)
    }

    async run() {
        for (const fn of this.steps.splice(0).reverse()) {
            try {
                await fn()
            } catch (e: any) {
                this.log('warn', 'shutdown step failed', { message: e?.message })
            }
        }
    }
}
