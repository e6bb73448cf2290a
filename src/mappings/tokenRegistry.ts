import { OwnEventOf } from './decode'
import { ensureToken } from './entities'
import { MappingState } from './state'

type Ev = OwnEventOf<'TokenRegistry'>

export function prefetch(ev: Ev, state: MappingState): void {
    state.tokens.want(ev.args.token.toLowerCase())
}

export function handle(ev: Ev, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    const t = ensureToken(state, ev.args.token, meta)
    switch (ev.name) {
        case 'TokenAllowed':
            t.symbol = ev.args.symbol
            t.decimals = ev.args.decimals
            t.minDeposit = ev.args.minDeposit
            t.maxDeposit = ev.args.maxDeposit
            t.allowed = true
            t.allowedAt = at
            t.allowedAtBlock = meta.blockNumber
            t.disallowedAt = null
            break
        case 'TokenLimitsUpdated':
            t.minDeposit = ev.args.minDeposit
            t.maxDeposit = ev.args.maxDeposit
            break
        case 'TokenDisallowed':
            t.allowed = false
            t.disallowedAt = at
            break
    }
    t.updatedAt = at
    t.updatedAtBlock = meta.blockNumber
    state.tokens.touch(t)
}
