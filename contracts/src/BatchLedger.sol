// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ProtocolUpgradeable} from "./ProtocolUpgradeable.sol";
import {IBatchLedger} from "./interfaces/IBatchLedger.sol";
import {IEscrow} from "./interfaces/IEscrow.sol";
import {IDistributor} from "./interfaces/IDistributor.sol";
import {IParticipantRegistry} from "./interfaces/IParticipantRegistry.sol";
import {Roles} from "./interfaces/IRoles.sol";
import {MerkleLeaf} from "./MerkleLeaf.sol";

/// @title BatchLedger
/// @notice See IBatchLedger.
contract BatchLedger is ProtocolUpgradeable, IBatchLedger {
    /// @notice Bounds on the dispute window, so a governor mistake cannot freeze or skip disputes.
    uint64 public constant MIN_DISPUTE_WINDOW = 1;
    uint64 public constant MAX_DISPUTE_WINDOW = 30 days;

    IEscrow public escrow;
    IDistributor public distributor;
    IParticipantRegistry public participants;
    uint64 public disputeWindow;
    mapping(bytes32 => Batch) private _batches;

    function initialize(
        address governor,
        IEscrow escrow_,
        IDistributor distributor_,
        IParticipantRegistry participants_,
        uint64 disputeWindow_
    ) external initializer {
        if (address(escrow_) == address(0) || address(distributor_) == address(0) || address(participants_) == address(0))
        {
            revert ZeroAddress();
        }
        __Protocol_init(governor);
        escrow = escrow_;
        distributor = distributor_;
        participants = participants_;
        _setDisputeWindow(disputeWindow_);
    }

    /// @inheritdoc IBatchLedger
    function commitBatch(
        bytes32 batchId,
        address payer,
        address token,
        bytes32 root,
        uint256 totalAmount,
        uint32 recordCount,
        string calldata dataURI
    ) external onlyRole(Roles.OPERATOR_ROLE) whenNotPaused {
        if (_batches[batchId].status != BatchStatus.None) revert BatchAlreadyExists(batchId);
        if (root == bytes32(0) || totalAmount == 0 || recordCount == 0) revert EmptyBatch();
        IParticipantRegistry.Participant memory p = participants.getParticipant(payer);
        if (!p.active || p.kind != IParticipantRegistry.ParticipantKind.AIPlatform) revert InvalidPayer(payer);

        uint64 deadline = uint64(block.timestamp) + disputeWindow;
        _batches[batchId] = Batch({
            payer: payer,
            token: token,
            root: root,
            totalAmount: totalAmount,
            recordCount: recordCount,
            status: BatchStatus.Committed,
            committedAt: uint64(block.timestamp),
            disputeDeadline: deadline,
            disputed: false,
            dataURI: dataURI
        });
        // Reverts with IEscrow.InsufficientBalance when the payer's free balance is short.
        escrow.lock(payer, token, totalAmount, batchId);
        emit BatchCommitted(batchId, payer, token, root, totalAmount, recordCount, dataURI, deadline, msg.sender);
    }

    /// @inheritdoc IBatchLedger
    function dispute(bytes32 batchId, uint256 leafAmount, bytes32[] calldata proof, string calldata reason) external {
        Batch storage b = _existing(batchId);
        if (b.status != BatchStatus.Committed) revert InvalidBatchStatus(batchId, b.status);
        if (b.disputed) revert AlreadyDisputed(batchId);
        if (block.timestamp >= b.disputeDeadline) revert DisputeWindowClosed(batchId, b.disputeDeadline);
        bool byPayer = msg.sender == b.payer;
        if (!byPayer && !MerkleProof.verifyCalldata(proof, b.root, MerkleLeaf.hash(msg.sender, leafAmount))) {
            revert NotDisputant(batchId, msg.sender);
        }
        b.status = BatchStatus.Disputed;
        b.disputed = true;
        emit BatchDisputed(batchId, msg.sender, byPayer, reason);
    }

    /// @inheritdoc IBatchLedger
    function resolveDispute(bytes32 batchId, bool uphold) external onlyRole(Roles.GOVERNOR_ROLE) whenNotPaused {
        Batch storage b = _existing(batchId);
        if (b.status != BatchStatus.Disputed) revert InvalidBatchStatus(batchId, b.status);
        if (uphold) {
            b.status = BatchStatus.Rejected;
            escrow.unlock(b.payer, b.token, b.totalAmount, batchId);
        } else {
            b.status = BatchStatus.Committed;
        }
        emit DisputeResolved(batchId, uphold, b.status, msg.sender);
    }

    /// @inheritdoc IBatchLedger
    function finalize(bytes32 batchId) external whenNotPaused nonReentrant {
        Batch storage b = _existing(batchId);
        if (b.status != BatchStatus.Committed) revert InvalidBatchStatus(batchId, b.status);
        if (block.timestamp < b.disputeDeadline) revert DisputeWindowOpen(batchId, b.disputeDeadline);
        b.status = BatchStatus.Finalized;
        escrow.charge(b.payer, b.token, b.totalAmount, batchId, address(distributor));
        distributor.openPayout(batchId, b.token, b.root, b.totalAmount);
        emit BatchFinalized(batchId, b.payer, b.token, b.totalAmount, b.root, msg.sender);
    }

    /// @inheritdoc IBatchLedger
    function setDisputeWindow(uint64 window) external onlyRole(Roles.GOVERNOR_ROLE) {
        _setDisputeWindow(window);
    }

    /// @inheritdoc IBatchLedger
    function getBatch(bytes32 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @inheritdoc IBatchLedger
    function statusOf(bytes32 batchId) external view returns (BatchStatus) {
        return _batches[batchId].status;
    }

    function _setDisputeWindow(uint64 window) private {
        if (window < MIN_DISPUTE_WINDOW || window > MAX_DISPUTE_WINDOW) revert InvalidDisputeWindow(window);
        emit DisputeWindowUpdated(disputeWindow, window);
        disputeWindow = window;
    }

    function _existing(bytes32 batchId) private view returns (Batch storage b) {
        b = _batches[batchId];
        if (b.status == BatchStatus.None) revert BatchNotFound(batchId);
    }
}
