// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProtocolErrors} from "./IRoles.sol";

/// @title ValidatorRegistry: validators, their fee recipients and commission, and delegated stake
/// @notice A validator registers itself (msg.sender) with the fee-recipient (coinbase) address its blocks pay, a
///         commission in basis points and a metadata URI. A fee recipient maps to exactly one validator, so an indexer
///         attributes a block to its proposer from `block.coinbase` alone. Commission changes are scheduled and take
///         effect after `commissionChangeDelay` seconds.
///
///         Delegators stake the staking token on validators. Each validator keeps a share pool: a delegation is a
///         number of shares, and its value in tokens is `shares * stake / totalShares` of that validator. Slashing
///         lowers the validator's stake (every delegation in the same proportion, O(1)) and sends the slashed tokens
///         to the treasury. Undelegating burns shares and opens an unbonding request whose tokens are claimable after
///         `unbondingPeriod` seconds; pending unbonding tokens are no longer at stake and are not slashed.
///         Redelegation moves stake between validators at once.
///
///         Indexing: every state change emits an event carrying the amounts and the resulting totals, so the whole
///         state can be rebuilt from events without view calls. Share counts are emitted next to token amounts: after
///         a `Slashed` event, any delegation's value is `delegatorShares * stakeAfter / sharesAfter`. A slash that
///         takes the whole stake (`sharesAfter == 0` in the event) wipes every delegation to that validator.
///
///         Conservation: the token balance held ≥ `totalStaked()` + `totalUnbonding()` (equal unless someone sends
///         tokens to the contract directly).
interface IValidatorRegistry is IProtocolErrors {
    /// @notice A validator's on-chain record.
    struct Validator {
        /// whether the address has registered
        bool registered;
        /// jailed validators take no new delegations (undelegation stays open)
        bool jailed;
        /// current commission in basis points
        uint16 commissionBps;
        /// commission awaiting `applyCommissionChange` (meaningful when `commissionEffectiveAt` != 0)
        uint16 pendingCommissionBps;
        /// when the pending commission may be applied; 0 when nothing is pending
        uint64 commissionEffectiveAt;
        /// when the validator registered
        uint64 registeredAt;
        /// how many times it has been slashed
        uint32 slashCount;
        /// the block coinbase address its blocks pay; maps back to this validator
        address feeRecipient;
        /// tokens delegated to it (all delegators, after slashes)
        uint256 stake;
        /// shares outstanding in its pool
        uint256 totalShares;
        /// share-pool generation: bumped when a slash takes the whole stake, which voids older shares
        uint64 generation;
        /// off-chain metadata
        string metadataURI;
    }

    /// @notice An undelegation waiting out the unbonding period.
    struct UnbondingRequest {
        /// who undelegated and may withdraw
        address delegator;
        /// the validator the stake left
        address validator;
        /// tokens to be paid out
        uint256 amount;
        /// earliest withdrawal time
        uint64 unlockAt;
        /// whether it has been withdrawn
        bool withdrawn;
    }

    // ------------------------------------------------------------------ events: configuration

    /// @notice The registry's configuration, emitted in full at initialisation and whenever the governor changes
    ///         any part of it.
    /// @param stakingToken the ERC20 that is staked (fixed at initialisation)
    /// @param treasury where slashed tokens go
    /// @param unbondingPeriod seconds from undelegation to withdrawal (for new requests)
    /// @param commissionChangeDelay seconds from scheduling a commission change to applying it (for new schedules)
    /// @param maxCommissionBps highest commission a validator may set
    event ConfigChanged(
        address stakingToken,
        address treasury,
        uint64 unbondingPeriod,
        uint64 commissionChangeDelay,
        uint16 maxCommissionBps
    );

    // ------------------------------------------------------------------ events: validators

