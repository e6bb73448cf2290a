// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProtocolErrors} from "./IRoles.sol";

/// @title BatchLedger: Merkle commitments of aggregated usage
/// @notice The operator commits a batch: a Merkle root over (payee, amount) leaves in OpenZeppelin
///         StandardMerkleTree form, locking the payer's total in Escrow. During the dispute window the payer
///         or a payee (with a proof of its leaf) may dispute; the governor resolves. After the window anyone
///         finalises: the payer is charged and the Distributor opens the payout.
///         Lifecycle: Committed -> (Disputed -> Committed | Rejected) -> Finalized.
interface IBatchLedger is IProtocolErrors {
    /// @notice A batch's status. None means the id is unused.
    enum BatchStatus {
        None,
        Committed,
        Disputed,
        Rejected,
        Finalized
    }

    /// @notice A batch's on-chain record.
    struct Batch {
        address payer;
        address token;
        bytes32 root;
        uint256 totalAmount;
        uint32 recordCount;
        BatchStatus status;
        uint64 committedAt;
        uint64 disputeDeadline;
        bool disputed;
        string dataURI;
    }

    /// @notice A batch was committed and `totalAmount` locked in Escrow.
    /// @param batchId caller-chosen unique id
    /// @param payer the AI platform paying
    /// @param token the settlement token
    /// @param root Merkle root of (payee, amount) leaves
    /// @param totalAmount sum of leaf amounts
    /// @param recordCount number of usage records aggregated into the batch
    /// @param dataURI where the records live off-chain
    /// @param disputeDeadline unix time after which the batch can be finalised
    /// @param operator who committed it
    event BatchCommitted(
        bytes32 indexed batchId,
        address indexed payer,
        address indexed token,
        bytes32 root,
        uint256 totalAmount,
        uint32 recordCount,
        string dataURI,
        uint64 disputeDeadline,
        address operator
    );
    /// @notice A batch was disputed by its payer or one of its payees.
    event BatchDisputed(bytes32 indexed batchId, address indexed disputant, bool byPayer, string reason);
    /// @notice The governor resolved a dispute; `upheld` means the batch is rejected and funds are unlocked.
    event DisputeResolved(bytes32 indexed batchId, bool upheld, BatchStatus newStatus, address indexed resolver);
    /// @notice A batch was finalised: `totalAmount` charged from the payer and handed to the Distributor.
    event BatchFinalized(
        bytes32 indexed batchId, address indexed payer, address indexed token, uint256 totalAmount, bytes32 root, address finalizer
    );
    /// @notice The dispute window changed (applies to batches committed afterwards).
    event DisputeWindowUpdated(uint64 oldWindow, uint64 newWindow);

    /// @notice The id is taken.
    error BatchAlreadyExists(bytes32 batchId);
    /// @notice No batch has this id.
    error BatchNotFound(bytes32 batchId);
    /// @notice The batch is not in a status that allows this action.
    error InvalidBatchStatus(bytes32 batchId, BatchStatus status);
    /// @notice Finalising before the dispute deadline.
    error DisputeWindowOpen(bytes32 batchId, uint64 disputeDeadline);
    /// @notice Disputing after the dispute deadline.
    error DisputeWindowClosed(bytes32 batchId, uint64 disputeDeadline);
    /// @notice A batch can be disputed once.
    error AlreadyDisputed(bytes32 batchId);
    /// @notice The caller is neither the payer nor a payee proven by the given leaf.
    error NotDisputant(bytes32 batchId, address caller);
    /// @notice Empty batches (zero records, zero amount or zero root) are refused.
    error EmptyBatch();
    /// @notice The payer is not an active AI platform.
    error InvalidPayer(address payer);
    /// @notice The window is out of bounds.
    error InvalidDisputeWindow(uint64 window);

    /// @notice Operator: commit a batch and lock `totalAmount` of the payer's escrow.
    function commitBatch(
        bytes32 batchId,
        address payer,
        address token,
        bytes32 root,
        uint256 totalAmount,
        uint32 recordCount,
        string calldata dataURI
    ) external;
    /// @notice Dispute a batch within the window: the payer (proof ignored) or a payee proving leaf (msg.sender, leafAmount).
    function dispute(bytes32 batchId, uint256 leafAmount, bytes32[] calldata proof, string calldata reason) external;
    /// @notice Governor: uphold (reject, unlock) or dismiss (back to Committed) a dispute.
    function resolveDispute(bytes32 batchId, bool uphold) external;
    /// @notice Anyone, after the dispute deadline: charge the payer and open the payout.
    function finalize(bytes32 batchId) external;
    /// @notice Governor: set the dispute window in seconds.
    function setDisputeWindow(uint64 window) external;

    /// @notice The record of `batchId`.
    function getBatch(bytes32 batchId) external view returns (Batch memory);
    /// @notice The status of `batchId`.
    function statusOf(bytes32 batchId) external view returns (BatchStatus);
    /// @notice The current dispute window in seconds.
    function disputeWindow() external view returns (uint64);
}
