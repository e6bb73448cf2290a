// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IUniswapV2PairLike, V2Math} from "./IUniswapV2PairLike.sol";

/// @title SearcherBot: an MEV searcher's executor for the local simulator (local chains only).
/// @notice Trades from its own token inventory. Each swap pays the pair first (`transfer` into the pair), then calls
///         `pair.swap` with this contract as the recipient, in one transaction: the frontrun and backrun legs of a
///         sandwich are two calls of `swapExactIn`, an arbitrage is one call of `arbitrage` over a cycle of pairs.
///         Whatever ETH the owner sends with a call is paid to `block.coinbase` (the searcher's bribe to the
///         block's proposer), from inside the contract, as a direct coinbase transfer.
contract SearcherBot {
    /// @notice The searcher account allowed to trade with this bot.
    address public immutable owner;

    /// @notice Caller is not `owner`.
    error NotOwner(address caller);
    /// @notice A swap or a cycle returned less than the searcher's minimum.
    error InsufficientOutput(uint256 amountOut, uint256 minOut);
    /// @notice The cycle does not end in the token it started with.
    error NotACycle(address tokenIn, address tokenOut);
    /// @notice The transfer of the tip to the block's coinbase failed.
    error TipFailed(address coinbase, uint256 amount);

    /// @notice The bot paid `amount` wei to the block's `coinbase`.
    event CoinbaseTip(address indexed coinbase, uint256 amount);

    constructor(address owner_) {
        owner = owner_;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    receive() external payable {}

    /// @notice Sell `amountIn` of `tokenIn` from the inventory into `pair`; tips msg.value to the coinbase.
    function swapExactIn(address pair, address tokenIn, uint256 amountIn, uint256 minOut)
        external
        payable
        onlyOwner
        returns (uint256 amountOut)
    {
        (amountOut, ) = _swap(pair, tokenIn, amountIn);
        if (amountOut < minOut) revert InsufficientOutput(amountOut, minOut);
        _tip();
    }

    /// @notice Trade `amountIn` of `tokenIn` through `pairs` in order, back into `tokenIn`; reverts unless the cycle
    ///         returns at least `amountIn + minProfit`. Tips msg.value to the coinbase.
    function arbitrage(address[] calldata pairs, address tokenIn, uint256 amountIn, uint256 minProfit)
        external
        payable
        onlyOwner
        returns (uint256 profit)
    {
        address token = tokenIn;
        uint256 amount = amountIn;
        for (uint256 i = 0; i < pairs.length; i++) (amount, token) = _swap(pairs[i], token, amount);
        if (token != tokenIn) revert NotACycle(tokenIn, token);
        if (amount < amountIn + minProfit) revert InsufficientOutput(amount, amountIn + minProfit);
        profit = amount - amountIn;
        _tip();
    }

    /// @notice Move inventory out (tokens, or ETH with `token` = address(0)).
    function withdraw(address token, address to, uint256 amount) external onlyOwner {
        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            require(ok);
        } else {
            require(IERC20(token).transfer(to, amount));
        }
    }

    function _swap(address pair, address tokenIn, uint256 amountIn) private returns (uint256 amountOut, address tokenOut) {
        bool zeroForOne;
        (amountOut, tokenOut, zeroForOne) = V2Math.quote(pair, tokenIn, amountIn);
        require(IERC20(tokenIn).transfer(pair, amountIn));
        IUniswapV2PairLike(pair).swap(zeroForOne ? 0 : amountOut, zeroForOne ? amountOut : 0, address(this), "");
    }

    function _tip() private {
        if (msg.value == 0) return;
        (bool ok, ) = block.coinbase.call{value: msg.value}("");
        if (!ok) revert TipFailed(block.coinbase, msg.value);
        emit CoinbaseTip(block.coinbase, msg.value);
    }
}
