/** BatchLedger: batch lifecycle Committed → (Disputed → Committed | Rejected) → Finalized. */
import { Batch, BatchStatus, Dispute, DisputeOutcome, ParameterChange, Token } from '../model'
import { OwnEventOf } from './decode'
import { batchTokenId, ensureBatch, ensureParams, ensureToken } from './entities'
import { bumpParticipant, bumpToken } from './rollups'
import { MappingState } from './state'
import { BATCH_STATUS_NAMES, secondsToDate } from './util'

type Ev = OwnEventOf<'BatchLedger'>

export function batchStatus(n: number): BatchStatus {
    const name = BATCH_STATUS_NAMES[n]
    if (!name || name === 'NONE') throw new Error(`unexpected BatchStatus ${n}`)
    return BatchStatus[name]
}

export function prefetch(ev: Ev, state: MappingState): void {
    if (ev.name === 'DisputeWindowUpdated') return
    const id = ev.args.batchId.toLowerCase()
    state.batches.want(id)
    if (ev.name === 'BatchDisputed' || ev.name === 'DisputeResolved') state.disputes.want(id)
    if ('token' in ev.args) state.tokens.want(ev.args.token.toLowerCase())
}

export function handle(ev: Ev, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    switch (ev.name) {
        case 'BatchCommitted': {
            const id = ev.args.batchId.toLowerCase()
            const token = ensureToken(state, ev.args.token, meta)
            const payer = ev.args.payer.toLowerCase()
            const b =
                state.batches.get(id) ??
                state.batches.add(new Batch({ id, claimedAmount: 0n, claimCount: 0, disputed: false }))
            b.status = BatchStatus.COMMITTED
            b.payer = payer
            b.token = new Token({ id: token.id })
            b.root = ev.args.root.toLowerCase()
            b.totalAmount = ev.args.totalAmount
            b.recordCount = ev.args.recordCount
            b.dataURI = ev.args.dataURI
            b.operator = ev.args.operator.toLowerCase()
            b.committedAt = at
            b.committedAtBlock = meta.blockNumber
            b.committedTx = meta.txHash
            b.disputeDeadline = secondsToDate(ev.args.disputeDeadline)
            b.updatedAtBlock = meta.blockNumber
            state.batches.touch(b)

            token.totalCommitted += ev.args.totalAmount
            token.batchCount += 1
            token.updatedAt = at
            token.updatedAtBlock = meta.blockNumber
            state.tokens.touch(token)
            bumpToken(state, token, meta, { batchCount: 1, committedAmount: ev.args.totalAmount, recordCount: ev.args.recordCount })
            bumpParticipant(state, payer, token.id, meta, {
                batchCount: 1,
                committedAmount: ev.args.totalAmount,
                recordCount: ev.args.recordCount,
            })
            break
        }
        case 'BatchDisputed': {
            const id = ev.args.batchId.toLowerCase()
            const b = ensureBatch(state, id, meta)
            const disputant = ev.args.disputant.toLowerCase()
            b.status = BatchStatus.DISPUTED
            b.disputed = true
            b.disputedAt = at
            b.disputedAtBlock = meta.blockNumber
            b.updatedAtBlock = meta.blockNumber
            state.batches.touch(b)
            const tokenId = batchTokenId(b)
            const d =
                state.disputes.get(id) ??
                state.disputes.add(new Dispute({ id, batch: new Batch({ id }), token: new Token({ id: tokenId }) }))
            d.payer = b.payer
            d.disputant = disputant
            d.byPayer = ev.args.byPayer
            d.reason = ev.args.reason
            d.outcome = DisputeOutcome.PENDING
            d.resolvedStatus = null
            d.resolver = null
            d.openedAt = at
            d.openedAtBlock = meta.blockNumber
            d.openedTx = meta.txHash
            d.resolvedAt = null
            d.resolvedAtBlock = null
            d.resolvedTx = null
            d.updatedAtBlock = meta.blockNumber
            state.disputes.touch(d)
            const token = ensureToken(state, tokenId, meta)
            bumpToken(state, token, meta, { disputeCount: 1 })
            bumpParticipant(state, disputant, tokenId, meta, { disputeCount: 1 })
            break
        }
        case 'DisputeResolved': {
            const id = ev.args.batchId.toLowerCase()
            const b = ensureBatch(state, id, meta)
            const newStatus = batchStatus(ev.args.newStatus)
            b.status = newStatus
            b.resolvedAt = at
            b.resolvedAtBlock = meta.blockNumber
            b.updatedAtBlock = meta.blockNumber
            const token = ensureToken(state, batchTokenId(b), meta)
            if (ev.args.upheld) {
                b.rejectedAt = at
                b.rejectedAtBlock = meta.blockNumber
                token.totalRejected += b.totalAmount
                token.updatedAt = at
                token.updatedAtBlock = meta.blockNumber
                state.tokens.touch(token)
                bumpToken(state, token, meta, { rejectedBatchCount: 1, rejectedAmount: b.totalAmount })
            }
            state.batches.touch(b)
            let d = state.disputes.get(id)
            if (!d) {
                state.warnings.push(`dispute of batch ${id} resolved at ${meta.id} but never opened in the indexed range; created a stub`)
                d = state.disputes.add(
                    new Dispute({
                        id,
                        batch: new Batch({ id }),
                        token: new Token({ id: token.id }),
                        payer: b.payer,
                        disputant: '',
                        byPayer: false,
                        reason: '',
                        openedAt: at,
                        openedAtBlock: meta.blockNumber,
                        openedTx: meta.txHash,
                        updatedAtBlock: meta.blockNumber,
                    }),
                )
            }
            d.outcome = ev.args.upheld ? DisputeOutcome.UPHELD : DisputeOutcome.DISMISSED
            d.resolvedStatus = newStatus
            d.resolver = ev.args.resolver.toLowerCase()
            d.resolvedAt = at
            d.resolvedAtBlock = meta.blockNumber
            d.resolvedTx = meta.txHash
            d.updatedAtBlock = meta.blockNumber
            state.disputes.touch(d)
            break
        }
        case 'BatchFinalized': {
            const id = ev.args.batchId.toLowerCase()
            const payer = ev.args.payer.toLowerCase()
            const b = ensureBatch(state, id, meta, { payer, token: ev.args.token })
            b.status = BatchStatus.FINALIZED
            b.finalizedAt = at
            b.finalizedAtBlock = meta.blockNumber
            b.finalizedTx = meta.txHash
            b.finalizer = ev.args.finalizer.toLowerCase()
            b.updatedAtBlock = meta.blockNumber
            state.batches.touch(b)
            const token = ensureToken(state, ev.args.token, meta)
            token.totalFinalized += ev.args.totalAmount
            token.updatedAt = at
            token.updatedAtBlock = meta.blockNumber
            state.tokens.touch(token)
            bumpToken(state, token, meta, { finalizedBatchCount: 1, finalizedAmount: ev.args.totalAmount })
            bumpParticipant(state, payer, token.id, meta, { paidAmount: ev.args.totalAmount })
            break
        }
        case 'DisputeWindowUpdated': {
            const p = ensureParams(state, meta)
            p.disputeWindow = ev.args.newWindow
            p.updatedAtBlock = meta.blockNumber
            state.params.touch(p)
            state.parameterChanges.push(
                new ParameterChange({
                    id: meta.id,
                    contract: meta.contract,
                    contractAddress: meta.address,
                    parameter: 'disputeWindow',
                    oldValue: ev.args.oldWindow.toString(),
                    newValue: ev.args.newWindow.toString(),
                    blockNumber: meta.blockNumber,
                    txHash: meta.txHash,
                    timestamp: at,
                }),
            )
            break
        }
    }
}
