// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {MockUSDC} from "../src/MockUSDC.sol";

contract MockUSDCTest is Test {
    MockUSDC internal usdc;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        usdc = new MockUSDC();
    }

    function test_metadata_isSixDecimalUsdc() public view {
        assertEq(usdc.name(), "Mock USD Coin");
        assertEq(usdc.symbol(), "USDC");
        assertEq(usdc.decimals(), 6);
        assertEq(usdc.totalSupply(), 0);
        assertEq(usdc.FAUCET_LIMIT(), 1_000_000e6);
    }

    function test_faucet_mintsAndEmitsTransfer() public {
        vm.expectEmit(true, true, true, true, address(usdc));
        emit IERC20.Transfer(address(0), alice, 123e6);
        vm.prank(bob); // anyone may call, for anyone
        usdc.faucet(alice, 123e6);
        assertEq(usdc.balanceOf(alice), 123e6);
        assertEq(usdc.totalSupply(), 123e6);
    }

    function test_faucet_allowsExactlyTheLimit() public {
        usdc.faucet(alice, usdc.FAUCET_LIMIT());
        usdc.faucet(alice, usdc.FAUCET_LIMIT()); // the limit is per call
        assertEq(usdc.balanceOf(alice), 2 * usdc.FAUCET_LIMIT());
    }

    function test_faucet_revertsAboveLimit() public {
        uint256 limit = usdc.FAUCET_LIMIT();
        vm.expectRevert(abi.encodeWithSelector(MockUSDC.FaucetLimitExceeded.selector, limit + 1, limit));
        usdc.faucet(alice, limit + 1);
    }

    function test_faucet_revertsToZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        usdc.faucet(address(0), 1);
    }

    function test_transfer_movesBalance() public {
        usdc.faucet(alice, 10e6);
        vm.prank(alice);
        assertTrue(usdc.transfer(bob, 4e6));
        assertEq(usdc.balanceOf(alice), 6e6);
        assertEq(usdc.balanceOf(bob), 4e6);
    }

    function test_transferFrom_revertsWithoutAllowance() public {
        usdc.faucet(alice, 10e6);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, bob, 0, 1e6));
        usdc.transferFrom(alice, bob, 1e6);
    }

    function testFuzz_faucet_mintsUpToLimit(address to, uint256 amount) public {
        vm.assume(to != address(0));
        uint256 limit = usdc.FAUCET_LIMIT();
        if (amount > limit) {
            vm.expectRevert(abi.encodeWithSelector(MockUSDC.FaucetLimitExceeded.selector, amount, limit));
            usdc.faucet(to, amount);
        } else {
            usdc.faucet(to, amount);
            assertEq(usdc.balanceOf(to), amount);
            assertEq(usdc.totalSupply(), amount);
        }
    }
}
