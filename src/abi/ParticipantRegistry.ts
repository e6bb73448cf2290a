import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    Initialized: event("0xc7f505b2f371ae2175ee4913f4499e1f2633a7b5936321eed1cdaeb6115181d2", "Initialized(uint64)", {"version": p.uint64}),
    ParticipantDeactivated: event("0x340fa5fa42211eff6bb6a3ee10e4ee8cd93e703f3cece33224c9e59844373a26", "ParticipantDeactivated(address,address)", {"account": indexed(p.address), "actor": indexed(p.address)}),
    ParticipantRegistered: event("0x15b84c43b1e39e566d23791a04cc9df35958000744fb01688d98b2a69e43c608", "ParticipantRegistered(address,uint8,address,string,address)", {"account": indexed(p.address), "kind": p.uint8, "payoutAddress": p.address, "metadataURI": p.string, "actor": indexed(p.address)}),
    ParticipantUpdated: event("0xa683a92bdef585629ce5b6ea0f5f7284ec6b42915ff0d8d8a183a0f0cc24be1d", "ParticipantUpdated(address,address,string,address)", {"account": indexed(p.address), "payoutAddress": p.address, "metadataURI": p.string, "actor": indexed(p.address)}),
    Paused: event("0x62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258", "Paused(address)", {"account": p.address}),
    PublisherTermsSet: event("0xb7b1f74a905386af14b1bd18c735b6aa321add7f1d4b92feecf7ac6057d1021b", "PublisherTermsSet(address,uint256,bool)", {"account": indexed(p.address), "pricePerThousand": p.uint256, "consent": p.bool}),
    RoleAdminChanged: event("0xbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff", "RoleAdminChanged(bytes32,bytes32,bytes32)", {"role": indexed(p.bytes32), "previousAdminRole": indexed(p.bytes32), "newAdminRole": indexed(p.bytes32)}),
    RoleGranted: event("0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d", "RoleGranted(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    RoleRevoked: event("0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b", "RoleRevoked(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    Unpaused: event("0x5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa", "Unpaused(address)", {"account": p.address}),
    Upgraded: event("0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b", "Upgraded(address)", {"implementation": indexed(p.address)}),
}

export const functions = {
    DEFAULT_ADMIN_ROLE: viewFun("0xa217fddf", "DEFAULT_ADMIN_ROLE()", {}, p.bytes32),
    UPGRADE_INTERFACE_VERSION: viewFun("0xad3cb1cc", "UPGRADE_INTERFACE_VERSION()", {}, p.string),
    deactivate: fun("0x3ea053eb", "deactivate(address)", {"account": p.address}, ),
    getParticipant: viewFun("0x7143059f", "getParticipant(address)", {"account": p.address}, p.struct({"kind": p.uint8, "payoutAddress": p.address, "active": p.bool, "consent": p.bool, "pricePerThousand": p.uint256, "metadataURI": p.string})),
    getRoleAdmin: viewFun("0x248a9ca3", "getRoleAdmin(bytes32)", {"role": p.bytes32}, p.bytes32),
    grantRole: fun("0x2f2ff15d", "grantRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    hasRole: viewFun("0x91d14854", "hasRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, p.bool),
    initialize: fun("0xc4d66de8", "initialize(address)", {"governor": p.address}, ),
    isActive: viewFun("0x9f8a13d7", "isActive(address)", {"account": p.address}, p.bool),
    pause: fun("0x8456cb59", "pause()", {}, ),
    paused: viewFun("0x5c975abb", "paused()", {}, p.bool),
    proxiableUUID: viewFun("0x52d1902d", "proxiableUUID()", {}, p.bytes32),
    register: fun("0x691f4dde", "register(uint8,address,string)", {"kind": p.uint8, "payoutAddress": p.address, "metadataURI": p.string}, ),
    registerFor: fun("0x78c08da5", "registerFor(address,uint8,address,string)", {"account": p.address, "kind": p.uint8, "payoutAddress": p.address, "metadataURI": p.string}, ),
    renounceRole: fun("0x36568abe", "renounceRole(bytes32,address)", {"role": p.bytes32, "callerConfirmation": p.address}, ),
    revokeRole: fun("0xd547741f", "revokeRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    setPublisherTerms: fun("0xbbc06b88", "setPublisherTerms(address,uint256,bool)", {"account": p.address, "pricePerThousand": p.uint256, "consent": p.bool}, ),
    supportsInterface: viewFun("0x01ffc9a7", "supportsInterface(bytes4)", {"interfaceId": p.bytes4}, p.bool),
    unpause: fun("0x3f4ba83a", "unpause()", {}, ),
    update: fun("0x10a04798", "update(address,address,string)", {"account": p.address, "payoutAddress": p.address, "metadataURI": p.string}, ),
    upgradeToAndCall: fun("0x4f1ef286", "upgradeToAndCall(address,bytes)", {"newImplementation": p.address, "data": p.bytes}, ),
}

export class Contract extends ContractBase {

    DEFAULT_ADMIN_ROLE() {
        return this.eth_call(functions.DEFAULT_ADMIN_ROLE, {})
    }

    UPGRADE_INTERFACE_VERSION() {
        return this.eth_call(functions.UPGRADE_INTERFACE_VERSION, {})
    }

    getParticipant(account: GetParticipantParams["account"]) {
        return this.eth_call(functions.getParticipant, {account})
    }

    getRoleAdmin(role: GetRoleAdminParams["role"]) {
        return this.eth_call(functions.getRoleAdmin, {role})
    }

    hasRole(role: HasRoleParams["role"], account: HasRoleParams["account"]) {
        return this.eth_call(functions.hasRole, {role, account})
    }

    isActive(account: IsActiveParams["account"]) {
        return this.eth_call(functions.isActive, {account})
    }

    paused() {
        return this.eth_call(functions.paused, {})
    }

    proxiableUUID() {
        return this.eth_call(functions.proxiableUUID, {})
    }

    supportsInterface(interfaceId: SupportsInterfaceParams["interfaceId"]) {
        return this.eth_call(functions.supportsInterface, {interfaceId})
    }
}

/// Event types
export type InitializedEventArgs = EParams<typeof events.Initialized>
export type ParticipantDeactivatedEventArgs = EParams<typeof events.ParticipantDeactivated>
export type ParticipantRegisteredEventArgs = EParams<typeof events.ParticipantRegistered>
export type ParticipantUpdatedEventArgs = EParams<typeof events.ParticipantUpdated>
export type PausedEventArgs = EParams<typeof events.Paused>
export type PublisherTermsSetEventArgs = EParams<typeof events.PublisherTermsSet>
export type RoleAdminChangedEventArgs = EParams<typeof events.RoleAdminChanged>
export type RoleGrantedEventArgs = EParams<typeof events.RoleGranted>
export type RoleRevokedEventArgs = EParams<typeof events.RoleRevoked>
export type UnpausedEventArgs = EParams<typeof events.Unpaused>
export type UpgradedEventArgs = EParams<typeof events.Upgraded>

/// Function types
export type DEFAULT_ADMIN_ROLEParams = FunctionArguments<typeof functions.DEFAULT_ADMIN_ROLE>
export type DEFAULT_ADMIN_ROLEReturn = FunctionReturn<typeof functions.DEFAULT_ADMIN_ROLE>

export type UPGRADE_INTERFACE_VERSIONParams = FunctionArguments<typeof functions.UPGRADE_INTERFACE_VERSION>
export type UPGRADE_INTERFACE_VERSIONReturn = FunctionReturn<typeof functions.UPGRADE_INTERFACE_VERSION>

export type DeactivateParams = FunctionArguments<typeof functions.deactivate>
export type DeactivateReturn = FunctionReturn<typeof functions.deactivate>

export type GetParticipantParams = FunctionArguments<typeof functions.getParticipant>
export type GetParticipantReturn = FunctionReturn<typeof functions.getParticipant>

export type GetRoleAdminParams = FunctionArguments<typeof functions.getRoleAdmin>
export type GetRoleAdminReturn = FunctionReturn<typeof functions.getRoleAdmin>

export type GrantRoleParams = FunctionArguments<typeof functions.grantRole>
export type GrantRoleReturn = FunctionReturn<typeof functions.grantRole>

export type HasRoleParams = FunctionArguments<typeof functions.hasRole>
export type HasRoleReturn = FunctionReturn<typeof functions.hasRole>

export type InitializeParams = FunctionArguments<typeof functions.initialize>
export type InitializeReturn = FunctionReturn<typeof functions.initialize>

export type IsActiveParams = FunctionArguments<typeof functions.isActive>
export type IsActiveReturn = FunctionReturn<typeof functions.isActive>

export type PauseParams = FunctionArguments<typeof functions.pause>
export type PauseReturn = FunctionReturn<typeof functions.pause>

export type PausedParams = FunctionArguments<typeof functions.paused>
export type PausedReturn = FunctionReturn<typeof functions.paused>

export type ProxiableUUIDParams = FunctionArguments<typeof functions.proxiableUUID>
export type ProxiableUUIDReturn = FunctionReturn<typeof functions.proxiableUUID>

export type RegisterParams = FunctionArguments<typeof functions.register>
export type RegisterReturn = FunctionReturn<typeof functions.register>

export type RegisterForParams = FunctionArguments<typeof functions.registerFor>
export type RegisterForReturn = FunctionReturn<typeof functions.registerFor>

export type RenounceRoleParams = FunctionArguments<typeof functions.renounceRole>
export type RenounceRoleReturn = FunctionReturn<typeof functions.renounceRole>

export type RevokeRoleParams = FunctionArguments<typeof functions.revokeRole>
export type RevokeRoleReturn = FunctionReturn<typeof functions.revokeRole>

export type SetPublisherTermsParams = FunctionArguments<typeof functions.setPublisherTerms>
export type SetPublisherTermsReturn = FunctionReturn<typeof functions.setPublisherTerms>

export type SupportsInterfaceParams = FunctionArguments<typeof functions.supportsInterface>
export type SupportsInterfaceReturn = FunctionReturn<typeof functions.supportsInterface>

export type UnpauseParams = FunctionArguments<typeof functions.unpause>
export type UnpauseReturn = FunctionReturn<typeof functions.unpause>

export type UpdateParams = FunctionArguments<typeof functions.update>
export type UpdateReturn = FunctionReturn<typeof functions.update>

export type UpgradeToAndCallParams = FunctionArguments<typeof functions.upgradeToAndCall>
export type UpgradeToAndCallReturn = FunctionReturn<typeof functions.upgradeToAndCall>

