// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {Distributor} from "../src/Distributor.sol";
import {IDistributor} from "../src/interfaces/IDistributor.sol";
import {IProtocolErrors} from "../src/interfaces/IRoles.sol";
import {MerkleLeaf} from "../src/MerkleLeaf.sol";
import {MerkleBuilder} from "./utils/MerkleBuilder.sol";

contract DistributorTest is BaseTest {
    address internal ledgerCaller = makeAddr("ledgerCaller");

    function setUp() public override {
        super.setUp();
        vm.prank(governor);
        distributor.grantRole(LEDGER_ROLE, ledgerCaller);
    }

    function _expectInvalidProof(bytes32 id, address payee, uint256 amount) internal {
        vm.expectRevert(abi.encodeWithSelector(IDistributor.InvalidProof.selector, id, payee, amount));
    }

    /// @dev n distinct pseudo-random payees (no code, not protocol actors) with amounts in [1, maxAmount].
    function _randomLeaves(uint256 seed, uint256 n, uint256 maxAmount)
        internal
        pure
        returns (address[] memory payees, uint256[] memory amounts)
    {
        payees = new address[](n);
        amounts = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            payees[i] = address(uint160(uint256(keccak256(abi.encode("payee", seed, i)))));
            amounts[i] = 1 + (uint256(keccak256(abi.encode("amount", seed, i))) % maxAmount);
        }
    }

    // ------------------------------------------------------------------ initialize

    function test_initialize_setsFeeAndTreasury() public view {
        assertEq(distributor.feeBps(), FEE_BPS);
        assertEq(distributor.treasury(), treasury);
        assertEq(distributor.MAX_FEE_BPS(), 1000);
        assertTrue(distributor.hasRole(GOVERNOR_ROLE, governor));
        assertTrue(distributor.hasRole(LEDGER_ROLE, address(ledger)));
        assertTrue(distributor.hasRole(RELAYER_ROLE, relayer));
    }

    function test_initialize_emitsTreasuryAndFee() public {
        vm.expectEmit(true, true, true, true);
        emit IDistributor.TreasuryUpdated(address(0), treasury);
        vm.expectEmit(true, true, true, true);
        emit IDistributor.FeeUpdated(0, 100);
        _proxy(address(distributorImpl), abi.encodeCall(Distributor.initialize, (governor, treasury, 100)));
    }

    function test_initialize_revertsWhenFeeTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(IDistributor.FeeTooHigh.selector, uint16(1001), uint16(1000)));
        _proxy(address(distributorImpl), abi.encodeCall(Distributor.initialize, (governor, treasury, 1001)));
    }

    function test_initialize_revertsWhenTreasuryZero() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(address(distributorImpl), abi.encodeCall(Distributor.initialize, (governor, address(0), FEE_BPS)));
    }

    // ------------------------------------------------------------------ openPayout

    function test_openPayout_storesAndEmits() public {
        bytes32 root = keccak256("r");
        vm.warp(1_700_000_000);
        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDistributor.PayoutOpened(BATCH_1, address(usdc), root, 77);
        vm.prank(ledgerCaller);
        distributor.openPayout(BATCH_1, address(usdc), root, 77);
        IDistributor.Payout memory p = distributor.getPayout(BATCH_1);
        assertEq(p.token, address(usdc));
        assertEq(p.root, root);
        assertEq(p.totalAmount, 77);
        assertEq(p.claimedAmount, 0);
        assertEq(p.feesPaid, 0);
        assertEq(p.openedAt, 1_700_000_000);
    }

    function test_openPayout_revertsWhenNotLedger() public {
        _expectUnauthorized(operator, LEDGER_ROLE);
        vm.prank(operator);
        distributor.openPayout(BATCH_1, address(usdc), keccak256("r"), 1);
    }

    function test_openPayout_revertsWhenAlreadyOpen() public {
        vm.startPrank(ledgerCaller);
        distributor.openPayout(BATCH_1, address(usdc), keccak256("r"), 1);
        vm.expectRevert(abi.encodeWithSelector(IDistributor.PayoutAlreadyOpen.selector, BATCH_1));
        distributor.openPayout(BATCH_1, address(usdc), keccak256("r2"), 2);
        vm.stopPrank();
    }

    function test_openPayout_revertsWhenPaused() public {
        vm.prank(pauser);
        distributor.pause();
        vm.prank(ledgerCaller);
        _expectPaused();
        distributor.openPayout(BATCH_1, address(usdc), keccak256("r"), 1);
    }

    // ------------------------------------------------------------------ claim

    function test_claim_paysNetAndFee() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        uint256 amount = amounts[1]; // 250.5 USDC
        uint256 fee = (amount * FEE_BPS) / 10_000;
        uint256 net = amount - fee;
        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDistributor.Claimed(BATCH_1, pubB, address(usdc), amount, fee, net, pubB, amount);
        vm.prank(pubB);
        distributor.claim(BATCH_1, amount, proofs[1]);

        assertEq(fee, 6_262_500);
        assertEq(usdc.balanceOf(pubB), net);
        assertEq(usdc.balanceOf(treasury), fee);
        assertEq(usdc.balanceOf(address(distributor)), 1000e6 - amount);
        assertTrue(distributor.isClaimed(BATCH_1, pubB));
        assertFalse(distributor.isClaimed(BATCH_1, pubA));
        IDistributor.Payout memory p = distributor.getPayout(BATCH_1);
        assertEq(p.claimedAmount, amount);
        assertEq(p.feesPaid, fee);
    }

    function test_claim_everyLeafDrainsPayoutExactly() public {
        (address[] memory payees, uint256[] memory amounts,, bytes32[][] memory proofs) =
            _commitAndFinalizeDefault(BATCH_1);
        uint256 fees;
        for (uint256 i = 0; i < payees.length; i++) {
            vm.prank(payees[i]);
            distributor.claim(BATCH_1, amounts[i], proofs[i]);
            fees += _fee(amounts[i]);
            assertEq(usdc.balanceOf(payees[i]), amounts[i] - _fee(amounts[i]));
        }
        assertEq(usdc.balanceOf(address(distributor)), 0);
        assertEq(usdc.balanceOf(treasury), fees);
        IDistributor.Payout memory p = distributor.getPayout(BATCH_1);
        assertEq(p.claimedAmount, p.totalAmount);
        assertEq(p.feesPaid, fees);
    }

    function test_claim_withZeroFeePaysEverythingToPayee() public {
        vm.prank(governor);
        distributor.setFeeBps(0);
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDistributor.Claimed(BATCH_1, pubA, address(usdc), amounts[0], 0, amounts[0], pubA, amounts[0]);
        vm.prank(pubA);
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        assertEq(usdc.balanceOf(pubA), amounts[0]);
        assertEq(usdc.balanceOf(treasury), 0);
    }

    function test_claim_usesFeeAtClaimTime() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        vm.prank(governor);
        distributor.setFeeBps(1000);
        vm.prank(pubA);
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        assertEq(usdc.balanceOf(treasury), amounts[0] / 10);
    }

    function test_claim_dustAmountRoundsFeeDown() public {
        address[] memory payees = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        (payees[0], payees[1]) = (pubA, pubB);
        (amounts[0], amounts[1]) = (39, 1); // 39 * 250 / 10000 = 0.975 -> 0
        (, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        _finalize(BATCH_1);
        vm.prank(pubA);
        distributor.claim(BATCH_1, 39, proofs[0]);
        assertEq(usdc.balanceOf(pubA), 39);
        assertEq(usdc.balanceOf(treasury), 0);
    }

    function test_claim_revertsWhenPayoutNotOpen() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitDefault(BATCH_1); // committed, not final
        vm.prank(pubA);
        vm.expectRevert(abi.encodeWithSelector(IDistributor.PayoutNotOpen.selector, BATCH_1));
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
    }

    function test_claim_revertsWhenAlreadyClaimed() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        vm.startPrank(pubA);
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        vm.expectRevert(abi.encodeWithSelector(IDistributor.AlreadyClaimed.selector, BATCH_1, pubA));
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        vm.stopPrank();
    }

    function test_claim_revertsWhenAmountTampered() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        vm.prank(pubA);
        _expectInvalidProof(BATCH_1, pubA, amounts[0] + 1);
        distributor.claim(BATCH_1, amounts[0] + 1, proofs[0]);
    }

    function test_claim_revertsWhenProofBelongsToAnotherPayee() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        vm.prank(stranger);
        _expectInvalidProof(BATCH_1, stranger, amounts[2]);
        distributor.claim(BATCH_1, amounts[2], proofs[2]);
    }

    function test_claim_revertsWithEmptyProof() public {
        (, uint256[] memory amounts,,) = _commitAndFinalizeDefault(BATCH_1);
        bytes32[] memory empty;
        vm.prank(pubA);
        _expectInvalidProof(BATCH_1, pubA, amounts[0]);
        distributor.claim(BATCH_1, amounts[0], empty);
    }

    function test_claim_revertsWhenInnerNodeUsedAsLeaf() public {
        // present a level-1 node with a proof one step shorter: leaves are double-hashed, so no inner node is a leaf
        (,,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        bytes32[] memory shorter = new bytes32[](proofs[0].length - 1);
        for (uint256 i = 1; i < proofs[0].length; i++) {
            shorter[i - 1] = proofs[0][i];
        }
        vm.prank(pubA);
        _expectInvalidProof(BATCH_1, pubA, uint256(proofs[0][0]));
        distributor.claim(BATCH_1, uint256(proofs[0][0]), shorter);
    }

    function test_claim_revertsWhenTreeExceedsTotal() public {
        // a malformed batch: leaves sum to 1,000 USDC but only 900 were committed
        (address[] memory payees, uint256[] memory amounts) = _defaultLeaves();
        (bytes32 root, bytes32[][] memory proofs) = MerkleBuilder.build(payees, amounts);
        vm.prank(operator);
        ledger.commitBatch(BATCH_1, platform, address(usdc), root, 900e6, 3, DATA_URI);
        _finalize(BATCH_1);
        vm.prank(pubC);
        distributor.claim(BATCH_1, amounts[2], proofs[2]);
        vm.prank(pubB);
        distributor.claim(BATCH_1, amounts[1], proofs[1]);
        vm.prank(pubA);
        vm.expectRevert(abi.encodeWithSelector(IDistributor.ClaimExceedsPayout.selector, BATCH_1, amounts[0], 0));
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        assertEq(usdc.balanceOf(address(distributor)), 0);
    }

    function test_claim_revertsWhenPaused() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        vm.prank(pauser);
        distributor.pause();
        vm.prank(pubA);
        _expectPaused();
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        vm.prank(governor);
        distributor.unpause();
        vm.prank(pubA);
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
    }

    function test_claim_isolatesBatches() public {
        (, uint256[] memory amounts,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        _commitAndFinalizeDefault(BATCH_2); // same leaves, same root, separate funds and claims
        vm.startPrank(pubA);
        distributor.claim(BATCH_1, amounts[0], proofs[0]);
        distributor.claim(BATCH_2, amounts[0], proofs[0]);
        vm.stopPrank();
        assertTrue(distributor.isClaimed(BATCH_1, pubA) && distributor.isClaimed(BATCH_2, pubA));
        assertEq(usdc.balanceOf(pubA), 2 * (amounts[0] - _fee(amounts[0])));
        assertEq(usdc.balanceOf(address(distributor)), 2000e6 - 2 * amounts[0]);
    }

    // ------------------------------------------------------------------ claimMany

    function test_claimMany_relayerPaysEveryPayee() public {
        (address[] memory payees, uint256[] memory amounts,, bytes32[][] memory proofs) =
            _commitAndFinalizeDefault(BATCH_1);
        uint256 running;
        for (uint256 i = 0; i < payees.length; i++) {
            running += amounts[i];
            vm.expectEmit(true, true, true, true, address(distributor));
            emit IDistributor.Claimed(
                BATCH_1, payees[i], address(usdc), amounts[i], _fee(amounts[i]), amounts[i] - _fee(amounts[i]), relayer, running
            );
        }
        vm.prank(relayer);
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
        for (uint256 i = 0; i < payees.length; i++) {
            assertEq(usdc.balanceOf(payees[i]), amounts[i] - _fee(amounts[i]));
            assertTrue(distributor.isClaimed(BATCH_1, payees[i]));
        }
        assertEq(usdc.balanceOf(relayer), 0);
        assertEq(usdc.balanceOf(address(distributor)), 0);
    }

    function test_claimMany_revertsWhenNotRelayer() public {
        (address[] memory payees, uint256[] memory amounts,, bytes32[][] memory proofs) =
            _commitAndFinalizeDefault(BATCH_1);
        _expectUnauthorized(pubA, RELAYER_ROLE);
        vm.prank(pubA);
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
    }

    function test_claimMany_revertsWhenAmountsLengthMismatch() public {
        (address[] memory payees,,, bytes32[][] memory proofs) = _commitAndFinalizeDefault(BATCH_1);
        uint256[] memory two = new uint256[](2);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IProtocolErrors.LengthMismatch.selector, 3, 2));
        distributor.claimMany(BATCH_1, payees, two, proofs);
    }

    function test_claimMany_revertsWhenProofsLengthMismatch() public {
        (address[] memory payees, uint256[] memory amounts,,) = _commitAndFinalizeDefault(BATCH_1);
        bytes32[][] memory four = new bytes32[][](4);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IProtocolErrors.LengthMismatch.selector, 3, 4));
        distributor.claimMany(BATCH_1, payees, amounts, four);
    }

    function test_claimMany_isAtomicWhenOneProofIsBad() public {
        (address[] memory payees, uint256[] memory amounts,, bytes32[][] memory proofs) =
            _commitAndFinalizeDefault(BATCH_1);
        amounts[2] += 1;
        vm.prank(relayer);
        _expectInvalidProof(BATCH_1, payees[2], amounts[2]);
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
        assertFalse(distributor.isClaimed(BATCH_1, payees[0]));
        assertEq(usdc.balanceOf(address(distributor)), 1000e6);
    }

    function test_claimMany_revertsWhenPayeeRepeated() public {
        (address[] memory payees, uint256[] memory amounts,, bytes32[][] memory proofs) =
            _commitAndFinalizeDefault(BATCH_1);
        payees[2] = payees[0];
        amounts[2] = amounts[0];
        proofs[2] = proofs[0];
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IDistributor.AlreadyClaimed.selector, BATCH_1, payees[0]));
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
    }

    function test_claimMany_skipsNothingAfterSelfClaim() public {
        (address[] memory payees, uint256[] memory amounts,, bytes32[][] memory proofs) =
            _commitAndFinalizeDefault(BATCH_1);
        vm.prank(pubB);
        distributor.claim(BATCH_1, amounts[1], proofs[1]);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IDistributor.AlreadyClaimed.selector, BATCH_1, pubB));
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
    }

    function test_claimMany_revertsWhenPaused() public {
        (address[] memory payees, uint256[] memory amounts,, bytes32[][] memory proofs) =
            _commitAndFinalizeDefault(BATCH_1);
        vm.prank(pauser);
        distributor.pause();
        vm.prank(relayer);
        _expectPaused();
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
    }

    function test_claimMany_emptyListIsNoop() public {
        _commitAndFinalizeDefault(BATCH_1);
        vm.prank(relayer);
        distributor.claimMany(BATCH_1, new address[](0), new uint256[](0), new bytes32[][](0));
        assertEq(distributor.getPayout(BATCH_1).claimedAmount, 0);
    }

    // ------------------------------------------------------------------ setFeeBps / setTreasury

    function test_setFeeBps_updatesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDistributor.FeeUpdated(FEE_BPS, 1000);
        vm.prank(governor);
        distributor.setFeeBps(1000);
        assertEq(distributor.feeBps(), 1000);
    }

    function test_setFeeBps_revertsWhenTooHigh() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(IDistributor.FeeTooHigh.selector, uint16(1001), uint16(1000)));
        distributor.setFeeBps(1001);
    }

    function test_setFeeBps_revertsWhenNotGovernor() public {
        _expectUnauthorized(relayer, GOVERNOR_ROLE);
        vm.prank(relayer);
        distributor.setFeeBps(0);
    }

    function test_setTreasury_updatesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDistributor.TreasuryUpdated(treasury, stranger);
        vm.prank(governor);
        distributor.setTreasury(stranger);
        assertEq(distributor.treasury(), stranger);
    }

    function test_setTreasury_revertsWhenZero() public {
        vm.prank(governor);
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        distributor.setTreasury(address(0));
    }

    function test_setTreasury_revertsWhenNotGovernor() public {
        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        distributor.setTreasury(stranger);
    }

    // ------------------------------------------------------------------ views

    function test_leafHash_matchesStandardMerkleTreeEncoding() public view {
        bytes32 expected = keccak256(bytes.concat(keccak256(abi.encode(pubA, uint256(100e6)))));
        assertEq(distributor.leafHash(pubA, 100e6), expected);
        assertEq(MerkleLeaf.hash(pubA, 100e6), expected);
        assertEq(MerkleBuilder.leaf(pubA, 100e6), expected);
    }

    function test_getPayout_unknownIsZero() public view {
        IDistributor.Payout memory p = distributor.getPayout(BATCH_2);
        assertEq(p.root, bytes32(0));
        assertEq(p.token, address(0));
        assertEq(p.totalAmount, 0);
        assertFalse(distributor.isClaimed(BATCH_2, pubA));
    }

    function test_unpause_revertsForPauser() public {
        vm.prank(pauser);
        distributor.pause();
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        distributor.unpause();
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_claim_feeMath(uint256 amount, uint16 bps) public {
        amount = bound(amount, 1, PLATFORM_FUNDING);
        bps = uint16(bound(bps, 0, 1000));
        vm.prank(governor);
        distributor.setFeeBps(bps);
        address[] memory payees = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        (payees[0], amounts[0]) = (pubA, amount);
        (, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        _finalize(BATCH_1);
        vm.prank(pubA);
        distributor.claim(BATCH_1, amount, proofs[0]);

        uint256 fee = usdc.balanceOf(treasury);
        uint256 net = usdc.balanceOf(pubA);
        assertEq(fee + net, amount);
        assertEq(fee, (amount * bps) / 10_000);
        assertLe(fee, amount / 10);
        assertEq(distributor.getPayout(BATCH_1).feesPaid, fee);
        assertEq(usdc.balanceOf(address(distributor)), 0);
    }

    function testFuzz_claim_randomLeafSetsAllVerifyAndClaim(uint256 seed, uint256 n) public {
        n = bound(n, 1, 24);
        (address[] memory payees, uint256[] memory amounts) = _randomLeaves(seed, n, 2_000e6);
        (bytes32 root, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        _finalize(BATCH_1);
        uint256 fees;
        for (uint256 i = 0; i < n; i++) {
            assertEq(MerkleBuilder.process(proofs[i], MerkleBuilder.leaf(payees[i], amounts[i])), root);
            vm.prank(payees[i]);
            distributor.claim(BATCH_1, amounts[i], proofs[i]);
            uint256 fee = (amounts[i] * FEE_BPS) / 10_000;
            fees += fee;
            assertEq(usdc.balanceOf(payees[i]), amounts[i] - fee);
        }
        assertEq(usdc.balanceOf(treasury), fees);
        assertEq(usdc.balanceOf(address(distributor)), 0);
        assertEq(distributor.getPayout(BATCH_1).claimedAmount, _sum(amounts));
    }

    function testFuzz_claimMany_randomLeafSets(uint256 seed, uint256 n) public {
        n = bound(n, 1, 24);
        (address[] memory payees, uint256[] memory amounts) = _randomLeaves(seed, n, 2_000e6);
        (, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        _finalize(BATCH_1);
        vm.prank(relayer);
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
        assertEq(usdc.balanceOf(address(distributor)), 0);
        for (uint256 i = 0; i < n; i++) {
            assertTrue(distributor.isClaimed(BATCH_1, payees[i]));
        }
    }

    function testFuzz_claim_tamperedAmountReverts(uint256 seed, uint256 n, uint256 idx, uint256 wrong) public {
        n = bound(n, 1, 16);
        idx = bound(idx, 0, n - 1);
        (address[] memory payees, uint256[] memory amounts) = _randomLeaves(seed, n, 2_000e6);
        (, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        _finalize(BATCH_1);
        vm.assume(wrong != amounts[idx]);
        vm.prank(payees[idx]);
        _expectInvalidProof(BATCH_1, payees[idx], wrong);
        distributor.claim(BATCH_1, wrong, proofs[idx]);
    }

    function testFuzz_claim_tamperedProofReverts(uint256 seed, uint256 n, uint256 idx, uint256 pos, bytes32 mask)
        public
    {
        n = bound(n, 2, 16);
        idx = bound(idx, 0, n - 1);
        vm.assume(mask != bytes32(0));
        (address[] memory payees, uint256[] memory amounts) = _randomLeaves(seed, n, 2_000e6);
        (, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        _finalize(BATCH_1);
        bytes32[] memory proof = proofs[idx];
        pos = bound(pos, 0, proof.length - 1);
        proof[pos] ^= mask;
        vm.prank(payees[idx]);
        _expectInvalidProof(BATCH_1, payees[idx], amounts[idx]);
        distributor.claim(BATCH_1, amounts[idx], proof);
    }

    function testFuzz_claim_foreignPayeeReverts(uint256 seed, uint256 n, uint256 idx, address thief) public {
        n = bound(n, 1, 16);
        idx = bound(idx, 0, n - 1);
        (address[] memory payees, uint256[] memory amounts) = _randomLeaves(seed, n, 2_000e6);
        for (uint256 i = 0; i < n; i++) {
            vm.assume(thief != payees[i]);
        }
        (, bytes32[][] memory proofs) = _commit(BATCH_1, payees, amounts);
        _finalize(BATCH_1);
        vm.prank(thief);
        _expectInvalidProof(BATCH_1, thief, amounts[idx]);
        distributor.claim(BATCH_1, amounts[idx], proofs[idx]);
    }
}
