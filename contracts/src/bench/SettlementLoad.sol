// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SettlementLoad
/// @notice Benchmark-only load generator (bench/index.ts): emits the Escrow's `Deposited` event (same signature,
///         hence the same topic0 and layout as IEscrow.Deposited) in bulk, so a chain with a million settlement
///         events can be mined in a few thousand transactions. The benchmark's deployments file names this contract
///         as the `Escrow`, and the real processor indexes its logs as deposits. Never deployed outside benchmarks.
contract SettlementLoad {
    event Deposited(address indexed payer, address indexed token, uint256 amount, uint256 availableAfter, uint256 lockedAfter);

    error NoPayers();

    /// @notice Events emitted so far (also the sequence number of the next one).
    uint256 public emitted;

    /// @notice Emit `count` deposits of `token` spread over `payers` pseudo-random payer addresses. Event k (counted
    ///         over all calls) has payer keccak256(k % payers), amount 1e6 * (1 + k % 97) and availableAfter a
    ///         multiple of the amount, so values vary but are reproducible.
    function emitDeposits(address token, uint256 count, uint256 payers) external {
        if (payers == 0) revert NoPayers();
        uint256 start = emitted;
        unchecked {
            for (uint256 i; i < count; ++i) {
                uint256 k = start + i;
                address payer = address(uint160(uint256(keccak256(abi.encode(k % payers)))));
                uint256 amount = 1e6 * (1 + (k % 97));
                emit Deposited(payer, token, amount, amount * (1 + (k % 7)), 0);
            }
            emitted = start + count;
        }
    }
}
