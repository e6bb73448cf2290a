/** OpenZeppelin events every protocol contract emits: roles, pause, UUPS upgrades, initializer. */
import { ContractUpgrade, PauseChange, RoleAssignment, RoleChange } from '../model'
import { CommonEventName, DecodedEvent } from './decode'
import { ensureContractState } from './entities'
import { MappingState } from './state'
import { roleAssignmentId, roleName } from './util'

export const COMMON_EVENT_NAMES: readonly CommonEventName[] = ['RoleGranted', 'RoleRevoked', 'RoleAdminChanged', 'Paused', 'Unpaused', 'Upgraded', 'Initialized']
export type CommonEvent = Extract<DecodedEvent, { name: CommonEventName }>

export function isCommonEvent(ev: DecodedEvent): ev is CommonEvent {
    return (COMMON_EVENT_NAMES as readonly string[]).includes(ev.name)
}

export function prefetchCommon(ev: CommonEvent, state: MappingState): void {
    switch (ev.name) {
        case 'RoleGranted':
        case 'RoleRevoked':
            state.roleAssignments.want(roleAssignmentId(ev.meta.address, ev.args.role, ev.args.account))
            break
    }
}

export function handleCommon(ev: CommonEvent, state: MappingState): void {
    const { meta } = ev
    const at = new Date(meta.timestamp)
    switch (ev.name) {
        case 'RoleGranted':
        case 'RoleRevoked': {
            const granted = ev.name === 'RoleGranted'
            const role = ev.args.role.toLowerCase()
            const account = ev.args.account.toLowerCase()
            const sender = ev.args.sender.toLowerCase()
            const name = roleName(role)
            state.roleChanges.push(
                new RoleChange({
                    id: meta.id,
                    contract: meta.contract,
                    contractAddress: meta.address,
                    role,
                    roleName: name,
                    account,
                    sender,
                    granted,
                    blockNumber: meta.blockNumber,
                    txHash: meta.txHash,
                    timestamp: at,
                }),
            )
            const id = roleAssignmentId(meta.address, role, account)
            const a =
                state.roleAssignments.get(id) ??
                state.roleAssignments.add(
                    new RoleAssignment({
                        id,
                        contract: meta.contract,
                        contractAddress: meta.address,
                        role,
                        roleName: name,
                        account,
                        active: false,
                        updatedAtBlock: meta.blockNumber,
                    }),
                )
            a.active = granted
            if (granted) {
                a.grantedAt = at
                a.grantedBy = sender
            } else {
                a.revokedAt = at
                a.revokedBy = sender
            }
            a.updatedAtBlock = meta.blockNumber
            state.roleAssignments.touch(a)
            break
        }
        case 'Paused':
        case 'Unpaused': {
            const paused = ev.name === 'Paused'
            const c = ensureContractState(state, meta)
            c.paused = paused
            if (paused) c.lastPausedAt = at
            else c.lastUnpausedAt = at
            c.updatedAtBlock = meta.blockNumber
            state.contractStates.touch(c)
            state.pauseChanges.push(
                new PauseChange({
                    id: meta.id,
                    contract: meta.contract,
                    contractAddress: meta.address,
                    paused,
                    account: ev.args.account.toLowerCase(),
                    blockNumber: meta.blockNumber,
                    txHash: meta.txHash,
                    timestamp: at,
                }),
            )
            break
        }
        case 'Upgraded': {
            const implementation = ev.args.implementation.toLowerCase()
            const c = ensureContractState(state, meta)
            c.implementation = implementation
            c.upgradeCount += 1
            c.lastUpgradedAt = at
            c.updatedAtBlock = meta.blockNumber
            state.contractStates.touch(c)
            state.upgrades.push(
                new ContractUpgrade({
                    id: meta.id,
                    contract: meta.contract,
                    contractAddress: meta.address,
                    implementation,
                    blockNumber: meta.blockNumber,
                    txHash: meta.txHash,
                    timestamp: at,
                }),
            )
            break
        }
        case 'RoleAdminChanged':
        case 'Initialized':
            // kept as ProtocolEvent only
            break
    }
}
