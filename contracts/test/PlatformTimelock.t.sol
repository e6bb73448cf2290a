// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {PlatformTimelock} from "../src/PlatformTimelock.sol";
import {Escrow} from "../src/Escrow.sol";
import {BatchLedger} from "../src/BatchLedger.sol";
import {Distributor} from "../src/Distributor.sol";
import {IBatchLedger} from "../src/interfaces/IBatchLedger.sol";
import {EscrowV2, BatchLedgerV2} from "./mocks/UpgradeMocks.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

interface IERC1822Upgrade {
    function upgradeToAndCall(address newImplementation, bytes calldata data) external payable;
}

/// @notice The production arrangement: the PlatformTimelock holds GOVERNOR_ROLE and DEFAULT_ADMIN_ROLE on every core
///         contract and the bootstrap governor renounced them.
contract PlatformTimelockTest is BaseTest {
    uint256 internal constant MIN_DELAY = 2 days;
    bytes32 internal constant SALT = keccak256("salt-1");
    bytes32 internal constant NO_PREDECESSOR = bytes32(0);
    bytes32 internal constant READY_BITMAP = bytes32(uint256(1) << uint8(TimelockController.OperationState.Ready));

    PlatformTimelock internal timelock;
    address internal proposer = makeAddr("proposer");
    address internal executor = makeAddr("executor");
    bytes32[] internal noProof;

    function setUp() public override {
        super.setUp();
        address[] memory proposers = new address[](1);
        proposers[0] = proposer;
        address[] memory executors = new address[](1);
        executors[0] = executor;
        timelock = new PlatformTimelock(MIN_DELAY, proposers, executors, address(0));

        address[5] memory core =
            [address(participants), address(tokens), address(escrow), address(ledger), address(distributor)];
        vm.startPrank(governor);
        for (uint256 i = 0; i < core.length; i++) {
            AccessControlUpgradeable c = AccessControlUpgradeable(core[i]);
            c.grantRole(GOVERNOR_ROLE, address(timelock));
            c.grantRole(DEFAULT_ADMIN_ROLE, address(timelock));
            c.renounceRole(GOVERNOR_ROLE, governor);
            c.renounceRole(DEFAULT_ADMIN_ROLE, governor);
        }
        vm.stopPrank();
    }

    function _schedule(address target, bytes memory data) internal returns (bytes32 id) {
        id = timelock.hashOperation(target, 0, data, NO_PREDECESSOR, SALT);
        vm.prank(proposer);
        timelock.schedule(target, 0, data, NO_PREDECESSOR, SALT, MIN_DELAY);
    }

    function _execute(address target, bytes memory data) internal {
        vm.prank(executor);
        timelock.execute(target, 0, data, NO_PREDECESSOR, SALT);
    }

    function _disputedBatch() internal {
        _commitDefault(BATCH_1);
        vm.prank(platform);
        ledger.dispute(BATCH_1, 0, noProof, "overcharged");
    }

    // ------------------------------------------------------------------ constructor / handover

    function test_constructor_setsDelayAndRoles() public view {
        assertEq(timelock.getMinDelay(), MIN_DELAY);
        assertTrue(timelock.hasRole(timelock.PROPOSER_ROLE(), proposer));
        assertTrue(timelock.hasRole(timelock.CANCELLER_ROLE(), proposer));
        assertTrue(timelock.hasRole(timelock.EXECUTOR_ROLE(), executor));
        assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)));
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)));
        assertFalse(timelock.hasRole(timelock.PROPOSER_ROLE(), executor));
    }

    function test_handover_timelockIsTheOnlyGovernor() public view {
        assertTrue(ledger.hasRole(GOVERNOR_ROLE, address(timelock)));
        assertTrue(escrow.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)));
        assertFalse(ledger.hasRole(GOVERNOR_ROLE, governor));
        assertFalse(distributor.hasRole(DEFAULT_ADMIN_ROLE, governor));
    }

    function test_handover_directGovernorCallsRevert() public {
        _disputedBatch();
        _expectUnauthorized(governor, GOVERNOR_ROLE);
        vm.prank(governor);
        ledger.resolveDispute(BATCH_1, true);
        _expectUnauthorized(proposer, GOVERNOR_ROLE);
        vm.prank(proposer);
        ledger.resolveDispute(BATCH_1, true);
    }

    // ------------------------------------------------------------------ dispute resolution through the timelock

    function test_scheduleExecute_resolvesDisputeAfterMinDelay() public {
        _disputedBatch();
        bytes memory data = abi.encodeCall(BatchLedger.resolveDispute, (BATCH_1, true));
        bytes32 id = timelock.hashOperation(address(ledger), 0, data, NO_PREDECESSOR, SALT);

        vm.expectEmit(true, true, true, true, address(timelock));
        emit TimelockController.CallScheduled(id, 0, address(ledger), 0, data, NO_PREDECESSOR, MIN_DELAY);
        vm.expectEmit(true, true, true, true, address(timelock));
        emit TimelockController.CallSalt(id, SALT);
        vm.prank(proposer);
        timelock.schedule(address(ledger), 0, data, NO_PREDECESSOR, SALT, MIN_DELAY);
        assertTrue(timelock.isOperationPending(id));
        assertEq(timelock.getTimestamp(id), block.timestamp + MIN_DELAY);

        vm.warp(block.timestamp + MIN_DELAY);
        assertTrue(timelock.isOperationReady(id));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.DisputeResolved(BATCH_1, true, IBatchLedger.BatchStatus.Rejected, address(timelock));
        vm.expectEmit(true, true, true, true, address(timelock));
        emit TimelockController.CallExecuted(id, 0, address(ledger), 0, data);
        _execute(address(ledger), data);

        assertTrue(timelock.isOperationDone(id));
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(IBatchLedger.BatchStatus.Rejected));
        assertEq(_locked(platform), 0);
        assertEq(_available(platform), PLATFORM_FUNDING);
    }

    function test_execute_revertsWhenTooEarly() public {
        _disputedBatch();
        bytes memory data = abi.encodeCall(BatchLedger.resolveDispute, (BATCH_1, false));
        bytes32 id = _schedule(address(ledger), data);
        vm.warp(block.timestamp + MIN_DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY_BITMAP)
        );
        _execute(address(ledger), data);
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(IBatchLedger.BatchStatus.Disputed));
    }

    function test_execute_revertsWhenNotScheduled() public {
        bytes memory data = abi.encodeCall(BatchLedger.setDisputeWindow, (2 days));
        bytes32 id = timelock.hashOperation(address(ledger), 0, data, NO_PREDECESSOR, SALT);
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY_BITMAP)
        );
        _execute(address(ledger), data);
    }

    function test_execute_revertsWhenAlreadyDone() public {
        bytes memory data = abi.encodeCall(BatchLedger.setDisputeWindow, (2 days));
        bytes32 id = _schedule(address(ledger), data);
        vm.warp(block.timestamp + MIN_DELAY);
        _execute(address(ledger), data);
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY_BITMAP)
        );
        _execute(address(ledger), data);
    }

    function test_execute_revertsWhenNotExecutor() public {
        bytes memory data = abi.encodeCall(BatchLedger.setDisputeWindow, (2 days));
        _schedule(address(ledger), data);
        vm.warp(block.timestamp + MIN_DELAY);
        _expectUnauthorized(stranger, timelock.EXECUTOR_ROLE());
        vm.prank(stranger);
        timelock.execute(address(ledger), 0, data, NO_PREDECESSOR, SALT);
    }

    function test_execute_bubblesTargetRevert() public {
        _commitDefault(BATCH_1); // committed, not disputed
        bytes memory data = abi.encodeCall(BatchLedger.resolveDispute, (BATCH_1, true));
        _schedule(address(ledger), data);
        vm.warp(block.timestamp + MIN_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBatchLedger.InvalidBatchStatus.selector, BATCH_1, IBatchLedger.BatchStatus.Committed
            )
        );
        _execute(address(ledger), data);
    }

    // ------------------------------------------------------------------ scheduling rules

    function test_schedule_revertsWhenDelayBelowMin() public {
        bytes memory data = abi.encodeCall(Distributor.setFeeBps, (0));
        vm.prank(proposer);
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, MIN_DELAY - 1, MIN_DELAY)
        );
        timelock.schedule(address(distributor), 0, data, NO_PREDECESSOR, SALT, MIN_DELAY - 1);
    }

    function test_schedule_revertsWhenNotProposer() public {
        bytes memory data = abi.encodeCall(Distributor.setFeeBps, (0));
        _expectUnauthorized(executor, timelock.PROPOSER_ROLE());
        vm.prank(executor);
        timelock.schedule(address(distributor), 0, data, NO_PREDECESSOR, SALT, MIN_DELAY);
    }

    function test_cancel_preventsExecution() public {
        bytes memory data = abi.encodeCall(Distributor.setFeeBps, (0));
        bytes32 id = _schedule(address(distributor), data);
        vm.expectEmit(true, true, true, true, address(timelock));
        emit TimelockController.Cancelled(id);
        vm.prank(proposer);
        timelock.cancel(id);
        vm.warp(block.timestamp + MIN_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY_BITMAP)
        );
        _execute(address(distributor), data);
        assertEq(distributor.feeBps(), FEE_BPS);
    }

    function test_updateDelay_onlyThroughTheTimelockItself() public {
        vm.prank(proposer);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, proposer));
        timelock.updateDelay(1);

        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (3 days));
        _schedule(address(timelock), data);
        vm.warp(block.timestamp + MIN_DELAY);
        vm.expectEmit(true, true, true, true, address(timelock));
        emit TimelockController.MinDelayChange(MIN_DELAY, 3 days);
        _execute(address(timelock), data);
        assertEq(timelock.getMinDelay(), 3 days);
    }

    // ------------------------------------------------------------------ upgrades and configuration

    function test_scheduleExecute_upgradesAfterMinDelay() public {
        _commitDefault(BATCH_1);
        address v2 = address(new EscrowV2());
        bytes memory data = abi.encodeCall(IERC1822Upgrade.upgradeToAndCall, (v2, ""));
        bytes32 id = _schedule(address(escrow), data);

        vm.warp(block.timestamp + MIN_DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY_BITMAP)
        );
        _execute(address(escrow), data);

        vm.warp(block.timestamp + 1);
        _execute(address(escrow), data);
        assertEq(address(uint160(uint256(vm.load(address(escrow), ERC1967Utils.IMPLEMENTATION_SLOT)))), v2);
        assertEq(EscrowV2(address(escrow)).version(), 2);
        assertEq(_locked(platform), 1000e6);
    }

    function test_upgrade_revertsWhenBypassingTimelock() public {
        address v2 = address(new BatchLedgerV2());
        _expectUnauthorized(proposer, GOVERNOR_ROLE);
        vm.prank(proposer);
        ledger.upgradeToAndCall(v2, "");
    }

    function test_scheduleBatch_appliesConfigurationAtomically() public {
        address[] memory targets = new address[](3);
        uint256[] memory values = new uint256[](3);
        bytes[] memory payloads = new bytes[](3);
        targets[0] = address(distributor);
        payloads[0] = abi.encodeCall(Distributor.setFeeBps, (100));
        targets[1] = address(distributor);
        payloads[1] = abi.encodeCall(Distributor.setTreasury, (stranger));
        targets[2] = address(ledger);
        payloads[2] = abi.encodeCall(BatchLedger.setDisputeWindow, (3 days));

        vm.prank(proposer);
        timelock.scheduleBatch(targets, values, payloads, NO_PREDECESSOR, SALT, MIN_DELAY);
        vm.warp(block.timestamp + MIN_DELAY);
        vm.prank(executor);
        timelock.executeBatch(targets, values, payloads, NO_PREDECESSOR, SALT);

        assertEq(distributor.feeBps(), 100);
        assertEq(distributor.treasury(), stranger);
        assertEq(ledger.disputeWindow(), 3 days);
    }

    function test_unpause_onlyThroughTimelockWhilePauserCanPause() public {
        vm.prank(pauser);
        distributor.pause();
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        distributor.unpause();

        bytes memory data = abi.encodeWithSignature("unpause()");
        _schedule(address(distributor), data);
        vm.warp(block.timestamp + MIN_DELAY);
        _execute(address(distributor), data);
        assertFalse(distributor.paused());
    }

    function test_grantRole_throughTimelockAsDefaultAdmin() public {
        bytes memory data = abi.encodeCall(IAccessControl.grantRole, (RELAYER_ROLE, stranger));
        _schedule(address(distributor), data);
        vm.warp(block.timestamp + MIN_DELAY);
        _execute(address(distributor), data);
        assertTrue(distributor.hasRole(RELAYER_ROLE, stranger));
    }
}
