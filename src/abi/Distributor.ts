import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    Claimed: event("0xdfc64898429d23b403f10e1bd80f462d95e2f8f34039db3102ab68fccd0ed4ce", "Claimed(bytes32,address,address,uint256,uint256,uint256,address,uint256)", {"batchId": indexed(p.bytes32), "payee": indexed(p.address), "token": indexed(p.address), "amount": p.uint256, "fee": p.uint256, "net": p.uint256, "claimer": p.address, "claimedTotalAfter": p.uint256}),
    FeeUpdated: event("0x2e7c4279000925b8ff0bca0e7109cbc47fc6f6c4edfb831ffe7466cf0af07fa0", "FeeUpdated(uint16,uint16)", {"oldFeeBps": p.uint16, "newFeeBps": p.uint16}),
    Initialized: event("0xc7f505b2f371ae2175ee4913f4499e1f2633a7b5936321eed1cdaeb6115181d2", "Initialized(uint64)", {"version": p.uint64}),
    Paused: event("0x62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258", "Paused(address)", {"account": p.address}),
    PayoutOpened: event("0xd0930dea9972326c52fc557176dff7d95f98db40b1c81c8e48f0a5f297a88169", "PayoutOpened(bytes32,address,bytes32,uint256)", {"batchId": indexed(p.bytes32), "token": indexed(p.address), "root": p.bytes32, "totalAmount": p.uint256}),
    RoleAdminChanged: event("0xbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff", "RoleAdminChanged(bytes32,bytes32,bytes32)", {"role": indexed(p.bytes32), "previousAdminRole": indexed(p.bytes32), "newAdminRole": indexed(p.bytes32)}),
    RoleGranted: event("0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d", "RoleGranted(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    RoleRevoked: event("0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b", "RoleRevoked(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    TreasuryUpdated: event("0x4ab5be82436d353e61ca18726e984e561f5c1cc7c6d38b29d2553c790434705a", "TreasuryUpdated(address,address)", {"oldTreasury": p.address, "newTreasury": p.address}),
    Unpaused: event("0x5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa", "Unpaused(address)", {"account": p.address}),
    Upgraded: event("0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b", "Upgraded(address)", {"implementation": indexed(p.address)}),
}

export const functions = {
    DEFAULT_ADMIN_ROLE: viewFun("0xa217fddf", "DEFAULT_ADMIN_ROLE()", {}, p.bytes32),
    MAX_FEE_BPS: viewFun("0xd55be8c6", "MAX_FEE_BPS()", {}, p.uint16),
    UPGRADE_INTERFACE_VERSION: viewFun("0xad3cb1cc", "UPGRADE_INTERFACE_VERSION()", {}, p.string),
    claim: fun("0xfa5c4e99", "claim(bytes32,uint256,bytes32[])", {"batchId": p.bytes32, "amount": p.uint256, "proof": p.array(p.bytes32)}, ),
    claimMany: fun("0xa6f27db7", "claimMany(bytes32,address[],uint256[],bytes32[][])", {"batchId": p.bytes32, "payees": p.array(p.address), "amounts": p.array(p.uint256), "proofs": p.array(p.array(p.bytes32))}, ),
    feeBps: viewFun("0x24a9d853", "feeBps()", {}, p.uint16),
    getPayout: viewFun("0xce4e07d9", "getPayout(bytes32)", {"batchId": p.bytes32}, p.struct({"token": p.address, "root": p.bytes32, "totalAmount": p.uint256, "claimedAmount": p.uint256, "feesPaid": p.uint256, "openedAt": p.uint64})),
    getRoleAdmin: viewFun("0x248a9ca3", "getRoleAdmin(bytes32)", {"role": p.bytes32}, p.bytes32),
    grantRole: fun("0x2f2ff15d", "grantRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    hasRole: viewFun("0x91d14854", "hasRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, p.bool),
    initialize: fun("0x7ebef529", "initialize(address,address,uint16)", {"governor": p.address, "treasury_": p.address, "feeBps_": p.uint16}, ),
    isClaimed: viewFun("0x84ef71fb", "isClaimed(bytes32,address)", {"batchId": p.bytes32, "payee": p.address}, p.bool),
    leafHash: viewFun("0x401f3bc0", "leafHash(address,uint256)", {"payee": p.address, "amount": p.uint256}, p.bytes32),
    openPayout: fun("0xf92a2e83", "openPayout(bytes32,address,bytes32,uint256)", {"batchId": p.bytes32, "token": p.address, "root": p.bytes32, "totalAmount": p.uint256}, ),
    pause: fun("0x8456cb59", "pause()", {}, ),
    paused: viewFun("0x5c975abb", "paused()", {}, p.bool),
    proxiableUUID: viewFun("0x52d1902d", "proxiableUUID()", {}, p.bytes32),
    renounceRole: fun("0x36568abe", "renounceRole(bytes32,address)", {"role": p.bytes32, "callerConfirmation": p.address}, ),
    revokeRole: fun("0xd547741f", "revokeRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    setFeeBps: fun("0x023b1fc9", "setFeeBps(uint16)", {"feeBps_": p.uint16}, ),
    setTreasury: fun("0xf0f44260", "setTreasury(address)", {"treasury_": p.address}, ),
    supportsInterface: viewFun("0x01ffc9a7", "supportsInterface(bytes4)", {"interfaceId": p.bytes4}, p.bool),
    treasury: viewFun("0x61d027b3", "treasury()", {}, p.address),
    unpause: fun("0x3f4ba83a", "unpause()", {}, ),
    upgradeToAndCall: fun("0x4f1ef286", "upgradeToAndCall(address,bytes)", {"newImplementation": p.address, "data": p.bytes}, ),
}

export class Contract extends ContractBase {

    DEFAULT_ADMIN_ROLE() {
        return this.eth_call(functions.DEFAULT_ADMIN_ROLE, {})
    }

    MAX_FEE_BPS() {
        return this.eth_call(functions.MAX_FEE_BPS, {})
    }

    UPGRADE_INTERFACE_VERSION() {
        return this.eth_call(functions.UPGRADE_INTERFACE_VERSION, {})
    }

    feeBps() {
        return this.eth_call(functions.feeBps, {})
    }

    getPayout(batchId: GetPayoutParams["batchId"]) {
        return this.eth_call(functions.getPayout, {batchId})
    }

    getRoleAdmin(role: GetRoleAdminParams["role"]) {
        return this.eth_call(functions.getRoleAdmin, {role})
    }

    hasRole(role: HasRoleParams["role"], account: HasRoleParams["account"]) {
        return this.eth_call(functions.hasRole, {role, account})
    }

    isClaimed(batchId: IsClaimedParams["batchId"], payee: IsClaimedParams["payee"]) {
        return this.eth_call(functions.isClaimed, {batchId, payee})
    }

    leafHash(payee: LeafHashParams["payee"], amount: LeafHashParams["amount"]) {
        return this.eth_call(functions.leafHash, {payee, amount})
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

    treasury() {
        return this.eth_call(functions.treasury, {})
    }
}

/// Event types
export type ClaimedEventArgs = EParams<typeof events.Claimed>
export type FeeUpdatedEventArgs = EParams<typeof events.FeeUpdated>
export type InitializedEventArgs = EParams<typeof events.Initialized>
export type PausedEventArgs = EParams<typeof events.Paused>
export type PayoutOpenedEventArgs = EParams<typeof events.PayoutOpened>
export type RoleAdminChangedEventArgs = EParams<typeof events.RoleAdminChanged>
export type RoleGrantedEventArgs = EParams<typeof events.RoleGranted>
export type RoleRevokedEventArgs = EParams<typeof events.RoleRevoked>
export type TreasuryUpdatedEventArgs = EParams<typeof events.TreasuryUpdated>
export type UnpausedEventArgs = EParams<typeof events.Unpaused>
export type UpgradedEventArgs = EParams<typeof events.Upgraded>

/// Function types
export type DEFAULT_ADMIN_ROLEParams = FunctionArguments<typeof functions.DEFAULT_ADMIN_ROLE>
export type DEFAULT_ADMIN_ROLEReturn = FunctionReturn<typeof functions.DEFAULT_ADMIN_ROLE>

export type MAX_FEE_BPSParams = FunctionArguments<typeof functions.MAX_FEE_BPS>
export type MAX_FEE_BPSReturn = FunctionReturn<typeof functions.MAX_FEE_BPS>

export type UPGRADE_INTERFACE_VERSIONParams = FunctionArguments<typeof functions.UPGRADE_INTERFACE_VERSION>
export type UPGRADE_INTERFACE_VERSIONReturn = FunctionReturn<typeof functions.UPGRADE_INTERFACE_VERSION>

export type ClaimParams = FunctionArguments<typeof functions.claim>
export type ClaimReturn = FunctionReturn<typeof functions.claim>

export type ClaimManyParams = FunctionArguments<typeof functions.claimMany>
export type ClaimManyReturn = FunctionReturn<typeof functions.claimMany>

export type FeeBpsParams = FunctionArguments<typeof functions.feeBps>
export type FeeBpsReturn = FunctionReturn<typeof functions.feeBps>

export type GetPayoutParams = FunctionArguments<typeof functions.getPayout>
export type GetPayoutReturn = FunctionReturn<typeof functions.getPayout>

export type GetRoleAdminParams = FunctionArguments<typeof functions.getRoleAdmin>
export type GetRoleAdminReturn = FunctionReturn<typeof functions.getRoleAdmin>

export type GrantRoleParams = FunctionArguments<typeof functions.grantRole>
export type GrantRoleReturn = FunctionReturn<typeof functions.grantRole>

export type HasRoleParams = FunctionArguments<typeof functions.hasRole>
export type HasRoleReturn = FunctionReturn<typeof functions.hasRole>

export type InitializeParams = FunctionArguments<typeof functions.initialize>
export type InitializeReturn = FunctionReturn<typeof functions.initialize>

export type IsClaimedParams = FunctionArguments<typeof functions.isClaimed>
export type IsClaimedReturn = FunctionReturn<typeof functions.isClaimed>

export type LeafHashParams = FunctionArguments<typeof functions.leafHash>
export type LeafHashReturn = FunctionReturn<typeof functions.leafHash>

export type OpenPayoutParams = FunctionArguments<typeof functions.openPayout>
export type OpenPayoutReturn = FunctionReturn<typeof functions.openPayout>

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

export type SetFeeBpsParams = FunctionArguments<typeof functions.setFeeBps>
export type SetFeeBpsReturn = FunctionReturn<typeof functions.setFeeBps>

export type SetTreasuryParams = FunctionArguments<typeof functions.setTreasury>
export type SetTreasuryReturn = FunctionReturn<typeof functions.setTreasury>

export type SupportsInterfaceParams = FunctionArguments<typeof functions.supportsInterface>
export type SupportsInterfaceReturn = FunctionReturn<typeof functions.supportsInterface>

export type TreasuryParams = FunctionArguments<typeof functions.treasury>
export type TreasuryReturn = FunctionReturn<typeof functions.treasury>

export type UnpauseParams = FunctionArguments<typeof functions.unpause>
export type UnpauseReturn = FunctionReturn<typeof functions.unpause>

export type UpgradeToAndCallParams = FunctionArguments<typeof functions.upgradeToAndCall>
export type UpgradeToAndCallReturn = FunctionReturn<typeof functions.upgradeToAndCall>

