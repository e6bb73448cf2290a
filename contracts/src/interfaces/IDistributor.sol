// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProtocolErrors} from "./IRoles.sol";

/// @title Distributor: Merkle payouts of finalised batches
/// @notice When a batch is finalised the BatchLedger opens a payout with the batch's root and funds. Payees claim
///         with a proof of the leaf keccak256(bytes.concat(keccak256(abi.encode(payee, amount)))) (OpenZeppelin
///         StandardMerkleTree, types ["address","uint256"]); a relayer may claim for many payees at once. A platform
///         fee in basis points is taken on each claim and sent to the treasury; the payee receives the rest.
interface IDistributor is IProtocolErrors {
    /// @notice A payout's state.
    struct Payout {
        address token;
        bytes32 root;
        uint256 totalAmount;
        uint256 claimedAmount;
        uint256 feesPaid;
        uint64 openedAt;
    }

    /// @notice A payout was opened for a finalised batch.
    event PayoutOpened(bytes32 indexed batchId, address indexed token, bytes32 root, uint256 totalAmount);
    /// @notice `payee` claimed its leaf of `batchId`.
    /// @param amount the leaf amount (gross)
    /// @param fee the platform fee taken from it
    /// @param net what the payee received (amount - fee)
    /// @param claimer who sent the claim (the payee or a relayer)
    /// @param claimedTotalAfter the batch's total claimed (gross) after this claim
    event Claimed(
        bytes32 indexed batchId,
        address indexed payee,
        address indexed token,
        uint256 amount,
        uint256 fee,
        uint256 net,
        address claimer,
        uint256 claimedTotalAfter
    );
    /// @notice The platform fee changed.
    event FeeUpdated(uint16 oldFeeBps, uint16 newFeeBps);
    /// @notice The treasury changed.
    event TreasuryUpdated(address oldTreasury, address newTreasury);

    /// @notice No payout is open for `batchId`.
    error PayoutNotOpen(bytes32 batchId);
    /// @notice A payout is already open for `batchId`.
    error PayoutAlreadyOpen(bytes32 batchId);
    /// @notice `payee` already claimed from `batchId`.
    error AlreadyClaimed(bytes32 batchId, address payee);
    /// @notice The proof does not verify leaf (payee, amount) under the batch's root.
    error InvalidProof(bytes32 batchId, address payee, uint256 amount);
    /// @notice The claim would exceed the batch's total (a malformed tree).
    error ClaimExceedsPayout(bytes32 batchId, uint256 amount, uint256 remaining);
    /// @notice The fee is above MAX_FEE_BPS.
    error FeeTooHigh(uint16 feeBps, uint16 maxFeeBps);

    /// @notice Ledger only: open the payout for a finalised batch (funds already transferred here).
    function openPayout(bytes32 batchId, address token, bytes32 root, uint256 totalAmount) external;
    /// @notice msg.sender claims its leaf.
    function claim(bytes32 batchId, uint256 amount, bytes32[] calldata proof) external;
    /// @notice Relayer: claim for many payees of one batch; funds go to each payee.
    function claimMany(bytes32 batchId, address[] calldata payees, uint256[] calldata amounts, bytes32[][] calldata proofs)
        external;
    /// @notice Governor: set the platform fee.
    function setFeeBps(uint16 feeBps) external;
    /// @notice Governor: set the treasury.
    function setTreasury(address treasury) external;

    /// @notice The payout of `batchId`.
    function getPayout(bytes32 batchId) external view returns (Payout memory);
    /// @notice Whether `payee` has claimed from `batchId`.
    function isClaimed(bytes32 batchId, address payee) external view returns (bool);
    /// @notice The leaf hash for (payee, amount).
    function leafHash(address payee, uint256 amount) external pure returns (bytes32);
    /// @notice The platform fee in basis points.
    function feeBps() external view returns (uint16);
    /// @notice Where fees go.
    function treasury() external view returns (address);
}
