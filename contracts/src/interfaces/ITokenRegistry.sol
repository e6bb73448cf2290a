// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProtocolErrors} from "./IRoles.sol";

/// @title TokenRegistry: the allow-list of settlement tokens
/// @notice Only allow-listed ERC20 tokens can be deposited; each has per-deposit limits. Managed by the governor.
interface ITokenRegistry is IProtocolErrors {
    /// @notice A token's configuration.
    struct TokenConfig {
        bool allowed;
        uint8 decimals;
        uint256 minDeposit;
        uint256 maxDeposit;
    }

    /// @notice A token was allow-listed.
    event TokenAllowed(address indexed token, uint8 decimals, uint256 minDeposit, uint256 maxDeposit, string symbol);
    /// @notice A token's deposit limits changed.
    event TokenLimitsUpdated(address indexed token, uint256 minDeposit, uint256 maxDeposit);
    /// @notice A token was removed from the allow-list (existing balances can still be withdrawn).
    event TokenDisallowed(address indexed token);

    /// @notice The token is not allow-listed.
    error TokenNotAllowed(address token);
    /// @notice The token is already allow-listed.
    error TokenAlreadyAllowed(address token);
    /// @notice min > max, or max is zero.
    error InvalidLimits(uint256 minDeposit, uint256 maxDeposit);
    /// @notice A deposit outside the token's limits.
    error DepositOutOfRange(address token, uint256 amount, uint256 minDeposit, uint256 maxDeposit);

    /// @notice Allow-list `token` (decimals and symbol are read from the token).
    function allowToken(address token, uint256 minDeposit, uint256 maxDeposit) external;
    /// @notice Change a token's limits.
    function setLimits(address token, uint256 minDeposit, uint256 maxDeposit) external;
    /// @notice Remove a token from the allow-list.
    function disallowToken(address token) external;

    /// @notice The configuration of `token`.
    function getToken(address token) external view returns (TokenConfig memory);
    /// @notice Whether `token` is allow-listed.
    function isAllowed(address token) external view returns (bool);
    /// @notice Reverts with TokenNotAllowed or DepositOutOfRange unless `amount` of `token` may be deposited.
    function checkDeposit(address token, uint256 amount) external view;
}
