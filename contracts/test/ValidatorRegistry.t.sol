// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {ValidatorRegistryBaseTest} from "./ValidatorRegistryBase.t.sol";
import {ValidatorRegistry} from "../src/ValidatorRegistry.sol";
import {IValidatorRegistry} from "../src/interfaces/IValidatorRegistry.sol";
import {IProtocolErrors} from "../src/interfaces/IRoles.sol";
import {MockToken} from "../src/mocks/MockToken.sol";

contract ValidatorRegistryTest is ValidatorRegistryBaseTest {
    // ------------------------------------------------------------------ initialize / upgrade

    function test_initialize_setsConfig() public view {
        assertEq(address(registry.stakingToken()), address(stk));
        assertEq(registry.treasury(), treasury);
        assertEq(registry.unbondingPeriod(), UNBONDING);
        assertEq(registry.commissionChangeDelay(), COMMISSION_DELAY);
        assertEq(registry.maxCommissionBps(), MAX_COMMISSION);
        assertTrue(registry.hasRole(GOVERNOR_ROLE, governor));
        assertTrue(registry.hasRole(DEFAULT_ADMIN_ROLE, governor));
        assertEq(registry.validatorCount(), 3);
    }

    function test_initialize_emitsConfigChanged() public {
        ValidatorRegistry impl = new ValidatorRegistry();
        vm.expectEmit(false, false, false, true);
        emit IValidatorRegistry.ConfigChanged(address(stk), treasury, 30, 20, 4_000);
        _proxy(
            address(impl),
            abi.encodeCall(ValidatorRegistry.initialize, (governor, IERC20(address(stk)), treasury, 30, 20, 4_000))
        );
    }

    function test_initialize_revertsOnZeroAddresses() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(
            address(registryImpl),
            abi.encodeCall(ValidatorRegistry.initialize, (governor, IERC20(address(0)), treasury, 1, 1, 1))
        );
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(
            address(registryImpl),
            abi.encodeCall(ValidatorRegistry.initialize, (governor, IERC20(address(stk)), address(0), 1, 1, 1))
        );
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(
            address(registryImpl),
            abi.encodeCall(ValidatorRegistry.initialize, (address(0), IERC20(address(stk)), treasury, 1, 1, 1))
        );
    }

    function test_initialize_revertsOnBadParams() public {
        uint64 tooLong = registry.MAX_DURATION() + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorRegistry.DurationTooLong.selector, tooLong, registry.MAX_DURATION())
        );
        _proxy(
            address(registryImpl),
            abi.encodeCall(ValidatorRegistry.initialize, (governor, IERC20(address(stk)), treasury, tooLong, 1, 1))
        );
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.InvalidBps.selector, 10_001));
        _proxy(
            address(registryImpl),
            abi.encodeCall(ValidatorRegistry.initialize, (governor, IERC20(address(stk)), treasury, 1, 1, 10_001))
        );
    }

    function test_initialize_revertsTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        registry.initialize(governor, IERC20(address(stk)), treasury, 1, 1, 1);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        registryImpl.initialize(governor, IERC20(address(stk)), treasury, 1, 1, 1);
    }

    function test_upgradeToAndCall_onlyGovernorAndKeepsState() public {
        _delegate(alice, valA, 100e18);
        ValidatorRegistry v2 = new ValidatorRegistry();
        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        registry.upgradeToAndCall(address(v2), "");

        vm.prank(governor);
        registry.upgradeToAndCall(address(v2), "");
        assertEq(address(uint160(uint256(vm.load(address(registry), ERC1967Utils.IMPLEMENTATION_SLOT)))), address(v2));
        assertEq(registry.delegationOf(alice, valA), 100e18);
        assertEq(registry.validatorOfFeeRecipient(coinbaseB), valB);
    }

    // ------------------------------------------------------------------ registration

    function test_registerValidator_recordsAndEmits() public {
        address v = makeAddr("validatorD");
        address cb = makeAddr("coinbaseD");
        vm.warp(1_000_000);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IValidatorRegistry.ValidatorRegistered(v, cb, 750, "ipfs://d", 4);
        vm.prank(v);
        registry.registerValidator(cb, 750, "ipfs://d");

        IValidatorRegistry.Validator memory r = registry.getValidator(v);
        assertTrue(r.registered);
        assertFalse(r.jailed);
        assertEq(r.commissionBps, 750);
        assertEq(r.feeRecipient, cb);
        assertEq(r.registeredAt, 1_000_000);
        assertEq(r.metadataURI, "ipfs://d");
        assertEq(r.stake, 0);
        assertEq(registry.validatorOfFeeRecipient(cb), v);
        assertEq(registry.validatorCount(), 4);
        assertEq(registry.validatorAt(3), v);
    }

    function test_registerValidator_revertsWhenAlreadyRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.AlreadyRegistered.selector, valA));
        vm.prank(valA);
        registry.registerValidator(makeAddr("other"), 0, "");
    }

    function test_registerValidator_revertsWhenFeeRecipientTaken() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.FeeRecipientTaken.selector, coinbaseA, valA));
        vm.prank(stranger);
        registry.registerValidator(coinbaseA, 0, "");
    }

    function test_registerValidator_revertsOnZeroFeeRecipient() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        vm.prank(stranger);
        registry.registerValidator(address(0), 0, "");
    }

    function test_registerValidator_revertsAboveMaxCommission() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.CommissionTooHigh.selector, 5_001, MAX_COMMISSION));
        vm.prank(stranger);
        registry.registerValidator(makeAddr("cb"), 5_001, "");
    }

    function test_setFeeRecipient_remapsAndFreesOld() public {
        address cb = makeAddr("newCoinbaseA");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IValidatorRegistry.FeeRecipientChanged(valA, coinbaseA, cb);
        vm.prank(valA);
        registry.setFeeRecipient(cb);
        assertEq(registry.validatorOfFeeRecipient(cb), valA);
        assertEq(registry.validatorOfFeeRecipient(coinbaseA), address(0));
        assertEq(registry.getValidator(valA).feeRecipient, cb);

        // the freed address can be taken by someone else
        vm.prank(stranger);
        registry.registerValidator(coinbaseA, 0, "");
        assertEq(registry.validatorOfFeeRecipient(coinbaseA), stranger);
    }

    function test_setFeeRecipient_revertsWhenTakenOrUnchanged() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.FeeRecipientTaken.selector, coinbaseB, valB));
        vm.prank(valA);
        registry.setFeeRecipient(coinbaseB);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.FeeRecipientTaken.selector, coinbaseA, valA));
        vm.prank(valA);
        registry.setFeeRecipient(coinbaseA);
    }

    function test_setFeeRecipient_revertsForNonValidator() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NotValidator.selector, stranger));
        vm.prank(stranger);
        registry.setFeeRecipient(makeAddr("x"));
    }

    function test_setMetadataURI_updatesAndEmits() public {
        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.MetadataURIChanged(valB, "ipfs://new");
        vm.prank(valB);
        registry.setMetadataURI("ipfs://new");
        assertEq(registry.getValidator(valB).metadataURI, "ipfs://new");
    }

    // ------------------------------------------------------------------ commission

    function test_scheduleCommissionChange_emitsEffectiveAt() public {
        uint64 due = uint64(block.timestamp) + COMMISSION_DELAY;
        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.CommissionChangeScheduled(valA, 500, 2_000, due);
        vm.prank(valA);
        registry.scheduleCommissionChange(2_000);
        IValidatorRegistry.Validator memory r = registry.getValidator(valA);
        assertEq(r.commissionBps, 500, "unchanged until applied");
        assertEq(r.pendingCommissionBps, 2_000);
        assertEq(r.commissionEffectiveAt, due);
    }

    function test_scheduleCommissionChange_revertsAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.CommissionTooHigh.selector, 6_000, MAX_COMMISSION));
        vm.prank(valA);
        registry.scheduleCommissionChange(6_000);
    }

    function test_applyCommissionChange_revertsBeforeDue() public {
        vm.prank(valA);
        registry.scheduleCommissionChange(2_000);
        uint64 due = uint64(block.timestamp) + COMMISSION_DELAY;
        vm.warp(due - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorRegistry.CommissionChangeNotDue.selector, valA, due, due - 1)
        );
        registry.applyCommissionChange(valA);
    }

    function test_applyCommissionChange_appliesWhenDueByAnyone() public {
        vm.prank(valA);
        registry.scheduleCommissionChange(2_000);
        uint64 due = uint64(block.timestamp) + COMMISSION_DELAY;
        vm.warp(due);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.CommissionChanged(valA, 500, 2_000, due, stranger);
        vm.prank(stranger);
        registry.applyCommissionChange(valA);
        IValidatorRegistry.Validator memory r = registry.getValidator(valA);
        assertEq(r.commissionBps, 2_000);
        assertEq(r.commissionEffectiveAt, 0);
        assertEq(r.pendingCommissionBps, 0);

        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NoPendingCommissionChange.selector, valA));
        registry.applyCommissionChange(valA);
    }

    function test_scheduleCommissionChange_replacesPendingAndRestartsDelay() public {
        vm.prank(valA);
        registry.scheduleCommissionChange(2_000);
        vm.warp(block.timestamp + 1 days);
        uint64 due = uint64(block.timestamp) + COMMISSION_DELAY;
        vm.prank(valA);
        registry.scheduleCommissionChange(100);
        vm.warp(block.timestamp + 1 days); // the first schedule would be due now
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorRegistry.CommissionChangeNotDue.selector, valA, due, uint64(block.timestamp)
            )
        );
        registry.applyCommissionChange(valA);
        vm.warp(due);
        registry.applyCommissionChange(valA);
        assertEq(registry.getValidator(valA).commissionBps, 100);
    }

    function test_cancelCommissionChange_clearsPending() public {
        vm.prank(valB);
        registry.scheduleCommissionChange(3_000);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.CommissionChangeCancelled(valB, 1_000, 3_000);
        vm.prank(valB);
        registry.cancelCommissionChange();
        vm.warp(block.timestamp + COMMISSION_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NoPendingCommissionChange.selector, valB));
        registry.applyCommissionChange(valB);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NoPendingCommissionChange.selector, valB));
        vm.prank(valB);
        registry.cancelCommissionChange();
    }

    function test_applyCommissionChange_revertsWhenMaxLoweredMeanwhile() public {
        vm.prank(valA);
        registry.scheduleCommissionChange(4_000);
        vm.prank(governor);
        registry.setMaxCommissionBps(3_000);
        vm.warp(block.timestamp + COMMISSION_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.CommissionTooHigh.selector, 4_000, 3_000));
        registry.applyCommissionChange(valA);
    }

    // ------------------------------------------------------------------ delegate

    function test_delegate_mintsSharesAndEmitsTotals() public {
        _fund(alice, 100e18);
        vm.prank(alice);
        stk.approve(address(registry), 100e18);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IValidatorRegistry.Delegated(alice, valA, 100e18, 100e18, 100e18, 100e18, 100e18, 100e18, 100e18);
        vm.prank(alice);
        registry.delegate(valA, 100e18);

        _fund(bob, 50e18);
        vm.prank(bob);
        stk.approve(address(registry), 50e18);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IValidatorRegistry.Delegated(bob, valA, 50e18, 50e18, 50e18, 50e18, 150e18, 150e18, 150e18);
        vm.prank(bob);
        registry.delegate(valA, 50e18);

        assertEq(registry.delegationOf(alice, valA), 100e18);
        assertEq(registry.delegationOf(bob, valA), 50e18);
        assertEq(registry.totalStake(valA), 150e18);
        assertEq(registry.totalStaked(), 150e18);
        assertEq(stk.balanceOf(address(registry)), 150e18);
    }

    function test_delegate_revertsOnZeroUnknownOrJailed() public {
        vm.expectRevert(IProtocolErrors.ZeroAmount.selector);
        vm.prank(alice);
        registry.delegate(valA, 0);

        _fund(alice, 1e18);
        vm.prank(alice);
        stk.approve(address(registry), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NotValidator.selector, stranger));
        vm.prank(alice);
        registry.delegate(stranger, 1e18);

        vm.prank(governor);
        registry.jail(valA, "downtime");
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.ValidatorIsJailed.selector, valA));
        vm.prank(alice);
        registry.delegate(valA, 1e18);
    }

    function test_delegate_revertsWhenPaused() public {
        _fund(alice, 1e18);
        vm.prank(alice);
        stk.approve(address(registry), 1e18);
        vm.prank(pauser);
        registry.pause();
        _expectPaused();
        vm.prank(alice);
        registry.delegate(valA, 1e18);
    }

    // ------------------------------------------------------------------ undelegate / withdraw

    function test_undelegate_opensUnbondingRequestAndEmits() public {
        _delegate(alice, valA, 100e18);
        _delegate(bob, valA, 20e18);
        uint64 unlockAt = uint64(block.timestamp) + UNBONDING;
        vm.expectEmit(true, true, true, true, address(registry));
        emit IValidatorRegistry.Undelegated(
            alice, valA, 1, 40e18, 40e18, unlockAt, 60e18, 60e18, 80e18, 80e18, 80e18, 40e18
        );
        uint256 id = _undelegate(alice, valA, 40e18);
        assertEq(id, 1);

        IValidatorRegistry.UnbondingRequest memory r = registry.unbonding(id);
        assertEq(r.delegator, alice);
        assertEq(r.validator, valA);
        assertEq(r.amount, 40e18);
        assertEq(r.unlockAt, unlockAt);
        assertFalse(r.withdrawn);
        assertEq(registry.delegationOf(alice, valA), 60e18);
        assertEq(registry.totalUnbonding(), 40e18);
        assertEq(registry.unbondingCount(), 1);
        _assertConservation();
    }

    function test_undelegate_revertsAboveDelegationOrZero() public {
        _delegate(alice, valA, 10e18);
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorRegistry.InsufficientDelegation.selector, alice, valA, 10e18 + 1, 10e18)
        );
        _undelegate(alice, valA, 10e18 + 1);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.InsufficientDelegation.selector, bob, valA, 1, 0));
        _undelegate(bob, valA, 1);
        vm.expectRevert(IProtocolErrors.ZeroAmount.selector);
        _undelegate(alice, valA, 0);
    }

    function test_undelegate_allowedFromJailedValidator() public {
        _delegate(alice, valA, 10e18);
        vm.prank(governor);
        registry.jail(valA, "downtime");
        _undelegate(alice, valA, 10e18);
        assertEq(registry.totalStake(valA), 0);
        assertEq(registry.getValidator(valA).totalShares, 0);
    }

    function test_withdrawUnbonded_revertsBeforeUnlock() public {
        _delegate(alice, valA, 10e18);
        uint256 id = _undelegate(alice, valA, 4e18);
        uint64 unlockAt = uint64(block.timestamp) + UNBONDING;
        vm.warp(unlockAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.StillUnbonding.selector, id, unlockAt, unlockAt - 1));
        vm.prank(alice);
        registry.withdrawUnbonded(id);
    }

    function test_withdrawUnbonded_paysAfterUnlockOnce() public {
        _delegate(alice, valA, 10e18);
        uint256 id = _undelegate(alice, valA, 4e18);
        vm.warp(block.timestamp + UNBONDING);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IValidatorRegistry.UnbondingWithdrawn(id, alice, valA, 4e18, 0);
        vm.prank(alice);
        registry.withdrawUnbonded(id);
        assertEq(stk.balanceOf(alice), 4e18);
        assertTrue(registry.unbonding(id).withdrawn);
        assertEq(registry.totalUnbonding(), 0);
        _assertConservation();

        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.AlreadyWithdrawn.selector, id));
        vm.prank(alice);
        registry.withdrawUnbonded(id);
    }

    function test_withdrawUnbonded_revertsForOthersOrUnknown() public {
        _delegate(alice, valA, 10e18);
        uint256 id = _undelegate(alice, valA, 4e18);
        vm.warp(block.timestamp + UNBONDING);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NotRequestOwner.selector, id, bob));
        vm.prank(bob);
        registry.withdrawUnbonded(id);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.UnknownUnbondingRequest.selector, 99));
        vm.prank(alice);
        registry.withdrawUnbonded(99);
    }

    function test_withdrawUnbonded_unlockFixedAtUndelegation() public {
        _delegate(alice, valA, 10e18);
        uint256 id = _undelegate(alice, valA, 4e18);
        vm.prank(governor);
        registry.setUnbondingPeriod(30 days); // later changes do not move existing requests
        vm.warp(block.timestamp + UNBONDING);
        vm.prank(alice);
        registry.withdrawUnbonded(id);
        assertEq(stk.balanceOf(alice), 4e18);
    }

    function test_withdrawUnbonded_revertsWhenPaused() public {
        _delegate(alice, valA, 10e18);
        uint256 id = _undelegate(alice, valA, 4e18);
        vm.warp(block.timestamp + UNBONDING);
        vm.prank(pauser);
        registry.pause();
        _expectPaused();
        vm.prank(alice);
        registry.withdrawUnbonded(id);
        _expectPaused();
        _undelegate(alice, valA, 1e18);
    }

    // ------------------------------------------------------------------ redelegate

    function test_redelegate_movesStakeImmediately() public {
        _delegate(alice, valA, 100e18);
        _delegate(bob, valB, 10e18);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IValidatorRegistry.Redelegated(alice, valA, valB, 30e18, 30e18, 30e18, 70e18, 30e18, 70e18, 40e18, 70e18, 40e18);
        vm.prank(alice);
        registry.redelegate(valA, valB, 30e18);
        assertEq(registry.delegationOf(alice, valA), 70e18);
        assertEq(registry.delegationOf(alice, valB), 30e18);
        assertEq(registry.totalStake(valB), 40e18);
        assertEq(registry.totalStaked(), 110e18);
        assertEq(registry.totalUnbonding(), 0);
        _assertConservation();
    }

    function test_redelegate_revertsToJailedOrSameOrUnknown() public {
        _delegate(alice, valA, 100e18);
        vm.prank(governor);
        registry.jail(valB, "downtime");
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.ValidatorIsJailed.selector, valB));
        vm.prank(alice);
        registry.redelegate(valA, valB, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.SameValidator.selector, valA));
        vm.prank(alice);
        registry.redelegate(valA, valA, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NotValidator.selector, stranger));
        vm.prank(alice);
        registry.redelegate(valA, stranger, 1e18);
    }

    function test_redelegate_allowedOutOfJailedValidator() public {
        _delegate(alice, valA, 100e18);
        vm.prank(governor);
        registry.jail(valA, "downtime");
        vm.prank(alice);
        registry.redelegate(valA, valC, 100e18);
        assertEq(registry.delegationOf(alice, valC), 100e18);
        assertEq(registry.totalStake(valA), 0);
    }

    // ------------------------------------------------------------------ jail

    function test_jail_onlyGovernor() public {
        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        registry.jail(valA, "x");
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        registry.unjail(valA);
    }

    function test_jail_emitsAndUnjailReopens() public {
        _delegate(alice, valA, 5e18);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.ValidatorJailed(valA, "missed 100 slots", 5e18);
        vm.prank(governor);
        registry.jail(valA, "missed 100 slots");
        assertTrue(registry.getValidator(valA).jailed);

        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.ValidatorIsJailed.selector, valA));
        vm.prank(governor);
        registry.jail(valA, "again");

        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.ValidatorUnjailed(valA, 5e18);
        vm.prank(governor);
        registry.unjail(valA);
        _delegate(alice, valA, 5e18);
        assertEq(registry.totalStake(valA), 10e18);

        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.ValidatorNotJailed.selector, valA));
        vm.prank(governor);
        registry.unjail(valA);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NotValidator.selector, stranger));
        vm.prank(governor);
        registry.jail(stranger, "x");
    }

    // ------------------------------------------------------------------ slash

    function test_slash_reducesEveryDelegationProportionally() public {
        _delegate(alice, valA, 300e18);
        _delegate(bob, valA, 100e18);
        _delegate(carol, valB, 50e18);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.Slashed(valA, 1_000, 40e18, 360e18, 400e18, 410e18, treasury, "double sign");
        uint256 taken = _slash(valA, 1_000);
        assertEq(taken, 40e18);
        assertEq(registry.delegationOf(alice, valA), 270e18);
        assertEq(registry.delegationOf(bob, valA), 90e18);
        assertEq(registry.delegationOf(carol, valB), 50e18, "other validators untouched");
        assertEq(registry.totalStake(valA), 360e18);
        assertEq(registry.totalStaked(), 410e18);
        assertEq(stk.balanceOf(treasury), 40e18);
        assertEq(registry.getValidator(valA).slashCount, 1);
        _assertConservation();

        // new delegations after the slash get shares at the new rate and keep their value
        _delegate(carol, valA, 90e18);
        assertEq(registry.delegationOf(carol, valA), 90e18);
        assertEq(registry.sharesOf(carol, valA), 100e18);
    }

    function test_slash_wholeStakeVoidsSharesAndPoolRestarts() public {
        _delegate(alice, valA, 30e18);
        _delegate(bob, valA, 10e18);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IValidatorRegistry.Slashed(valA, 10_000, 40e18, 0, 0, 0, treasury, "double sign");
        _slash(valA, 10_000);
        assertEq(registry.delegationOf(alice, valA), 0);
        assertEq(registry.sharesOf(alice, valA), 0);
        assertEq(registry.getValidator(valA).generation, 1);

        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.InsufficientDelegation.selector, alice, valA, 1, 0));
        _undelegate(alice, valA, 1);

        _delegate(carol, valA, 5e18);
        _delegate(alice, valA, 1e18);
        assertEq(registry.delegationOf(carol, valA), 5e18);
        assertEq(registry.delegationOf(alice, valA), 1e18, "old shares do not come back");
        assertEq(registry.sharesOf(alice, valA), 1e18);
        assertEq(registry.totalStake(valA), 6e18);
        _assertConservation();
    }

    function test_slash_leavesUnbondingUntouched() public {
        _delegate(alice, valA, 100e18);
        uint256 id = _undelegate(alice, valA, 50e18);
        _slash(valA, 5_000);
        assertEq(registry.unbonding(id).amount, 50e18);
        assertEq(registry.delegationOf(alice, valA), 25e18);
        vm.warp(block.timestamp + UNBONDING);
        vm.prank(alice);
        registry.withdrawUnbonded(id);
        assertEq(stk.balanceOf(alice), 50e18);
        _assertConservation();
    }

    function test_slash_revertsOnBadInput() public {
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.InvalidBps.selector, 0));
        _slash(valA, 0);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.InvalidBps.selector, 10_001));
        _slash(valA, 10_001);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.NotValidator.selector, stranger));
        _slash(stranger, 100);
        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        registry.slash(valA, 100, "x");
    }

    function test_slash_revertsWhenPaused() public {
        vm.prank(pauser);
        registry.pause();
        _expectPaused();
        _slash(valA, 100);
    }

    function test_slash_emptyValidatorTakesNothing() public {
        assertEq(_slash(valC, 5_000), 0);
        assertEq(stk.balanceOf(treasury), 0);
        assertEq(registry.getValidator(valC).slashCount, 1);
    }

    function test_undelegate_wholeDelegationAfterSlashPaysAll() public {
        _delegate(alice, valA, 3);
        _delegate(bob, valA, 3);
        _slash(valA, 3_333); // 6 -> 6 - 1 = 5
        uint256 a = registry.delegationOf(alice, valA);
        uint256 b = registry.delegationOf(bob, valA);
        assertEq(a, 2);
        assertEq(b, 2);
        _undelegate(alice, valA, a);
        // bob holds the last shares: he receives the whole remaining stake, dust included
        uint256 bLeft = registry.delegationOf(bob, valA);
        assertEq(bLeft, 3);
        _undelegate(bob, valA, bLeft);
        assertEq(registry.totalStake(valA), 0);
        assertEq(registry.getValidator(valA).totalShares, 0);
        assertEq(registry.totalUnbonding(), 5);
        _assertConservation();
    }

    // ------------------------------------------------------------------ governor config

    function test_setTreasury_onlyGovernorAndEmitsConfig() public {
        address t2 = makeAddr("treasury2");
        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        registry.setTreasury(t2);

        vm.expectEmit(false, false, false, true, address(registry));
        emit IValidatorRegistry.ConfigChanged(address(stk), t2, UNBONDING, COMMISSION_DELAY, MAX_COMMISSION);
        vm.prank(governor);
        registry.setTreasury(t2);

        _delegate(alice, valA, 10e18);
        _slash(valA, 1_000);
        assertEq(stk.balanceOf(t2), 1e18);

        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        vm.prank(governor);
        registry.setTreasury(address(0));
    }

    function test_setParams_emitConfigAndCheckBounds() public {
        vm.startPrank(governor);
        vm.expectEmit(false, false, false, true, address(registry));
        emit IValidatorRegistry.ConfigChanged(address(stk), treasury, 1 days, COMMISSION_DELAY, MAX_COMMISSION);
        registry.setUnbondingPeriod(1 days);
        vm.expectEmit(false, false, false, true, address(registry));
        emit IValidatorRegistry.ConfigChanged(address(stk), treasury, 1 days, 1 hours, MAX_COMMISSION);
        registry.setCommissionChangeDelay(1 hours);
        vm.expectEmit(false, false, false, true, address(registry));
        emit IValidatorRegistry.ConfigChanged(address(stk), treasury, 1 days, 1 hours, 2_500);
        registry.setMaxCommissionBps(2_500);

        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.DurationTooLong.selector, 366 days, 365 days));
        registry.setUnbondingPeriod(366 days);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.DurationTooLong.selector, 366 days, 365 days));
        registry.setCommissionChangeDelay(366 days);
        vm.expectRevert(abi.encodeWithSelector(IValidatorRegistry.InvalidBps.selector, 10_001));
        registry.setMaxCommissionBps(10_001);
        vm.stopPrank();

        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        registry.setUnbondingPeriod(1);
    }

    function test_pause_onlyPauserOrGovernorUnpauseGovernorOnly() public {
        _expectUnauthorized(stranger, PAUSER_ROLE);
        vm.prank(stranger);
        registry.pause();
        vm.prank(pauser);
        registry.pause();
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        registry.unpause();
        vm.prank(governor);
        registry.unpause();
        _delegate(alice, valA, 1e18);
    }

    function test_pause_leavesValidatorAdminOpen() public {
        vm.prank(pauser);
        registry.pause();
        vm.prank(valA);
        registry.scheduleCommissionChange(1_000);
        vm.prank(stranger);
        registry.registerValidator(makeAddr("cbS"), 0, "");
        vm.prank(governor);
        registry.jail(valB, "x");
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_delegate_undelegate_roundTripIsExact(uint256 a, uint256 b) public {
        a = bound(a, 1, 1e30);
        b = bound(b, 1, 1e30);
        _delegate(alice, valA, a);
        _delegate(bob, valA, b);
        assertEq(registry.delegationOf(alice, valA), a);
        assertEq(registry.delegationOf(bob, valA), b);
        _undelegate(alice, valA, a);
        _undelegate(bob, valA, b);
        assertEq(registry.totalStake(valA), 0);
        assertEq(registry.getValidator(valA).totalShares, 0);
        assertEq(registry.totalUnbonding(), a + b);
        _assertConservation();
    }

    function testFuzz_undelegate_partialAfterSlashLosesAtMostRounding(uint256 a, uint256 b, uint16 bps, uint256 x)
        public
    {
        a = bound(a, 1, 1e30);
        b = bound(b, 1, 1e30);
        bps = uint16(bound(bps, 1, 9_999));
        _delegate(alice, valA, a);
        _delegate(bob, valA, b);
        _slash(valA, bps);
        uint256 before = registry.delegationOf(alice, valA);
        uint256 bobBefore = registry.delegationOf(bob, valA);
        vm.assume(before > 0);
        x = bound(x, 1, before);
        uint256 id = _undelegate(alice, valA, x);
        uint256 paid = registry.unbonding(id).amount;
        uint256 afterA = registry.delegationOf(alice, valA);
        assertGe(paid, x, "paid at least what was asked");
        assertLe(paid + afterA, before, "never more than held");
        // rounding costs at most the value of two shares, and shares are worth at most one token each
        assertGe(paid + afterA + 2, before, "loses at most rounding");
        assertGe(registry.delegationOf(bob, valA), bobBefore, "others never lose from an undelegation");
        _assertConservation();
    }

    function testFuzz_slash_proportionalAndNeverIncreases(uint256 a, uint256 b, uint256 c, uint16 bps) public {
        a = bound(a, 1, 1e30);
        b = bound(b, 1, 1e30);
        c = bound(c, 1, 1e30);
        bps = uint16(bound(bps, 1, 10_000));
        _delegate(alice, valA, a);
        _delegate(bob, valA, b);
        _delegate(carol, valB, c);
        uint256 stake = a + b;
        uint256 expectedTaken = (stake * bps) / 10_000;

        uint256 taken = _slash(valA, bps);
        assertEq(taken, expectedTaken);
        assertEq(registry.totalStake(valA), stake - taken);
        assertEq(registry.totalStaked(), stake - taken + c);
        assertEq(stk.balanceOf(treasury), taken);

        uint256 da = registry.delegationOf(alice, valA);
        uint256 db = registry.delegationOf(bob, valA);
        assertLe(da, a);
        assertLe(db, b);
        assertLe(da + db, registry.totalStake(valA), "delegations never exceed the stake");
        // each delegation keeps its proportional value, within one token of rounding
        uint256 keep = 10_000 - uint256(bps);
        assertApproxEqAbs(da, (a * keep) / 10_000, 2);
        assertApproxEqAbs(db, (b * keep) / 10_000, 2);
        assertEq(registry.delegationOf(carol, valB), c);
        _assertConservation();
    }

    function testFuzz_redelegate_conservesTotalStaked(uint256 a, uint256 x, uint16 bps) public {
        a = bound(a, 2, 1e30);
        bps = uint16(bound(bps, 1, 9_999));
        _delegate(alice, valA, a);
        _delegate(bob, valB, 1e18);
        _slash(valB, bps); // the destination pool has a non-unit share price
        uint256 totalBefore = registry.totalStaked();
        uint256 held = registry.delegationOf(alice, valA);
        x = bound(x, 1, held);
        uint256 bobBefore = registry.delegationOf(bob, valB);
        vm.prank(alice);
        try registry.redelegate(valA, valB, x) {
            assertEq(registry.totalStaked(), totalBefore);
            assertEq(registry.totalStake(valA) + registry.totalStake(valB), totalBefore);
            assertLe(registry.delegationOf(alice, valB), registry.totalStake(valB) - bobBefore);
            assertGe(registry.delegationOf(bob, valB), bobBefore, "the destination's delegators never lose");
        } catch (bytes memory err) {
            // only possible when x is worth less than one share of the destination pool
            assertEq(bytes4(err), IValidatorRegistry.AmountTooSmall.selector);
        }
        _assertConservation();
    }
}

