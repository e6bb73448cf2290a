// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MerkleBuilder: OpenZeppelin StandardMerkleTree, rebuilt in Solidity for tests.
/// @notice Same layout as @openzeppelin/merkle-tree (`makeMerkleTree` with sorted leaves): leaves are the
///         double-hashed (address, uint256) values sorted ascending, stored at the END of a heap-ordered array
///         of 2n-1 nodes (tree[len-1-i] = sortedLeaves[i]); inner node i = hashPair(tree[2i+1], tree[2i+2]) with
///         sorted-pair hashing (as OZ MerkleProof). Roots and proofs therefore match the JS library byte for byte.
library MerkleBuilder {
    /// @notice keccak256(bytes.concat(keccak256(abi.encode(payee, amount)))), as StandardMerkleTree hashes a value.
    function leaf(address payee, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(payee, amount))));
    }

    /// @notice Commutative node hash (OZ Hashes.commutativeKeccak256).
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    /// @notice Leaves for (payees[i], amounts[i]) in input order.
    function leaves(address[] memory payees, uint256[] memory amounts) internal pure returns (bytes32[] memory out) {
        require(payees.length == amounts.length, "MerkleBuilder: length mismatch");
        out = new bytes32[](payees.length);
        for (uint256 i = 0; i < payees.length; i++) {
            out[i] = leaf(payees[i], amounts[i]);
        }
    }

    /// @notice The full heap-ordered tree over `leafHashes` (any order: they are sorted first, on a copy).
    function tree(bytes32[] memory leafHashes) internal pure returns (bytes32[] memory t) {
        uint256 n = leafHashes.length;
        require(n > 0, "MerkleBuilder: no leaves");
        bytes32[] memory s = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            s[i] = leafHashes[i];
        }
        // insertion sort, ascending (the JS library compares the 32 bytes lexicographically = numerically)
        for (uint256 i = 1; i < n; i++) {
            bytes32 key = s[i];
            uint256 j = i;
            while (j > 0 && s[j - 1] > key) {
                s[j] = s[j - 1];
                j--;
            }
            s[j] = key;
        }
        t = new bytes32[](2 * n - 1);
        for (uint256 i = 0; i < n; i++) {
            t[t.length - 1 - i] = s[i];
        }
        // inner nodes: indices n-2 down to 0
        for (uint256 k = n - 1; k > 0; k--) {
            uint256 i = k - 1;
            t[i] = hashPair(t[2 * i + 1], t[2 * i + 2]);
        }
    }

    function root(bytes32[] memory leafHashes) internal pure returns (bytes32) {
        return tree(leafHashes)[0];
    }

    /// @notice Proof of `leafHash` in the heap-ordered tree `t` (from `tree`). Reverts when absent.
    function proof(bytes32[] memory t, bytes32 leafHash) internal pure returns (bytes32[] memory p) {
        uint256 n = (t.length + 1) / 2;
        uint256 index = type(uint256).max;
        for (uint256 i = t.length - n; i < t.length; i++) {
            if (t[i] == leafHash) {
                index = i;
                break;
            }
        }
        require(index != type(uint256).max, "MerkleBuilder: leaf not in tree");
        uint256 depth = 0;
        for (uint256 i = index; i > 0; i = (i - 1) / 2) {
            depth++;
        }
        p = new bytes32[](depth);
        uint256 d = 0;
        while (index > 0) {
            p[d++] = t[index % 2 == 1 ? index + 1 : index - 1];
            index = (index - 1) / 2;
        }
    }

    /// @notice Root and, for each input position, its proof.
    function build(address[] memory payees, uint256[] memory amounts)
        internal
        pure
        returns (bytes32 r, bytes32[][] memory proofs)
    {
        bytes32[] memory ls = leaves(payees, amounts);
        bytes32[] memory t = tree(ls);
        r = t[0];
        proofs = new bytes32[][](ls.length);
        for (uint256 i = 0; i < ls.length; i++) {
            proofs[i] = proof(t, ls[i]);
        }
    }

    /// @notice Fold a proof (OZ MerkleProof.processProof).
    function process(bytes32[] memory p, bytes32 leafHash) internal pure returns (bytes32 h) {
        h = leafHash;
        for (uint256 i = 0; i < p.length; i++) {
            h = hashPair(h, p[i]);
        }
    }
}
