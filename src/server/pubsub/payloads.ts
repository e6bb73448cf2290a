/**
 * What the hand-made subscriptions publish (feed.ts): one row as indexed after the change. `reorg`: pushed
 * because of a reorg (the row as it is on the new branch, or, with `removed`, the last one pushed: it existed only
 * on the abandoned branch).
 */

/** marks of every published row (recent-rows.ts explains the corrections after a reorg) */
export interface ChangeMarks {
    reorg: boolean
    removed: boolean
}

export interface BatchUpdatePayload extends ChangeMarks {
    id: string
    status: string
    payer: string
    token: string
    root: string
    totalAmount: string
    recordCount: number
    dataURI: string
    operator: string
    disputed: boolean
    committedAt: Date
    committedAtBlock: number
    disputeDeadline: Date
    finalizedAt: Date | null
    finalizedAtBlock: number | null
    rejectedAt: Date | null
    rejectedAtBlock: number | null
    claimedAmount: string
    claimCount: number
    updatedAtBlock: number
}

export interface PayoutClaimedPayload extends ChangeMarks {
    id: string
    batchId: string
    payee: string
    token: string
    amount: string
    fee: string
    net: string
    claimer: string
    relayed: boolean
    blockNumber: number
    txHash: string
    timestamp: Date
}

export interface EscrowBalancePayload extends ChangeMarks {
    id: string
    payer: string
    token: string
    available: string
    locked: string
    totalDeposited: string
    totalWithdrawn: string
    updatedAt: Date
    updatedAtBlock: number
}

export interface IndexerHeadPayload {
    height: number
    hash: string
    head: boolean | null
    reorg: boolean
}

