/**
 * The processor's change notice (NOTIFY squid_batch, see src/mappings/notify.ts):
 *   { height, hash, head, reorg?, changed: { batches?, claims?, escrowAccounts?, payouts?, disputes?, mev?, scores?, ... }, truncated? }
 * (`mev`: MevEvent ids of arbitrages, sandwiches and coinbase transfers; `scores`: epochs just scored, as
 * decimal strings.)
 * Lists are present only when non-empty. Parsing is tolerant: unknown fields are ignored, key spelling
 * variants are accepted (batch/batches/Batch, escrow_accounts...), and when the id lists cannot be
 * trusted (`truncated`, no `changed` at all, or a list that is not an array of strings) the topic is
 * marked for a refetch by block range instead.
 */
export type ChangeTopic = 'batches' | 'claims' | 'escrowAccounts' | 'mev' | 'scores'

export interface Notice {
    height?: number
    hash?: string
    head?: boolean
    reorg?: boolean
    /** ids per topic; a topic missing here had no change */
    ids: Record<ChangeTopic, Set<string>>
    /** topics to refetch by block range (from the last seen height + 1 to `height`) */
    byRange: Set<ChangeTopic>
    /** lowest height this notice may cover (when the payload says so), for range refetches */
    fromHeight?: number
    /** entity names (GraphQL types) the batch wrote; undefined: not said, so any table may have changed */
    tables?: Set<string>
}

const TOPIC_OF: Record<string, ChangeTopic> = {
    batch: 'batches',
    batches: 'batches',
    // payout / dispute ids are batch ids; their changes are batch changes for subscribers
    payout: 'batches',
    payouts: 'batches',
    dispute: 'batches',
    disputes: 'batches',
    claim: 'claims',
    claims: 'claims',
    payoutclaims: 'claims',
    escrowaccount: 'escrowAccounts',
    escrowaccounts: 'escrowAccounts',
    accounts: 'escrowAccounts',
    mev: 'mev',
    mevevents: 'mev',
    scores: 'scores',
    validatorscores: 'scores',
}

export const ALL_CHANGE_TOPICS: ChangeTopic[] = ['batches', 'claims', 'escrowAccounts', 'mev', 'scores']

export function emptyNotice(): Notice {
    return { ids: { batches: new Set(), claims: new Set(), escrowAccounts: new Set(), mev: new Set(), scores: new Set() }, byRange: new Set() }
}

function int(v: unknown): number | undefined {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v)
    return undefined
}

/** Parse one NOTIFY payload; never throws (garbage → "something changed, refetch by range"). */
export function parseNotice(payload: string | undefined): Notice {
    const n = emptyNotice()
    let p: any
    try {
        p = payload ? JSON.parse(payload) : undefined
    } catch {
        p = undefined
    }
    if (!p || typeof p !== 'object') {
        for (const t of ALL_CHANGE_TOPICS) n.byRange.add(t)
        return n
    }
    n.height = int(p.height ?? p.block ?? p.blockNumber)
    if (typeof p.hash === 'string') n.hash = p.hash
    if (typeof p.head === 'boolean') n.head = p.head
    if (p.reorg === true) n.reorg = true
    n.fromHeight = int(p.fromHeight ?? p.from ?? p.firstHeight)
    if (Array.isArray(p.tables) && p.tables.every((x: unknown) => typeof x === 'string')) n.tables = new Set(p.tables as string[])
    const changed = p.changed
    if (!changed || typeof changed !== 'object') {
        for (const t of ALL_CHANGE_TOPICS) n.byRange.add(t)
        return n
    }
    for (const [rawKey, list] of Object.entries(changed)) {
        const topic = TOPIC_OF[rawKey.toLowerCase().replace(/[^a-z]/g, '')]
        if (!topic) continue
        if (Array.isArray(list) && list.every((x) => typeof x === 'string')) {
            for (const id of list as string[]) n.ids[topic].add(id.toLowerCase())
        } else if (list != null && list !== false) {
            n.byRange.add(topic)
        }
    }
    if (p.truncated === true) for (const t of ALL_CHANGE_TOPICS) n.byRange.add(t)
    return n
}

/** Fold `b` into `a` (notices that queued up while the previous one was being fanned out). */
export function mergeNotices(a: Notice, b: Notice): Notice {
    for (const t of ALL_CHANGE_TOPICS) {
        for (const id of b.ids[t]) a.ids[t].add(id)
        if (b.byRange.has(t)) a.byRange.add(t)
    }
    if (b.height !== undefined && (a.height === undefined || b.height >= a.height)) {
        a.height = b.height
        a.hash = b.hash
        a.head = b.head
    }
    if (b.reorg) a.reorg = true
    // unknown on either side: unknown (any table may have changed)
    if (a.tables && b.tables) for (const t of b.tables) a.tables.add(t)
    else a.tables = undefined
    if (b.fromHeight !== undefined) a.fromHeight = a.fromHeight === undefined ? b.fromHeight : Math.min(a.fromHeight, b.fromHeight)
    return a
}
