// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

import {ParticipantRegistry} from "../src/ParticipantRegistry.sol";
import {TokenRegistry} from "../src/TokenRegistry.sol";
import {Escrow} from "../src/Escrow.sol";
import {BatchLedger} from "../src/BatchLedger.sol";
import {Distributor} from "../src/Distributor.sol";
import {IBatchLedger} from "../src/interfaces/IBatchLedger.sol";
import {
    ParticipantRegistryV2,
    TokenRegistryV2,
    EscrowV2,
    BatchLedgerV2,
    DistributorV2,
    NotUUPS
} from "./mocks/UpgradeMocks.sol";

interface IVersioned {
    function version() external view returns (uint256);
}

contract UpgradesTest is BaseTest {
    function _proxies() internal view returns (address[5] memory) {
        return [address(participants), address(tokens), address(escrow), address(ledger), address(distributor)];
    }

    function _impls() internal view returns (address[5] memory) {
        return [
            address(participantsImpl),
            address(tokensImpl),
            address(escrowImpl),
            address(ledgerImpl),
            address(distributorImpl)
        ];
    }

    function _v2s() internal returns (address[5] memory) {
        return [
            address(new ParticipantRegistryV2()),
            address(new TokenRegistryV2()),
            address(new EscrowV2()),
            address(new BatchLedgerV2()),
            address(new DistributorV2())
        ];
    }

    function _implOf(address proxy) internal view returns (address) {
        return address(uint160(uint256(vm.load(proxy, ERC1967Utils.IMPLEMENTATION_SLOT))));
    }

    // ------------------------------------------------------------------ implementations

    function test_proxies_pointAtImplementations() public view {
        address[5] memory proxies = _proxies();
        address[5] memory impls = _impls();
        for (uint256 i = 0; i < 5; i++) {
            assertEq(_implOf(proxies[i]), impls[i]);
        }
    }

    function test_constructor_disablesInitializersOnImplementations() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        participantsImpl.initialize(governor);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        tokensImpl.initialize(governor);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        escrowImpl.initialize(governor, tokens);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        ledgerImpl.initialize(governor, escrow, distributor, participants, DISPUTE_WINDOW);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        distributorImpl.initialize(governor, treasury, FEE_BPS);
        // nobody took the implementations' roles
        assertFalse(escrowImpl.hasRole(GOVERNOR_ROLE, address(this)));
        assertFalse(escrowImpl.hasRole(GOVERNOR_ROLE, governor));
    }

    function test_initialize_revertsWhenCalledTwiceOnProxy() public {
        vm.startPrank(stranger);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        participants.initialize(stranger);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        tokens.initialize(stranger);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        escrow.initialize(stranger, tokens);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        ledger.initialize(stranger, escrow, distributor, participants, DISPUTE_WINDOW);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        distributor.initialize(stranger, stranger, 0);
        vm.stopPrank();
        assertFalse(escrow.hasRole(GOVERNOR_ROLE, stranger));
    }

    function test_proxiableUUID_onlyOnImplementation() public {
        assertEq(escrowImpl.proxiableUUID(), ERC1967Utils.IMPLEMENTATION_SLOT);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        escrow.proxiableUUID();
    }

    function test_upgradeToAndCall_revertsWhenCalledOnImplementation() public {
        address v2 = address(new EscrowV2());
        vm.prank(governor);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        escrowImpl.upgradeToAndCall(v2, "");
    }

    // ------------------------------------------------------------------ authorisation

    function test_upgradeToAndCall_governorUpgradesEveryContract() public {
        address[5] memory proxies = _proxies();
        address[5] memory v2s = _v2s();
        for (uint256 i = 0; i < 5; i++) {
            vm.expectEmit(true, true, true, true, proxies[i]);
            emit IERC1967.Upgraded(v2s[i]);
            vm.prank(governor);
            UUPSUpgradeable(proxies[i]).upgradeToAndCall(v2s[i], "");
            assertEq(_implOf(proxies[i]), v2s[i]);
            assertEq(IVersioned(proxies[i]).version(), 2);
        }
    }

    function test_upgradeToAndCall_revertsWhenNotGovernor() public {
        address[5] memory proxies = _proxies();
        address[5] memory v2s = _v2s();
        address[4] memory others = [operator, pauser, relayer, stranger];
        for (uint256 i = 0; i < 5; i++) {
            for (uint256 j = 0; j < others.length; j++) {
                _expectUnauthorized(others[j], GOVERNOR_ROLE);
                vm.prank(others[j]);
                UUPSUpgradeable(proxies[i]).upgradeToAndCall(v2s[i], "");
            }
            assertEq(_implOf(proxies[i]), _impls()[i]);
        }
    }

    function test_upgradeToAndCall_revertsForDefaultAdminWithoutGovernorRole() public {
        vm.prank(governor);
        escrow.grantRole(DEFAULT_ADMIN_ROLE, stranger);
        address v2 = address(new EscrowV2());
        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        escrow.upgradeToAndCall(v2, "");
    }

    function test_upgradeToAndCall_revertsForLedgerContract() public {
        address v2 = address(new EscrowV2());
        _expectUnauthorized(address(ledger), GOVERNOR_ROLE);
        vm.prank(address(ledger));
        escrow.upgradeToAndCall(v2, "");
    }

    function test_upgradeToAndCall_revertsWhenImplementationNotUUPS() public {
        address bad = address(new NotUUPS());
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(ERC1967Utils.ERC1967InvalidImplementation.selector, bad));
        distributor.upgradeToAndCall(bad, "");
    }

    function test_upgradeToAndCall_worksWhilePausedAndKeepsPause() public {
        vm.prank(pauser);
        escrow.pause();
        address v2 = address(new EscrowV2());
        vm.prank(governor);
        escrow.upgradeToAndCall(v2, "");
        assertTrue(escrow.paused());
        assertEq(EscrowV2(address(escrow)).version(), 2);
    }

    // ------------------------------------------------------------------ state survives upgrades

    function test_upgradeToAndCall_escrowKeepsBalancesAndRoles() public {
        _commitDefault(BATCH_1);
        address next = address(new EscrowV2());
        vm.prank(governor);
        escrow.upgradeToAndCall(next, "");
        assertEq(_available(platform), PLATFORM_FUNDING - 1000e6);
        assertEq(_locked(platform), 1000e6);
        assertEq(escrow.totalHeld(address(usdc)), PLATFORM_FUNDING);
        assertEq(address(escrow.tokenRegistry()), address(tokens));
        assertTrue(escrow.hasRole(LEDGER_ROLE, address(ledger)));
        // the lifecycle goes on through the new implementation
        _finalize(BATCH_1);
        assertEq(_locked(platform), 0);
    }

    function test_upgradeToAndCall_ledgerKeepsBatches() public {
        (,, bytes32 root,) = _commitDefault(BATCH_1);
        address next = address(new BatchLedgerV2());
        vm.prank(governor);
        ledger.upgradeToAndCall(next, "");
        IBatchLedger.Batch memory b = ledger.getBatch(BATCH_1);
        assertEq(b.root, root);
        assertEq(b.payer, platform);
        assertEq(uint8(b.status), uint8(IBatchLedger.BatchStatus.Committed));
        assertEq(ledger.disputeWindow(), DISPUTE_WINDOW);
        assertEq(address(ledger.escrow()), address(escrow));
    }

    function test_upgradeToAndCall_distributorKeepsPayoutsAndClaims() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        vm.prank(pubA);
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        address next = address(new DistributorV2());
        vm.prank(governor);
        distributor.upgradeToAndCall(next, "");
        assertTrue(distributor.isClaimed(BATCH_1, pubA));
        assertEq(distributor.getPayout(BATCH_1).claimedAmount, amounts[0]);
        assertEq(distributor.feeBps(), FEE_BPS);
        assertEq(distributor.treasury(), treasury);
        vm.prank(pubB);
        distributor.claim(BATCH_1, amounts[1], proofs[1]);
    }

    function test_upgradeToAndCall_tokenRegistryKeepsConfig() public {
        address next = address(new TokenRegistryV2());
        vm.prank(governor);
        tokens.upgradeToAndCall(next, "");
        assertTrue(tokens.isAllowed(address(usdc)));
        assertEq(tokens.getToken(address(usdc)).maxDeposit, MAX_DEPOSIT);
    }

    function test_upgradeToAndCall_runsReinitializerOnce() public {
        ParticipantRegistryV2 v2 = new ParticipantRegistryV2();
        vm.prank(governor);
        participants.upgradeToAndCall(address(v2), abi.encodeCall(ParticipantRegistryV2.initializeV2, (42)));
        ParticipantRegistryV2 p = ParticipantRegistryV2(address(participants));
        assertEq(p.v2Value(), 42);
        assertTrue(p.isActive(pubA));
        assertEq(p.getParticipant(platform).payoutAddress, platformPayout);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        p.initializeV2(7);
        // and v1's initializer stays closed
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        p.initialize(stranger);
    }
}
