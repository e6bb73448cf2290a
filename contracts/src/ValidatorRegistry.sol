// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ProtocolUpgradeable} from "./ProtocolUpgradeable.sol";
import {IValidatorRegistry} from "./interfaces/IValidatorRegistry.sol";
import {Roles} from "./interfaces/IRoles.sol";

/// @title ValidatorRegistry
/// @notice See IValidatorRegistry.
/// @dev Share pool per validator. Invariants kept by every path:
///      - `totalShares == 0` ⇔ `stake == 0` (a slash of the whole stake voids the shares by bumping `generation`;
///        an undelegation that burns the last shares pays out the whole stake);
///      - shares are minted rounding down and burned rounding up, and token values round down, so rounding always
///        favours the pool and `sum(delegationOf) ≤ stake`;
///      - `balance ≥ totalStaked + totalUnbonding`.
contract ValidatorRegistry is ProtocolUpgradeable, IValidatorRegistry {
    using SafeERC20 for IERC20;

    /// @notice Basis-point denominator.
    uint16 public constant BPS = 10_000;
    /// @notice Upper bound of the unbonding period and of the commission change delay.
    uint64 public constant MAX_DURATION = 365 days;

    /// @dev A delegator's shares in one validator's pool, valid while `generation` matches the pool's.
    struct Delegation {
        uint256 shares;
        uint64 generation;
    }

    /// @notice The token delegators stake.
    IERC20 public stakingToken;
    /// @notice Where slashed tokens go.
    address public treasury;
    /// @notice Seconds from undelegation to withdrawal.
    uint64 public unbondingPeriod;
    /// @notice Seconds from scheduling a commission change to applying it.
    uint64 public commissionChangeDelay;
    /// @notice Highest commission a validator may set.
    uint16 public maxCommissionBps;

    uint256 private _totalStaked;
    uint256 private _totalUnbonding;
    uint256 private _unbondingCount;
    address[] private _validatorList;
    mapping(address validator => Validator) private _validators;
    mapping(address feeRecipient => address validator) private _validatorOfFeeRecipient;
    mapping(address validator => mapping(address delegator => Delegation)) private _delegations;
    mapping(uint256 requestId => UnbondingRequest) private _unbondings;

    function initialize(
        address governor,
        IERC20 token,
        address treasury_,
        uint64 unbondingPeriod_,
        uint64 commissionChangeDelay_,
        uint16 maxCommissionBps_
    ) external initializer {
        if (address(token) == address(0) || treasury_ == address(0)) revert ZeroAddress();
        _checkDuration(unbondingPeriod_);
        _checkDuration(commissionChangeDelay_);
        if (maxCommissionBps_ > BPS) revert InvalidBps(maxCommissionBps_);
        __Protocol_init(governor);
        stakingToken = token;
        treasury = treasury_;
        unbondingPeriod = unbondingPeriod_;
        commissionChangeDelay = commissionChangeDelay_;
        maxCommissionBps = maxCommissionBps_;
        _emitConfig();
    }

    // ------------------------------------------------------------------ validators

    /// @inheritdoc IValidatorRegistry
    function registerValidator(address feeRecipient, uint16 commissionBps, string calldata metadataURI) external {
        Validator storage v = _validators[msg.sender];
        if (v.registered) revert AlreadyRegistered(msg.sender);
        _checkCommission(commissionBps);
        _claimFeeRecipient(feeRecipient, msg.sender);
        v.registered = true;
        v.commissionBps = commissionBps;
        v.registeredAt = uint64(block.timestamp);
        v.feeRecipient = feeRecipient;
        v.metadataURI = metadataURI;
        _validatorList.push(msg.sender);
        emit ValidatorRegistered(msg.sender, feeRecipient, commissionBps, metadataURI, _validatorList.length);
    }

    /// @inheritdoc IValidatorRegistry
    function setFeeRecipient(address feeRecipient) external {
        Validator storage v = _registered(msg.sender);
        _claimFeeRecipient(feeRecipient, msg.sender);
        address old = v.feeRecipient;
        delete _validatorOfFeeRecipient[old];
        v.feeRecipient = feeRecipient;
        emit FeeRecipientChanged(msg.sender, old, feeRecipient);
    }

    /// @inheritdoc IValidatorRegistry
    function setMetadataURI(string calldata metadataURI) external {
        _registered(msg.sender).metadataURI = metadataURI;
        emit MetadataURIChanged(msg.sender, metadataURI);
    }

    /// @inheritdoc IValidatorRegistry
    function scheduleCommissionChange(uint16 newBps) external {
        Validator storage v = _registered(msg.sender);
        _checkCommission(newBps);
        uint64 effectiveAt = uint64(block.timestamp) + commissionChangeDelay;
        v.pendingCommissionBps = newBps;
        v.commissionEffectiveAt = effectiveAt;
        emit CommissionChangeScheduled(msg.sender, v.commissionBps, newBps, effectiveAt);
    }

    /// @inheritdoc IValidatorRegistry
    function cancelCommissionChange() external {
        Validator storage v = _registered(msg.sender);
        if (v.commissionEffectiveAt == 0) revert NoPendingCommissionChange(msg.sender);
        uint16 cancelled = v.pendingCommissionBps;
        v.pendingCommissionBps = 0;
        v.commissionEffectiveAt = 0;
        emit CommissionChangeCancelled(msg.sender, v.commissionBps, cancelled);
    }

    /// @inheritdoc IValidatorRegistry
    function applyCommissionChange(address validator) external {
        Validator storage v = _registered(validator);
        uint64 effectiveAt = v.commissionEffectiveAt;
        if (effectiveAt == 0) revert NoPendingCommissionChange(validator);
        if (block.timestamp < effectiveAt) {
            revert CommissionChangeNotDue(validator, effectiveAt, uint64(block.timestamp));
        }
        uint16 newBps = v.pendingCommissionBps;
        _checkCommission(newBps); // the governor may have lowered the maximum since
        uint16 oldBps = v.commissionBps;
        v.commissionBps = newBps;
        v.pendingCommissionBps = 0;
        v.commissionEffectiveAt = 0;
        emit CommissionChanged(validator, oldBps, newBps, effectiveAt, msg.sender);
    }

    // ------------------------------------------------------------------ delegators

    /// @inheritdoc IValidatorRegistry
    function delegate(address validator, uint256 amount) external whenNotPaused nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _openForDelegation(validator);
        IERC20 token = stakingToken;
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
        uint256 shares = _mintShares(validator, msg.sender, received);
        _totalStaked += received;
        Validator storage v = _validators[validator];
        uint256 delegatorShares = _delegations[validator][msg.sender].shares;
        emit Delegated(
            msg.sender,
            validator,
            received,
            shares,
            _toTokens(v, delegatorShares),
            delegatorShares,
            v.stake,
            v.totalShares,
            _totalStaked
        );
    }

    /// @inheritdoc IValidatorRegistry
    function undelegate(address validator, uint256 amount)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 requestId)
    {
        (uint256 burned, uint256 paid) = _burnShares(validator, msg.sender, amount);
        _totalStaked -= paid;
        _totalUnbonding += paid;
        requestId = ++_unbondingCount;
        uint64 unlockAt = uint64(block.timestamp) + unbondingPeriod;
        _unbondings[requestId] = UnbondingRequest({
            delegator: msg.sender,
            validator: validator,
            amount: paid,
            unlockAt: unlockAt,
            withdrawn: false
        });
        _emitUndelegated(validator, requestId, paid, burned, unlockAt);
    }

    /// @inheritdoc IValidatorRegistry
    function withdrawUnbonded(uint256 requestId) external whenNotPaused nonReentrant {
        UnbondingRequest storage r = _unbondings[requestId];
        if (r.delegator == address(0)) revert UnknownUnbondingRequest(requestId);
        if (r.delegator != msg.sender) revert NotRequestOwner(requestId, msg.sender);
        if (r.withdrawn) revert AlreadyWithdrawn(requestId);
        if (block.timestamp < r.unlockAt) revert StillUnbonding(requestId, r.unlockAt, uint64(block.timestamp));
        r.withdrawn = true;
        uint256 amount = r.amount;
        _totalUnbonding -= amount;
        stakingToken.safeTransfer(msg.sender, amount);
        emit UnbondingWithdrawn(requestId, msg.sender, r.validator, amount, _totalUnbonding);
    }

    /// @inheritdoc IValidatorRegistry
    function redelegate(address from, address to, uint256 amount) external whenNotPaused nonReentrant {
        if (from == to) revert SameValidator(from);
        _openForDelegation(to);
        (uint256 burned, uint256 moved) = _burnShares(from, msg.sender, amount);
        uint256 minted = _mintShares(to, msg.sender, moved);
        _emitRedelegated(from, to, moved, burned, minted);
    }

    // ------------------------------------------------------------------ governor

    /// @inheritdoc IValidatorRegistry
    function jail(address validator, string calldata reason) external onlyRole(Roles.GOVERNOR_ROLE) {
        Validator storage v = _registered(validator);
        if (v.jailed) revert ValidatorIsJailed(validator);
        v.jailed = true;
        emit ValidatorJailed(validator, reason, v.stake);
    }

    /// @inheritdoc IValidatorRegistry
    function unjail(address validator) external onlyRole(Roles.GOVERNOR_ROLE) {
        Validator storage v = _registered(validator);
        if (!v.jailed) revert ValidatorNotJailed(validator);
        v.jailed = false;
        emit ValidatorUnjailed(validator, v.stake);
    }

    /// @inheritdoc IValidatorRegistry
    function slash(address validator, uint16 bps, string calldata reason)
        external
        onlyRole(Roles.GOVERNOR_ROLE)
        whenNotPaused
        nonReentrant
        returns (uint256 amount)
    {
        if (bps == 0 || bps > BPS) revert InvalidBps(bps);
        Validator storage v = _registered(validator);
        amount = Math.mulDiv(v.stake, bps, BPS);
        v.stake -= amount;
        _totalStaked -= amount;
        v.slashCount += 1;
        if (v.stake == 0 && v.totalShares != 0) {
            // The whole stake is gone: every share is worthless. Void them all at once.
            v.totalShares = 0;
            v.generation += 1;
        }
        address to = treasury;
        if (amount != 0) stakingToken.safeTransfer(to, amount);
        emit Slashed(validator, bps, amount, v.stake, v.totalShares, _totalStaked, to, reason);
    }

    /// @inheritdoc IValidatorRegistry
    function setTreasury(address treasury_) external onlyRole(Roles.GOVERNOR_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        treasury = treasury_;
        _emitConfig();
    }

    /// @inheritdoc IValidatorRegistry
    function setUnbondingPeriod(uint64 period) external onlyRole(Roles.GOVERNOR_ROLE) {
        _checkDuration(period);
        unbondingPeriod = period;
        _emitConfig();
    }

    /// @inheritdoc IValidatorRegistry
    function setCommissionChangeDelay(uint64 delay) external onlyRole(Roles.GOVERNOR_ROLE) {
        _checkDuration(delay);
        commissionChangeDelay = delay;
        _emitConfig();
    }

    /// @inheritdoc IValidatorRegistry
    function setMaxCommissionBps(uint16 maxBps) external onlyRole(Roles.GOVERNOR_ROLE) {
        if (maxBps > BPS) revert InvalidBps(maxBps);
        maxCommissionBps = maxBps;
        _emitConfig();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IValidatorRegistry
    function getValidator(address validator) external view returns (Validator memory) {
        return _validators[validator];
    }

    /// @inheritdoc IValidatorRegistry
    function validatorOfFeeRecipient(address feeRecipient) external view returns (address) {
        return _validatorOfFeeRecipient[feeRecipient];
    }

    /// @inheritdoc IValidatorRegistry
    function delegationOf(address delegator, address validator) external view returns (uint256) {
        Validator storage v = _validators[validator];
        return _toTokens(v, _sharesOf(v, _delegations[validator][delegator]));
    }

    /// @inheritdoc IValidatorRegistry
    function sharesOf(address delegator, address validator) external view returns (uint256) {
        return _sharesOf(_validators[validator], _delegations[validator][delegator]);
    }

    /// @inheritdoc IValidatorRegistry
    function totalStake(address validator) external view returns (uint256) {
        return _validators[validator].stake;
    }

    /// @inheritdoc IValidatorRegistry
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @inheritdoc IValidatorRegistry
    function totalUnbonding() external view returns (uint256) {
        return _totalUnbonding;
    }

    /// @inheritdoc IValidatorRegistry
    function unbonding(uint256 requestId) external view returns (UnbondingRequest memory) {
        return _unbondings[requestId];
    }

    /// @inheritdoc IValidatorRegistry
    function unbondingCount() external view returns (uint256) {
        return _unbondingCount;
    }

    /// @inheritdoc IValidatorRegistry
    function validatorCount() external view returns (uint256) {
        return _validatorList.length;
    }

    /// @inheritdoc IValidatorRegistry
    function validatorAt(uint256 index) external view returns (address) {
        return _validatorList[index];
    }

    // ------------------------------------------------------------------ internals

    function _registered(address validator) private view returns (Validator storage v) {
        v = _validators[validator];
        if (!v.registered) revert NotValidator(validator);
    }

    function _openForDelegation(address validator) private view {
        if (_registered(validator).jailed) revert ValidatorIsJailed(validator);
    }

    function _checkCommission(uint16 bps) private view {
        if (bps > maxCommissionBps) revert CommissionTooHigh(bps, maxCommissionBps);
    }

    function _checkDuration(uint64 duration) private pure {
        if (duration > MAX_DURATION) revert DurationTooLong(duration, MAX_DURATION);
    }

    function _claimFeeRecipient(address feeRecipient, address validator) private {
        if (feeRecipient == address(0)) revert ZeroAddress();
        address owner = _validatorOfFeeRecipient[feeRecipient];
        if (owner != address(0)) revert FeeRecipientTaken(feeRecipient, owner);
        _validatorOfFeeRecipient[feeRecipient] = validator;
    }

    function _sharesOf(Validator storage v, Delegation storage d) private view returns (uint256) {
        return d.generation == v.generation ? d.shares : 0;
    }

    function _toTokens(Validator storage v, uint256 shares) private view returns (uint256) {
        uint256 total = v.totalShares;
        return total == 0 ? 0 : Math.mulDiv(shares, v.stake, total);
    }

    /// @dev Add `amount` tokens to `validator`'s stake for `delegator`; shares round down. Does not touch
    ///      `_totalStaked` (redelegation moves stake between pools).
    function _mintShares(address validator, address delegator, uint256 amount) private returns (uint256 shares) {
        Validator storage v = _validators[validator];
        // totalShares == 0 ⇔ stake == 0: an empty pool starts again at one share per token.
        shares = v.totalShares == 0 ? amount : Math.mulDiv(amount, v.totalShares, v.stake);
        if (shares == 0) revert AmountTooSmall(validator, amount);
        Delegation storage d = _delegations[validator][delegator];
        if (d.generation != v.generation) {
            d.shares = 0;
            d.generation = v.generation;
        }
        d.shares += shares;
        v.totalShares += shares;
        v.stake += amount;
    }

    /// @dev Take `amount` tokens of `delegator`'s delegation out of `validator`'s pool: shares round up. When that
    ///      needs all of the delegator's shares (asking for the whole delegation, or within rounding of it), the
    ///      whole delegation is paid, so no stake is ever left without shares. Does not touch `_totalStaked`.
    function _burnShares(address validator, address delegator, uint256 amount)
        private
        returns (uint256 burned, uint256 paid)
    {
        if (amount == 0) revert ZeroAmount();
        Validator storage v = _validators[validator];
        Delegation storage d = _delegations[validator][delegator];
        uint256 held = _sharesOf(v, d);
        uint256 balance = _toTokens(v, held);
        if (amount > balance) revert InsufficientDelegation(delegator, validator, amount, balance);
        burned = Math.mulDiv(amount, v.totalShares, v.stake, Math.Rounding.Ceil);
        if (burned >= held) {
            burned = held;
            paid = balance; // == stake when these are the pool's last shares
        } else {
            paid = amount;
        }
        d.shares = held - burned;
        v.totalShares -= burned;
        v.stake -= paid;
    }

    function _emitUndelegated(address validator, uint256 requestId, uint256 paid, uint256 burned, uint64 unlockAt)
        private
    {
        Validator storage v = _validators[validator];
        uint256 delegatorShares = _delegations[validator][msg.sender].shares;
        emit Undelegated(
            msg.sender,
            validator,
            requestId,
            paid,
            burned,
            unlockAt,
            _toTokens(v, delegatorShares),
            delegatorShares,
            v.stake,
            v.totalShares,
            _totalStaked,
            _totalUnbonding
        );
    }

    function _emitRedelegated(address from, address to, uint256 moved, uint256 burned, uint256 minted) private {
        Validator storage vf = _validators[from];
        Validator storage vt = _validators[to];
        Delegation storage df = _delegations[from][msg.sender];
        Delegation storage dt = _delegations[to][msg.sender];
        emit Redelegated(
            msg.sender,
            from,
            to,
            moved,
            burned,
            minted,
            _toTokens(vf, df.shares),
            _toTokens(vt, dt.shares),
            vf.stake,
            vt.stake,
            vf.totalShares,
            vt.totalShares
        );
    }

    function _emitConfig() private {
        emit ConfigChanged(address(stakingToken), treasury, unbondingPeriod, commissionChangeDelay, maxCommissionBps);
    }
}
