// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ProtocolUpgradeable} from "./ProtocolUpgradeable.sol";
import {IEscrow} from "./interfaces/IEscrow.sol";
import {ITokenRegistry} from "./interfaces/ITokenRegistry.sol";
import {Roles} from "./interfaces/IRoles.sol";

/// @title Escrow
/// @notice See IEscrow. Deposits credit what actually arrived (balance delta), so a fee-on-transfer token
///         cannot break conservation.
contract Escrow is ProtocolUpgradeable, IEscrow {
    using SafeERC20 for IERC20;

    ITokenRegistry public tokenRegistry;
    mapping(address payer => mapping(address token => Account)) private _accounts;
    mapping(address token => uint256) private _totalHeld;

    function initialize(address governor, ITokenRegistry registry) external initializer {
        if (address(registry) == address(0)) revert ZeroAddress();
        __Protocol_init(governor);
        tokenRegistry = registry;
    }

    /// @inheritdoc IEscrow
    function deposit(address token, uint256 amount) external whenNotPaused nonReentrant {
        if (amount == 0) revert ZeroAmount();
        tokenRegistry.checkDeposit(token, amount);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        Account storage a = _accounts[msg.sender][token];
        a.available += received;
        _totalHeld[token] += received;
        emit Deposited(msg.sender, token, received, a.available, a.locked);
    }

    /// @inheritdoc IEscrow
    function withdraw(address token, uint256 amount, address to) external whenNotPaused nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        Account storage a = _accounts[msg.sender][token];
        if (a.available < amount) revert InsufficientBalance(msg.sender, token, amount, a.available);
        a.available -= amount;
        _totalHeld[token] -= amount;
        IERC20(token).safeTransfer(to, amount);
        emit Withdrawn(msg.sender, token, amount, to, a.available, a.locked);
    }

    /// @inheritdoc IEscrow
    function lock(address payer, address token, uint256 amount, bytes32 batchId)
        external
        onlyRole(Roles.LEDGER_ROLE)
        whenNotPaused
    {
        if (amount == 0) revert ZeroAmount();
        Account storage a = _accounts[payer][token];
        if (a.available < amount) revert InsufficientBalance(payer, token, amount, a.available);
        a.available -= amount;
        a.locked += amount;
        emit Locked(payer, token, batchId, amount, a.available, a.locked);
    }

    /// @inheritdoc IEscrow
    function unlock(address payer, address token, uint256 amount, bytes32 batchId)
        external
        onlyRole(Roles.LEDGER_ROLE)
        whenNotPaused
    {
        Account storage a = _accounts[payer][token];
        if (a.locked < amount) revert InsufficientLocked(payer, token, amount, a.locked);
        a.locked -= amount;
        a.available += amount;
        emit Unlocked(payer, token, batchId, amount, a.available, a.locked);
    }

    /// @inheritdoc IEscrow
    function charge(address payer, address token, uint256 amount, bytes32 batchId, address recipient)
        external
        onlyRole(Roles.LEDGER_ROLE)
        whenNotPaused
        nonReentrant
    {
        if (recipient == address(0)) revert ZeroAddress();
        Account storage a = _accounts[payer][token];
        if (a.locked < amount) revert InsufficientLocked(payer, token, amount, a.locked);
        a.locked -= amount;
        _totalHeld[token] -= amount;
        IERC20(token).safeTransfer(recipient, amount);
        emit Charged(payer, token, batchId, amount, recipient, a.available, a.locked);
    }

    /// @inheritdoc IEscrow
    function accountOf(address payer, address token) external view returns (Account memory) {
        return _accounts[payer][token];
    }

    /// @inheritdoc IEscrow
    function totalHeld(address token) external view returns (uint256) {
        return _totalHeld[token];
    }
}
