/** Distributor: payouts of finalised batches and the claims against them. */
import { Batch, Claim, ParameterChange, Payout, Token } from '../model'
import { EventMeta, OwnEventOf } from './decode'
import { ensureBatch, ensureParams, ensureToken } from './entities'
import { bumpParticipant, bumpToken } from './rollups'
import { MappingState } from './state'
import { claimId } from './util'

type Ev = OwnEventOf<'Distributor'>

export function prefetch(ev: Ev, state: MappingState): void {
    switch (ev.name) {
        case 'PayoutOpened':
        case 'Claimed': {
            const id = ev.args.batchId.toLowerCase()
            state.batches.want(id)
            state.payouts.want(id)
            state.tokens.want(ev.args.token.toLowerCase())
            break
        }
        case 'FeeUpdated':
        case 'TreasuryUpdated':
            break
    }
}

function paramChange(state: MappingState, meta: EventMeta, parameter: string, oldValue: string, newValue: string): void {
    state.parameterChanges.push(
        new ParameterChange({
            id: meta.id,
            contract: meta.contract,
            contractAddress: meta.address,
            parameter,
            oldValue,
            newValue,
            blockNumber: meta.blockNumber,
            txHash: meta.txHash,
            timestamp: new Date(meta.timestamp),
        }),
    )
}

export function handle(ev: Ev, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    switch (ev.name) {
        case 'PayoutOpened': {
            const id = ev.args.batchId.toLowerCase()
            const token = ensureToken(state, ev.args.token, meta)
            ensureBatch(state, id, meta, { token: token.id })
            const p = state.payouts.get(id) ?? state.payouts.add(new Payout({ id, batch: new Batch({ id }) }))
            p.token = new Token({ id: token.id })
            p.root = ev.args.root.toLowerCase()
            p.totalAmount = ev.args.totalAmount
            p.claimedAmount = 0n
            p.feesPaid = 0n
            p.remaining = ev.args.totalAmount
            p.claimCount = 0
            p.fullyClaimed = ev.args.totalAmount === 0n
            p.openedAt = at
            p.openedAtBlock = meta.blockNumber
            p.openedTx = meta.txHash
            p.lastClaimAt = null
            p.updatedAtBlock = meta.blockNumber
            state.payouts.touch(p)
            break
        }
        case 'Claimed': {
            const id = ev.args.batchId.toLowerCase()
            const payee = ev.args.payee.toLowerCase()
            const claimer = ev.args.claimer.toLowerCase()
            const token = ensureToken(state, ev.args.token, meta)
            const b = ensureBatch(state, id, meta, { token: token.id })
            let p = state.payouts.get(id)
            if (!p) {
                state.warnings.push(`claim on batch ${id} at ${meta.id} but its payout was never opened in the indexed range; created a stub`)
                p = state.payouts.add(
                    new Payout({
                        id,
                        batch: new Batch({ id }),
                        token: new Token({ id: token.id }),
                        root: '0x',
                        totalAmount: 0n,
                        claimedAmount: 0n,
                        feesPaid: 0n,
                        remaining: 0n,
                        claimCount: 0,
                        fullyClaimed: false,
                        openedAt: at,
                        openedAtBlock: meta.blockNumber,
                        openedTx: meta.txHash,
                        updatedAtBlock: meta.blockNumber,
                    }),
                )
            }
            const { amount, fee, net, claimedTotalAfter } = ev.args
            p.claimedAmount = claimedTotalAfter
            p.feesPaid += fee
            p.remaining = p.totalAmount > claimedTotalAfter ? p.totalAmount - claimedTotalAfter : 0n
            p.claimCount += 1
            p.fullyClaimed = p.remaining === 0n
            p.lastClaimAt = at
            p.updatedAtBlock = meta.blockNumber
            state.payouts.touch(p)

            b.claimedAmount = claimedTotalAfter
            b.claimCount += 1
            b.updatedAtBlock = meta.blockNumber
            state.batches.touch(b)

            token.totalClaimed += amount
            token.totalFees += fee
            token.claimCount += 1
            token.updatedAt = at
            token.updatedAtBlock = meta.blockNumber
            state.tokens.touch(token)

            state.claims.push(
                new Claim({
                    id: claimId(id, payee),
                    batch: new Batch({ id }),
                    payout: new Payout({ id }),
                    token: new Token({ id: token.id }),
                    payee,
                    amount,
                    fee,
                    net,
                    claimer,
                    relayed: claimer !== payee,
                    claimedTotalAfter,
                    blockNumber: meta.blockNumber,
                    logIndex: meta.logIndex,
                    txHash: meta.txHash,
                    timestamp: at,
                }),
            )
            bumpToken(state, token, meta, { claimCount: 1, claimedAmount: amount, feesAmount: fee, netClaimedAmount: net })
            bumpParticipant(state, payee, token.id, meta, { claimCount: 1, receivedAmount: amount, feesAmount: fee, netReceivedAmount: net })
            break
        }
        case 'FeeUpdated': {
            const params = ensureParams(state, meta)
            params.feeBps = ev.args.newFeeBps
            params.updatedAtBlock = meta.blockNumber
            state.params.touch(params)
            paramChange(state, meta, 'feeBps', ev.args.oldFeeBps.toString(), ev.args.newFeeBps.toString())
            break
        }
        case 'TreasuryUpdated': {
            const params = ensureParams(state, meta)
            params.treasury = ev.args.newTreasury.toLowerCase()
            params.updatedAtBlock = meta.blockNumber
            state.params.touch(params)
            paramChange(state, meta, 'treasury', ev.args.oldTreasury.toLowerCase(), ev.args.newTreasury.toLowerCase())
            break
        }
    }
}
