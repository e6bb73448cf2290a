/**
 * Subscribers must hear when the change feed is gone instead of going silent. A short LISTEN outage loses nothing
 * (on reconnect the feed refetches what was committed meanwhile by block range, ChangeFeed.catchUp), so only an
 * outage longer than `lossMs` (default 20 s: a Postgres restart plus the listener's longest backoff, 10 s) counts as lost: then every open subscription ends with one UNAVAILABLE error
 * (`extensions.reason: FEED_LOST`) followed by `complete`, and new subscriptions are refused with UNAVAILABLE until
 * LISTEN is back. Checked every 250 ms.
 */
import type { Hub } from './hub'
import type { NotifyListener } from './listener'
import { FeedLost } from './queue'

export interface FeedWatchdogOptions {
    /** default 20,000 ms */
    lossMs?: number
    log?: (msg: string, fields?: Record<string, unknown>) => void
    /** ends the subscriptions not in the hub (live queries); returns how many */
    onLost?: (marker: FeedLost) => number
}

export class FeedWatchdog {
    private timer: NodeJS.Timeout
    private isLost = false

    constructor(
        private listener: Pick<NotifyListener, 'connected' | 'downSince'>,
        private hub: Hub,
        private options: FeedWatchdogOptions = {},
    ) {
        this.timer = setInterval(() => this.check(), 250)
        this.timer.unref()
    }

    get lost(): boolean {
        // back as soon as LISTEN is, not at the next check
        return this.isLost && !this.listener.connected
    }

    check(now = Date.now()): void {
        const { connected, downSince } = this.listener
        if (connected || downSince === undefined) {
            if (this.isLost) this.options.log?.('change feed restored: subscriptions accepted again')
            this.isLost = false
            return
        }
        const downFor = now - downSince
        if (this.isLost || downFor < (this.options.lossMs ?? 20_000)) return
        this.isLost = true
        const marker = new FeedLost(downFor)
        const ended = this.hub.failAll(marker) + (this.options.onLost?.(marker) ?? 0)
        this.options.log?.('change feed lost: LISTEN down; subscriptions ended with UNAVAILABLE', { downForMs: downFor, ended })
    }

    close(): void {
        clearInterval(this.timer)
    }
}