    /// @notice `validator` registered.
    /// @param validator the validator (msg.sender of the registration)
    /// @param feeRecipient the coinbase address of its blocks
    /// @param commissionBps its commission, effective immediately
    /// @param metadataURI off-chain metadata
    /// @param validatorCount number of registered validators after this one
    event ValidatorRegistered(
        address indexed validator,
        address indexed feeRecipient,
        uint16 commissionBps,
        string metadataURI,
        uint256 validatorCount
    );

    /// @notice `validator` changed its fee recipient; `oldRecipient` no longer maps to any validator.
    event FeeRecipientChanged(address indexed validator, address indexed oldRecipient, address indexed newRecipient);

    /// @notice `validator` changed its metadata URI.
    event MetadataURIChanged(address indexed validator, string metadataURI);

    /// @notice `validator` scheduled a commission change (replacing any pending one).
    /// @param currentBps the commission in force now
    /// @param newBps the commission that applies from `effectiveAt`
    /// @param effectiveAt when `applyCommissionChange` may be called
    event CommissionChangeScheduled(address indexed validator, uint16 currentBps, uint16 newBps, uint64 effectiveAt);

    /// @notice `validator` withdrew its pending commission change.
    /// @param currentBps the commission that stays in force
    /// @param cancelledBps the commission that was pending
    event CommissionChangeCancelled(address indexed validator, uint16 currentBps, uint16 cancelledBps);

    /// @notice A scheduled commission change took effect.
    /// @param oldBps the commission before
    /// @param newBps the commission now in force
    /// @param effectiveAt the time it was scheduled for (it applied at the block's timestamp, ≥ effectiveAt)
    /// @param appliedBy who called `applyCommissionChange`
    event CommissionChanged(address indexed validator, uint16 oldBps, uint16 newBps, uint64 effectiveAt, address appliedBy);

    /// @notice The governor jailed `validator`.
    /// @param stake the validator's stake at the time (unchanged by jailing)
    event ValidatorJailed(address indexed validator, string reason, uint256 stake);

    /// @notice The governor released `validator` from jail.
    event ValidatorUnjailed(address indexed validator, uint256 stake);

    /// @notice The governor slashed `validator`: every delegation to it lost `bps` / 10,000 of its value.
    /// @param bps the fraction slashed, in basis points of the stake
    /// @param amount tokens taken and sent to `treasury`
    /// @param stakeAfter the validator's stake after the slash
    /// @param sharesAfter the validator's shares outstanding after (0 when the whole stake was taken: every
    ///        delegation is void)
    /// @param totalStakedAfter stake over all validators after the slash
    /// @param treasury where the slashed tokens went
    /// @param reason why
    event Slashed(
        address indexed validator,
        uint16 bps,
        uint256 amount,
        uint256 stakeAfter,
        uint256 sharesAfter,
        uint256 totalStakedAfter,
        address treasury,
        string reason
    );

    // ------------------------------------------------------------------ events: delegation

    /// @notice `delegator` staked `amount` on `validator`.
    /// @param amount tokens received (balance delta)
    /// @param shares shares minted
    /// @param delegationAfter the delegator's delegation to `validator` after, in tokens
    /// @param delegatorSharesAfter the delegator's shares in `validator`'s pool after
    /// @param stakeAfter the validator's stake after
    /// @param sharesAfter the validator's shares outstanding after
    /// @param totalStakedAfter stake over all validators after
    event Delegated(
        address indexed delegator,
        address indexed validator,
        uint256 amount,
        uint256 shares,
        uint256 delegationAfter,
        uint256 delegatorSharesAfter,
        uint256 stakeAfter,
        uint256 sharesAfter,
        uint256 totalStakedAfter
    );

