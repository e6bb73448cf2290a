// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseTest} from "./Base.t.sol";
import {Escrow} from "../src/Escrow.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {ITokenRegistry} from "../src/interfaces/ITokenRegistry.sol";
import {IProtocolErrors} from "../src/interfaces/IRoles.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {FeeOnTransferToken, Token18} from "./mocks/TestTokens.sol";

contract EscrowTest is BaseTest {
    address internal ledgerCaller = makeAddr("ledgerCaller");
    address internal payer = makeAddr("payer");
    bytes32 internal constant BID = keccak256("escrow-batch");

    function setUp() public override {
        super.setUp();
        vm.prank(governor);
        escrow.grantRole(LEDGER_ROLE, ledgerCaller);
    }

    function _approve(address who, uint256 amount) internal {
        _mint(who, amount);
        vm.prank(who);
        usdc.approve(address(escrow), amount);
    }

    function _lock(address who, uint256 amount) internal {
        vm.prank(ledgerCaller);
        escrow.lock(who, address(usdc), amount, BID);
    }

    // ------------------------------------------------------------------ initialize

    function test_initialize_setsRegistryAndGovernor() public view {
        assertEq(address(escrow.tokenRegistry()), address(tokens));
        assertTrue(escrow.hasRole(GOVERNOR_ROLE, governor));
        assertTrue(escrow.hasRole(LEDGER_ROLE, address(ledger)));
    }

    function test_initialize_revertsWhenRegistryZero() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(address(escrowImpl), abi.encodeCall(Escrow.initialize, (governor, ITokenRegistry(address(0)))));
    }

    function test_initialize_revertsWhenGovernorZero() public {
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        _proxy(address(escrowImpl), abi.encodeCall(Escrow.initialize, (address(0), tokens)));
    }

    // ------------------------------------------------------------------ deposit

    function test_deposit_creditsAvailableAndEmits() public {
        _approve(payer, 500e6);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Deposited(payer, address(usdc), 500e6, 500e6, 0);
        vm.prank(payer);
        escrow.deposit(address(usdc), 500e6);

        assertEq(_available(payer), 500e6);
        assertEq(_locked(payer), 0);
        assertEq(usdc.balanceOf(payer), 0);
        assertEq(escrow.totalHeld(address(usdc)), PLATFORM_FUNDING + 500e6);
        assertEq(usdc.balanceOf(address(escrow)), PLATFORM_FUNDING + 500e6);
    }

    function test_deposit_eventCarriesLockedAfter() public {
        _approve(payer, 300e6);
        vm.startPrank(payer);
        escrow.deposit(address(usdc), 200e6);
        vm.stopPrank();
        _lock(payer, 150e6);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Deposited(payer, address(usdc), 100e6, 150e6, 150e6);
        vm.prank(payer);
        escrow.deposit(address(usdc), 100e6);
    }

    function test_deposit_revertsWhenZeroAmount() public {
        vm.prank(payer);
        vm.expectRevert(IProtocolErrors.ZeroAmount.selector);
        escrow.deposit(address(usdc), 0);
    }

    function test_deposit_revertsWhenTokenNotAllowed() public {
        Token18 t = new Token18();
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.TokenNotAllowed.selector, address(t)));
        escrow.deposit(address(t), 1e18);
    }

    function test_deposit_revertsWhenBelowMinimum() public {
        _approve(payer, 1);
        vm.prank(payer);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITokenRegistry.DepositOutOfRange.selector, address(usdc), 1, MIN_DEPOSIT, MAX_DEPOSIT
            )
        );
        escrow.deposit(address(usdc), 1);
    }

    function test_deposit_revertsWhenAboveMaximum() public {
        vm.prank(payer);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITokenRegistry.DepositOutOfRange.selector, address(usdc), MAX_DEPOSIT + 1, MIN_DEPOSIT, MAX_DEPOSIT
            )
        );
        escrow.deposit(address(usdc), MAX_DEPOSIT + 1);
    }

    function test_deposit_revertsWithoutAllowance() public {
        _mint(payer, 10e6);
        vm.prank(payer);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(escrow), 0, 10e6)
        );
        escrow.deposit(address(usdc), 10e6);
    }

    function test_deposit_revertsWhenPaused() public {
        _approve(payer, 10e6);
        vm.prank(pauser);
        escrow.pause();
        vm.prank(payer);
        _expectPaused();
        escrow.deposit(address(usdc), 10e6);
    }

    function test_deposit_revertsWhenTokenDisallowed() public {
        _approve(payer, 10e6);
        vm.prank(governor);
        tokens.disallowToken(address(usdc));
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(ITokenRegistry.TokenNotAllowed.selector, address(usdc)));
        escrow.deposit(address(usdc), 10e6);
    }

    function test_deposit_creditsWhatArrivesForFeeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        vm.prank(governor);
        tokens.allowToken(address(fot), 1, type(uint128).max);
        fot.mint(payer, 1000e6);
        vm.startPrank(payer);
        fot.approve(address(escrow), 1000e6);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Deposited(payer, address(fot), 990e6, 990e6, 0);
        escrow.deposit(address(fot), 1000e6);
        vm.stopPrank();
        assertEq(escrow.accountOf(payer, address(fot)).available, 990e6);
        assertEq(escrow.totalHeld(address(fot)), fot.balanceOf(address(escrow)));
    }

    // ------------------------------------------------------------------ withdraw

    function test_withdraw_debitsAndEmits() public {
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Withdrawn(platform, address(usdc), 40e6, platform, PLATFORM_FUNDING - 40e6, 0);
        vm.prank(platform);
        escrow.withdraw(address(usdc), 40e6, platform);
        assertEq(_available(platform), PLATFORM_FUNDING - 40e6);
        assertEq(usdc.balanceOf(platform), 40e6);
        assertEq(escrow.totalHeld(address(usdc)), PLATFORM_FUNDING - 40e6);
    }

    function test_withdraw_toAnotherRecipient() public {
        vm.prank(platform);
        escrow.withdraw(address(usdc), PLATFORM_FUNDING, platformPayout);
        assertEq(usdc.balanceOf(platformPayout), PLATFORM_FUNDING);
        assertEq(_available(platform), 0);
        assertEq(usdc.balanceOf(address(escrow)), 0);
    }

    function test_withdraw_revertsWhenZeroAmount() public {
        vm.prank(platform);
        vm.expectRevert(IProtocolErrors.ZeroAmount.selector);
        escrow.withdraw(address(usdc), 0, platform);
    }

    function test_withdraw_revertsWhenRecipientZero() public {
        vm.prank(platform);
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        escrow.withdraw(address(usdc), 1, address(0));
    }

    function test_withdraw_revertsWhenBalanceShort() public {
        vm.prank(platform);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEscrow.InsufficientBalance.selector, platform, address(usdc), PLATFORM_FUNDING + 1, PLATFORM_FUNDING
            )
        );
        escrow.withdraw(address(usdc), PLATFORM_FUNDING + 1, platform);
    }

    function test_withdraw_revertsForLockedFunds() public {
        _lock(platform, PLATFORM_FUNDING - 10e6);
        vm.prank(platform);
        vm.expectRevert(
            abi.encodeWithSelector(IEscrow.InsufficientBalance.selector, platform, address(usdc), 11e6, 10e6)
        );
        escrow.withdraw(address(usdc), 11e6, platform);
    }

    function test_withdraw_revertsWhenPaused() public {
        vm.prank(governor);
        escrow.pause();
        vm.prank(platform);
        _expectPaused();
        escrow.withdraw(address(usdc), 1, platform);
    }

    function test_withdraw_worksAfterTokenDisallowed() public {
        vm.prank(governor);
        tokens.disallowToken(address(usdc));
        vm.prank(platform);
        escrow.withdraw(address(usdc), PLATFORM_FUNDING, platform);
        assertEq(usdc.balanceOf(platform), PLATFORM_FUNDING);
    }

    // ------------------------------------------------------------------ lock

    function test_lock_movesAvailableToLockedAndEmits() public {
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Locked(platform, address(usdc), BID, 30e6, PLATFORM_FUNDING - 30e6, 30e6);
        _lock(platform, 30e6);
        assertEq(_available(platform), PLATFORM_FUNDING - 30e6);
        assertEq(_locked(platform), 30e6);
        assertEq(escrow.totalHeld(address(usdc)), PLATFORM_FUNDING);
    }

    function test_lock_revertsWhenNotLedger() public {
        _expectUnauthorized(operator, LEDGER_ROLE);
        vm.prank(operator);
        escrow.lock(platform, address(usdc), 1, BID);
    }

    function test_lock_revertsWhenZeroAmount() public {
        vm.prank(ledgerCaller);
        vm.expectRevert(IProtocolErrors.ZeroAmount.selector);
        escrow.lock(platform, address(usdc), 0, BID);
    }

    function test_lock_revertsWhenBalanceShort() public {
        vm.prank(ledgerCaller);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.InsufficientBalance.selector, payer, address(usdc), 1, 0));
        escrow.lock(payer, address(usdc), 1, BID);
    }

    function test_lock_revertsWhenPaused() public {
        vm.prank(pauser);
        escrow.pause();
        vm.prank(ledgerCaller);
        _expectPaused();
        escrow.lock(platform, address(usdc), 1, BID);
    }

    // ------------------------------------------------------------------ unlock

    function test_unlock_movesLockedBackAndEmits() public {
        _lock(platform, 30e6);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Unlocked(platform, address(usdc), BID, 20e6, PLATFORM_FUNDING - 10e6, 10e6);
        vm.prank(ledgerCaller);
        escrow.unlock(platform, address(usdc), 20e6, BID);
        assertEq(_available(platform), PLATFORM_FUNDING - 10e6);
        assertEq(_locked(platform), 10e6);
    }

    function test_unlock_revertsWhenNotLedger() public {
        _expectUnauthorized(platform, LEDGER_ROLE);
        vm.prank(platform);
        escrow.unlock(platform, address(usdc), 1, BID);
    }

    function test_unlock_revertsWhenLockedShort() public {
        _lock(platform, 5);
        vm.prank(ledgerCaller);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.InsufficientLocked.selector, platform, address(usdc), 6, 5));
        escrow.unlock(platform, address(usdc), 6, BID);
    }

    function test_unlock_revertsWhenPaused() public {
        _lock(platform, 5);
        vm.prank(pauser);
        escrow.pause();
        vm.prank(ledgerCaller);
        _expectPaused();
        escrow.unlock(platform, address(usdc), 5, BID);
    }

    // ------------------------------------------------------------------ charge

    function test_charge_paysRecipientFromLockedAndEmits() public {
        _lock(platform, 30e6);
        vm.expectEmit(true, true, true, true, address(escrow));
        emit IEscrow.Charged(platform, address(usdc), BID, 25e6, stranger, PLATFORM_FUNDING - 30e6, 5e6);
        vm.prank(ledgerCaller);
        escrow.charge(platform, address(usdc), 25e6, BID, stranger);
        assertEq(usdc.balanceOf(stranger), 25e6);
        assertEq(_locked(platform), 5e6);
        assertEq(escrow.totalHeld(address(usdc)), PLATFORM_FUNDING - 25e6);
        assertEq(usdc.balanceOf(address(escrow)), PLATFORM_FUNDING - 25e6);
    }

    function test_charge_revertsWhenNotLedger() public {
        _lock(platform, 30e6);
        _expectUnauthorized(governor, LEDGER_ROLE);
        vm.prank(governor);
        escrow.charge(platform, address(usdc), 1, BID, governor);
    }

    function test_charge_revertsWhenRecipientZero() public {
        _lock(platform, 30e6);
        vm.prank(ledgerCaller);
        vm.expectRevert(IProtocolErrors.ZeroAddress.selector);
        escrow.charge(platform, address(usdc), 1, BID, address(0));
    }

    function test_charge_revertsWhenLockedShort() public {
        _lock(platform, 30e6);
        vm.prank(ledgerCaller);
        vm.expectRevert(
            abi.encodeWithSelector(IEscrow.InsufficientLocked.selector, platform, address(usdc), 30e6 + 1, 30e6)
        );
        escrow.charge(platform, address(usdc), 30e6 + 1, BID, stranger);
    }

    function test_charge_revertsWhenPaused() public {
        _lock(platform, 30e6);
        vm.prank(pauser);
        escrow.pause();
        vm.prank(ledgerCaller);
        _expectPaused();
        escrow.charge(platform, address(usdc), 1, BID, stranger);
    }

    // ------------------------------------------------------------------ views / pause

    function test_accountOf_unknownIsZero() public view {
        IEscrow.Account memory a = escrow.accountOf(stranger, address(usdc));
        assertEq(a.available, 0);
        assertEq(a.locked, 0);
        assertEq(escrow.totalHeld(address(0xdead)), 0);
    }

    function test_unpause_revertsForPauserAndRestoresForGovernor() public {
        vm.prank(pauser);
        escrow.pause();
        _expectUnauthorized(pauser, GOVERNOR_ROLE);
        vm.prank(pauser);
        escrow.unpause();
        vm.prank(governor);
        escrow.unpause();
        vm.prank(platform);
        escrow.withdraw(address(usdc), 1, platform);
    }

    function test_unpause_revertsWhenNotPaused() public {
        vm.prank(governor);
        vm.expectRevert(abi.encodeWithSignature("ExpectedPause()"));
        escrow.unpause();
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_depositWithdraw_conservesBalances(uint256 dep, uint256 wd, address to) public {
        dep = bound(dep, MIN_DEPOSIT, MAX_DEPOSIT);
        wd = bound(wd, 1, dep);
        vm.assume(to != address(0) && to != address(escrow) && to != payer);
        uint256 heldBefore = escrow.totalHeld(address(usdc));
        uint256 toBefore = usdc.balanceOf(to);

        _approve(payer, dep);
        vm.prank(payer);
        escrow.deposit(address(usdc), dep);
        vm.prank(payer);
        escrow.withdraw(address(usdc), wd, to);

        assertEq(_available(payer), dep - wd);
        assertEq(usdc.balanceOf(to), toBefore + wd);
        assertEq(escrow.totalHeld(address(usdc)), heldBefore + dep - wd);
        assertEq(usdc.balanceOf(address(escrow)), escrow.totalHeld(address(usdc)));
    }

    function testFuzz_lockUnlockCharge_conserveBalances(uint256 dep, uint256 lockAmt, uint256 unlockAmt, uint256 chargeAmt)
        public
    {
        dep = bound(dep, MIN_DEPOSIT, MAX_DEPOSIT);
        lockAmt = bound(lockAmt, 1, dep);
        unlockAmt = bound(unlockAmt, 0, lockAmt);
        chargeAmt = bound(chargeAmt, 0, lockAmt - unlockAmt);

        _approve(payer, dep);
        vm.prank(payer);
        escrow.deposit(address(usdc), dep);
        uint256 heldBefore = escrow.totalHeld(address(usdc));

        vm.startPrank(ledgerCaller);
        escrow.lock(payer, address(usdc), lockAmt, BID);
        escrow.unlock(payer, address(usdc), unlockAmt, BID);
        escrow.charge(payer, address(usdc), chargeAmt, BID, treasury);
        vm.stopPrank();

        IEscrow.Account memory a = escrow.accountOf(payer, address(usdc));
        assertEq(a.available, dep - lockAmt + unlockAmt);
        assertEq(a.locked, lockAmt - unlockAmt - chargeAmt);
        assertEq(a.available + a.locked + chargeAmt, dep);
        assertEq(usdc.balanceOf(treasury), chargeAmt);
        assertEq(escrow.totalHeld(address(usdc)), heldBefore - chargeAmt);
        assertEq(usdc.balanceOf(address(escrow)), escrow.totalHeld(address(usdc)));
    }

    function testFuzz_withdraw_revertsAboveAvailable(uint256 dep, uint256 lockAmt, uint256 wd) public {
        dep = bound(dep, MIN_DEPOSIT, MAX_DEPOSIT);
        lockAmt = bound(lockAmt, 1, dep);
        uint256 avail = dep - lockAmt;
        wd = bound(wd, avail + 1, type(uint256).max);
        _approve(payer, dep);
        vm.prank(payer);
        escrow.deposit(address(usdc), dep);
        _lock(payer, lockAmt);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.InsufficientBalance.selector, payer, address(usdc), wd, avail));
        escrow.withdraw(address(usdc), wd, payer);
    }
}
