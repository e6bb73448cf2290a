/**
 * VIEW_CHECKS entries of the governance entities: role assignments against AccessControl.hasRole on the contract
 * that holds them, and the protocol parameters against the getters of the contracts they configure. A parameter the
 * index has not seen an event for yet (null) is not compared.
 */
import { mapLimit } from './types'
import { ViewCheck } from './view-check'

export const GOVERNANCE_CHECKS: readonly ViewCheck[] = [
    {
        entity: 'RoleAssignment',
        table: 'role_assignment',
        columns: ['id', 'contract_address', 'role', 'account', 'active'],
        async check(rows, v, ck) {
            await mapLimit(rows, ck.limit, async (ra) => {
                const contract = v.byAddress.get(ra.contract_address)
                if (!contract) return
                const r = await ck.call(() => contract.hasRole(ra.role, ra.account, { blockTag: ck.blockTag }))
                ck.eq('RoleAssignment', ra.id, 'active', ra.active, r)
            })
        },
    },
    {
        entity: 'ProtocolParams',
        table: 'protocol_params',
        columns: [
            'id',
            'dispute_window',
            'fee_bps',
            'treasury',
            'timelock_min_delay',
            'staking_token',
            'validator_treasury',
            'unbonding_period',
            'commission_change_delay',
            'max_commission_bps',
        ],
        async check(rows, v, ck) {
            const blockTag = ck.blockTag
            const p = rows.find((r) => r.id === 'protocol')
            if (!p) return
            const vr = v.validatorRegistry
            // [column, getter, chain value → comparable]
            const getters: [string, string, (() => Promise<any>) | undefined, (x: any) => unknown][] = [
                ['dispute_window', 'disputeWindow', () => v.ledger.disputeWindow({ blockTag }), String],
                ['fee_bps', 'feeBps', () => v.distributor.feeBps({ blockTag }), Number],
                ['treasury', 'treasury', () => v.distributor.treasury({ blockTag }), lower],
                ['timelock_min_delay', 'timelockMinDelay', () => v.timelock.getMinDelay({ blockTag }), String],
                ['staking_token', 'stakingToken', vr && (() => vr.stakingToken({ blockTag })), lower],
                ['validator_treasury', 'validatorTreasury', vr && (() => vr.treasury({ blockTag })), lower],
                ['unbonding_period', 'unbondingPeriod', vr && (() => vr.unbondingPeriod({ blockTag })), String],
                ['commission_change_delay', 'commissionChangeDelay', vr && (() => vr.commissionChangeDelay({ blockTag })), String],
                ['max_commission_bps', 'maxCommissionBps', vr && (() => vr.maxCommissionBps({ blockTag })), Number],
            ]
            await Promise.all(
                getters.map(async ([column, field, get, conv]) => {
                    if (p[column] == null || !get) return
                    ck.eq('ProtocolParams', 'protocol', field, p[column], conv(await ck.call(get)))
                }),
            )
        },
    },
]

const lower = (x: unknown): string => String(x).toLowerCase()