contract MockTokenTest is Test {
    MockToken internal token;

    function setUp() public {
        token = new MockToken("Wrapped Ether", "WETH", 18);
    }

    function test_constructor_setsMetadata() public {
        MockToken six = new MockToken("Tether", "USDT", 6);
        assertEq(token.name(), "Wrapped Ether");
        assertEq(token.symbol(), "WETH");
        assertEq(token.decimals(), 18);
        assertEq(six.decimals(), 6);
        assertEq(six.faucetLimit(), 1e9 * 1e6);
        assertEq(token.minter(), address(this));
    }

    function test_faucet_mintsUpToLimit() public {
        address who = makeAddr("who");
        token.faucet(who, token.faucetLimit());
        assertEq(token.balanceOf(who), 1e27);
        uint256 limit = token.faucetLimit();
        vm.expectRevert(abi.encodeWithSelector(MockToken.FaucetLimitExceeded.selector, limit + 1, limit));
        token.faucet(who, limit + 1);
    }

    function test_mint_onlyMinter() public {
        address who = makeAddr("who");
        token.mint(who, 1e40);
        assertEq(token.balanceOf(who), 1e40);
        vm.expectRevert(abi.encodeWithSelector(MockToken.NotMinter.selector, who));
        vm.prank(who);
        token.mint(who, 1);
    }
}
