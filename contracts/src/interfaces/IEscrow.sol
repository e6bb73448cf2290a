// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProtocolErrors} from "./IRoles.sol";

/// @title Escrow: payers' prepaid balances
/// @notice Balances are kept per (payer, token) as `available` (free to withdraw or lock) and `locked`
///         (reserved by committed batches). Conservation: for each token, the sum of available + locked over
///         all payers equals the token balance this contract holds.
///         Every event carries the account's available and locked amounts after the change, so an indexer
///         rebuilds balances from events alone.
interface IEscrow is IProtocolErrors {
    /// @notice A payer's balances in one token.
    struct Account {
        uint256 available;
        uint256 locked;
    }

    /// @notice `payer` deposited `amount` of `token`.
    event Deposited(address indexed payer, address indexed token, uint256 amount, uint256 availableAfter, uint256 lockedAfter);
    /// @notice `payer` withdrew `amount` of `token` to `to`.
    event Withdrawn(
        address indexed payer, address indexed token, uint256 amount, address to, uint256 availableAfter, uint256 lockedAfter
    );
    /// @notice `amount` moved from available to locked for batch `batchId`.
    event Locked(
        address indexed payer, address indexed token, bytes32 indexed batchId, uint256 amount, uint256 availableAfter, uint256 lockedAfter
    );
    /// @notice `amount` moved from locked back to available (batch rejected).
    event Unlocked(
        address indexed payer, address indexed token, bytes32 indexed batchId, uint256 amount, uint256 availableAfter, uint256 lockedAfter
    );
    /// @notice `amount` of locked funds left the escrow to `recipient` (batch finalised).
    event Charged(
        address indexed payer,
        address indexed token,
        bytes32 indexed batchId,
        uint256 amount,
        address recipient,
        uint256 availableAfter,
        uint256 lockedAfter
    );

    /// @notice Not enough available balance.
    error InsufficientBalance(address payer, address token, uint256 requested, uint256 available);
    /// @notice Not enough locked balance.
    error InsufficientLocked(address payer, address token, uint256 requested, uint256 locked);

    /// @notice Deposit `amount` of an allow-listed `token` for msg.sender (requires ERC20 approval).
    function deposit(address token, uint256 amount) external;
    /// @notice Withdraw `amount` of msg.sender's available `token` balance to `to`.
    function withdraw(address token, uint256 amount, address to) external;
    /// @notice Ledger only: reserve `amount` of `payer`'s available balance for `batchId`.
    function lock(address payer, address token, uint256 amount, bytes32 batchId) external;
    /// @notice Ledger only: release a reservation.
    function unlock(address payer, address token, uint256 amount, bytes32 batchId) external;
    /// @notice Ledger only: pay `amount` of locked funds to `recipient`.
    function charge(address payer, address token, uint256 amount, bytes32 batchId, address recipient) external;

    /// @notice The balances of `payer` in `token`.
    function accountOf(address payer, address token) external view returns (Account memory);
    /// @notice Sum of available + locked over all payers for `token`.
    function totalHeld(address token) external view returns (uint256);
}
