// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {IDistributor} from "../src/interfaces/IDistributor.sol";
import {IBatchLedger} from "../src/interfaces/IBatchLedger.sol";
import {MerkleBuilder} from "./utils/MerkleBuilder.sol";

/// @notice Cross-checks the on-chain leaf/proof format against @openzeppelin/merkle-tree (the off-chain builder):
///         test/fixtures/merkle.json is written by scripts/merkle-fixture.js (StandardMerkleTree, ['address','uint256']).
contract MerkleCompatTest is BaseTest {
    string internal constant FIXTURE = "test/fixtures/merkle.json";

    bytes32 internal root;
    uint256 internal total;
    address[] internal payees;
    uint256[] internal amounts;
    bytes32[] internal leafHashes;
    bytes32[][] internal proofs;

    function setUp() public override {
        super.setUp();
        string memory json = vm.readFile(FIXTURE);
        root = vm.parseJsonBytes32(json, ".root");
        for (uint256 i = 0;; i++) {
            string memory key = string.concat(".leaves[", vm.toString(i), "]");
            if (!vm.keyExistsJson(json, key)) break;
            payees.push(vm.parseJsonAddress(json, string.concat(key, ".payee")));
            amounts.push(vm.parseJsonUint(json, string.concat(key, ".amount")));
            leafHashes.push(vm.parseJsonBytes32(json, string.concat(key, ".leaf")));
            proofs.push(vm.parseJsonBytes32Array(json, string.concat(key, ".proof")));
            total += amounts[i];
        }
        assertEq(total, vm.parseJsonUint(json, ".total"), "fixture total");
        _mintAndDeposit(platform, total);
    }

    function _commitFixture() internal {
        vm.prank(operator);
        ledger.commitBatch(BATCH_1, platform, address(usdc), root, total, uint32(payees.length), "ipfs://fixture");
        _finalize(BATCH_1);
    }

    function test_fixture_isLargeEnough() public view {
        assertGe(payees.length, 40);
        assertGt(total, 0);
    }

    function test_fixture_leafHashesMatchContract() public view {
        for (uint256 i = 0; i < payees.length; i++) {
            assertEq(distributor.leafHash(payees[i], amounts[i]), leafHashes[i], "leaf hash");
        }
    }

    function test_fixture_rootAndProofsMatchSolidityBuilder() public view {
        bytes32[] memory t = MerkleBuilder.tree(leafHashes);
        assertEq(t[0], root, "root");
        for (uint256 i = 0; i < payees.length; i++) {
            bytes32[] memory p = MerkleBuilder.proof(t, leafHashes[i]);
            assertEq(p.length, proofs[i].length, "proof length");
            for (uint256 j = 0; j < p.length; j++) {
                assertEq(p[j], proofs[i][j], "proof node");
            }
            assertEq(MerkleBuilder.process(proofs[i], leafHashes[i]), root, "processProof");
        }
    }

    function test_fixture_everyLeafClaimsThroughDistributor() public {
        _commitFixture();
        uint256 fees;
        for (uint256 i = 0; i < payees.length; i++) {
            uint256 before = usdc.balanceOf(payees[i]);
            uint256 fee = (amounts[i] * FEE_BPS) / 10_000;
            vm.expectEmit(true, true, true, true, address(distributor));
            emit IDistributor.Claimed(
                BATCH_1,
                payees[i],
                address(usdc),
                amounts[i],
                fee,
                amounts[i] - fee,
                payees[i],
                distributor.getPayout(BATCH_1).claimedAmount + amounts[i]
            );
            vm.prank(payees[i]);
            distributor.claim(BATCH_1, amounts[i], proofs[i]);
            assertEq(usdc.balanceOf(payees[i]) - before, amounts[i] - fee);
            fees += fee;
        }
        IDistributor.Payout memory p = distributor.getPayout(BATCH_1);
        assertEq(p.claimedAmount, total);
        assertEq(p.feesPaid, fees);
        assertEq(usdc.balanceOf(treasury), fees);
        assertEq(usdc.balanceOf(address(distributor)), 0);
    }

    function test_fixture_relayerClaimsEveryLeafInOneCall() public {
        _commitFixture();
        vm.prank(relayer);
        distributor.claimMany(BATCH_1, payees, amounts, proofs);
        for (uint256 i = 0; i < payees.length; i++) {
            assertTrue(distributor.isClaimed(BATCH_1, payees[i]));
        }
        assertEq(usdc.balanceOf(address(distributor)), 0);
    }

    function test_fixture_tamperedAmountsRevert() public {
        _commitFixture();
        for (uint256 i = 0; i < payees.length; i++) {
            vm.prank(payees[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IDistributor.InvalidProof.selector, BATCH_1, payees[i], amounts[i] + 1)
            );
            distributor.claim(BATCH_1, amounts[i] + 1, proofs[i]);
        }
    }

    function test_fixture_payeeDisputesWithJsProof() public {
        vm.prank(operator);
        ledger.commitBatch(BATCH_1, platform, address(usdc), root, total, uint32(payees.length), "ipfs://fixture");
        uint256 i = payees.length - 1;
        vm.prank(payees[i]);
        ledger.dispute(BATCH_1, amounts[i], proofs[i], "amount too low");
        assertEq(uint8(ledger.statusOf(BATCH_1)), uint8(IBatchLedger.BatchStatus.Disputed));
    }
}
