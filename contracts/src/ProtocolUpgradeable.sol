// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {ReentrancyGuardUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/ReentrancyGuardUpgradeable.sol";
import {Roles, IProtocolErrors} from "./interfaces/IRoles.sol";

/// @title Base of every core contract: UUPS proxy, roles, pause, reentrancy guard.
/// @dev Upgrades are authorised by GOVERNOR_ROLE only, which the deployment hands to the PlatformTimelock.
abstract contract ProtocolUpgradeable is
    Initializable,
    UUPSUpgradeable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    ReentrancyGuardUpgradeable,
    IProtocolErrors
{
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    // solhint-disable-next-line func-name-mixedcase
    function __Protocol_init(address governor) internal onlyInitializing {
        if (governor == address(0)) revert ZeroAddress();
        __AccessControl_init();
        __Pausable_init();
        __ReentrancyGuard_init();
        _grantRole(DEFAULT_ADMIN_ROLE, governor);
        _grantRole(Roles.GOVERNOR_ROLE, governor);
    }

    /// @notice Stop every fund-moving path. PAUSER_ROLE or the governor.
    function pause() external {
        if (!hasRole(Roles.PAUSER_ROLE, msg.sender) && !hasRole(Roles.GOVERNOR_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, Roles.PAUSER_ROLE);
        }
        _pause();
    }

    /// @notice Resume. Governor only: a compromised pauser key can stop, never restart.
    function unpause() external onlyRole(Roles.GOVERNOR_ROLE) {
        _unpause();
    }

    function _authorizeUpgrade(address) internal view override onlyRole(Roles.GOVERNOR_ROLE) {}
}
