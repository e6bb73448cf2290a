// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ParticipantRegistry} from "../../src/ParticipantRegistry.sol";
import {TokenRegistry} from "../../src/TokenRegistry.sol";
import {Escrow} from "../../src/Escrow.sol";
import {BatchLedger} from "../../src/BatchLedger.sol";
import {Distributor} from "../../src/Distributor.sol";

/// @notice V2 implementations: the same storage plus a version() and a reinitializer, to test upgrades.
contract ParticipantRegistryV2 is ParticipantRegistry {
    uint256 public v2Value;

    function initializeV2(uint256 value) external reinitializer(2) {
        v2Value = value;
    }

    function version() external pure returns (uint256) {
        return 2;
    }
}

contract TokenRegistryV2 is TokenRegistry {
    function version() external pure returns (uint256) {
        return 2;
    }
}

contract EscrowV2 is Escrow {
    function version() external pure returns (uint256) {
        return 2;
    }
}

contract BatchLedgerV2 is BatchLedger {
    function version() external pure returns (uint256) {
        return 2;
    }
}

contract DistributorV2 is Distributor {
    function version() external pure returns (uint256) {
        return 2;
    }
}

/// @notice Not UUPS (no proxiableUUID): upgrading to it must be refused.
contract NotUUPS {
    function version() external pure returns (uint256) {
        return 99;
    }
}
