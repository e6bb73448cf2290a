// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockToken: a generic ERC20 with a public faucet, for local chains and tests only.
/// @notice Used as the validators' staking token and as Uniswap test tokens. Anyone may mint up to `faucetLimit`
///         per call; the deployer (`minter`) may mint any amount, e.g. to seed liquidity.
contract MockToken is ERC20 {
    uint8 private immutable _decimals;
    /// @notice The account that may mint without limit (the deployer).
    address public immutable minter;
    /// @notice The most one faucet call mints: one billion whole tokens.
    uint256 public immutable faucetLimit;

    /// @notice Asked the faucet for more than `faucetLimit`.
    error FaucetLimitExceeded(uint256 requested, uint256 limit);
    /// @notice Only `minter` may call `mint`.
    error NotMinter(address caller);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
        minter = msg.sender;
        faucetLimit = 1_000_000_000 * 10 ** uint256(decimals_);
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mint up to `faucetLimit` to `to`. Anyone may call: this token has no value.
    function faucet(address to, uint256 amount) external {
        if (amount > faucetLimit) revert FaucetLimitExceeded(amount, faucetLimit);
        _mint(to, amount);
    }

    /// @notice Mint any amount to `to`. Minter only.
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }
}
