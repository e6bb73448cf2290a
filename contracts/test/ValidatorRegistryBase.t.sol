// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ValidatorRegistry} from "../src/ValidatorRegistry.sol";
import {MockToken} from "../src/mocks/MockToken.sol";
import {Roles} from "../src/interfaces/IRoles.sol";

/// @title Shared fixture of the ValidatorRegistry tests: the registry behind an ERC1967Proxy with a plain
///        `governor` address holding GOVERNOR_ROLE and DEFAULT_ADMIN_ROLE, an 18-decimal MockToken as the
///        staking token, and three registered validators.
abstract contract ValidatorRegistryBaseTest is Test {
    uint64 internal constant UNBONDING = 7 days;
    uint64 internal constant COMMISSION_DELAY = 2 days;
    uint16 internal constant MAX_COMMISSION = 5_000;

    bytes32 internal constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 internal constant GOVERNOR_ROLE = Roles.GOVERNOR_ROLE;
    bytes32 internal constant PAUSER_ROLE = Roles.PAUSER_ROLE;

    address internal governor = makeAddr("governor");
    address internal pauser = makeAddr("pauser");
    address internal treasury = makeAddr("treasury");
    address internal stranger = makeAddr("stranger");

    address internal valA = makeAddr("validatorA");
    address internal valB = makeAddr("validatorB");
    address internal valC = makeAddr("validatorC");
    address internal coinbaseA = makeAddr("coinbaseA");
    address internal coinbaseB = makeAddr("coinbaseB");
    address internal coinbaseC = makeAddr("coinbaseC");

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    MockToken internal stk;
    ValidatorRegistry internal registry;
    ValidatorRegistry internal registryImpl;

    function setUp() public virtual {
        stk = new MockToken("Stake", "STK", 18);
        vm.label(address(stk), "STK");
        registryImpl = new ValidatorRegistry();
        registry = ValidatorRegistry(
            _proxy(
                address(registryImpl),
                abi.encodeCall(
                    ValidatorRegistry.initialize,
                    (governor, IERC20(address(stk)), treasury, UNBONDING, COMMISSION_DELAY, MAX_COMMISSION)
                )
            )
        );
        vm.label(address(registry), "ValidatorRegistry");
        vm.prank(governor);
        registry.grantRole(PAUSER_ROLE, pauser);

        _register(valA, coinbaseA, 500);
        _register(valB, coinbaseB, 1_000);
        _register(valC, coinbaseC, 0);
    }

    function _proxy(address impl, bytes memory initData) internal returns (address) {
        return address(new ERC1967Proxy(impl, initData));
    }

    function _register(address validator, address feeRecipient, uint16 bps) internal {
        vm.prank(validator);
        registry.registerValidator(feeRecipient, bps, string.concat("ipfs://", vm.toString(validator)));
    }

    /// @dev Mint (through the faucet when small enough), approve and delegate.
    function _delegate(address delegator, address validator, uint256 amount) internal {
        _fund(delegator, amount);
        vm.startPrank(delegator);
        stk.approve(address(registry), amount);
        registry.delegate(validator, amount);
        vm.stopPrank();
    }

    function _fund(address who, uint256 amount) internal {
        stk.mint(who, amount); // this test contract deployed the token: it is the minter
    }

    function _undelegate(address delegator, address validator, uint256 amount) internal returns (uint256 id) {
        vm.prank(delegator);
        id = registry.undelegate(validator, amount);
    }

    function _slash(address validator, uint16 bps) internal returns (uint256) {
        vm.prank(governor);
        return registry.slash(validator, bps, "double sign");
    }

    /// @dev The conservation every path must keep.
    function _assertConservation() internal view {
        assertGe(stk.balanceOf(address(registry)), registry.totalStaked() + registry.totalUnbonding(), "conservation");
    }

    function _expectUnauthorized(address account, bytes32 role) internal {
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role));
    }

    function _expectPaused() internal {
        vm.expectRevert(PausableUpgradeable.EnforcedPause.selector);
    }
}
