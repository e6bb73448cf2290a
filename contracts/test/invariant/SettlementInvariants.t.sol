// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StdInvariant} from "forge-std/StdInvariant.sol";
import {BaseTest} from "../Base.t.sol";
import {SettlementHandler} from "./SettlementHandler.sol";
import {IParticipantRegistry} from "../../src/interfaces/IParticipantRegistry.sol";
import {IBatchLedger} from "../../src/interfaces/IBatchLedger.sol";
import {IDistributor} from "../../src/interfaces/IDistributor.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
/// @notice Stateful fuzzing of the whole settlement flow through SettlementHandler. The handler guards its own
///         preconditions, so any revert escaping it is a failure (fail-on-revert, set inline above).
contract SettlementInvariantsTest is BaseTest {
    SettlementHandler internal handler;
    uint256 internal initialHeld;

    function setUp() public override {
        super.setUp();
        address platform2 = makeAddr("platform2");
        address platform3 = makeAddr("platform3");
        vm.startPrank(operator);
        participants.registerFor(platform2, IParticipantRegistry.ParticipantKind.AIPlatform, platform2, "");
        participants.registerFor(platform3, IParticipantRegistry.ParticipantKind.AIPlatform, platform3, "");
        vm.stopPrank();
        _mintAndDeposit(platform2, PLATFORM_FUNDING);
        _mintAndDeposit(platform3, PLATFORM_FUNDING);

        address[] memory payers = new address[](3);
        (payers[0], payers[1], payers[2]) = (platform, platform2, platform3);
        address[] memory payees = new address[](8);
        (payees[0], payees[1], payees[2]) = (pubA, pubB, pubC);
        for (uint256 i = 3; i < payees.length; i++) {
            payees[i] = makeAddr(string.concat("payee", vm.toString(i)));
        }

        handler = new SettlementHandler(
            usdc, escrow, ledger, distributor, governor, operator, relayer, MIN_DEPOSIT, payers, payees
        );
        initialHeld = escrow.totalHeld(address(usdc));

        // weights: commit, finalize and claim feed everything else, so they appear twice
        bytes4[] memory selectors = new bytes4[](15);
        selectors[0] = SettlementHandler.deposit.selector;
        selectors[1] = SettlementHandler.withdraw.selector;
        selectors[2] = SettlementHandler.commit.selector;
        selectors[3] = SettlementHandler.commit.selector;
        selectors[4] = SettlementHandler.dispute.selector;
        selectors[5] = SettlementHandler.disputeAsStranger.selector;
        selectors[6] = SettlementHandler.resolve.selector;
        selectors[7] = SettlementHandler.finalize.selector;
        selectors[8] = SettlementHandler.finalize.selector;
        selectors[9] = SettlementHandler.warp.selector;
        selectors[10] = SettlementHandler.claim.selector;
        selectors[11] = SettlementHandler.claim.selector;
        selectors[12] = SettlementHandler.claimMany.selector;
        selectors[13] = SettlementHandler.claimTampered.selector;
        selectors[14] = SettlementHandler.resolve.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice Sum over actors of available + locked == token balance of the escrow == totalHeld, and matches the
    ///         ghost flow (initial + deposited - withdrawn - charged).
    function invariant_escrowConservation() public view {
        address[] memory payers = handler.payers();
        uint256 sum;
        for (uint256 i = 0; i < payers.length; i++) {
            IEscrow.Account memory a = escrow.accountOf(payers[i], address(usdc));
            sum += a.available + a.locked;
        }
        uint256 held = escrow.totalHeld(address(usdc));
        assertEq(sum, usdc.balanceOf(address(escrow)), "sum(accounts) != escrow balance");
        assertEq(held, usdc.balanceOf(address(escrow)), "totalHeld != escrow balance");
        assertEq(
            held,
            initialHeld + handler.ghost_deposited() - handler.ghost_withdrawn() - handler.ghost_charged(),
            "ghost flow"
        );
    }

    /// @notice Each payer's locked balance is exactly the total of its batches still Committed or Disputed.
    function invariant_lockedMatchesOpenBatches() public view {
        address[] memory payers = handler.payers();
        bytes32[] memory ids = handler.batchIds();
        for (uint256 p = 0; p < payers.length; p++) {
            uint256 open;
            for (uint256 i = 0; i < ids.length; i++) {
                IBatchLedger.Batch memory b = ledger.getBatch(ids[i]);
                if (
                    b.payer == payers[p]
                        && (b.status == IBatchLedger.BatchStatus.Committed || b.status == IBatchLedger.BatchStatus.Disputed)
                ) open += b.totalAmount;
            }
            assertEq(escrow.accountOf(payers[p], address(usdc)).locked, open, "locked != open batches");
        }
    }

    /// @notice Per batch: claimed <= opened, and the contract's tally equals what the handler saw paid.
    function invariant_claimedNeverExceedsOpened() public view {
        bytes32[] memory ids = handler.batchIds();
        for (uint256 i = 0; i < ids.length; i++) {
            IDistributor.Payout memory p = distributor.getPayout(ids[i]);
            assertLe(p.claimedAmount, p.totalAmount, "claimed > opened");
            assertEq(p.claimedAmount, handler.ghost_claimedPerBatch(ids[i]), "claimed != ghost");
            if (ledger.statusOf(ids[i]) == IBatchLedger.BatchStatus.Finalized) {
                assertEq(p.totalAmount, ledger.getBatch(ids[i]).totalAmount, "opened != committed");
            } else {
                assertEq(p.root, bytes32(0), "payout open before finalisation");
            }
        }
    }

    /// @notice No (batch, payee) is ever paid twice.
    function invariant_noPayeePaidTwice() public view {
        bytes32[] memory ids = handler.batchIds();
        for (uint256 i = 0; i < ids.length; i++) {
            (address[] memory payees,) = handler.leaves(ids[i]);
            for (uint256 j = 0; j < payees.length; j++) {
                uint256 n = handler.ghost_claimCount(ids[i], payees[j]);
                assertLe(n, 1, "paid twice");
                assertEq(distributor.isClaimed(ids[i], payees[j]), n == 1, "isClaimed != ghost");
            }
        }
    }

    /// @notice A rejected batch has no payout and no claims.
    function invariant_rejectedBatchNeverPays() public view {
        bytes32[] memory ids = handler.batchIds();
        for (uint256 i = 0; i < ids.length; i++) {
            if (ledger.statusOf(ids[i]) != IBatchLedger.BatchStatus.Rejected) continue;
            IDistributor.Payout memory p = distributor.getPayout(ids[i]);
            assertEq(p.root, bytes32(0), "rejected batch has a payout");
            assertEq(p.totalAmount, 0, "rejected batch has funds");
            assertEq(p.claimedAmount, 0, "rejected batch paid");
            assertEq(handler.ghost_claimsOnRejected(ids[i]), 0, "claim succeeded on rejected batch");
            assertEq(handler.ghost_claimedPerBatch(ids[i]), 0, "rejected batch paid (ghost)");
        }
    }

    /// @notice The distributor always holds at least the unclaimed remainder of every payout (exactly, since fees
    ///         leave at claim time), and gross claims split exactly into fees and net payments.
    function invariant_distributorSolvency() public view {
        bytes32[] memory ids = handler.batchIds();
        uint256 unclaimed;
        for (uint256 i = 0; i < ids.length; i++) {
            IDistributor.Payout memory p = distributor.getPayout(ids[i]);
            unclaimed += p.totalAmount - p.claimedAmount;
        }
        uint256 bal = usdc.balanceOf(address(distributor));
        assertGe(bal, unclaimed, "distributor insolvent");
        assertEq(bal, unclaimed, "distributor holds stray funds");
        assertEq(bal, handler.ghost_charged() - handler.ghost_claimedGross(), "charged - claimed");
        assertEq(handler.ghost_fees() + handler.ghost_net(), handler.ghost_claimedGross(), "fee + net != gross");
        assertEq(usdc.balanceOf(treasury), handler.ghost_fees(), "treasury != fees");
    }

    /// @notice Hostile actions never succeed: tampered amounts never pay, strangers never dispute.
    function invariant_hostileActionsNeverSucceed() public view {
        assertEq(handler.ghost_tamperedClaimSuccesses(), 0, "tampered claim paid");
        assertEq(handler.ghost_strangerDisputeSuccesses(), 0, "stranger disputed");
    }
}
