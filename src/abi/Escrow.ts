import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    Charged: event("0x737d153e2df21f15a586c81e68f05a42ddc28fee87e908462b69fe4028e884fd", "Charged(address,address,bytes32,uint256,address,uint256,uint256)", {"payer": indexed(p.address), "token": indexed(p.address), "batchId": indexed(p.bytes32), "amount": p.uint256, "recipient": p.address, "availableAfter": p.uint256, "lockedAfter": p.uint256}),
    Deposited: event("0x8bab6aed5a508937051a144e61d6e61336834a66aaee250a00613ae6f744c422", "Deposited(address,address,uint256,uint256,uint256)", {"payer": indexed(p.address), "token": indexed(p.address), "amount": p.uint256, "availableAfter": p.uint256, "lockedAfter": p.uint256}),
    Initialized: event("0xc7f505b2f371ae2175ee4913f4499e1f2633a7b5936321eed1cdaeb6115181d2", "Initialized(uint64)", {"version": p.uint64}),
    Locked: event("0x1ff9c7718b4debcf785aed1bf57e1e6f1922cb7c0bcdd51a62edac0343667677", "Locked(address,address,bytes32,uint256,uint256,uint256)", {"payer": indexed(p.address), "token": indexed(p.address), "batchId": indexed(p.bytes32), "amount": p.uint256, "availableAfter": p.uint256, "lockedAfter": p.uint256}),
    Paused: event("0x62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258", "Paused(address)", {"account": p.address}),
    RoleAdminChanged: event("0xbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff", "RoleAdminChanged(bytes32,bytes32,bytes32)", {"role": indexed(p.bytes32), "previousAdminRole": indexed(p.bytes32), "newAdminRole": indexed(p.bytes32)}),
    RoleGranted: event("0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d", "RoleGranted(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    RoleRevoked: event("0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b", "RoleRevoked(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    Unlocked: event("0xff77ac6d4c6bd56b42075cbe779c43938dfe1704d068d6e04bef7f2ae5e06bdb", "Unlocked(address,address,bytes32,uint256,uint256,uint256)", {"payer": indexed(p.address), "token": indexed(p.address), "batchId": indexed(p.bytes32), "amount": p.uint256, "availableAfter": p.uint256, "lockedAfter": p.uint256}),
    Unpaused: event("0x5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa", "Unpaused(address)", {"account": p.address}),
    Upgraded: event("0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b", "Upgraded(address)", {"implementation": indexed(p.address)}),
    Withdrawn: event("0xbae1bc47ad14b45ecfdae980d29c78868b8fc4fb07d0f301581f2fa89c17f9a6", "Withdrawn(address,address,uint256,address,uint256,uint256)", {"payer": indexed(p.address), "token": indexed(p.address), "amount": p.uint256, "to": p.address, "availableAfter": p.uint256, "lockedAfter": p.uint256}),
}

export const functions = {
    DEFAULT_ADMIN_ROLE: viewFun("0xa217fddf", "DEFAULT_ADMIN_ROLE()", {}, p.bytes32),
    UPGRADE_INTERFACE_VERSION: viewFun("0xad3cb1cc", "UPGRADE_INTERFACE_VERSION()", {}, p.string),
    accountOf: viewFun("0x9ed55403", "accountOf(address,address)", {"payer": p.address, "token": p.address}, p.struct({"available": p.uint256, "locked": p.uint256})),
    charge: fun("0xb14df42f", "charge(address,address,uint256,bytes32,address)", {"payer": p.address, "token": p.address, "amount": p.uint256, "batchId": p.bytes32, "recipient": p.address}, ),
    deposit: fun("0x47e7ef24", "deposit(address,uint256)", {"token": p.address, "amount": p.uint256}, ),
    getRoleAdmin: viewFun("0x248a9ca3", "getRoleAdmin(bytes32)", {"role": p.bytes32}, p.bytes32),
    grantRole: fun("0x2f2ff15d", "grantRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    hasRole: viewFun("0x91d14854", "hasRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, p.bool),
    initialize: fun("0x485cc955", "initialize(address,address)", {"governor": p.address, "registry": p.address}, ),
    lock: fun("0x3c4ea8dc", "lock(address,address,uint256,bytes32)", {"payer": p.address, "token": p.address, "amount": p.uint256, "batchId": p.bytes32}, ),
    pause: fun("0x8456cb59", "pause()", {}, ),
    paused: viewFun("0x5c975abb", "paused()", {}, p.bool),
    proxiableUUID: viewFun("0x52d1902d", "proxiableUUID()", {}, p.bytes32),
    renounceRole: fun("0x36568abe", "renounceRole(bytes32,address)", {"role": p.bytes32, "callerConfirmation": p.address}, ),
    revokeRole: fun("0xd547741f", "revokeRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    supportsInterface: viewFun("0x01ffc9a7", "supportsInterface(bytes4)", {"interfaceId": p.bytes4}, p.bool),
    tokenRegistry: viewFun("0x9d23c4c7", "tokenRegistry()", {}, p.address),
    totalHeld: viewFun("0xa2df2f71", "totalHeld(address)", {"token": p.address}, p.uint256),
    unlock: fun("0x176cda73", "unlock(address,address,uint256,bytes32)", {"payer": p.address, "token": p.address, "amount": p.uint256, "batchId": p.bytes32}, ),
    unpause: fun("0x3f4ba83a", "unpause()", {}, ),
    upgradeToAndCall: fun("0x4f1ef286", "upgradeToAndCall(address,bytes)", {"newImplementation": p.address, "data": p.bytes}, ),
    withdraw: fun("0x69328dec", "withdraw(address,uint256,address)", {"token": p.address, "amount": p.uint256, "to": p.address}, ),
}

export class Contract extends ContractBase {

    DEFAULT_ADMIN_ROLE() {
        return this.eth_call(functions.DEFAULT_ADMIN_ROLE, {})
    }

    UPGRADE_INTERFACE_VERSION() {
        return this.eth_call(functions.UPGRADE_INTERFACE_VERSION, {})
    }

    accountOf(payer: AccountOfParams["payer"], token: AccountOfParams["token"]) {
        return this.eth_call(functions.accountOf, {payer, token})
    }

    getRoleAdmin(role: GetRoleAdminParams["role"]) {
        return this.eth_call(functions.getRoleAdmin, {role})
    }

    hasRole(role: HasRoleParams["role"], account: HasRoleParams["account"]) {
        return this.eth_call(functions.hasRole, {role, account})
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

    tokenRegistry() {
        return this.eth_call(functions.tokenRegistry, {})
    }

    totalHeld(token: TotalHeldParams["token"]) {
        return this.eth_call(functions.totalHeld, {token})
    }
}

/// Event types
export type ChargedEventArgs = EParams<typeof events.Charged>
export type DepositedEventArgs = EParams<typeof events.Deposited>
export type InitializedEventArgs = EParams<typeof events.Initialized>
export type LockedEventArgs = EParams<typeof events.Locked>
export type PausedEventArgs = EParams<typeof events.Paused>
export type RoleAdminChangedEventArgs = EParams<typeof events.RoleAdminChanged>
export type RoleGrantedEventArgs = EParams<typeof events.RoleGranted>
export type RoleRevokedEventArgs = EParams<typeof events.RoleRevoked>
export type UnlockedEventArgs = EParams<typeof events.Unlocked>
export type UnpausedEventArgs = EParams<typeof events.Unpaused>
export type UpgradedEventArgs = EParams<typeof events.Upgraded>
export type WithdrawnEventArgs = EParams<typeof events.Withdrawn>

/// Function types
export type DEFAULT_ADMIN_ROLEParams = FunctionArguments<typeof functions.DEFAULT_ADMIN_ROLE>
export type DEFAULT_ADMIN_ROLEReturn = FunctionReturn<typeof functions.DEFAULT_ADMIN_ROLE>

export type UPGRADE_INTERFACE_VERSIONParams = FunctionArguments<typeof functions.UPGRADE_INTERFACE_VERSION>
export type UPGRADE_INTERFACE_VERSIONReturn = FunctionReturn<typeof functions.UPGRADE_INTERFACE_VERSION>

export type AccountOfParams = FunctionArguments<typeof functions.accountOf>
export type AccountOfReturn = FunctionReturn<typeof functions.accountOf>

export type ChargeParams = FunctionArguments<typeof functions.charge>
export type ChargeReturn = FunctionReturn<typeof functions.charge>

export type DepositParams = FunctionArguments<typeof functions.deposit>
export type DepositReturn = FunctionReturn<typeof functions.deposit>

export type GetRoleAdminParams = FunctionArguments<typeof functions.getRoleAdmin>
export type GetRoleAdminReturn = FunctionReturn<typeof functions.getRoleAdmin>

export type GrantRoleParams = FunctionArguments<typeof functions.grantRole>
export type GrantRoleReturn = FunctionReturn<typeof functions.grantRole>

export type HasRoleParams = FunctionArguments<typeof functions.hasRole>
export type HasRoleReturn = FunctionReturn<typeof functions.hasRole>

export type InitializeParams = FunctionArguments<typeof functions.initialize>
export type InitializeReturn = FunctionReturn<typeof functions.initialize>

export type LockParams = FunctionArguments<typeof functions.lock>
export type LockReturn = FunctionReturn<typeof functions.lock>

export type PauseParams = FunctionArguments<typeof functions.pause>
export type PauseReturn = FunctionReturn<typeof functions.pause>

export type PausedParams = FunctionArguments<typeof functions.paused>
export type PausedReturn = FunctionReturn<typeof functions.paused>

export type ProxiableUUIDParams = FunctionArguments<typeof functions.proxiableUUID>
export type ProxiableUUIDReturn = FunctionReturn<typeof functions.proxiableUUID>

export type RenounceRoleParams = FunctionArguments<typeof functions.renounceRole>
export type RenounceRoleReturn = FunctionReturn<typeof functions.renounceRole>

export type RevokeRoleParams = FunctionArguments<typeof functions.revokeRole>
export type RevokeRoleReturn = FunctionReturn<typeof functions.revokeRole>

export type SupportsInterfaceParams = FunctionArguments<typeof functions.supportsInterface>
export type SupportsInterfaceReturn = FunctionReturn<typeof functions.supportsInterface>

export type TokenRegistryParams = FunctionArguments<typeof functions.tokenRegistry>
export type TokenRegistryReturn = FunctionReturn<typeof functions.tokenRegistry>

export type TotalHeldParams = FunctionArguments<typeof functions.totalHeld>
export type TotalHeldReturn = FunctionReturn<typeof functions.totalHeld>

export type UnlockParams = FunctionArguments<typeof functions.unlock>
export type UnlockReturn = FunctionReturn<typeof functions.unlock>

export type UnpauseParams = FunctionArguments<typeof functions.unpause>
export type UnpauseReturn = FunctionReturn<typeof functions.unpause>

export type UpgradeToAndCallParams = FunctionArguments<typeof functions.upgradeToAndCall>
export type UpgradeToAndCallReturn = FunctionReturn<typeof functions.upgradeToAndCall>

export type WithdrawParams = FunctionArguments<typeof functions.withdraw>
export type WithdrawReturn = FunctionReturn<typeof functions.withdraw>

