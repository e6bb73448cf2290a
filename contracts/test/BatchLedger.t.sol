// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {BatchLedger} from "../src/BatchLedger.sol";
import {IBatchLedger} from "../src/interfaces/IBatchLedger.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {IDistributor} from "../src/interfaces/IDistributor.sol";
import {IParticipantRegistry} from "../src/interfaces/IParticipantRegistry.sol";
import {IProtocolErrors} from "../src/interfaces/IRoles.sol";
import {MerkleBuilder} from "./utils/MerkleBuilder.sol";

contract BatchLedgerTest is BaseTest {
    IBatchLedger.BatchStatus internal constant COMMITTED = IBatchLedger.BatchStatus.Committed;
    IBatchLedger.BatchStatus internal constant DISPUTED = IBatchLedger.BatchStatus.Disputed;
    IBatchLedger.BatchStatus internal constant REJECTED = IBatchLedger.BatchStatus.Rejected;
    IBatchLedger.BatchStatus internal constant FINALIZED = IBatchLedger.BatchStatus.Finalized;

    bytes32 internal constant ROOT = keccak256("root");
    bytes32[] internal noProof;

    function _expectStatus(bytes32 id, IBatchLedger.BatchStatus status) internal {
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.InvalidBatchStatus.selector, id, status));
    }

    function _disputeByPayer(bytes32 id) internal {
        vm.prank(platform);
        ledger.dispute(id, 0, noProof, "overcharged");
    }

    // ------------------------------------------------------------------ initialize

    function test_initialize_storesDependenciesAndWindow() public view {
        assertEq(address(ledger.escrow()), address(escrow));
        assertEq(address(ledger.distributor()), address(distributor));
        assertEq(address(ledger.participants()), address(participants));
        assertEq(ledger.disputeWindow(), DISPUTE_WINDOW);
        assertTrue(ledger.hasRole(GOVERNOR_ROLE, governor));
        assertEq(ledger.MIN_DISPUTE_WINDOW(), 1);
        assertEq(ledger.MAX_DISPUTE_WINDOW(), 30 days);
    }

    function test_initialize_emitsDisputeWindowUpdated() public {
        vm.expectEmit(true, true, true, true);
        emit IBatchLedger.DisputeWindowUpdated(0, 2 hours);
        _proxy(
            address(ledgerImpl),
            abi.encodeCall(BatchLedger.initialize, (governor, escrow, distributor, participants, 2 hours))
        );
    }

    function test_initialize_revertsWhenDependencyZero() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(
            address(ledgerImpl),
            abi.encodeCall(
                BatchLedger.initialize, (governor, IEscrow(address(0)), distributor, participants, DISPUTE_WINDOW)
            )
        );
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(
            address(ledgerImpl),
            abi.encodeCall(
                BatchLedger.initialize, (governor, escrow, IDistributor(address(0)), participants, DISPUTE_WINDOW)
            )
        );
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(
            address(ledgerImpl),
            abi.encodeCall(
                BatchLedger.initialize,
                (governor, escrow, distributor, IParticipantRegistry(address(0)), DISPUTE_WINDOW)
            )
        );
    }

    function test_initialize_revertsWhenGovernorZero() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(
            address(ledgerImpl),
            abi.encodeCall(BatchLedger.initialize, (address(0), escrow, distributor, participants, DISPUTE_WINDOW))
        );
    }

    function test_initialize_revertsWhenWindowOutOfBounds() public {
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.InvalidDisputeWindow.selector, uint64(0)));
        _proxy(
            address(ledgerImpl),
            abi.encodeCall(BatchLedger.initialize, (governor, escrow, distributor, participants, uint64(0)))
        );
    }

    // ------------------------------------------------------------------ commitBatch

    function test_commitBatch_storesBatchLocksFundsAndEmits() public {
        uint64 deadline = uint64(block.timestamp) + DISPUTE_WINDOW;
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Locked(platform, address(usdc), BATCH_1, 1000e6, PLATFORM_FUNDING - 1000e6, 1000e6);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.BatchCommitted(BATCH_1, platform, address(usdc), ROOT, 1000e6, 42, DATA_URI, deadline, operator);
        vm.prank(operator);
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1000e6, 42, DATA_URI);

        IBatchLedger.Batch memory b = ledger.getBatch(BATCH_1);
        assertEq(b.payer, platform);
        assertEq(b.token, address(usdc));
        assertEq(b.root, ROOT);
        assertEq(b.totalAmount, 1000e6);
        assertEq(b.recordCount, 42);
        assertEq(uint8(b.status), uint8(COMMITTED));
        assertEq(b.committedAt, block.timestamp);
        assertEq(b.disputeDeadline, deadline);
        assertFalse(b.disputed);
        assertEq(b.dataURI, DATA_URI);
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(COMMITTED));
        assertEq(_locked(platform), 1000e6);
        assertEq(_available(platform), PLATFORM_FUNDING - 1000e6);
    }

    function test_commitBatch_revertsWhenNotOperator() public {
        _expectUnauthorized(platform, OPERATOR_ROLE);
        vm.prank(platform);
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1, 1, "");
    }

    function test_commitBatch_revertsWhenIdTaken() public {
        _commitDefault(BATCH_1);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BatchAlreadyExists.selector, BATCH_1));
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1, 1, "");
    }

    function test_commitBatch_revertsWhenIdOfRejectedBatchReused() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.prank(governor);
        ledger.resolveDispute(BATCH_1, true);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BatchAlreadyExists.selector, BATCH_1));
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1, 1, "");
    }

    function test_commitBatch_revertsWhenEmpty() public {
        vm.startPrank(operator);
        vm.expectRevert(IBatchLedger.EmptyBatch.selector);
        ledger.commitBatch(BATCH_1, platform, address(usdc), bytes32(0), 1, 1, "");
        vm.expectRevert(IBatchLedger.EmptyBatch.selector);
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 0, 1, "");
        vm.expectRevert(IBatchLedger.EmptyBatch.selector);
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1, 0, "");
        vm.stopPrank();
    }

    function test_commitBatch_revertsWhenPayerUnregistered() public {
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.InvalidPayer.selector, stranger));
        ledger.commitBatch(BATCH_1, stranger, address(usdc), ROOT, 1, 1, "");
    }

    function test_commitBatch_revertsWhenPayerNotAIPlatform() public {
        _mintAndDeposit(pubA, 10e6);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.InvalidPayer.selector, pubA));
        ledger.commitBatch(BATCH_1, pubA, address(usdc), ROOT, 1, 1, "");
    }

    function test_commitBatch_revertsWhenPayerInactive() public {
        vm.prank(platform);
        participants.deactivate(platform);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.InvalidPayer.selector, platform));
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1, 1, "");
    }

    function test_commitBatch_revertsWhenBalanceShort() public {
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEscrow.InsufficientBalance.selector, platform, address(usdc), PLATFORM_FUNDING + 1, PLATFORM_FUNDING
            )
        );
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, PLATFORM_FUNDING + 1, 1, "");
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(IBatchLedger.BatchStatus.None));
    }

    function test_commitBatch_revertsWhenPaused() public {
        vm.prank(pauser);
        ledger.pause();
        vm.prank(operator);
        _expectPaused();
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1, 1, "");
    }

    function test_commitBatch_revertsWhenEscrowPaused() public {
        vm.prank(pauser);
        escrow.pause();
        vm.prank(operator);
        _expectPaused();
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, 1, 1, "");
    }

    // ------------------------------------------------------------------ dispute

    function test_dispute_byPayerEmitsAndMarksDisputed() public {
        _commitDefault(BATCH_1);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.BatchDisputed(BATCH_1, platform, true, "overcharged");
        _disputeByPayer(BATCH_1);
        IBatchLedger.Batch memory b = ledger.getBatch(BATCH_1);
        assertEq(uint8(b.status), uint8(DISPUTED));
        assertTrue(b.disputed);
        assertEq(_locked(platform), 1000e6); // still locked until resolved
    }

    function test_dispute_byPayeeWithProof() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitDefault(BATCH_1);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.BatchDisputed(BATCH_1, pubB, false, "underpaid");
        vm.prank(pubB);
        ledger.dispute(BATCH_1, amounts[1], proofs[1], "underpaid");
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(DISPUTED));
    }

    function test_dispute_revertsWhenNotDisputant() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitDefault(BATCH_1);
        // a stranger replaying pubB's proof
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.NotDisputant.selector, BATCH_1, stranger));
        ledger.dispute(BATCH_1, amounts[1], proofs[1], "");
    }

    function test_dispute_revertsWhenPayeeProvesWrongAmount() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitDefault(BATCH_1);
        vm.prank(pubB);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.NotDisputant.selector, BATCH_1, pubB));
        ledger.dispute(BATCH_1, amounts[1] + 1, proofs[1], "");
    }

    function test_dispute_revertsWhenBatchNotFound() public {
        vm.prank(platform);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BatchNotFound.selector, BATCH_2));
        ledger.dispute(BATCH_2, 0, noProof, "");
    }

    function test_dispute_revertsWhenAlreadyDisputedAndPending() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.prank(platform);
        _expectStatus(BATCH_1, DISPUTED);
        ledger.dispute(BATCH_1, 0, noProof, "again");
    }

    function test_dispute_revertsWhenAlreadyDisputedOnceAndDismissed() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.prank(governor);
        ledger.resolveDispute(BATCH_1, false);
        vm.prank(platform);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.AlreadyDisputed.selector, BATCH_1));
        ledger.dispute(BATCH_1, 0, noProof, "again");
    }

    function test_dispute_revertsWhenWindowClosed() public {
        _commitDefault(BATCH_1);
        uint64 deadline = ledger.getBatch(BATCH_1).disputeDeadline;
        vm.warp(deadline);
        vm.prank(platform);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.DisputeWindowClosed.selector, BATCH_1, deadline));
        ledger.dispute(BATCH_1, 0, noProof, "");
    }

    function test_dispute_worksOneSecondBeforeDeadline() public {
        _commitDefault(BATCH_1);
        vm.warp(ledger.getBatch(BATCH_1).disputeDeadline - 1);
        _disputeByPayer(BATCH_1);
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(DISPUTED));
    }

    function test_dispute_revertsWhenFinalized() public {
        _commitAndFinalizeDefault(BATCH_1);
        vm.prank(platform);
        _expectStatus(BATCH_1, FINALIZED);
        ledger.dispute(BATCH_1, 0, noProof, "");
    }

    function test_dispute_worksWhilePaused() public {
        _commitDefault(BATCH_1);
        vm.prank(pauser);
        ledger.pause();
        _disputeByPayer(BATCH_1); // disputes move no funds, and a pause must not run out the window
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(DISPUTED));
    }

    // ------------------------------------------------------------------ resolveDispute

    function test_resolveDispute_upholdRejectsAndUnlocks() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Unlocked(platform, address(usdc), BATCH_1, 1000e6, PLATFORM_FUNDING, 0);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.DisputeResolved(BATCH_1, true, REJECTED, governor);
        vm.prank(governor);
        ledger.resolveDispute(BATCH_1, true);
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(REJECTED));
        assertEq(_available(platform), PLATFORM_FUNDING);
        assertEq(_locked(platform), 0);
    }

    function test_resolveDispute_dismissReturnsToCommitted() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.DisputeResolved(BATCH_1, false, COMMITTED, governor);
        vm.prank(governor);
        ledger.resolveDispute(BATCH_1, false);
        IBatchLedger.Batch memory b = ledger.getBatch(BATCH_1);
        assertEq(uint8(b.status), uint8(COMMITTED));
        assertTrue(b.disputed);
        assertEq(_locked(platform), 1000e6);
    }

    function test_resolveDispute_dismissedAfterDeadlineCanFinalizeAtOnce() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.warp(block.timestamp + 10 days);
        vm.prank(governor);
        ledger.resolveDispute(BATCH_1, false);
        ledger.finalize(BATCH_1);
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(FINALIZED));
    }

    function test_resolveDispute_revertsWhenNotGovernor() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        _expectUnauthorized(operator, GOVERNOR_ROLE);
        vm.prank(operator);
        ledger.resolveDispute(BATCH_1, true);
    }

    function test_resolveDispute_revertsWhenBatchNotFound() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BatchNotFound.selector, BATCH_2));
        ledger.resolveDispute(BATCH_2, true);
    }

    function test_resolveDispute_revertsWhenNotDisputed() public {
        _commitDefault(BATCH_1);
        vm.prank(governor);
        _expectStatus(BATCH_1, COMMITTED);
        ledger.resolveDispute(BATCH_1, true);
    }

    function test_resolveDispute_revertsWhenAlreadyRejected() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.startPrank(governor);
        ledger.resolveDispute(BATCH_1, true);
        _expectStatus(BATCH_1, REJECTED);
        ledger.resolveDispute(BATCH_1, true);
        vm.stopPrank();
    }

    function test_resolveDispute_revertsWhenPaused() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.prank(pauser);
        ledger.pause();
        vm.prank(governor);
        _expectPaused();
        ledger.resolveDispute(BATCH_1, true);
    }

    // ------------------------------------------------------------------ finalize

    function test_finalize_chargesPayerOpensPayoutAndEmits() public {
        (,, bytes32 root,) = _commitDefault(BATCH_1);
        _warpPastDeadline(BATCH_1);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Charged(platform, address(usdc), BATCH_1, 1000e6, address(distributor), PLATFORM_FUNDING - 1000e6, 0);
        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDistributor.PayoutOpened(BATCH_1, address(usdc), root, 1000e6);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.BatchFinalized(BATCH_1, platform, address(usdc), 1000e6, root, stranger);
        vm.prank(stranger); // anyone may finalise
        ledger.finalize(BATCH_1);

        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(FINALIZED));
        assertEq(_locked(platform), 0);
        assertEq(usdc.balanceOf(address(distributor)), 1000e6);
        IDistributor.Payout memory p = distributor.getPayout(BATCH_1);
        assertEq(p.root, root);
        assertEq(p.totalAmount, 1000e6);
        assertEq(p.token, address(usdc));
        assertEq(p.openedAt, block.timestamp);
    }

    function test_finalize_revertsWhenWindowOpen() public {
        _commitDefault(BATCH_1);
        uint64 deadline = ledger.getBatch(BATCH_1).disputeDeadline;
        vm.warp(deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.DisputeWindowOpen.selector, BATCH_1, deadline));
        ledger.finalize(BATCH_1);
    }

    function test_finalize_revertsWhenBatchNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BatchNotFound.selector, BATCH_2));
        ledger.finalize(BATCH_2);
    }

    function test_finalize_revertsWhenAlreadyFinalized() public {
        _commitAndFinalizeDefault(BATCH_1);
        _expectStatus(BATCH_1, FINALIZED);
        ledger.finalize(BATCH_1);
    }

    function test_finalize_revertsWhenDisputed() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        _warpPastDeadline(BATCH_1);
        _expectStatus(BATCH_1, DISPUTED);
        ledger.finalize(BATCH_1);
    }

    function test_finalize_revertsWhenRejected() public {
        _commitDefault(BATCH_1);
        _disputeByPayer(BATCH_1);
        vm.prank(governor);
        ledger.resolveDispute(BATCH_1, true);
        _warpPastDeadline(BATCH_1);
        _expectStatus(BATCH_1, REJECTED);
        ledger.finalize(BATCH_1);
        assertEq(distributor.getPayout(BATCH_1).root, bytes32(0));
    }

    function test_finalize_revertsWhenPaused() public {
        _commitDefault(BATCH_1);
        _warpPastDeadline(BATCH_1);
        vm.prank(pauser);
        ledger.pause();
        _expectPaused();
        ledger.finalize(BATCH_1);
    }

    function test_finalize_revertsWhenDistributorPaused() public {
        _commitDefault(BATCH_1);
        _warpPastDeadline(BATCH_1);
        vm.prank(pauser);
        distributor.pause();
        _expectPaused();
        ledger.finalize(BATCH_1);
        assertEq(_locked(platform), 1000e6); // all or nothing
    }

    function test_finalize_revertsWhenLedgerLacksDistributorRole() public {
        _commitDefault(BATCH_1);
        _warpPastDeadline(BATCH_1);
        vm.prank(governor);
        distributor.revokeRole(LEDGER_ROLE, address(ledger));
        _expectUnauthorized(address(ledger), LEDGER_ROLE);
        ledger.finalize(BATCH_1);
    }

    // ------------------------------------------------------------------ setDisputeWindow

    function test_setDisputeWindow_updatesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IBatchLedger.DisputeWindowUpdated(DISPUTE_WINDOW, 3 days);
        vm.prank(governor);
        ledger.setDisputeWindow(3 days);
        assertEq(ledger.disputeWindow(), 3 days);
    }

    function test_setDisputeWindow_appliesOnlyToNewBatches() public {
        _commitDefault(BATCH_1);
        uint64 oldDeadline = ledger.getBatch(BATCH_1).disputeDeadline;
        vm.prank(governor);
        ledger.setDisputeWindow(7 days);
        assertEq(ledger.getBatch(BATCH_1).disputeDeadline, oldDeadline);
        _commitDefault(BATCH_2);
        assertEq(ledger.getBatch(BATCH_2).disputeDeadline, block.timestamp + 7 days);
    }

    function test_setDisputeWindow_acceptsBounds() public {
        vm.startPrank(governor);
        ledger.setDisputeWindow(1);
        assertEq(ledger.disputeWindow(), 1);
        ledger.setDisputeWindow(30 days);
        assertEq(ledger.disputeWindow(), 30 days);
        vm.stopPrank();
    }

    function test_setDisputeWindow_revertsWhenZero() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.InvalidDisputeWindow.selector, uint64(0)));
        ledger.setDisputeWindow(0);
    }

    function test_setDisputeWindow_revertsWhenAboveMax() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.InvalidDisputeWindow.selector, uint64(30 days + 1)));
        ledger.setDisputeWindow(30 days + 1);
    }

    function test_setDisputeWindow_revertsWhenNotGovernor() public {
        _expectUnauthorized(operator, GOVERNOR_ROLE);
        vm.prank(operator);
        ledger.setDisputeWindow(2 days);
    }

    // ------------------------------------------------------------------ views / pause

    function test_statusOf_unknownIsNone() public view {
        assertEq(uint8(ledger.statusOf(BATCH_2)), uint8(IBatchLedger.BatchStatus.None));
        assertEq(ledger.getBatch(BATCH_2).payer, address(0));
    }

    function test_unpause_revertsForPauser() public {
        vm.prank(pauser);
        ledger.pause();
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        ledger.unpause();
        assertTrue(ledger.paused());
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_commitBatch_locksExactlyTotal(uint256 total, uint32 records) public {
        total = bound(total, 1, PLATFORM_FUNDING);
        records = uint32(bound(records, 1, type(uint32).max));
        vm.prank(operator);
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, total, records, "");
        assertEq(_locked(platform), total);
        assertEq(_available(platform) + _locked(platform), PLATFORM_FUNDING);
        assertEq(escrow.totalHeld(address(usdc)), PLATFORM_FUNDING);
    }

    function testFuzz_commitBatch_revertsWhenTotalAboveAvailable(uint256 total) public {
        total = bound(total, PLATFORM_FUNDING + 1, type(uint256).max);
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEscrow.InsufficientBalance.selector, platform, address(usdc), total, PLATFORM_FUNDING
            )
        );
        ledger.commitBatch(BATCH_1, platform, address(usdc), ROOT, total, 1, "");
    }

    function testFuzz_disputeWindow_boundsFinalizeAndDispute(uint64 window, uint64 elapsed) public {
        window = uint64(bound(window, 1, 30 days));
        elapsed = uint64(bound(elapsed, 0, 60 days));
        vm.prank(governor);
        ledger.setDisputeWindow(window);
        _commitDefault(BATCH_1);
        uint64 deadline = uint64(block.timestamp) + window;
        vm.warp(block.timestamp + elapsed);
        if (elapsed < window) {
            vm.expectRevert(abi.encodeWithSelector(IBatchLedger.DisputeWindowOpen.selector, BATCH_1, deadline));
            ledger.finalize(BATCH_1);
            _disputeByPayer(BATCH_1);
        } else {
            vm.prank(platform);
            vm.expectRevert(abi.encodeWithSelector(IBatchLedger.DisputeWindowClosed.selector, BATCH_1, deadline));
            ledger.dispute(BATCH_1, 0, noProof, "");
            ledger.finalize(BATCH_1);
        }
    }

    function testFuzz_dispute_anyPayeeOfRandomTreeMayDispute(uint256 seed, uint8 n, uint8 who) public {
        n = uint8(bound(n, 1, 12));
        who = uint8(bound(who, 0, n - 1));
        address[] memory payees = new address[](n);
        uint256[] memory amounts = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            payees[i] = address(uint160(uint256(keccak256(abi.encode(seed, i, "payee")))));
            amounts[i] = bound(uint256(keccak256(abi.encode(seed, i, "amount"))), 1, 1000e6);
        }
        (, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        vm.prank(payees[who]);
        ledger.dispute(BATCH_1, amounts[who], proofs[who], "");
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(DISPUTED));
    }
}
