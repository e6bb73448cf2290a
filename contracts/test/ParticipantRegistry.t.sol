// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {ParticipantRegistry} from "../src/ParticipantRegistry.sol";
import {IParticipantRegistry} from "../src/interfaces/IParticipantRegistry.sol";
import {IProtocolErrors} from "../src/interfaces/IRoles.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

contract ParticipantRegistryTest is BaseTest {
    IParticipantRegistry.ParticipantKind internal constant PLATFORM = IParticipantRegistry.ParticipantKind.AIPlatform;
    IParticipantRegistry.ParticipantKind internal constant PUBLISHER = IParticipantRegistry.ParticipantKind.Publisher;
    IParticipantRegistry.ParticipantKind internal constant ADVERTISER = IParticipantRegistry.ParticipantKind.Advertiser;

    address internal newbie = makeAddr("newbie");
    address internal newbiePayout = makeAddr("newbiePayout");

    // ------------------------------------------------------------------ initialize

    function test_initialize_grantsGovernorRoles() public view {
        assertTrue(participants.hasRole(GOVERNOR_ROLE, governor));
        assertTrue(participants.hasRole(DEFAULT_ADMIN_ROLE, governor));
        assertFalse(participants.paused());
    }

    function test_initialize_revertsWhenGovernorZero() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(address(participantsImpl), abi.encodeCall(ParticipantRegistry.initialize, (address(0))));
    }

    // ------------------------------------------------------------------ register

    function test_register_storesParticipantAndEmits() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.ParticipantRegistered(newbie, PUBLISHER, newbiePayout, "ipfs://newbie", newbie);
        vm.prank(newbie);
        participants.register(PUBLISHER, newbiePayout, "ipfs://newbie");

        IParticipantRegistry.Participant memory p = participants.getParticipant(newbie);
        assertEq(uint8(p.kind), uint8(PUBLISHER));
        assertEq(p.payoutAddress, newbiePayout);
        assertTrue(p.active);
        assertFalse(p.consent);
        assertEq(p.pricePerThousand, 0);
        assertEq(p.metadataURI, "ipfs://newbie");
        assertTrue(participants.isActive(newbie));
    }

    function test_register_revertsWhenPayoutZero() public {
        vm.prank(newbie);
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        participants.register(PUBLISHER, address(0), "");
    }

    function test_register_revertsWhenAlreadyRegistered() public {
        vm.prank(pubA);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.AlreadyRegistered.selector, pubA));
        participants.register(PUBLISHER, pubA, "again");
    }

    function test_register_afterDeactivationStartsFromCleanTerms() public {
        vm.prank(pubA);
        participants.setPublisherTerms(pubA, 5e6, true);
        vm.prank(pubA);
        participants.deactivate(pubA);

        vm.prank(pubA);
        participants.register(ADVERTISER, newbiePayout, "ipfs://reborn");
        IParticipantRegistry.Participant memory p = participants.getParticipant(pubA);
        assertEq(uint8(p.kind), uint8(ADVERTISER));
        assertEq(p.payoutAddress, newbiePayout);
        assertTrue(p.active);
        assertFalse(p.consent);
        assertEq(p.pricePerThousand, 0);
    }

    function test_register_worksWhilePaused() public {
        vm.prank(pauser);
        participants.pause();
        vm.prank(newbie);
        participants.register(PLATFORM, newbiePayout, "");
        assertTrue(participants.isActive(newbie));
    }

    // ------------------------------------------------------------------ registerFor

    function test_registerFor_operatorRegistersAccount() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.ParticipantRegistered(newbie, ADVERTISER, newbiePayout, "ipfs://x", operator);
        vm.prank(operator);
        participants.registerFor(newbie, ADVERTISER, newbiePayout, "ipfs://x");
        assertTrue(participants.isActive(newbie));
        assertEq(uint8(participants.getParticipant(newbie).kind), uint8(ADVERTISER));
    }

    function test_registerFor_revertsWhenNotOperator() public {
        _expectUnauthorized(stranger, OPERATOR_ROLE);
        vm.prank(stranger);
        participants.registerFor(newbie, PUBLISHER, newbiePayout, "");
    }

    function test_registerFor_revertsWhenAccountZero() public {
        vm.prank(operator);
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        participants.registerFor(address(0), PUBLISHER, newbiePayout, "");
    }

    function test_registerFor_revertsWhenAlreadyRegistered() public {
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.AlreadyRegistered.selector, platform));
        participants.registerFor(platform, PLATFORM, platform, "");
    }

    // ------------------------------------------------------------------ update

    function test_update_byAccountChangesPayoutAndMetadata() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.ParticipantUpdated(pubA, newbiePayout, "ipfs://v2", pubA);
        vm.prank(pubA);
        participants.update(pubA, newbiePayout, "ipfs://v2");
        IParticipantRegistry.Participant memory p = participants.getParticipant(pubA);
        assertEq(p.payoutAddress, newbiePayout);
        assertEq(p.metadataURI, "ipfs://v2");
    }

    function test_update_byOperator() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.ParticipantUpdated(pubB, newbiePayout, "", operator);
        vm.prank(operator);
        participants.update(pubB, newbiePayout, "");
        assertEq(participants.getParticipant(pubB).payoutAddress, newbiePayout);
    }

    function test_update_revertsWhenNotAccountOrOperator() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.NotAccountOrOperator.selector, stranger, pubA));
        participants.update(pubA, stranger, "");
    }

    function test_update_revertsWhenNotRegistered() public {
        vm.prank(newbie);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.NotRegistered.selector, newbie));
        participants.update(newbie, newbiePayout, "");
    }

    function test_update_revertsWhenInactive() public {
        vm.prank(pubA);
        participants.deactivate(pubA);
        vm.prank(pubA);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.ParticipantInactive.selector, pubA));
        participants.update(pubA, newbiePayout, "");
    }

    function test_update_revertsWhenPayoutZero() public {
        vm.prank(pubA);
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        participants.update(pubA, address(0), "");
    }

    // ------------------------------------------------------------------ setPublisherTerms

    function test_setPublisherTerms_setsPriceAndConsent() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.PublisherTermsSet(pubA, 2_500_000, true);
        vm.prank(pubA);
        participants.setPublisherTerms(pubA, 2_500_000, true);
        IParticipantRegistry.Participant memory p = participants.getParticipant(pubA);
        assertEq(p.pricePerThousand, 2_500_000);
        assertTrue(p.consent);
    }

    function test_setPublisherTerms_byOperatorCanWithdrawConsent() public {
        vm.prank(pubA);
        participants.setPublisherTerms(pubA, 1e6, true);
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.PublisherTermsSet(pubA, 0, false);
        vm.prank(operator);
        participants.setPublisherTerms(pubA, 0, false);
        assertFalse(participants.getParticipant(pubA).consent);
    }

    function test_setPublisherTerms_revertsWhenNotPublisher() public {
        vm.prank(platform);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.NotPublisher.selector, platform));
        participants.setPublisherTerms(platform, 1, true);
    }

    function test_setPublisherTerms_revertsWhenNotAccountOrOperator() public {
        vm.prank(pubB);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.NotAccountOrOperator.selector, pubB, pubA));
        participants.setPublisherTerms(pubA, 1, true);
    }

    function test_setPublisherTerms_revertsWhenNotRegistered() public {
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.NotRegistered.selector, newbie));
        participants.setPublisherTerms(newbie, 1, true);
    }

    function test_setPublisherTerms_revertsWhenInactive() public {
        vm.prank(operator);
        participants.deactivate(pubC);
        vm.prank(pubC);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.ParticipantInactive.selector, pubC));
        participants.setPublisherTerms(pubC, 1, true);
    }

    // ------------------------------------------------------------------ deactivate

    function test_deactivate_byAccount() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.ParticipantDeactivated(pubA, pubA);
        vm.prank(pubA);
        participants.deactivate(pubA);
        assertFalse(participants.isActive(pubA));
        // the record is kept
        assertEq(participants.getParticipant(pubA).payoutAddress, pubA);
    }

    function test_deactivate_byOperator() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit IParticipantRegistry.ParticipantDeactivated(platform, operator);
        vm.prank(operator);
        participants.deactivate(platform);
        assertFalse(participants.isActive(platform));
    }

    function test_deactivate_revertsWhenNotAccountOrOperator() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.NotAccountOrOperator.selector, stranger, pubA));
        participants.deactivate(pubA);
    }

    function test_deactivate_revertsWhenAlreadyInactive() public {
        vm.prank(pubA);
        participants.deactivate(pubA);
        vm.prank(pubA);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.ParticipantInactive.selector, pubA));
        participants.deactivate(pubA);
    }

    function test_deactivate_revertsWhenNotRegistered() public {
        vm.prank(newbie);
        vm.expectRevert(abi.encodeWithSelector(IParticipantRegistry.NotRegistered.selector, newbie));
        participants.deactivate(newbie);
    }

    // ------------------------------------------------------------------ views

    function test_getParticipant_returnsZeroRecordWhenUnknown() public view {
        IParticipantRegistry.Participant memory p = participants.getParticipant(newbie);
        assertEq(uint8(p.kind), uint8(PLATFORM));
        assertEq(p.payoutAddress, address(0));
        assertFalse(p.active);
        assertEq(bytes(p.metadataURI).length, 0);
        assertFalse(participants.isActive(newbie));
    }

    function test_isActive_followsLifecycle() public {
        assertFalse(participants.isActive(newbie));
        vm.prank(newbie);
        participants.register(PUBLISHER, newbie, "");
        assertTrue(participants.isActive(newbie));
        vm.prank(newbie);
        participants.deactivate(newbie);
        assertFalse(participants.isActive(newbie));
        vm.prank(operator);
        participants.registerFor(newbie, PUBLISHER, newbie, "");
        assertTrue(participants.isActive(newbie));
    }

    // ------------------------------------------------------------------ pause

    function test_pause_byPauserAndUnpauseByGovernor() public {
        vm.expectEmit(true, true, true, true, address(participants));
        emit PausableUpgradeable.Paused(pauser);
        vm.prank(pauser);
        participants.pause();
        assertTrue(participants.paused());
        vm.expectEmit(true, true, true, true, address(participants));
        emit PausableUpgradeable.Unpaused(governor);
        vm.prank(governor);
        participants.unpause();
        assertFalse(participants.paused());
    }

    function test_unpause_revertsForPauser() public {
        vm.prank(pauser);
        participants.pause();
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        participants.unpause();
    }

    function test_pause_revertsForStranger() public {
        _expectUnauthorized(stranger, PAUSER_ROLE);
        vm.prank(stranger);
        participants.pause();
    }

    function test_pause_revertsWhenAlreadyPaused() public {
        vm.prank(governor);
        participants.pause();
        vm.prank(pauser);
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
        participants.pause();
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_register_anyKindPayoutAndMetadata(
        address account,
        uint8 kindSeed,
        address payout,
        string calldata uri
    ) public {
        vm.assume(account != address(0) && payout != address(0));
        vm.assume(!participants.isActive(account));
        IParticipantRegistry.ParticipantKind kind = IParticipantRegistry.ParticipantKind(bound(kindSeed, 0, 2));
        vm.prank(account);
        participants.register(kind, payout, uri);
        IParticipantRegistry.Participant memory p = participants.getParticipant(account);
        assertEq(uint8(p.kind), uint8(kind));
        assertEq(p.payoutAddress, payout);
        assertEq(p.metadataURI, uri);
        assertTrue(p.active);
    }
}
