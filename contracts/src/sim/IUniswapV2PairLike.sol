// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The part of a Uniswap V2 pair the simulator's helpers use
/// @notice The pair itself is the bytecode published in the npm package of Uniswap v2-core (solc 0.5.16);
///         this interface only calls it.
interface IUniswapV2PairLike {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

/// @title Uniswap V2 pricing, as UniswapV2Library computes it (0.3% fee).
library V2Math {
    /// @notice Output of selling `amountIn` into a pool holding `reserveIn` / `reserveOut`.
    function amountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        uint256 inWithFee = amountIn * 997;
        return (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee);
    }

    /// @notice Quote of selling `amountIn` of `tokenIn` into `pair` at its current reserves, and the pair's other token.
    function quote(address pair, address tokenIn, uint256 amountIn) internal view returns (uint256 out, address tokenOut, bool zeroForOne) {
        IUniswapV2PairLike p = IUniswapV2PairLike(pair);
        address t0 = p.token0();
        (uint112 r0, uint112 r1, ) = p.getReserves();
        zeroForOne = tokenIn == t0;
        tokenOut = zeroForOne ? p.token1() : t0;
        out = zeroForOne ? amountOut(amountIn, r0, r1) : amountOut(amountIn, r1, r0);
    }
}
