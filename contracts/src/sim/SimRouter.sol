// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IUniswapV2PairLike, V2Math} from "./IUniswapV2PairLike.sol";

/// @title SimRouter: the local simulator's stand-in for a Uniswap V2 router (local chains only).
/// @notice One-hop exact-input swaps: pulls `amountIn` from the caller straight into the pair (`transferFrom`),
///         then calls `pair.swap` sending the output to `to`, the shape a trace-based MEV classifier recognises
///         as a V2 swap. Reverts when the output is below the caller's `minOut` (its slippage limit).
contract SimRouter {
    /// @notice The pair would pay less than the caller's minimum.
    error InsufficientOutput(uint256 amountOut, uint256 minOut);
    /// @notice `tokenIn` is not one of the pair's tokens.
    error NotPairToken(address pair, address token);

    /// @notice Sell `amountIn` of `tokenIn` (approved to this router) into `pair`; the output goes to `to`.
    function swapExactIn(address pair, address tokenIn, uint256 amountIn, uint256 minOut, address to)
        external
        returns (uint256 amountOut)
    {
        IUniswapV2PairLike p = IUniswapV2PairLike(pair);
        if (tokenIn != p.token0() && tokenIn != p.token1()) revert NotPairToken(pair, tokenIn);
        bool zeroForOne;
        (amountOut, , zeroForOne) = V2Math.quote(pair, tokenIn, amountIn);
        if (amountOut < minOut) revert InsufficientOutput(amountOut, minOut);
        // solhint-disable-next-line: the simulator's tokens return true or revert
        require(IERC20(tokenIn).transferFrom(msg.sender, pair, amountIn));
        p.swap(zeroForOne ? 0 : amountOut, zeroForOne ? amountOut : 0, to, "");
    }
}
