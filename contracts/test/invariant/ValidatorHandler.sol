// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {ValidatorRegistry} from "../../src/ValidatorRegistry.sol";
import {IValidatorRegistry} from "../../src/interfaces/IValidatorRegistry.sol";
import {MockToken} from "../../src/mocks/MockToken.sol";

/// @title Drives ValidatorRegistry with bounded random inputs and records what happened in ghost variables.
/// @dev Actions guard their own preconditions (the campaign runs with fail_on_revert), except the hostile ones
///      (withdrawing before unlock, withdrawing twice, withdrawing someone else's request), which go through
///      try/catch and count any success in a ghost the invariants require to stay zero.
contract ValidatorHandler is CommonBase, StdCheats, StdUtils {
    ValidatorRegistry public immutable registry;
    MockToken public immutable token;
    address public immutable governor;

    address[] internal _validators;
    address[] internal _delegators;

    uint256 public currentTime;

    // ---- ghost variables
    uint256 public ghost_delegated;
    uint256 public ghost_unbonded;
    uint256 public ghost_withdrawn;
    uint256 public ghost_slashed;
    uint256 public ghost_earlyWithdrawals; // must stay 0
    uint256 public ghost_doubleWithdrawals; // must stay 0
    uint256 public ghost_foreignWithdrawals; // must stay 0
    uint256 public ghost_slashIncreases; // must stay 0: a slash raised some delegation or stake
    uint256 public ghost_otherPoolsChangedBySlash; // must stay 0
    uint256 public ghost_overpaidUndelegations; // must stay 0: an undelegation paid more than the delegation
    uint256 public ghost_poolsWiped;
    mapping(bytes32 => uint256) public calls;

    modifier count(bytes32 name) {
        calls[name]++;
        vm.warp(currentTime);
        _;
    }

    constructor(
        ValidatorRegistry registry_,
        MockToken token_,
        address governor_,
        address[] memory validators_,
        address[] memory delegators_
    ) {
        registry = registry_;
        token = token_;
        governor = governor_;
        _validators = validators_;
        _delegators = delegators_;
        currentTime = block.timestamp;
        for (uint256 i = 0; i < delegators_.length; i++) {
            vm.prank(delegators_[i]);
            token_.approve(address(registry_), type(uint256).max);
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    function validators() external view returns (address[] memory) {
        return _validators;
    }

    function delegators() external view returns (address[] memory) {
        return _delegators;
    }

    // ------------------------------------------------------------------ actions

    function delegate(uint256 dSeed, uint256 vSeed, uint256 amount) external count("delegate") {
        address d = _pick(_delegators, dSeed);
        address v = _pick(_validators, vSeed);
        if (registry.getValidator(v).jailed) return;
        amount = bound(amount, 1, 1e24);
        token.faucet(d, amount);
        vm.prank(d);
        registry.delegate(v, amount);
        ghost_delegated += amount;
    }

    function undelegate(uint256 seed, uint256 amount) external count("undelegate") {
        (address d, address v, uint256 held) = _findDelegation(seed);
        if (held == 0) return;
        // a third of the time, the whole delegation
        amount = amount % 3 == 0 ? held : bound(amount, 1, held);
        vm.prank(d);
        uint256 id = registry.undelegate(v, amount);
        uint256 paid = registry.unbonding(id).amount;
        if (paid > held) ghost_overpaidUndelegations++;
        ghost_unbonded += paid;
    }

    function redelegate(uint256 seed, uint256 toSeed, uint256 amount) external count("redelegate") {
        (address d, address from, uint256 held) = _findDelegation(seed);
        if (held == 0) return;
        address to = _pick(_validators, toSeed);
        if (from == to) to = _pick(_validators, (toSeed % _validators.length) + 1);
        if (registry.getValidator(to).jailed) return;
        amount = bound(amount, 1, held);
        IValidatorRegistry.Validator memory vt = registry.getValidator(to);
        // skip amounts worth less than one share of the destination pool
        if (vt.totalShares != 0 && (amount * vt.totalShares) / vt.stake == 0) return;
        vm.prank(d);
        registry.redelegate(from, to, amount);
    }

    function withdraw(uint256 idSeed) external count("withdraw") {
        uint256 n = registry.unbondingCount();
        if (n == 0) return;
        uint256 id = bound(idSeed, 1, n);
        IValidatorRegistry.UnbondingRequest memory r = registry.unbonding(id);
        if (r.withdrawn) return;
        if (currentTime < r.unlockAt) {
            currentTime = r.unlockAt;
            vm.warp(currentTime);
        }
        vm.prank(r.delegator);
        registry.withdrawUnbonded(id);
        ghost_withdrawn += r.amount;
    }

    /// @dev Hostile: withdraw a request before its unlock time, twice, or as someone else.
    function withdrawHostile(uint256 idSeed, uint256 mode, uint256 callerSeed) external count("withdrawHostile") {
        uint256 n = registry.unbondingCount();
        if (n == 0) return;
        uint256 id = bound(idSeed, 1, n);
        IValidatorRegistry.UnbondingRequest memory r = registry.unbonding(id);
        mode = mode % 3;
        if (mode == 0) {
            if (r.withdrawn || currentTime >= r.unlockAt) return;
            vm.prank(r.delegator);
            try registry.withdrawUnbonded(id) {
                ghost_earlyWithdrawals++;
            } catch {}
        } else if (mode == 1) {
            if (!r.withdrawn) return;
            vm.prank(r.delegator);
            try registry.withdrawUnbonded(id) {
                ghost_doubleWithdrawals++;
            } catch {}
        } else {
            address caller = _pick(_delegators, callerSeed);
            if (caller == r.delegator) return;
            vm.warp(r.unlockAt > currentTime ? r.unlockAt : currentTime);
            vm.prank(caller);
            try registry.withdrawUnbonded(id) {
                ghost_foreignWithdrawals++;
            } catch {}
            vm.warp(currentTime);
        }
    }

    function slash(uint256 vSeed, uint256 bps) external count("slash") {
        address v = _pick(_validators, vSeed);
        // mostly partial slashes; occasionally the whole stake
        bps = bps % 16 == 0 ? 10_000 : bound(bps, 1, 5_000);
        uint256[] memory before = _delegationsTo(v);
        uint256[] memory others = _otherStakes(v);
        uint256 stakeBefore = registry.totalStake(v);

        vm.prank(governor);
        uint256 taken = registry.slash(v, uint16(bps), "invariant");
        ghost_slashed += taken;
        if (registry.getValidator(v).totalShares == 0 && stakeBefore != 0) ghost_poolsWiped++;

        if (registry.totalStake(v) > stakeBefore) ghost_slashIncreases++;
        uint256[] memory afterSlash = _delegationsTo(v);
        for (uint256 i = 0; i < afterSlash.length; i++) {
            if (afterSlash[i] > before[i]) ghost_slashIncreases++;
        }
        uint256[] memory othersAfter = _otherStakes(v);
        for (uint256 i = 0; i < others.length; i++) {
            if (othersAfter[i] != others[i]) ghost_otherPoolsChangedBySlash++;
        }
    }

    function jail(uint256 vSeed) external count("jail") {
        address v = _pick(_validators, vSeed);
        bool jailed = registry.getValidator(v).jailed;
        vm.prank(governor);
        if (jailed) registry.unjail(v);
        else registry.jail(v, "invariant");
    }

    function warp(uint256 secs) external count("warp") {
        currentTime += bound(secs, 1, 3 days);
        vm.warp(currentTime);
    }

    // ------------------------------------------------------------------ helpers

    function _pick(address[] storage list, uint256 seed) internal view returns (address) {
        return list[seed % list.length];
    }

    /// @dev The first (delegator, validator) pair with a nonzero delegation, scanning from `seed`.
    function _findDelegation(uint256 seed) internal view returns (address d, address v, uint256 held) {
        uint256 n = _delegators.length * _validators.length;
        for (uint256 k = 0; k < n; k++) {
            uint256 i = (seed % n + k) % n;
            d = _delegators[i % _delegators.length];
            v = _validators[i / _delegators.length];
            held = registry.delegationOf(d, v);
            if (held != 0) return (d, v, held);
        }
    }

    function _delegationsTo(address v) internal view returns (uint256[] memory out) {
        out = new uint256[](_delegators.length);
        for (uint256 i = 0; i < _delegators.length; i++) {
            out[i] = registry.delegationOf(_delegators[i], v);
        }
    }

    function _otherStakes(address v) internal view returns (uint256[] memory out) {
        out = new uint256[](_validators.length);
        for (uint256 i = 0; i < _validators.length; i++) {
            out[i] = _validators[i] == v ? 0 : registry.totalStake(_validators[i]);
        }
    }
}
