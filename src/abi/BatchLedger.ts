import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    BatchCommitted: event("0x12b9b46d6fd363fc17cda6897e8d6c0ad691e20b5ae14ac9c6a955bc5a75f33a", "BatchCommitted(bytes32,address,address,bytes32,uint256,uint32,string,uint64,address)", {"batchId": indexed(p.bytes32), "payer": indexed(p.address), "token": indexed(p.address), "root": p.bytes32, "totalAmount": p.uint256, "recordCount": p.uint32, "dataURI": p.string, "disputeDeadline": p.uint64, "operator": p.address}),
    BatchDisputed: event("0x41ceb031e0dca60c661b845633f465a1b5d823c180adc4324298f6404e012606", "BatchDisputed(bytes32,address,bool,string)", {"batchId": indexed(p.bytes32), "disputant": indexed(p.address), "byPayer": p.bool, "reason": p.string}),
    BatchFinalized: event("0x6d276e3a1bc0604f0aaa7820e5041eb0ccb5d727f949ebdb0d4f191298a9bccf", "BatchFinalized(bytes32,address,address,uint256,bytes32,address)", {"batchId": indexed(p.bytes32), "payer": indexed(p.address), "token": indexed(p.address), "totalAmount": p.uint256, "root": p.bytes32, "finalizer": p.address}),
    DisputeResolved: event("0xec67405ce2753cfacc29c43528486feb1d3568b062553eb25407b01c8a6cab22", "DisputeResolved(bytes32,bool,uint8,address)", {"batchId": indexed(p.bytes32), "upheld": p.bool, "newStatus": p.uint8, "resolver": indexed(p.address)}),
    DisputeWindowUpdated: event("0xaf6575bbead23766c66f6fe4594e94a09e86be8671d26e7dc52579e46429fd5b", "DisputeWindowUpdated(uint64,uint64)", {"oldWindow": p.uint64, "newWindow": p.uint64}),
    Initialized: event("0xc7f505b2f371ae2175ee4913f4499e1f2633a7b5936321eed1cdaeb6115181d2", "Initialized(uint64)", {"version": p.uint64}),
    Paused: event("0x62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258", "Paused(address)", {"account": p.address}),
    RoleAdminChanged: event("0xbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff", "RoleAdminChanged(bytes32,bytes32,bytes32)", {"role": indexed(p.bytes32), "previousAdminRole": indexed(p.bytes32), "newAdminRole": indexed(p.bytes32)}),
    RoleGranted: event("0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d", "RoleGranted(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    RoleRevoked: event("0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b", "RoleRevoked(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    Unpaused: event("0x5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa", "Unpaused(address)", {"account": p.address}),
    Upgraded: event("0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b", "Upgraded(address)", {"implementation": indexed(p.address)}),
}

export const functions = {
    DEFAULT_ADMIN_ROLE: viewFun("0xa217fddf", "DEFAULT_ADMIN_ROLE()", {}, p.bytes32),
    MAX_DISPUTE_WINDOW: viewFun("0x80cbc6fa", "MAX_DISPUTE_WINDOW()", {}, p.uint64),
    MIN_DISPUTE_WINDOW: viewFun("0xcbeab516", "MIN_DISPUTE_WINDOW()", {}, p.uint64),
    UPGRADE_INTERFACE_VERSION: viewFun("0xad3cb1cc", "UPGRADE_INTERFACE_VERSION()", {}, p.string),
    commitBatch: fun("0xd946b0ea", "commitBatch(bytes32,address,address,bytes32,uint256,uint32,string)", {"batchId": p.bytes32, "payer": p.address, "token": p.address, "root": p.bytes32, "totalAmount": p.uint256, "recordCount": p.uint32, "dataURI": p.string}, ),
    dispute: fun("0xa9d77170", "dispute(bytes32,uint256,bytes32[],string)", {"batchId": p.bytes32, "leafAmount": p.uint256, "proof": p.array(p.bytes32), "reason": p.string}, ),
    disputeWindow: viewFun("0x117f5f92", "disputeWindow()", {}, p.uint64),
    distributor: viewFun("0xbfe10928", "distributor()", {}, p.address),
    escrow: viewFun("0xe2fdcc17", "escrow()", {}, p.address),
    finalize: fun("0x92584d80", "finalize(bytes32)", {"batchId": p.bytes32}, ),
    getBatch: viewFun("0xed42136f", "getBatch(bytes32)", {"batchId": p.bytes32}, p.struct({"payer": p.address, "token": p.address, "root": p.bytes32, "totalAmount": p.uint256, "recordCount": p.uint32, "status": p.uint8, "committedAt": p.uint64, "disputeDeadline": p.uint64, "disputed": p.bool, "dataURI": p.string})),
    getRoleAdmin: viewFun("0x248a9ca3", "getRoleAdmin(bytes32)", {"role": p.bytes32}, p.bytes32),
    grantRole: fun("0x2f2ff15d", "grantRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    hasRole: viewFun("0x91d14854", "hasRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, p.bool),
    initialize: fun("0x00feb1d8", "initialize(address,address,address,address,uint64)", {"governor": p.address, "escrow_": p.address, "distributor_": p.address, "participants_": p.address, "disputeWindow_": p.uint64}, ),
    participants: viewFun("0x6c4470fb", "participants()", {}, p.address),
    pause: fun("0x8456cb59", "pause()", {}, ),
    paused: viewFun("0x5c975abb", "paused()", {}, p.bool),
    proxiableUUID: viewFun("0x52d1902d", "proxiableUUID()", {}, p.bytes32),
    renounceRole: fun("0x36568abe", "renounceRole(bytes32,address)", {"role": p.bytes32, "callerConfirmation": p.address}, ),
    resolveDispute: fun("0x43a0e3e6", "resolveDispute(bytes32,bool)", {"batchId": p.bytes32, "uphold": p.bool}, ),
    revokeRole: fun("0xd547741f", "revokeRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    setDisputeWindow: fun("0x6a433510", "setDisputeWindow(uint64)", {"window": p.uint64}, ),
    statusOf: viewFun("0xc7df14e2", "statusOf(bytes32)", {"batchId": p.bytes32}, p.uint8),
    supportsInterface: viewFun("0x01ffc9a7", "supportsInterface(bytes4)", {"interfaceId": p.bytes4}, p.bool),
    unpause: fun("0x3f4ba83a", "unpause()", {}, ),
    upgradeToAndCall: fun("0x4f1ef286", "upgradeToAndCall(address,bytes)", {"newImplementation": p.address, "data": p.bytes}, ),
}

export class Contract extends ContractBase {

    DEFAULT_ADMIN_ROLE() {
        return this.eth_call(functions.DEFAULT_ADMIN_ROLE, {})
    }

    MAX_DISPUTE_WINDOW() {
        return this.eth_call(functions.MAX_DISPUTE_WINDOW, {})
    }

    MIN_DISPUTE_WINDOW() {
        return this.eth_call(functions.MIN_DISPUTE_WINDOW, {})
    }

    UPGRADE_INTERFACE_VERSION() {
        return this.eth_call(functions.UPGRADE_INTERFACE_VERSION, {})
    }

    disputeWindow() {
        return this.eth_call(functions.disputeWindow, {})
    }

    distributor() {
        return this.eth_call(functions.distributor, {})
    }

    escrow() {
        return this.eth_call(functions.escrow, {})
    }

    getBatch(batchId: GetBatchParams["batchId"]) {
        return this.eth_call(functions.getBatch, {batchId})
    }

    getRoleAdmin(role: GetRoleAdminParams["role"]) {
        return this.eth_call(functions.getRoleAdmin, {role})
    }

    hasRole(role: HasRoleParams["role"], account: HasRoleParams["account"]) {
        return this.eth_call(functions.hasRole, {role, account})
    }

    participants() {
        return this.eth_call(functions.participants, {})
    }

    paused() {
        return this.eth_call(functions.paused, {})
    }

    proxiableUUID() {
        return this.eth_call(functions.proxiableUUID, {})
    }

    statusOf(batchId: StatusOfParams["batchId"]) {
        return this.eth_call(functions.statusOf, {batchId})
    }

    supportsInterface(interfaceId: SupportsInterfaceParams["interfaceId"]) {
        return this.eth_call(functions.supportsInterface, {interfaceId})
    }
}

/// Event types
export type BatchCommittedEventArgs = EParams<typeof events.BatchCommitted>
export type BatchDisputedEventArgs = EParams<typeof events.BatchDisputed>
export type BatchFinalizedEventArgs = EParams<typeof events.BatchFinalized>
export type DisputeResolvedEventArgs = EParams<typeof events.DisputeResolved>
export type DisputeWindowUpdatedEventArgs = EParams<typeof events.DisputeWindowUpdated>
export type InitializedEventArgs = EParams<typeof events.Initialized>
export type PausedEventArgs = EParams<typeof events.Paused>
export type RoleAdminChangedEventArgs = EParams<typeof events.RoleAdminChanged>
export type RoleGrantedEventArgs = EParams<typeof events.RoleGranted>
export type RoleRevokedEventArgs = EParams<typeof events.RoleRevoked>
export type UnpausedEventArgs = EParams<typeof events.Unpaused>
export type UpgradedEventArgs = EParams<typeof events.Upgraded>

/// Function types
export type DEFAULT_ADMIN_ROLEParams = FunctionArguments<typeof functions.DEFAULT_ADMIN_ROLE>
export type DEFAULT_ADMIN_ROLEReturn = FunctionReturn<typeof functions.DEFAULT_ADMIN_ROLE>

export type MAX_DISPUTE_WINDOWParams = FunctionArguments<typeof functions.MAX_DISPUTE_WINDOW>
export type MAX_DISPUTE_WINDOWReturn = FunctionReturn<typeof functions.MAX_DISPUTE_WINDOW>

export type MIN_DISPUTE_WINDOWParams = FunctionArguments<typeof functions.MIN_DISPUTE_WINDOW>
export type MIN_DISPUTE_WINDOWReturn = FunctionReturn<typeof functions.MIN_DISPUTE_WINDOW>

export type UPGRADE_INTERFACE_VERSIONParams = FunctionArguments<typeof functions.UPGRADE_INTERFACE_VERSION>
export type UPGRADE_INTERFACE_VERSIONReturn = FunctionReturn<typeof functions.UPGRADE_INTERFACE_VERSION>

export type CommitBatchParams = FunctionArguments<typeof functions.commitBatch>
export type CommitBatchReturn = FunctionReturn<typeof functions.commitBatch>

export type DisputeParams = FunctionArguments<typeof functions.dispute>
export type DisputeReturn = FunctionReturn<typeof functions.dispute>

export type DisputeWindowParams = FunctionArguments<typeof functions.disputeWindow>
export type DisputeWindowReturn = FunctionReturn<typeof functions.disputeWindow>

export type DistributorParams = FunctionArguments<typeof functions.distributor>
export type DistributorReturn = FunctionReturn<typeof functions.distributor>

export type EscrowParams = FunctionArguments<typeof functions.escrow>
export type EscrowReturn = FunctionReturn<typeof functions.escrow>

export type FinalizeParams = FunctionArguments<typeof functions.finalize>
export type FinalizeReturn = FunctionReturn<typeof functions.finalize>

export type GetBatchParams = FunctionArguments<typeof functions.getBatch>
export type GetBatchReturn = FunctionReturn<typeof functions.getBatch>

export type GetRoleAdminParams = FunctionArguments<typeof functions.getRoleAdmin>
export type GetRoleAdminReturn = FunctionReturn<typeof functions.getRoleAdmin>

export type GrantRoleParams = FunctionArguments<typeof functions.grantRole>
export type GrantRoleReturn = FunctionReturn<typeof functions.grantRole>

export type HasRoleParams = FunctionArguments<typeof functions.hasRole>
export type HasRoleReturn = FunctionReturn<typeof functions.hasRole>

export type InitializeParams = FunctionArguments<typeof functions.initialize>
export type InitializeReturn = FunctionReturn<typeof functions.initialize>

export type ParticipantsParams = FunctionArguments<typeof functions.participants>
export type ParticipantsReturn = FunctionReturn<typeof functions.participants>

export type PauseParams = FunctionArguments<typeof functions.pause>
export type PauseReturn = FunctionReturn<typeof functions.pause>

export type PausedParams = FunctionArguments<typeof functions.paused>
export type PausedReturn = FunctionReturn<typeof functions.paused>

export type ProxiableUUIDParams = FunctionArguments<typeof functions.proxiableUUID>
export type ProxiableUUIDReturn = FunctionReturn<typeof functions.proxiableUUID>

export type RenounceRoleParams = FunctionArguments<typeof functions.renounceRole>
export type RenounceRoleReturn = FunctionReturn<typeof functions.renounceRole>

export type ResolveDisputeParams = FunctionArguments<typeof functions.resolveDispute>
export type ResolveDisputeReturn = FunctionReturn<typeof functions.resolveDispute>

export type RevokeRoleParams = FunctionArguments<typeof functions.revokeRole>
export type RevokeRoleReturn = FunctionReturn<typeof functions.revokeRole>

export type SetDisputeWindowParams = FunctionArguments<typeof functions.setDisputeWindow>
export type SetDisputeWindowReturn = FunctionReturn<typeof functions.setDisputeWindow>

export type StatusOfParams = FunctionArguments<typeof functions.statusOf>
export type StatusOfReturn = FunctionReturn<typeof functions.statusOf>

export type SupportsInterfaceParams = FunctionArguments<typeof functions.supportsInterface>
export type SupportsInterfaceReturn = FunctionReturn<typeof functions.supportsInterface>

export type UnpauseParams = FunctionArguments<typeof functions.unpause>
export type UnpauseReturn = FunctionReturn<typeof functions.unpause>

export type UpgradeToAndCallParams = FunctionArguments<typeof functions.upgradeToAndCall>
export type UpgradeToAndCallReturn = FunctionReturn<typeof functions.upgradeToAndCall>

