// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title PlatformTimelock
/// @notice Holds GOVERNOR_ROLE (and DEFAULT_ADMIN_ROLE) on every core contract, so upgrades, configuration and
///         dispute rulings take effect only after `minDelay`, in public. Indexed through TimelockController's
///         CallScheduled / CallExecuted / Cancelled events.
contract PlatformTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
