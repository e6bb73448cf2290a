// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ProtocolUpgradeable} from "./ProtocolUpgradeable.sol";
import {ITokenRegistry} from "./interfaces/ITokenRegistry.sol";
import {Roles} from "./interfaces/IRoles.sol";

/// @title TokenRegistry
/// @notice See ITokenRegistry. Configuration is the governor's (the timelock's) alone.
contract TokenRegistry is ProtocolUpgradeable, ITokenRegistry {
    mapping(address => TokenConfig) private _tokens;

    function initialize(address governor) external initializer {
        __Protocol_init(governor);
    }

    /// @inheritdoc ITokenRegistry
    function allowToken(address token, uint256 minDeposit, uint256 maxDeposit) external onlyRole(Roles.GOVERNOR_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        if (_tokens[token].allowed) revert TokenAlreadyAllowed(token);
        _checkLimits(minDeposit, maxDeposit);
        uint8 decimals = IERC20Metadata(token).decimals();
        _tokens[token] = TokenConfig({allowed: true, decimals: decimals, minDeposit: minDeposit, maxDeposit: maxDeposit});
        emit TokenAllowed(token, decimals, minDeposit, maxDeposit, IERC20Metadata(token).symbol());
    }

    /// @inheritdoc ITokenRegistry
    function setLimits(address token, uint256 minDeposit, uint256 maxDeposit) external onlyRole(Roles.GOVERNOR_ROLE) {
        TokenConfig storage t = _tokens[token];
        if (!t.allowed) revert TokenNotAllowed(token);
        _checkLimits(minDeposit, maxDeposit);
        t.minDeposit = minDeposit;
        t.maxDeposit = maxDeposit;
        emit TokenLimitsUpdated(token, minDeposit, maxDeposit);
    }

    /// @inheritdoc ITokenRegistry
    function disallowToken(address token) external onlyRole(Roles.GOVERNOR_ROLE) {
        if (!_tokens[token].allowed) revert TokenNotAllowed(token);
        _tokens[token].allowed = false;
        emit TokenDisallowed(token);
    }

    /// @inheritdoc ITokenRegistry
    function getToken(address token) external view returns (TokenConfig memory) {
        return _tokens[token];
    }

    /// @inheritdoc ITokenRegistry
    function isAllowed(address token) external view returns (bool) {
        return _tokens[token].allowed;
    }

    /// @inheritdoc ITokenRegistry
    function checkDeposit(address token, uint256 amount) external view {
        TokenConfig storage t = _tokens[token];
        if (!t.allowed) revert TokenNotAllowed(token);
        if (amount < t.minDeposit || amount > t.maxDeposit) {
            revert DepositOutOfRange(token, amount, t.minDeposit, t.maxDeposit);
        }
    }

    function _checkLimits(uint256 minDeposit, uint256 maxDeposit) private pure {
        if (maxDeposit == 0 || minDeposit > maxDeposit) revert InvalidLimits(minDeposit, maxDeposit);
    }
}
