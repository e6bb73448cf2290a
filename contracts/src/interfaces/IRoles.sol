// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Roles shared by every protocol contract
/// @notice Each core contract runs its own OpenZeppelin AccessControl with these role ids, so
///         RoleGranted/RoleRevoked from any contract tell the indexer who may do what.
library Roles {
    /// @notice Authorises upgrades, configuration and dispute resolution. Held by the PlatformTimelock.
    bytes32 internal constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Commits batches (BatchLedger) and manages participants on their behalf.
    bytes32 internal constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice May pause (not unpause) every fund-moving path.
    bytes32 internal constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Claims payouts on behalf of payees (Distributor.claimMany).
    bytes32 internal constant RELAYER_ROLE = keccak256("RELAYER_ROLE");
    /// @notice Granted to the BatchLedger contract on Escrow and Distributor: lock/unlock/charge and open payouts.
    bytes32 internal constant LEDGER_ROLE = keccak256("LEDGER_ROLE");
}

/// @title Errors common to every protocol contract
interface IProtocolErrors {
    /// @notice An address argument that must be set was the zero address.
    error ZeroAddress();
    /// @notice An amount argument that must be positive was zero.
    error ZeroAmount();
    /// @notice Two parallel arrays had different lengths.
    error LengthMismatch(uint256 a, uint256 b);
}
