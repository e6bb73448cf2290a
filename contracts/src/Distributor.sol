// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ProtocolUpgradeable} from "./ProtocolUpgradeable.sol";
import {IDistributor} from "./interfaces/IDistributor.sol";
import {Roles} from "./interfaces/IRoles.sol";
import {MerkleLeaf} from "./MerkleLeaf.sol";

/// @title Distributor
/// @notice See IDistributor.
contract Distributor is ProtocolUpgradeable, IDistributor {
    using SafeERC20 for IERC20;

    /// @notice The platform fee can never exceed 10%.
    uint16 public constant MAX_FEE_BPS = 1000;

    uint16 public feeBps;
    address public treasury;
    mapping(bytes32 batchId => Payout) private _payouts;
    mapping(bytes32 batchId => mapping(address payee => bool)) private _claimed;

    function initialize(address governor, address treasury_, uint16 feeBps_) external initializer {
        __Protocol_init(governor);
        _setTreasury(treasury_);
        _setFeeBps(feeBps_);
    }

    /// @inheritdoc IDistributor
    function openPayout(bytes32 batchId, address token, bytes32 root, uint256 totalAmount)
        external
        onlyRole(Roles.LEDGER_ROLE)
        whenNotPaused
    {
        if (_payouts[batchId].root != bytes32(0)) revert PayoutAlreadyOpen(batchId);
        _payouts[batchId] = Payout({
            token: token,
            root: root,
            totalAmount: totalAmount,
            claimedAmount: 0,
            feesPaid: 0,
            openedAt: uint64(block.timestamp)
        });
        emit PayoutOpened(batchId, token, root, totalAmount);
    }

    /// @inheritdoc IDistributor
    function claim(bytes32 batchId, uint256 amount, bytes32[] calldata proof) external whenNotPaused nonReentrant {
        _claim(batchId, msg.sender, amount, proof);
    }

    /// @inheritdoc IDistributor
    function claimMany(bytes32 batchId, address[] calldata payees, uint256[] calldata amounts, bytes32[][] calldata proofs)
        external
        onlyRole(Roles.RELAYER_ROLE)
        whenNotPaused
        nonReentrant
    {
        if (payees.length != amounts.length) revert LengthMismatch(payees.length, amounts.length);
        if (payees.length != proofs.length) revert LengthMismatch(payees.length, proofs.length);
        for (uint256 i = 0; i < payees.length; i++) {
            _claim(batchId, payees[i], amounts[i], proofs[i]);
        }
    }

    /// @inheritdoc IDistributor
    function setFeeBps(uint16 feeBps_) external onlyRole(Roles.GOVERNOR_ROLE) {
        _setFeeBps(feeBps_);
    }

    /// @inheritdoc IDistributor
    function setTreasury(address treasury_) external onlyRole(Roles.GOVERNOR_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IDistributor
    function getPayout(bytes32 batchId) external view returns (Payout memory) {
        return _payouts[batchId];
    }

    /// @inheritdoc IDistributor
    function isClaimed(bytes32 batchId, address payee) external view returns (bool) {
        return _claimed[batchId][payee];
    }

    /// @inheritdoc IDistributor
    function leafHash(address payee, uint256 amount) external pure returns (bytes32) {
        return MerkleLeaf.hash(payee, amount);
    }

    function _claim(bytes32 batchId, address payee, uint256 amount, bytes32[] calldata proof) private {
        Payout storage p = _payouts[batchId];
        if (p.root == bytes32(0)) revert PayoutNotOpen(batchId);
        if (_claimed[batchId][payee]) revert AlreadyClaimed(batchId, payee);
        if (!MerkleProof.verifyCalldata(proof, p.root, MerkleLeaf.hash(payee, amount))) {
            revert InvalidProof(batchId, payee, amount);
        }
        uint256 remaining = p.totalAmount - p.claimedAmount;
        if (amount > remaining) revert ClaimExceedsPayout(batchId, amount, remaining);

        _claimed[batchId][payee] = true;
        uint256 fee = (amount * feeBps) / 10_000;
        uint256 net = amount - fee;
        p.claimedAmount += amount;
        p.feesPaid += fee;
        IERC20 token = IERC20(p.token);
        if (fee > 0) token.safeTransfer(treasury, fee);
        if (net > 0) token.safeTransfer(payee, net);
        emit Claimed(batchId, payee, p.token, amount, fee, net, msg.sender, p.claimedAmount);
    }

    function _setFeeBps(uint16 feeBps_) private {
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
        emit FeeUpdated(feeBps, feeBps_);
        feeBps = feeBps_;
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert ZeroAddress();
        emit TreasuryUpdated(treasury, treasury_);
        treasury = treasury_;
    }
}
