// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {MockUSDC} from "../../src/MockUSDC.sol";
import {Escrow} from "../../src/Escrow.sol";
import {BatchLedger} from "../../src/BatchLedger.sol";
import {Distributor} from "../../src/Distributor.sol";
import {IBatchLedger} from "../../src/interfaces/IBatchLedger.sol";
import {IDistributor} from "../../src/interfaces/IDistributor.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";

/// @title Drives the settlement lifecycle with bounded random inputs and records what happened in ghost variables.
/// @dev Actions guard their own preconditions (so the campaign runs with fail_on_revert) except the deliberately
///      hostile ones (double claims, claims on unfinalised or rejected batches, tampered amounts), which go through
///      try/catch and count any success in a ghost that the invariants require to stay zero.
contract SettlementHandler is CommonBase, StdCheats, StdUtils {
    uint256 public constant MAX_LEAVES = 6;

    MockUSDC public immutable usdc;
    Escrow public immutable escrow;
    BatchLedger public immutable ledger;
    Distributor public immutable distributor;
    address public immutable governor;
    address public immutable operator;
    address public immutable relayer;
    uint256 public immutable minDeposit;

    address[] internal _payers;
    address[] internal _payees;
    bytes32[] internal _batchIds;
    mapping(bytes32 => address[]) internal _leafPayees;
    mapping(bytes32 => uint256[]) internal _leafAmounts;

    uint256 public currentTime;
    uint256 internal _nonce;

    // ---- ghost variables
    uint256 public ghost_deposited;
    uint256 public ghost_withdrawn;
    uint256 public ghost_charged;
    uint256 public ghost_claimedGross;
    uint256 public ghost_fees;
    uint256 public ghost_net;
    mapping(bytes32 => mapping(address => uint256)) public ghost_claimCount;
    mapping(bytes32 => uint256) public ghost_claimedPerBatch;
    mapping(bytes32 => uint256) public ghost_claimsOnRejected;
    uint256 public ghost_tamperedClaimSuccesses;
    uint256 public ghost_strangerDisputeSuccesses;
    mapping(bytes4 => uint256) public calls;

    constructor(
        MockUSDC usdc_,
        Escrow escrow_,
        BatchLedger ledger_,
        Distributor distributor_,
        address governor_,
        address operator_,
        address relayer_,
        uint256 minDeposit_,
        address[] memory payers_,
        address[] memory payees_
    ) {
        usdc = usdc_;
        escrow = escrow_;
        ledger = ledger_;
        distributor = distributor_;
        governor = governor_;
        operator = operator_;
        relayer = relayer_;
        minDeposit = minDeposit_;
        _payers = payers_;
        _payees = payees_;
        currentTime = block.timestamp;
    }

    /// @dev Keep one clock across the call sequence.
    modifier useTime() {
        vm.warp(currentTime);
        _;
    }

    modifier count() {
        calls[msg.sig]++;
        _;
    }

    // ------------------------------------------------------------------ views for the invariants

    function payers() external view returns (address[] memory) {
        return _payers;
    }

    function batchIds() external view returns (bytes32[] memory) {
        return _batchIds;
    }

    function batchCount() external view returns (uint256) {
        return _batchIds.length;
    }

    function leaves(bytes32 id) external view returns (address[] memory, uint256[] memory) {
        return (_leafPayees[id], _leafAmounts[id]);
    }

    // ------------------------------------------------------------------ escrow

    function deposit(uint256 payerSeed, uint256 amount) external useTime count {
        address payer = _payers[payerSeed % _payers.length];
        amount = bound(amount, minDeposit, usdc.FAUCET_LIMIT());
        usdc.faucet(payer, amount);
        vm.startPrank(payer);
        usdc.approve(address(escrow), amount);
        escrow.deposit(address(usdc), amount);
        vm.stopPrank();
        ghost_deposited += amount;
    }

    function withdraw(uint256 payerSeed, uint256 amount, uint256 toSeed) external useTime count {
        address payer = _payers[payerSeed % _payers.length];
        uint256 available = escrow.accountOf(payer, address(usdc)).available;
        if (available == 0) return;
        amount = bound(amount, 1, available);
        address to = toSeed % 2 == 0 ? payer : _payees[toSeed % _payees.length];
        vm.prank(payer);
        escrow.withdraw(address(usdc), amount, to);
        ghost_withdrawn += amount;
    }

    // ------------------------------------------------------------------ ledger

    function commit(uint256 payerSeed, uint256 nSeed, uint256 amountSeed) external useTime count {
        address payer = _payers[payerSeed % _payers.length];
        uint256 available = escrow.accountOf(payer, address(usdc)).available;
        uint256 n = bound(nSeed, 1, MAX_LEAVES);
        if (available < n) return;
        uint256 maxPerLeaf = available / n;
        if (maxPerLeaf > 200_000e6) maxPerLeaf = 200_000e6; // leave room for more batches

        address[] memory ps = new address[](n);
        uint256[] memory amts = new uint256[](n);
        uint256 start = amountSeed % _payees.length;
        uint256 total;
        for (uint256 i = 0; i < n; i++) {
            ps[i] = _payees[(start + i) % _payees.length]; // distinct payees
            amts[i] = bound(uint256(keccak256(abi.encode(amountSeed, i))), 1, maxPerLeaf);
            total += amts[i];
        }
        bytes32 root = MerkleBuilder.root(MerkleBuilder.leaves(ps, amts));
        bytes32 id = keccak256(abi.encode("handler-batch", _nonce++));

        vm.prank(operator);
        ledger.commitBatch(id, payer, address(usdc), root, total, uint32(n), "ipfs://handler");
        _batchIds.push(id);
        _leafPayees[id] = ps;
        _leafAmounts[id] = amts;
    }

    function dispute(uint256 batchSeed, uint256 leafSeed, bool byPayer) external useTime count {
        bytes32 id = _pickDisputable(batchSeed);
        if (id == bytes32(0)) return;
        IBatchLedger.Batch memory b = ledger.getBatch(id);
        if (byPayer) {
            vm.prank(b.payer);
            ledger.dispute(id, 0, new bytes32[](0), "payer");
        } else {
            uint256 i = leafSeed % _leafPayees[id].length;
            (address payee, uint256 amount, bytes32[] memory proof) = _leaf(id, i);
            vm.prank(payee);
            ledger.dispute(id, amount, proof, "payee");
        }
    }

    function disputeAsStranger(uint256 batchSeed, uint256 leafSeed, address stranger) external useTime count {
        if (_batchIds.length == 0) return;
        bytes32 id = _batchIds[batchSeed % _batchIds.length];
        IBatchLedger.Batch memory b = ledger.getBatch(id);
        if (stranger == b.payer || _isLeafPayee(id, stranger)) return;
        (, uint256 amount, bytes32[] memory proof) = _leaf(id, leafSeed % _leafPayees[id].length);
        vm.prank(stranger);
        try ledger.dispute(id, amount, proof, "stranger") {
            ghost_strangerDisputeSuccesses++;
        } catch {}
    }

    function resolve(uint256 batchSeed, bool uphold) external useTime count {
        bytes32 id = _pick(batchSeed, IBatchLedger.BatchStatus.Disputed);
        if (id == bytes32(0)) return;
        vm.prank(governor);
        ledger.resolveDispute(id, uphold);
    }

    function finalize(uint256 batchSeed, address caller) external useTime count {
        bytes32 id = _pick(batchSeed, IBatchLedger.BatchStatus.Committed);
        if (id == bytes32(0)) return;
        IBatchLedger.Batch memory b = ledger.getBatch(id);
        if (block.timestamp < b.disputeDeadline) {
            currentTime = b.disputeDeadline;
            vm.warp(currentTime);
        }
        vm.prank(caller);
        ledger.finalize(id);
        ghost_charged += b.totalAmount;
    }

    function warp(uint256 secs) external count {
        currentTime += bound(secs, 1, 2 days);
        vm.warp(currentTime);
    }

    // ------------------------------------------------------------------ distributor

    /// @dev Usually a finalised batch; one time in four any batch, whatever its status (claims on committed,
    ///      disputed or rejected batches must fail). Claimed or not: success is recorded, failure is caught.
    function claim(uint256 batchSeed, uint256 leafSeed) external useTime count {
        if (_batchIds.length == 0) return;
        bytes32 id = batchSeed % 4 == 0 ? bytes32(0) : _pick(batchSeed / 4, IBatchLedger.BatchStatus.Finalized);
        if (id == bytes32(0)) id = _batchIds[batchSeed % _batchIds.length];
        (address payee, uint256 amount, bytes32[] memory proof) = _leaf(id, leafSeed % _leafPayees[id].length);
        bool rejected = ledger.statusOf(id) == IBatchLedger.BatchStatus.Rejected;
        uint256 feeBefore = usdc.balanceOf(distributor.treasury());
        uint256 payeeBefore = usdc.balanceOf(payee);
        vm.prank(payee);
        try distributor.claim(id, amount, proof) {
            _recordClaim(id, payee, amount, rejected);
            ghost_fees += usdc.balanceOf(distributor.treasury()) - feeBefore;
            ghost_net += usdc.balanceOf(payee) - payeeBefore;
        } catch {}
    }

    /// @dev The relayer claims every leaf of a batch not yet claimed (usually a finalised batch, as `claim`).
    function claimMany(uint256 batchSeed) external useTime count {
        if (_batchIds.length == 0) return;
        bytes32 id = batchSeed % 4 == 0 ? bytes32(0) : _pick(batchSeed / 4, IBatchLedger.BatchStatus.Finalized);
        if (id == bytes32(0)) id = _batchIds[batchSeed % _batchIds.length];
        uint256 n = _leafPayees[id].length;
        uint256 m;
        for (uint256 i = 0; i < n; i++) {
            if (!distributor.isClaimed(id, _leafPayees[id][i])) m++;
        }
        if (m == 0) return;
        address[] memory ps = new address[](m);
        uint256[] memory amts = new uint256[](m);
        bytes32[][] memory proofs = new bytes32[][](m);
        uint256 k;
        for (uint256 i = 0; i < n; i++) {
            if (distributor.isClaimed(id, _leafPayees[id][i])) continue;
            (ps[k], amts[k], proofs[k]) = _leaf(id, i);
            k++;
        }
        bool rejected = ledger.statusOf(id) == IBatchLedger.BatchStatus.Rejected;
        uint256 distBefore = usdc.balanceOf(address(distributor));
        uint256 feeBefore = usdc.balanceOf(distributor.treasury());
        vm.prank(relayer);
        try distributor.claimMany(id, ps, amts, proofs) {
            for (uint256 i = 0; i < m; i++) {
                _recordClaim(id, ps[i], amts[i], rejected);
            }
            uint256 fees = usdc.balanceOf(distributor.treasury()) - feeBefore;
            ghost_fees += fees;
            ghost_net += distBefore - usdc.balanceOf(address(distributor)) - fees;
        } catch {}
    }

    /// @dev Hostile: a wrong amount with the right proof must never pay.
    function claimTampered(uint256 batchSeed, uint256 leafSeed, uint256 delta) external useTime count {
        if (_batchIds.length == 0) return;
        bytes32 id = _batchIds[batchSeed % _batchIds.length];
        (address payee, uint256 amount, bytes32[] memory proof) = _leaf(id, leafSeed % _leafPayees[id].length);
        delta = bound(delta, 1, 1_000e6);
        uint256 wrong = leafSeed % 2 == 0 || amount <= delta ? amount + delta : amount - delta;
        vm.prank(payee);
        try distributor.claim(id, wrong, proof) {
            ghost_tamperedClaimSuccesses++;
        } catch {}
    }

    // ------------------------------------------------------------------ internals

    function _recordClaim(bytes32 id, address payee, uint256 amount, bool rejected) internal {
        ghost_claimCount[id][payee]++;
        ghost_claimedPerBatch[id] += amount;
        ghost_claimedGross += amount;
        if (rejected) ghost_claimsOnRejected[id]++;
    }

    function _leaf(bytes32 id, uint256 i) internal view returns (address payee, uint256 amount, bytes32[] memory proof) {
        payee = _leafPayees[id][i];
        amount = _leafAmounts[id][i];
        bytes32[] memory t = MerkleBuilder.tree(MerkleBuilder.leaves(_leafPayees[id], _leafAmounts[id]));
        proof = MerkleBuilder.proof(t, MerkleBuilder.leaf(payee, amount));
    }

    /// @dev The first batch in `status`, scanning from a seeded position; zero when none.
    function _pick(uint256 seed, IBatchLedger.BatchStatus status) internal view returns (bytes32) {
        uint256 n = _batchIds.length;
        if (n == 0) return bytes32(0);
        uint256 start = seed % n;
        for (uint256 k = 0; k < n; k++) {
            bytes32 id = _batchIds[(start + k) % n];
            if (ledger.statusOf(id) == status) return id;
        }
        return bytes32(0);
    }

    /// @dev The first batch that can still be disputed now; zero when none.
    function _pickDisputable(uint256 seed) internal view returns (bytes32) {
        uint256 n = _batchIds.length;
        if (n == 0) return bytes32(0);
        uint256 start = seed % n;
        for (uint256 k = 0; k < n; k++) {
            bytes32 id = _batchIds[(start + k) % n];
            IBatchLedger.Batch memory b = ledger.getBatch(id);
            if (b.status == IBatchLedger.BatchStatus.Committed && !b.disputed && block.timestamp < b.disputeDeadline) {
                return id;
            }
        }
        return bytes32(0);
    }

    function _isLeafPayee(bytes32 id, address who) internal view returns (bool) {
        for (uint256 i = 0; i < _leafPayees[id].length; i++) {
            if (_leafPayees[id][i] == who) return true;
        }
        return false;
    }
}
