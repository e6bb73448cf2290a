/** Daily / hourly rollups, keyed by block time (UTC), updated in the same pass as the entities. */
import { ParticipantDayStat, Token, TokenDayStat, TokenHourStat } from '../model'
import { EventMeta } from './decode'
import { MappingState } from './state'
import { dayKey, dayStart, hourStart, participantDayId, tokenDayId, tokenHourId } from './util'

/** Counters shared by TokenDayStat and TokenHourStat. */
export interface TokenStatCounters {
    depositCount: number
    depositAmount: bigint
    withdrawalCount: number
    withdrawalAmount: bigint
    batchCount: number
    committedAmount: bigint
    recordCount: number
    finalizedBatchCount: number
    finalizedAmount: bigint
    rejectedBatchCount: number
    rejectedAmount: bigint
    disputeCount: number
    claimCount: number
    claimedAmount: bigint
    feesAmount: bigint
    netClaimedAmount: bigint
}

export function zeroTokenCounters(): TokenStatCounters {
    return {
        depositCount: 0,
        depositAmount: 0n,
        withdrawalCount: 0,
        withdrawalAmount: 0n,
        batchCount: 0,
        committedAmount: 0n,
        recordCount: 0,
        finalizedBatchCount: 0,
        finalizedAmount: 0n,
        rejectedBatchCount: 0,
        rejectedAmount: 0n,
        disputeCount: 0,
        claimCount: 0,
        claimedAmount: 0n,
        feesAmount: 0n,
        netClaimedAmount: 0n,
    }
}

export type ParticipantStatCounters = Pick<
    ParticipantDayStat,
    | 'depositAmount'
    | 'withdrawalAmount'
    | 'batchCount'
    | 'committedAmount'
    | 'recordCount'
    | 'paidAmount'
    | 'receivedAmount'
    | 'feesAmount'
    | 'netReceivedAmount'
    | 'claimCount'
    | 'disputeCount'
>

export function zeroParticipantCounters(): ParticipantStatCounters {
    return {
        depositAmount: 0n,
        withdrawalAmount: 0n,
        batchCount: 0,
        committedAmount: 0n,
        recordCount: 0,
        paidAmount: 0n,
        receivedAmount: 0n,
        feesAmount: 0n,
        netReceivedAmount: 0n,
        claimCount: 0,
        disputeCount: 0,
    }
}

/**
 * Add `adds` to the token's day and hour rows of the event's block time, and snapshot the token's
 * escrow totals (as they are after the event) into them.
 */
export function bumpToken(state: MappingState, token: Token, meta: EventMeta, adds: Partial<TokenStatCounters>): void {
    const ts = meta.timestamp
    const dayId = tokenDayId(token.id, ts)
    const hourId = tokenHourId(token.id, ts)
    const initDay = () =>
        new TokenDayStat({
            id: dayId,
            token: new Token({ id: token.id }),
            date: dayKey(ts),
            day: dayStart(ts),
            ...zeroTokenCounters(),
            escrowHeldEnd: token.escrowHeld,
            escrowLockedEnd: token.escrowLocked,
        })
    const initHour = () =>
        new TokenHourStat({
            id: hourId,
            token: new Token({ id: token.id }),
            hour: hourStart(ts),
            ...zeroTokenCounters(),
            escrowHeldEnd: token.escrowHeld,
            escrowLockedEnd: token.escrowLocked,
        })
    for (const [field, amount] of Object.entries(adds) as [keyof TokenStatCounters, number | bigint][]) {
        state.tokenDays.add(dayId, initDay, field, amount)
        state.tokenHours.add(hourId, initHour, field, amount)
    }
    const snapshot = { escrowHeldEnd: token.escrowHeld, escrowLockedEnd: token.escrowLocked }
    state.tokenDays.setSnapshot(dayId, initDay, snapshot)
    state.tokenHours.setSnapshot(hourId, initHour, snapshot)
}

/** Add `adds` to the (account, token, day) row of the event's block time. */
export function bumpParticipant(
    state: MappingState,
    account: string,
    tokenId: string,
    meta: EventMeta,
    adds: Partial<ParticipantStatCounters>,
): void {
    const ts = meta.timestamp
    const id = participantDayId(account, tokenId, ts)
    const init = () =>
        new ParticipantDayStat({
            id,
            account: account.toLowerCase(),
            token: new Token({ id: tokenId }),
            date: dayKey(ts),
            day: dayStart(ts),
            ...zeroParticipantCounters(),
        })
    for (const [field, amount] of Object.entries(adds) as [keyof ParticipantStatCounters, number | bigint][]) {
        state.participantDays.add(id, init, field, amount)
    }
    state.participantDays.row(id, init)
}
