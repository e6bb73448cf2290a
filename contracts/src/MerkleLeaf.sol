// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The payout leaf, as OpenZeppelin's StandardMerkleTree builds it for types ["address", "uint256"].
/// @dev Double hashing prevents second-preimage attacks with 64-byte inner nodes.
library MerkleLeaf {
    function hash(address payee, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(payee, amount))));
    }
}