    /// @notice `delegator` undelegated `amount` from `validator`, opening unbonding request `requestId`.
    /// @param shares shares burned
    /// @param unlockAt when the tokens may be withdrawn
    /// @param delegationAfter the delegator's delegation to `validator` after, in tokens
    /// @param delegatorSharesAfter the delegator's shares after
    /// @param stakeAfter the validator's stake after
    /// @param sharesAfter the validator's shares outstanding after
    /// @param totalStakedAfter stake over all validators after
    /// @param totalUnbondingAfter tokens in pending unbonding requests after
    event Undelegated(
        address indexed delegator,
        address indexed validator,
        uint256 indexed requestId,
        uint256 amount,
        uint256 shares,
        uint64 unlockAt,
        uint256 delegationAfter,
        uint256 delegatorSharesAfter,
        uint256 stakeAfter,
        uint256 sharesAfter,
        uint256 totalStakedAfter,
        uint256 totalUnbondingAfter
    );

    /// @notice `delegator` moved `amount` of stake from validator `from` to validator `to` at once.
    /// @param sharesBurned shares burned in `from`'s pool
    /// @param sharesMinted shares minted in `to`'s pool
    /// @param fromDelegationAfter the delegator's delegation to `from` after, in tokens
    /// @param toDelegationAfter the delegator's delegation to `to` after, in tokens
    /// @param fromStakeAfter `from`'s stake after
    /// @param toStakeAfter `to`'s stake after
    /// @param fromSharesAfter `from`'s shares outstanding after
    /// @param toSharesAfter `to`'s shares outstanding after
    /// @dev totalStaked is unchanged. The delegator's shares after are its shares before minus `sharesBurned` in
    ///      `from`'s pool and plus `sharesMinted` in `to`'s pool (`sharesOf` gives them too).
    event Redelegated(
        address indexed delegator,
        address indexed from,
        address indexed to,
        uint256 amount,
        uint256 sharesBurned,
        uint256 sharesMinted,
        uint256 fromDelegationAfter,
        uint256 toDelegationAfter,
        uint256 fromStakeAfter,
        uint256 toStakeAfter,
        uint256 fromSharesAfter,
        uint256 toSharesAfter
    );

    /// @notice Unbonding request `requestId` was paid out to its delegator.
    /// @param totalUnbondingAfter tokens in pending unbonding requests after
    event UnbondingWithdrawn(
        uint256 indexed requestId,
        address indexed delegator,
        address indexed validator,
        uint256 amount,
        uint256 totalUnbondingAfter
    );

    // ------------------------------------------------------------------ errors

    /// @notice The address is not a registered validator.
    error NotValidator(address account);
    /// @notice msg.sender is already a registered validator.
    error AlreadyRegistered(address validator);
    /// @notice The fee recipient already belongs to `validator` (a fee recipient maps to one validator).
    error FeeRecipientTaken(address feeRecipient, address validator);
    /// @notice The commission is above the maximum.
    error CommissionTooHigh(uint16 bps, uint16 maxBps);
    /// @notice The validator has no pending commission change.
    error NoPendingCommissionChange(address validator);
    /// @notice The pending commission change is not due yet.
    error CommissionChangeNotDue(address validator, uint64 effectiveAt, uint64 nowTs);
    /// @notice The validator is jailed: it takes no new delegation.
    error ValidatorIsJailed(address validator);
    /// @notice The validator is not jailed.
    error ValidatorNotJailed(address validator);
    /// @notice The delegator has less than `requested` delegated to the validator.
    error InsufficientDelegation(address delegator, address validator, uint256 requested, uint256 available);
    /// @notice The amount is worth less than one share of the validator's pool.
    error AmountTooSmall(address validator, uint256 amount);
    /// @notice Redelegation from a validator to itself.
    error SameValidator(address validator);
    /// @notice No unbonding request has this id.
    error UnknownUnbondingRequest(uint256 requestId);
    /// @notice Only the request's delegator may withdraw it.
    error NotRequestOwner(uint256 requestId, address caller);
    /// @notice The request has already been withdrawn.
    error AlreadyWithdrawn(uint256 requestId);
    /// @notice The unbonding period of the request has not passed.
    error StillUnbonding(uint256 requestId, uint64 unlockAt, uint64 nowTs);
    /// @notice A basis-point value outside (0, 10,000].
    error InvalidBps(uint256 bps);
    /// @notice A duration above the allowed maximum.
    error DurationTooLong(uint256 duration, uint256 maxDuration);

