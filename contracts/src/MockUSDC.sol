// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockUSDC: a 6-decimal stablecoin with a faucet, for local chains and tests only.
contract MockUSDC is ERC20 {
    /// @notice The most one faucet call mints: 1,000,000 USDC.
    uint256 public constant FAUCET_LIMIT = 1_000_000e6;

    /// @notice Asked the faucet for more than FAUCET_LIMIT.
    error FaucetLimitExceeded(uint256 requested, uint256 limit);

    constructor() ERC20("Mock USD Coin", "USDC") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mint up to FAUCET_LIMIT to `to`. Anyone may call: this token has no value.
    function faucet(address to, uint256 amount) external {
        if (amount > FAUCET_LIMIT) revert FaucetLimitExceeded(amount, FAUCET_LIMIT);
        _mint(to, amount);
    }
}
