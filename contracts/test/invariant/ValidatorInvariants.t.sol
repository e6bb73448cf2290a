// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ValidatorRegistryBaseTest} from "../ValidatorRegistryBase.t.sol";
import {ValidatorHandler} from "./ValidatorHandler.sol";
import {IValidatorRegistry} from "../../src/interfaces/IValidatorRegistry.sol";

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
/// @notice Stateful fuzzing of delegation, unbonding, redelegation, jailing and slashing through ValidatorHandler.
///         The handler guards its own preconditions, so any revert escaping it is a failure.
contract ValidatorInvariantsTest is ValidatorRegistryBaseTest {
    ValidatorHandler internal handler;

    function setUp() public override {
        super.setUp();
        address[] memory vals = new address[](3);
        (vals[0], vals[1], vals[2]) = (valA, valB, valC);
        address[] memory dels = new address[](5);
        (dels[0], dels[1], dels[2]) = (alice, bob, carol);
        dels[3] = makeAddr("dave");
        dels[4] = valA; // a validator delegating to itself or others

        handler = new ValidatorHandler(registry, stk, governor, vals, dels);

        // weights: delegation feeds everything else, so it appears twice
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = ValidatorHandler.delegate.selector;
        selectors[1] = ValidatorHandler.delegate.selector;
        selectors[2] = ValidatorHandler.undelegate.selector;
        selectors[3] = ValidatorHandler.redelegate.selector;
        selectors[4] = ValidatorHandler.withdraw.selector;
        selectors[5] = ValidatorHandler.withdrawHostile.selector;
        selectors[6] = ValidatorHandler.slash.selector;
        selectors[7] = ValidatorHandler.jail.selector;
        selectors[8] = ValidatorHandler.warp.selector;
        selectors[9] = ValidatorHandler.undelegate.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice The tokens held cover every stake and every pending unbonding request (and, since nobody sends
    ///         tokens directly here, equal them).
    function invariant_conservation() public view {
        uint256 balance = stk.balanceOf(address(registry));
        assertGe(balance, registry.totalStaked() + registry.totalUnbonding(), "balance covers stake + unbonding");
        assertEq(balance, registry.totalStaked() + registry.totalUnbonding(), "no token unaccounted for");
        assertEq(
            balance,
            handler.ghost_delegated() - handler.ghost_withdrawn() - handler.ghost_slashed(),
            "balance = in - out"
        );
        assertEq(stk.balanceOf(treasury), handler.ghost_slashed(), "slashed tokens reach the treasury");
    }

    /// @notice totalStaked is the sum of the validators' stakes; each pool's delegations never exceed its stake;
    ///         an empty pool has no shares and a pool with shares has stake.
    function invariant_stakeAccounting() public view {
        address[] memory vals = handler.validators();
        address[] memory dels = handler.delegators();
        uint256 sum;
        for (uint256 i = 0; i < vals.length; i++) {
            IValidatorRegistry.Validator memory v = registry.getValidator(vals[i]);
            sum += v.stake;
            assertEq(v.stake == 0, v.totalShares == 0, "no stake without shares, no shares without stake");
            uint256 delegated;
            uint256 shares;
            for (uint256 j = 0; j < dels.length; j++) {
                delegated += registry.delegationOf(dels[j], vals[i]);
                shares += registry.sharesOf(dels[j], vals[i]);
            }
            assertLe(delegated, v.stake, "delegations within stake");
            assertEq(shares, v.totalShares, "shares add up");
        }
        assertEq(sum, registry.totalStaked(), "totalStaked = sum of stakes");
    }

    /// @notice Pending unbonding = the sum of requests not withdrawn.
    function invariant_unbondingAccounting() public view {
        uint256 n = registry.unbondingCount();
        uint256 pending;
        for (uint256 id = 1; id <= n; id++) {
            IValidatorRegistry.UnbondingRequest memory r = registry.unbonding(id);
            if (!r.withdrawn) pending += r.amount;
        }
        assertEq(pending, registry.totalUnbonding(), "totalUnbonding = pending requests");
        assertEq(handler.ghost_unbonded() - handler.ghost_withdrawn(), pending, "unbonded - withdrawn = pending");
    }

    /// @notice No withdrawal before unlock, twice, or by someone else; no undelegation pays more than held.
    function invariant_noEarlyOrForeignWithdrawal() public view {
        assertEq(handler.ghost_earlyWithdrawals(), 0, "withdrawn before unlock");
        assertEq(handler.ghost_doubleWithdrawals(), 0, "withdrawn twice");
        assertEq(handler.ghost_foreignWithdrawals(), 0, "withdrawn by someone else");
        assertEq(handler.ghost_overpaidUndelegations(), 0, "undelegation overpaid");
    }

    /// @notice A slash never raises any stake or delegation and touches no other validator.
    function invariant_slashingNeverIncreases() public view {
        assertEq(handler.ghost_slashIncreases(), 0, "a slash increased a stake");
        assertEq(handler.ghost_otherPoolsChangedBySlash(), 0, "a slash touched another validator");
    }
}