    // ------------------------------------------------------------------ validators

    /// @notice Register msg.sender as a validator whose blocks pay `feeRecipient`.
    function registerValidator(address feeRecipient, uint16 commissionBps, string calldata metadataURI) external;
    /// @notice Point msg.sender's validator at a new fee recipient (not used by any validator).
    function setFeeRecipient(address feeRecipient) external;
    /// @notice Change msg.sender's validator metadata URI.
    function setMetadataURI(string calldata metadataURI) external;
    /// @notice Schedule msg.sender's commission to become `newBps` after the commission change delay.
    function scheduleCommissionChange(uint16 newBps) external;
    /// @notice Drop msg.sender's pending commission change.
    function cancelCommissionChange() external;
    /// @notice Apply `validator`'s scheduled commission change once it is due. Anyone may call.
    function applyCommissionChange(address validator) external;

    // ------------------------------------------------------------------ delegators

    /// @notice Stake `amount` of the staking token on `validator` (requires ERC20 approval).
    function delegate(address validator, uint256 amount) external;
    /// @notice Unstake `amount` tokens from `validator`; returns the unbonding request id.
    function undelegate(address validator, uint256 amount) external returns (uint256 requestId);
    /// @notice Withdraw the tokens of unbonding request `requestId` once unlocked.
    function withdrawUnbonded(uint256 requestId) external;
    /// @notice Move `amount` tokens of msg.sender's delegation from `from` to `to` at once.
    function redelegate(address from, address to, uint256 amount) external;

    // ------------------------------------------------------------------ governor

    /// @notice Jail `validator`: it takes no new delegation until unjailed.
    function jail(address validator, string calldata reason) external;
    /// @notice Release `validator` from jail.
    function unjail(address validator) external;
    /// @notice Slash `bps` / 10,000 of `validator`'s stake to the treasury; returns the tokens taken.
    function slash(address validator, uint16 bps, string calldata reason) external returns (uint256 amount);
    /// @notice Set where slashed tokens go.
    function setTreasury(address treasury) external;
    /// @notice Set the unbonding period of future undelegations.
    function setUnbondingPeriod(uint64 period) external;
    /// @notice Set the delay of future commission changes.
    function setCommissionChangeDelay(uint64 delay) external;
    /// @notice Set the highest commission a validator may set or schedule.
    function setMaxCommissionBps(uint16 maxBps) external;

    // ------------------------------------------------------------------ views

    /// @notice The record of `validator` (all zero when unknown).
    function getValidator(address validator) external view returns (Validator memory);
    /// @notice The validator whose fee recipient is `feeRecipient`, or the zero address.
    function validatorOfFeeRecipient(address feeRecipient) external view returns (address);
    /// @notice `delegator`'s delegation to `validator`, in tokens.
    function delegationOf(address delegator, address validator) external view returns (uint256);
    /// @notice `delegator`'s shares in `validator`'s pool.
    function sharesOf(address delegator, address validator) external view returns (uint256);
    /// @notice Tokens staked on `validator`.
    function totalStake(address validator) external view returns (uint256);
    /// @notice Tokens staked over all validators.
    function totalStaked() external view returns (uint256);
    /// @notice Tokens in unbonding requests not yet withdrawn.
    function totalUnbonding() external view returns (uint256);
    /// @notice Unbonding request `requestId` (delegator zero when unknown).
    function unbonding(uint256 requestId) external view returns (UnbondingRequest memory);
    /// @notice Number of unbonding requests ever opened (ids run from 1 to this).
    function unbondingCount() external view returns (uint256);
    /// @notice Number of registered validators.
    function validatorCount() external view returns (uint256);
    /// @notice The validator registered `index`-th (0-based).
    function validatorAt(uint256 index) external view returns (address);
}
