import * as p from '@subsquid/evm-codec'
import { event, fun, viewFun, indexed, ContractBase } from '@subsquid/evm-abi'
import type { EventParams as EParams, FunctionArguments, FunctionReturn } from '@subsquid/evm-abi'

export const events = {
    CommissionChangeCancelled: event("0x7babbb6f3a15eb0388508e386b820d8fd1d76b58466ed7cdb8d8664e590a38f6", "CommissionChangeCancelled(address,uint16,uint16)", {"validator": indexed(p.address), "currentBps": p.uint16, "cancelledBps": p.uint16}),
    CommissionChangeScheduled: event("0x9b47accc518b675ebf7c0e5709b6e6e0cf7ca5afd82288f3594be12dfc2c5c29", "CommissionChangeScheduled(address,uint16,uint16,uint64)", {"validator": indexed(p.address), "currentBps": p.uint16, "newBps": p.uint16, "effectiveAt": p.uint64}),
    CommissionChanged: event("0xc9ec643473177ee3d36d7cade7c4db2329135c495b3da4a608dacd07262d46e4", "CommissionChanged(address,uint16,uint16,uint64,address)", {"validator": indexed(p.address), "oldBps": p.uint16, "newBps": p.uint16, "effectiveAt": p.uint64, "appliedBy": p.address}),
    ConfigChanged: event("0xea4327955679bbe1d77c70308225e8dad9f1c67df0d43d9575a81437cc790877", "ConfigChanged(address,address,uint64,uint64,uint16)", {"stakingToken": p.address, "treasury": p.address, "unbondingPeriod": p.uint64, "commissionChangeDelay": p.uint64, "maxCommissionBps": p.uint16}),
    Delegated: event("0xf6cf76e758fa016e340a984ca676fa8775347c4a78cdc265e8e17d064d5c301f", "Delegated(address,address,uint256,uint256,uint256,uint256,uint256,uint256,uint256)", {"delegator": indexed(p.address), "validator": indexed(p.address), "amount": p.uint256, "shares": p.uint256, "delegationAfter": p.uint256, "delegatorSharesAfter": p.uint256, "stakeAfter": p.uint256, "sharesAfter": p.uint256, "totalStakedAfter": p.uint256}),
    FeeRecipientChanged: event("0xf1dbd322e431f00d83a6dbf85d09896187639f7dd04d0a0baeaf298d7e2c4ec5", "FeeRecipientChanged(address,address,address)", {"validator": indexed(p.address), "oldRecipient": indexed(p.address), "newRecipient": indexed(p.address)}),
    Initialized: event("0xc7f505b2f371ae2175ee4913f4499e1f2633a7b5936321eed1cdaeb6115181d2", "Initialized(uint64)", {"version": p.uint64}),
    MetadataURIChanged: event("0xd0231c207825cbb9184327c94c6ce74d3df41bc89afa6531f8faff649628ac4c", "MetadataURIChanged(address,string)", {"validator": indexed(p.address), "metadataURI": p.string}),
    Paused: event("0x62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258", "Paused(address)", {"account": p.address}),
    Redelegated: event("0xef0429f9a8c11e608b1ced457916217f09ff2023de7529887c267a558f797639", "Redelegated(address,address,address,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256)", {"delegator": indexed(p.address), "from": indexed(p.address), "to": indexed(p.address), "amount": p.uint256, "sharesBurned": p.uint256, "sharesMinted": p.uint256, "fromDelegationAfter": p.uint256, "toDelegationAfter": p.uint256, "fromStakeAfter": p.uint256, "toStakeAfter": p.uint256, "fromSharesAfter": p.uint256, "toSharesAfter": p.uint256}),
    RoleAdminChanged: event("0xbd79b86ffe0ab8e8776151514217cd7cacd52c909f66475c3af44e129f0b00ff", "RoleAdminChanged(bytes32,bytes32,bytes32)", {"role": indexed(p.bytes32), "previousAdminRole": indexed(p.bytes32), "newAdminRole": indexed(p.bytes32)}),
    RoleGranted: event("0x2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d", "RoleGranted(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    RoleRevoked: event("0xf6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b", "RoleRevoked(bytes32,address,address)", {"role": indexed(p.bytes32), "account": indexed(p.address), "sender": indexed(p.address)}),
    Slashed: event("0x3400d2a2b0660fd176c5095fd967509b3f5bbf6b5b5f8729306e13a45558409f", "Slashed(address,uint16,uint256,uint256,uint256,uint256,address,string)", {"validator": indexed(p.address), "bps": p.uint16, "amount": p.uint256, "stakeAfter": p.uint256, "sharesAfter": p.uint256, "totalStakedAfter": p.uint256, "treasury": p.address, "reason": p.string}),
    UnbondingWithdrawn: event("0xe67744c634491b29377e453ec2fc800e2bdaea394451c8c2e50515ac50ee74f0", "UnbondingWithdrawn(uint256,address,address,uint256,uint256)", {"requestId": indexed(p.uint256), "delegator": indexed(p.address), "validator": indexed(p.address), "amount": p.uint256, "totalUnbondingAfter": p.uint256}),
    Undelegated: event("0xe3356a6965a1e771edd732980674aa545233d554949c24b55c8bd9592de578d0", "Undelegated(address,address,uint256,uint256,uint256,uint64,uint256,uint256,uint256,uint256,uint256,uint256)", {"delegator": indexed(p.address), "validator": indexed(p.address), "requestId": indexed(p.uint256), "amount": p.uint256, "shares": p.uint256, "unlockAt": p.uint64, "delegationAfter": p.uint256, "delegatorSharesAfter": p.uint256, "stakeAfter": p.uint256, "sharesAfter": p.uint256, "totalStakedAfter": p.uint256, "totalUnbondingAfter": p.uint256}),
    Unpaused: event("0x5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa", "Unpaused(address)", {"account": p.address}),
    Upgraded: event("0xbc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b", "Upgraded(address)", {"implementation": indexed(p.address)}),
    ValidatorJailed: event("0x2f312d0546b0a2cdb051028de9041f76dd85d9a260cbb3fe7107ea398f2f6a8b", "ValidatorJailed(address,string,uint256)", {"validator": indexed(p.address), "reason": p.string, "stake": p.uint256}),
    ValidatorRegistered: event("0x020fc00b5b63fec031bdcf85b22c2a680de6dbac9036e868a4870e4044bbb004", "ValidatorRegistered(address,address,uint16,string,uint256)", {"validator": indexed(p.address), "feeRecipient": indexed(p.address), "commissionBps": p.uint16, "metadataURI": p.string, "validatorCount": p.uint256}),
    ValidatorUnjailed: event("0x6bb2436cb6b6eb65d5a52fac2ae0373a77ade6661e523ef3004ee2d5524e6c6e", "ValidatorUnjailed(address,uint256)", {"validator": indexed(p.address), "stake": p.uint256}),
}

export const functions = {
    BPS: viewFun("0x249d39e9", "BPS()", {}, p.uint16),
    DEFAULT_ADMIN_ROLE: viewFun("0xa217fddf", "DEFAULT_ADMIN_ROLE()", {}, p.bytes32),
    MAX_DURATION: viewFun("0xb1724b46", "MAX_DURATION()", {}, p.uint64),
    UPGRADE_INTERFACE_VERSION: viewFun("0xad3cb1cc", "UPGRADE_INTERFACE_VERSION()", {}, p.string),
    applyCommissionChange: fun("0x25b3a6a8", "applyCommissionChange(address)", {"validator": p.address}, ),
    cancelCommissionChange: fun("0xdc71ef30", "cancelCommissionChange()", {}, ),
    commissionChangeDelay: viewFun("0x620a12b7", "commissionChangeDelay()", {}, p.uint64),
    delegate: fun("0x026e402b", "delegate(address,uint256)", {"validator": p.address, "amount": p.uint256}, ),
    delegationOf: viewFun("0x628da527", "delegationOf(address,address)", {"delegator": p.address, "validator": p.address}, p.uint256),
    getRoleAdmin: viewFun("0x248a9ca3", "getRoleAdmin(bytes32)", {"role": p.bytes32}, p.bytes32),
    getValidator: viewFun("0x1904bb2e", "getValidator(address)", {"validator": p.address}, p.struct({"registered": p.bool, "jailed": p.bool, "commissionBps": p.uint16, "pendingCommissionBps": p.uint16, "commissionEffectiveAt": p.uint64, "registeredAt": p.uint64, "slashCount": p.uint32, "feeRecipient": p.address, "stake": p.uint256, "totalShares": p.uint256, "generation": p.uint64, "metadataURI": p.string})),
    grantRole: fun("0x2f2ff15d", "grantRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    hasRole: viewFun("0x91d14854", "hasRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, p.bool),
    initialize: fun("0x66e66ad9", "initialize(address,address,address,uint64,uint64,uint16)", {"governor": p.address, "token": p.address, "treasury_": p.address, "unbondingPeriod_": p.uint64, "commissionChangeDelay_": p.uint64, "maxCommissionBps_": p.uint16}, ),
    jail: fun("0xa4748f77", "jail(address,string)", {"validator": p.address, "reason": p.string}, ),
    maxCommissionBps: viewFun("0x3e17b600", "maxCommissionBps()", {}, p.uint16),
    pause: fun("0x8456cb59", "pause()", {}, ),
    paused: viewFun("0x5c975abb", "paused()", {}, p.bool),
    proxiableUUID: viewFun("0x52d1902d", "proxiableUUID()", {}, p.bytes32),
    redelegate: fun("0x6bd8f804", "redelegate(address,address,uint256)", {"from": p.address, "to": p.address, "amount": p.uint256}, ),
    registerValidator: fun("0xa92998a9", "registerValidator(address,uint16,string)", {"feeRecipient": p.address, "commissionBps": p.uint16, "metadataURI": p.string}, ),
    renounceRole: fun("0x36568abe", "renounceRole(bytes32,address)", {"role": p.bytes32, "callerConfirmation": p.address}, ),
    revokeRole: fun("0xd547741f", "revokeRole(bytes32,address)", {"role": p.bytes32, "account": p.address}, ),
    scheduleCommissionChange: fun("0x59f83f2b", "scheduleCommissionChange(uint16)", {"newBps": p.uint16}, ),
    setCommissionChangeDelay: fun("0x7239e8ca", "setCommissionChangeDelay(uint64)", {"delay": p.uint64}, ),
    setFeeRecipient: fun("0xe74b981b", "setFeeRecipient(address)", {"feeRecipient": p.address}, ),
    setMaxCommissionBps: fun("0x93f492b5", "setMaxCommissionBps(uint16)", {"maxBps": p.uint16}, ),
    setMetadataURI: fun("0x750521f5", "setMetadataURI(string)", {"metadataURI": p.string}, ),
    setTreasury: fun("0xf0f44260", "setTreasury(address)", {"treasury_": p.address}, ),
    setUnbondingPeriod: fun("0xf10d1de1", "setUnbondingPeriod(uint64)", {"period": p.uint64}, ),
    sharesOf: viewFun("0x0a7292f5", "sharesOf(address,address)", {"delegator": p.address, "validator": p.address}, p.uint256),
    slash: fun("0xcafa7c28", "slash(address,uint16,string)", {"validator": p.address, "bps": p.uint16, "reason": p.string}, p.uint256),
    stakingToken: viewFun("0x72f702f3", "stakingToken()", {}, p.address),
    supportsInterface: viewFun("0x01ffc9a7", "supportsInterface(bytes4)", {"interfaceId": p.bytes4}, p.bool),
    totalStake: viewFun("0xb273fc9a", "totalStake(address)", {"validator": p.address}, p.uint256),
    totalStaked: viewFun("0x817b1cd2", "totalStaked()", {}, p.uint256),
    totalUnbonding: viewFun("0x350fd0be", "totalUnbonding()", {}, p.uint256),
    treasury: viewFun("0x61d027b3", "treasury()", {}, p.address),
    unbonding: viewFun("0x44569287", "unbonding(uint256)", {"requestId": p.uint256}, p.struct({"delegator": p.address, "validator": p.address, "amount": p.uint256, "unlockAt": p.uint64, "withdrawn": p.bool})),
    unbondingCount: viewFun("0x93d57489", "unbondingCount()", {}, p.uint256),
    unbondingPeriod: viewFun("0x6cf6d675", "unbondingPeriod()", {}, p.uint64),
    undelegate: fun("0x4d99dd16", "undelegate(address,uint256)", {"validator": p.address, "amount": p.uint256}, p.uint256),
    unjail: fun("0x449ecfe6", "unjail(address)", {"validator": p.address}, ),
    unpause: fun("0x3f4ba83a", "unpause()", {}, ),
    upgradeToAndCall: fun("0x4f1ef286", "upgradeToAndCall(address,bytes)", {"newImplementation": p.address, "data": p.bytes}, ),
    validatorAt: viewFun("0x32e0aa1f", "validatorAt(uint256)", {"index": p.uint256}, p.address),
    validatorCount: viewFun("0x0f43a677", "validatorCount()", {}, p.uint256),
    validatorOfFeeRecipient: viewFun("0x943259af", "validatorOfFeeRecipient(address)", {"feeRecipient": p.address}, p.address),
    withdrawUnbonded: fun("0x7467f7b9", "withdrawUnbonded(uint256)", {"requestId": p.uint256}, ),
}

export class Contract extends ContractBase {

    BPS() {
        return this.eth_call(functions.BPS, {})
    }

    DEFAULT_ADMIN_ROLE() {
        return this.eth_call(functions.DEFAULT_ADMIN_ROLE, {})
    }

    MAX_DURATION() {
        return this.eth_call(functions.MAX_DURATION, {})
    }

    UPGRADE_INTERFACE_VERSION() {
        return this.eth_call(functions.UPGRADE_INTERFACE_VERSION, {})
    }

    commissionChangeDelay() {
        return this.eth_call(functions.commissionChangeDelay, {})
    }

    delegationOf(delegator: DelegationOfParams["delegator"], validator: DelegationOfParams["validator"]) {
        return this.eth_call(functions.delegationOf, {delegator, validator})
    }

    getRoleAdmin(role: GetRoleAdminParams["role"]) {
        return this.eth_call(functions.getRoleAdmin, {role})
    }

    getValidator(validator: GetValidatorParams["validator"]) {
        return this.eth_call(functions.getValidator, {validator})
    }

    hasRole(role: HasRoleParams["role"], account: HasRoleParams["account"]) {
        return this.eth_call(functions.hasRole, {role, account})
    }

    maxCommissionBps() {
        return this.eth_call(functions.maxCommissionBps, {})
    }

    paused() {
        return this.eth_call(functions.paused, {})
    }

    proxiableUUID() {
        return this.eth_call(functions.proxiableUUID, {})
    }

    sharesOf(delegator: SharesOfParams["delegator"], validator: SharesOfParams["validator"]) {
        return this.eth_call(functions.sharesOf, {delegator, validator})
    }

    stakingToken() {
        return this.eth_call(functions.stakingToken, {})
    }

    supportsInterface(interfaceId: SupportsInterfaceParams["interfaceId"]) {
        return this.eth_call(functions.supportsInterface, {interfaceId})
    }

    totalStake(validator: TotalStakeParams["validator"]) {
        return this.eth_call(functions.totalStake, {validator})
    }

    totalStaked() {
        return this.eth_call(functions.totalStaked, {})
    }

    totalUnbonding() {
        return this.eth_call(functions.totalUnbonding, {})
    }

    treasury() {
        return this.eth_call(functions.treasury, {})
    }

    unbonding(requestId: UnbondingParams["requestId"]) {
        return this.eth_call(functions.unbonding, {requestId})
    }

    unbondingCount() {
        return this.eth_call(functions.unbondingCount, {})
    }

    unbondingPeriod() {
        return this.eth_call(functions.unbondingPeriod, {})
    }

    validatorAt(index: ValidatorAtParams["index"]) {
        return this.eth_call(functions.validatorAt, {index})
    }

    validatorCount() {
        return this.eth_call(functions.validatorCount, {})
    }

    validatorOfFeeRecipient(feeRecipient: ValidatorOfFeeRecipientParams["feeRecipient"]) {
        return this.eth_call(functions.validatorOfFeeRecipient, {feeRecipient})
    }
}

/// Event types
export type CommissionChangeCancelledEventArgs = EParams<typeof events.CommissionChangeCancelled>
export type CommissionChangeScheduledEventArgs = EParams<typeof events.CommissionChangeScheduled>
export type CommissionChangedEventArgs = EParams<typeof events.CommissionChanged>
export type ConfigChangedEventArgs = EParams<typeof events.ConfigChanged>
export type DelegatedEventArgs = EParams<typeof events.Delegated>
export type FeeRecipientChangedEventArgs = EParams<typeof events.FeeRecipientChanged>
export type InitializedEventArgs = EParams<typeof events.Initialized>
export type MetadataURIChangedEventArgs = EParams<typeof events.MetadataURIChanged>
export type PausedEventArgs = EParams<typeof events.Paused>
export type RedelegatedEventArgs = EParams<typeof events.Redelegated>
export type RoleAdminChangedEventArgs = EParams<typeof events.RoleAdminChanged>
export type RoleGrantedEventArgs = EParams<typeof events.RoleGranted>
export type RoleRevokedEventArgs = EParams<typeof events.RoleRevoked>
export type SlashedEventArgs = EParams<typeof events.Slashed>
export type UnbondingWithdrawnEventArgs = EParams<typeof events.UnbondingWithdrawn>
export type UndelegatedEventArgs = EParams<typeof events.Undelegated>
export type UnpausedEventArgs = EParams<typeof events.Unpaused>
export type UpgradedEventArgs = EParams<typeof events.Upgraded>
export type ValidatorJailedEventArgs = EParams<typeof events.ValidatorJailed>
export type ValidatorRegisteredEventArgs = EParams<typeof events.ValidatorRegistered>
export type ValidatorUnjailedEventArgs = EParams<typeof events.ValidatorUnjailed>

/// Function types
export type BPSParams = FunctionArguments<typeof functions.BPS>
export type BPSReturn = FunctionReturn<typeof functions.BPS>

export type DEFAULT_ADMIN_ROLEParams = FunctionArguments<typeof functions.DEFAULT_ADMIN_ROLE>
export type DEFAULT_ADMIN_ROLEReturn = FunctionReturn<typeof functions.DEFAULT_ADMIN_ROLE>

export type MAX_DURATIONParams = FunctionArguments<typeof functions.MAX_DURATION>
export type MAX_DURATIONReturn = FunctionReturn<typeof functions.MAX_DURATION>

export type UPGRADE_INTERFACE_VERSIONParams = FunctionArguments<typeof functions.UPGRADE_INTERFACE_VERSION>
export type UPGRADE_INTERFACE_VERSIONReturn = FunctionReturn<typeof functions.UPGRADE_INTERFACE_VERSION>

export type ApplyCommissionChangeParams = FunctionArguments<typeof functions.applyCommissionChange>
export type ApplyCommissionChangeReturn = FunctionReturn<typeof functions.applyCommissionChange>

export type CancelCommissionChangeParams = FunctionArguments<typeof functions.cancelCommissionChange>
export type CancelCommissionChangeReturn = FunctionReturn<typeof functions.cancelCommissionChange>

export type CommissionChangeDelayParams = FunctionArguments<typeof functions.commissionChangeDelay>
export type CommissionChangeDelayReturn = FunctionReturn<typeof functions.commissionChangeDelay>

export type DelegateParams = FunctionArguments<typeof functions.delegate>
export type DelegateReturn = FunctionReturn<typeof functions.delegate>

export type DelegationOfParams = FunctionArguments<typeof functions.delegationOf>
export type DelegationOfReturn = FunctionReturn<typeof functions.delegationOf>

export type GetRoleAdminParams = FunctionArguments<typeof functions.getRoleAdmin>
export type GetRoleAdminReturn = FunctionReturn<typeof functions.getRoleAdmin>

export type GetValidatorParams = FunctionArguments<typeof functions.getValidator>
export type GetValidatorReturn = FunctionReturn<typeof functions.getValidator>

export type GrantRoleParams = FunctionArguments<typeof functions.grantRole>
export type GrantRoleReturn = FunctionReturn<typeof functions.grantRole>

export type HasRoleParams = FunctionArguments<typeof functions.hasRole>
export type HasRoleReturn = FunctionReturn<typeof functions.hasRole>

export type InitializeParams = FunctionArguments<typeof functions.initialize>
export type InitializeReturn = FunctionReturn<typeof functions.initialize>

export type JailParams = FunctionArguments<typeof functions.jail>
export type JailReturn = FunctionReturn<typeof functions.jail>

export type MaxCommissionBpsParams = FunctionArguments<typeof functions.maxCommissionBps>
export type MaxCommissionBpsReturn = FunctionReturn<typeof functions.maxCommissionBps>

export type PauseParams = FunctionArguments<typeof functions.pause>
export type PauseReturn = FunctionReturn<typeof functions.pause>

export type PausedParams = FunctionArguments<typeof functions.paused>
export type PausedReturn = FunctionReturn<typeof functions.paused>

export type ProxiableUUIDParams = FunctionArguments<typeof functions.proxiableUUID>
export type ProxiableUUIDReturn = FunctionReturn<typeof functions.proxiableUUID>

export type RedelegateParams = FunctionArguments<typeof functions.redelegate>
export type RedelegateReturn = FunctionReturn<typeof functions.redelegate>

export type RegisterValidatorParams = FunctionArguments<typeof functions.registerValidator>
export type RegisterValidatorReturn = FunctionReturn<typeof functions.registerValidator>

export type RenounceRoleParams = FunctionArguments<typeof functions.renounceRole>
export type RenounceRoleReturn = FunctionReturn<typeof functions.renounceRole>

export type RevokeRoleParams = FunctionArguments<typeof functions.revokeRole>
export type RevokeRoleReturn = FunctionReturn<typeof functions.revokeRole>

export type ScheduleCommissionChangeParams = FunctionArguments<typeof functions.scheduleCommissionChange>
export type ScheduleCommissionChangeReturn = FunctionReturn<typeof functions.scheduleCommissionChange>

export type SetCommissionChangeDelayParams = FunctionArguments<typeof functions.setCommissionChangeDelay>
export type SetCommissionChangeDelayReturn = FunctionReturn<typeof functions.setCommissionChangeDelay>

export type SetFeeRecipientParams = FunctionArguments<typeof functions.setFeeRecipient>
export type SetFeeRecipientReturn = FunctionReturn<typeof functions.setFeeRecipient>

export type SetMaxCommissionBpsParams = FunctionArguments<typeof functions.setMaxCommissionBps>
export type SetMaxCommissionBpsReturn = FunctionReturn<typeof functions.setMaxCommissionBps>

export type SetMetadataURIParams = FunctionArguments<typeof functions.setMetadataURI>
export type SetMetadataURIReturn = FunctionReturn<typeof functions.setMetadataURI>

export type SetTreasuryParams = FunctionArguments<typeof functions.setTreasury>
export type SetTreasuryReturn = FunctionReturn<typeof functions.setTreasury>

export type SetUnbondingPeriodParams = FunctionArguments<typeof functions.setUnbondingPeriod>
export type SetUnbondingPeriodReturn = FunctionReturn<typeof functions.setUnbondingPeriod>

export type SharesOfParams = FunctionArguments<typeof functions.sharesOf>
export type SharesOfReturn = FunctionReturn<typeof functions.sharesOf>

export type SlashParams = FunctionArguments<typeof functions.slash>
export type SlashReturn = FunctionReturn<typeof functions.slash>

export type StakingTokenParams = FunctionArguments<typeof functions.stakingToken>
export type StakingTokenReturn = FunctionReturn<typeof functions.stakingToken>

export type SupportsInterfaceParams = FunctionArguments<typeof functions.supportsInterface>
export type SupportsInterfaceReturn = FunctionReturn<typeof functions.supportsInterface>

export type TotalStakeParams = FunctionArguments<typeof functions.totalStake>
export type TotalStakeReturn = FunctionReturn<typeof functions.totalStake>

export type TotalStakedParams = FunctionArguments<typeof functions.totalStaked>
export type TotalStakedReturn = FunctionReturn<typeof functions.totalStaked>

export type TotalUnbondingParams = FunctionArguments<typeof functions.totalUnbonding>
export type TotalUnbondingReturn = FunctionReturn<typeof functions.totalUnbonding>

export type TreasuryParams = FunctionArguments<typeof functions.treasury>
export type TreasuryReturn = FunctionReturn<typeof functions.treasury>

export type UnbondingParams = FunctionArguments<typeof functions.unbonding>
export type UnbondingReturn = FunctionReturn<typeof functions.unbonding>

export type UnbondingCountParams = FunctionArguments<typeof functions.unbondingCount>
export type UnbondingCountReturn = FunctionReturn<typeof functions.unbondingCount>

export type UnbondingPeriodParams = FunctionArguments<typeof functions.unbondingPeriod>
export type UnbondingPeriodReturn = FunctionReturn<typeof functions.unbondingPeriod>

export type UndelegateParams = FunctionArguments<typeof functions.undelegate>
export type UndelegateReturn = FunctionReturn<typeof functions.undelegate>

export type UnjailParams = FunctionArguments<typeof functions.unjail>
export type UnjailReturn = FunctionReturn<typeof functions.unjail>

export type UnpauseParams = FunctionArguments<typeof functions.unpause>
export type UnpauseReturn = FunctionReturn<typeof functions.unpause>

export type UpgradeToAndCallParams = FunctionArguments<typeof functions.upgradeToAndCall>
export type UpgradeToAndCallReturn = FunctionReturn<typeof functions.upgradeToAndCall>

export type ValidatorAtParams = FunctionArguments<typeof functions.validatorAt>
export type ValidatorAtReturn = FunctionReturn<typeof functions.validatorAt>

export type ValidatorCountParams = FunctionArguments<typeof functions.validatorCount>
export type ValidatorCountReturn = FunctionReturn<typeof functions.validatorCount>

export type ValidatorOfFeeRecipientParams = FunctionArguments<typeof functions.validatorOfFeeRecipient>
export type ValidatorOfFeeRecipientReturn = FunctionReturn<typeof functions.validatorOfFeeRecipient>

export type WithdrawUnbondedParams = FunctionArguments<typeof functions.withdrawUnbonded>
export type WithdrawUnbondedReturn = FunctionReturn<typeof functions.withdrawUnbonded>

