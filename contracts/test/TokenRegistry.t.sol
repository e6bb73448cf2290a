// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {TokenRegistry} from "../src/TokenRegistry.sol";
import {ITokenRegistry} from "../src/interfaces/ITokenRegistry.sol";
import {IProtocolErrors} from "../src/interfaces/IRoles.sol";
import {Token18} from "./mocks/TestTokens.sol";

contract TokenRegistryTest is BaseTest {
    Token18 internal t18;

    function setUp() public override {
        super.setUp();
        t18 = new Token18();
    }

    function test_initialize_grantsGovernorRoles() public view {
        assertTrue(tokens.hasRole(GOVERNOR_ROLE, governor));
        assertTrue(tokens.hasRole(DEFAULT_ADMIN_ROLE, governor));
    }

    function test_initialize_revertsWhenGovernorZero() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(address(tokensImpl), abi.encodeCall(TokenRegistry.initialize, (address(0))));
    }

    // ------------------------------------------------------------------ allowToken

    function test_allowToken_storesConfigAndEmits() public {
        vm.expectEmit(true, true, true, true, address(tokens));
        emit ITokenRegistry.TokenAllowed(address(t18), 18, 1e18, 1e24, "TT18");
        vm.prank(governor);
        tokens.allowToken(address(t18), 1e18, 1e24);

        ITokenRegistry.TokenConfig memory c = tokens.getToken(address(t18));
        assertTrue(c.allowed);
        assertEq(c.decimals, 18);
        assertEq(c.minDeposit, 1e18);
        assertEq(c.maxDeposit, 1e24);
        assertTrue(tokens.isAllowed(address(t18)));
    }

    function test_allowToken_readsUsdcDecimals() public view {
        ITokenRegistry.TokenConfig memory c = tokens.getToken(address(usdc));
        assertTrue(c.allowed);
        assertEq(c.decimals, 6);
        assertEq(c.minDeposit, MIN_DEPOSIT);
        assertEq(c.maxDeposit, MAX_DEPOSIT);
    }

    function test_allowToken_acceptsEqualMinAndMax() public {
        vm.prank(governor);
        tokens.allowToken(address(t18), 5, 5);
        tokens.checkDeposit(address(t18), 5);
    }

    function test_allowToken_revertsWhenNotGovernor() public {
        _expectUnauthorized(operator, GOVERNOR_ROLE);
        vm.prank(operator);
        tokens.allowToken(address(t18), 1, 2);
    }

    function test_allowToken_revertsWhenTokenZero() public {
        vm.prank(governor);
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        tokens.allowToken(address(0), 1, 2);
    }

    function test_allowToken_revertsWhenAlreadyAllowed() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.TokenAlreadyAllowed.selector, address(usdc)));
        tokens.allowToken(address(usdc), 1, 2);
    }

    function test_allowToken_revertsWhenMaxZero() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.InvalidLimits.selector, 0, 0));
        tokens.allowToken(address(t18), 0, 0);
    }

    function test_allowToken_revertsWhenMinAboveMax() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.InvalidLimits.selector, 10, 9));
        tokens.allowToken(address(t18), 10, 9);
    }

    function test_allowToken_revertsWhenNotAToken() public {
        vm.prank(governor);
        vm.expectRevert(); // decimals() on an EOA: no return data
        tokens.allowToken(stranger, 1, 2);
    }

    function test_allowToken_reallowsAfterDisallowWithNewLimits() public {
        vm.startPrank(governor);
        tokens.disallowToken(address(usdc));
        tokens.allowToken(address(usdc), 7, 70);
        vm.stopPrank();
        ITokenRegistry.TokenConfig memory c = tokens.getToken(address(usdc));
        assertTrue(c.allowed);
        assertEq(c.minDeposit, 7);
        assertEq(c.maxDeposit, 70);
    }

    // ------------------------------------------------------------------ setLimits

    function test_setLimits_updatesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(tokens));
        emit ITokenRegistry.TokenLimitsUpdated(address(usdc), 0, 1e6);
        vm.prank(governor);
        tokens.setLimits(address(usdc), 0, 1e6);
        ITokenRegistry.TokenConfig memory c = tokens.getToken(address(usdc));
        assertEq(c.minDeposit, 0);
        assertEq(c.maxDeposit, 1e6);
        assertEq(c.decimals, 6);
        assertTrue(c.allowed);
    }

    function test_setLimits_revertsWhenNotAllowed() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.TokenNotAllowed.selector, address(t18)));
        tokens.setLimits(address(t18), 1, 2);
    }

    function test_setLimits_revertsWhenInvalid() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.InvalidLimits.selector, 3, 2));
        tokens.setLimits(address(usdc), 3, 2);
    }

    function test_setLimits_revertsWhenNotGovernor() public {
        _expectUnauthorized(stranger, GOVERNOR_ROLE);
        vm.prank(stranger);
        tokens.setLimits(address(usdc), 1, 2);
    }

    // ------------------------------------------------------------------ disallowToken

    function test_disallowToken_removesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(tokens));
        emit ITokenRegistry.TokenDisallowed(address(usdc));
        vm.prank(governor);
        tokens.disallowToken(address(usdc));
        assertFalse(tokens.isAllowed(address(usdc)));
        // limits and decimals are kept for the record
        assertEq(tokens.getToken(address(usdc)).maxDeposit, MAX_DEPOSIT);
    }

    function test_disallowToken_revertsWhenNotAllowed() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.TokenNotAllowed.selector, address(t18)));
        tokens.disallowToken(address(t18));
    }

    function test_disallowToken_revertsWhenNotGovernor() public {
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        tokens.disallowToken(address(usdc));
    }

    // ------------------------------------------------------------------ checkDeposit / views

    function test_checkDeposit_passesAtBounds() public view {
        tokens.checkDeposit(address(usdc), MIN_DEPOSIT);
        tokens.checkDeposit(address(usdc), MAX_DEPOSIT);
    }

    function test_checkDeposit_revertsBelowMin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ITokenRegistry.DepositOutOfRange.selector, address(usdc), MIN_DEPOSIT - 1, MIN_DEPOSIT, MAX_DEPOSIT
            )
        );
        tokens.checkDeposit(address(usdc), MIN_DEPOSIT - 1);
    }

    function test_checkDeposit_revertsAboveMax() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ITokenRegistry.DepositOutOfRange.selector, address(usdc), MAX_DEPOSIT + 1, MIN_DEPOSIT, MAX_DEPOSIT
            )
        );
        tokens.checkDeposit(address(usdc), MAX_DEPOSIT + 1);
    }

    function test_checkDeposit_revertsWhenNotAllowed() public {
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.TokenNotAllowed.selector, address(t18)));
        tokens.checkDeposit(address(t18), 1);
    }

    function test_getToken_unknownIsZero() public view {
        ITokenRegistry.TokenConfig memory c = tokens.getToken(address(t18));
        assertFalse(c.allowed);
        assertEq(c.decimals, 0);
        assertEq(c.minDeposit, 0);
        assertEq(c.maxDeposit, 0);
        assertFalse(tokens.isAllowed(address(t18)));
    }

    function test_allowToken_worksWhilePaused() public {
        vm.prank(pauser);
        tokens.pause();
        vm.prank(governor);
        tokens.allowToken(address(t18), 1, 2);
        assertTrue(tokens.isAllowed(address(t18)));
    }

    function testFuzz_checkDeposit_acceptsExactlyTheRange(uint256 minD, uint256 maxD, uint256 amount) public {
        maxD = bound(maxD, 1, type(uint256).max);
        minD = bound(minD, 0, maxD);
        vm.prank(governor);
        tokens.allowToken(address(t18), minD, maxD);
        if (amount < minD || amount > maxD) {
            vm.expectRevert(
                abi.encodeWithSelector(ITokenRegistry.DepositOutOfRange.selector, address(t18), amount, minD, maxD)
            );
        }
        tokens.checkDeposit(address(t18), amount);
    }
}
